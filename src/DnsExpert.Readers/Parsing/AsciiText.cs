using System.Runtime.CompilerServices;

namespace DnsExpert.Readers.Parsing;

/// <summary>ASCII bytes read as the UTF-16 text they stand for, for hashes that must agree on both.</summary>
internal static class AsciiText
{
    /// <summary>
    /// <paramref name="ascii"/> without every <paramref name="trailing"/> byte at its end, as
    /// <c>MemoryExtensions.TrimEnd</c> gives it, written out so that it is inlined into a log's line loop: the
    /// framework's generic one has no precompiled code for bytes and ran unoptimised, then instrumented, in the first
    /// large request a process read.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ReadOnlySpan<byte> TrimEnd(ReadOnlySpan<byte> ascii, byte trailing)
    {
        var length = ascii.Length;
        while (length > 0 && ascii[length - 1] == trailing)
        {
            length--;
        }

        return ascii[..length];
    }

    /// <summary>
    /// Four ASCII bytes (read little-endian as one <see cref="uint"/>) as the 8 bytes of their four UTF-16 units, read
    /// little-endian as one <see cref="ulong"/>: what reading those characters' bytes would give.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Units(uint four) =>
        (four & 0xFFUL) | ((four & 0xFF00UL) << 8) | ((four & 0xFF_0000UL) << 16) | ((four & 0xFF00_0000UL) << 24);
}
