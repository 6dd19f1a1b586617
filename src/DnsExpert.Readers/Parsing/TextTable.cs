using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DnsExpert.Readers.Parsing;

/// <summary>
/// A key of a <see cref="TextTable"/> as it lies (characters or bytes of a line, in parts): its hash, whether a stored
/// key is it, and the stored key made of it. Every form of one table's keys hashes a key alike.
/// </summary>
internal interface ITextKey
{
    ulong Hash();

    bool Is(string stored);

    /// <summary>The key as it is stored: made once, when it is added.</summary>
    string Text();
}

/// <summary>
/// Text keys to numbers, open-addressed with linear probing: a key is looked up as it lies, compared in place with the
/// stored string, which is made once per distinct key. The framework's Dictionary looked a scanned line's keys up
/// through an alternate comparer's interface calls, in generic code of its own over this assembly's key types that no
/// ReadyToRun image holds: in a process's first long log it ran as Tier0, then instrumented code, on every line
/// (BENCHMARKS.md, "The scanner's tables"). The probe here is optimised at its first call and its key's calls inlined.
/// </summary>
internal sealed class TextTable
{
    private const int MinBits = 4;

    /// <summary>Each slot: its entry's index + 1 (0 for none) and the high half of the entry's hash.</summary>
    private Slot[] _slots = new Slot[1 << MinBits];
    private Entry[] _entries = new Entry[1 << (MinBits - 1)];
    private int _count;

    public int Count => _count;

    /// <summary>The number stored with <paramref name="key"/>, if it is here.</summary>
    // Runs per line of a long log: optimised at its first call (BENCHMARKS.md, "The read's hot loops optimised at their first call").
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryGetValue<TKey>(scoped in TKey key, out int value)
        where TKey : ITextKey, allows ref struct
    {
        var hash = key.Hash();
        var check = (uint)(hash >> 32);
        var mask = _slots.Length - 1;
        var slots = _slots;
        for (var i = (int)hash & mask; ; i = (i + 1) & mask)
        {
            var slot = slots[i];
            if (slot.Entry == 0)
            {
                value = 0;
                return false;
            }

            if (slot.Check == check)
            {
                ref var entry = ref _entries[slot.Entry - 1];
                if (entry.Hash == hash && key.Is(entry.Key))
                {
                    value = entry.Value;
                    return true;
                }
            }
        }
    }

    /// <summary>Adds a key that is not here (the caller looked it up first), with its number; the stored key.</summary>
    public string Add<TKey>(scoped in TKey key, int value)
        where TKey : ITextKey, allows ref struct
    {
        if (_count == _entries.Length)
        {
            Grow();
        }

        var hash = key.Hash();
        var text = key.Text();
        _entries[_count] = new Entry(text, hash, value);
        _count++;
        Place(_slots, hash, _count);
        return text;
    }

    private static void Place(Slot[] slots, ulong hash, int entry)
    {
        var mask = slots.Length - 1;
        var i = (int)hash & mask;
        while (slots[i].Entry != 0)
        {
            i = (i + 1) & mask;
        }

        slots[i] = new Slot(entry, (uint)(hash >> 32));
    }

    /// <summary>Twice the room: at most half the slots are taken (there are half as many entries as slots).</summary>
    private void Grow()
    {
        Array.Resize(ref _entries, _entries.Length * 2);
        var slots = new Slot[_slots.Length * 2];
        for (var i = 0; i < _count; i++)
        {
            Place(slots, _entries[i].Hash, i + 1);
        }

        _slots = slots;
    }

    private readonly record struct Slot(int Entry, uint Check);

    private readonly record struct Entry(string Key, ulong Hash, int Value);
}

/// <summary>
/// The keys' hash: it folds ASCII case 8 bytes at a time, seeded per process so that names chosen by a cluster cannot
/// be made to collide. A key's ASCII bytes hash as its characters do.
/// </summary>
internal static class TextHash
{
    public static readonly ulong Seed = (ulong)Random.Shared.NextInt64() | 1;

    /// <summary>
    /// <see cref="Hash(ReadOnlySpan{char}, ulong)"/> of ASCII bytes' characters, without making them: four bytes read
    /// at once are spread into the four UTF-16 units they stand for (<see cref="AsciiText.Units"/>), then hashed alike.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong CaseFoldedHash(ReadOnlySpan<byte> ascii, ulong hash)
    {
        const ulong Fold = 0x0020_0020_0020_0020UL;
        hash ^= (ulong)ascii.Length * 2;
        while (ascii.Length >= 4)
        {
            hash = System.Numerics.BitOperations.RotateLeft((hash ^ (AsciiText.Units(MemoryMarshal.Read<uint>(ascii)) | Fold)) * 0x9E3779B97F4A7C15UL, 31);
            ascii = ascii[4..];
        }

        foreach (var b in ascii)
        {
            hash = (hash ^ (b | 0x20UL)) * 0x100000001B3UL;
        }

        return hash;
    }

    /// <summary>Every char with 0x20 set: ASCII letters in lower case (other chars change too, alike on both sides).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Hash(ReadOnlySpan<char> text, ulong hash)
    {
        const ulong Fold = 0x0020_0020_0020_0020UL;
        var bytes = MemoryMarshal.AsBytes(text);
        hash ^= (ulong)bytes.Length;
        while (bytes.Length >= 8)
        {
            hash = System.Numerics.BitOperations.RotateLeft((hash ^ (MemoryMarshal.Read<ulong>(bytes) | Fold)) * 0x9E3779B97F4A7C15UL, 31);
            bytes = bytes[8..];
        }

        for (var i = 0; i + 1 < bytes.Length; i += 2)
        {
            hash = (hash ^ (MemoryMarshal.Read<ushort>(bytes[i..]) | 0x20UL)) * 0x100000001B3UL;
        }

        return hash;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Finish(ulong hash)
    {
        hash ^= hash >> 29;
        hash *= 0xBF58476D1CE4E5B9UL;
        return hash ^ (hash >> 32);
    }
}
