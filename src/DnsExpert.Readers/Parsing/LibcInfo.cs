using System.Text.RegularExpressions;
using DnsExpert.Facts;

namespace DnsExpert.Readers.Parsing;

public enum LibcKind
{
    Unknown,
    Glibc,
    Musl,
}

/// <summary>The C library of an image, from <c>ldd --version</c> (glibc prints to stdout, musl to stderr).</summary>
public sealed partial record LibcInfo(LibcKind Kind, ReleaseVersion? Version)
{
    public static LibcInfo FromLddOutput(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return new LibcInfo(LibcKind.Unknown, null);
        }

        if (text.Contains("musl", StringComparison.OrdinalIgnoreCase))
        {
            var m = MuslVersion().Match(text);
            return new LibcInfo(LibcKind.Musl, m.Success && ReleaseVersion.TryParse(m.Groups[1].Value, out var v) ? v : null);
        }

        var g = GlibcVersion().Match(text);
        if (g.Success && ReleaseVersion.TryParse(g.Groups[1].Value, out var gv))
        {
            return new LibcInfo(LibcKind.Glibc, gv);
        }

        return new LibcInfo(LibcKind.Unknown, null);
    }

    [GeneratedRegex(@"Version (\d+(?:\.\d+)+)", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex MuslVersion();

    /// <summary>"ldd (GNU libc) 2.28", "ldd (Ubuntu GLIBC 2.35-0ubuntu3.1) 2.35", "ldd (Debian GLIBC 2.36-9+deb12u4) 2.36".</summary>
    [GeneratedRegex(@"^ldd \([^)]*(?:GNU libc|GLIBC)[^)]*\) (\d+\.\d+(?:\.\d+)?)", RegexOptions.CultureInvariant | RegexOptions.Multiline | RegexOptions.NonBacktracking)]
    private static partial Regex GlibcVersion();
}
