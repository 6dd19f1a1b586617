using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DnsExpert.Readers.Parsing;

/// <summary>A and AAAA queries for one name from one client IP and port in the same second, and how often that happened.</summary>
public sealed record ParallelQueryPair(string Client, int Port, string Name, DateTimeOffset? Timestamp, int LineNumber, int Occurrences);

/// <summary>
/// Finds A and AAAA queries for one name sent from one client IP and port within the same second: glibc's parallel
/// lookups, which race in conntrack and lose a UDP packet. Memory is fixed: only the last query per client port is
/// kept, in a table, and clients and names are remembered by their hashes, so the hot path allocates nothing.
/// </summary>
internal sealed class ParallelQueryDetector
{
    private const int MaxPairsReported = 20;

    private const int MinBits = 6;
    private const int MaxBits = 12;

    /// <summary>
    /// The last query per client port, in a table indexed by its hash: a newer client port can push out an older one. It
    /// starts small (a short log costs little) and grows with the log up to 4,096 slots (128 KB, cache-sized): the two
    /// queries of a pair are at most a few lines apart.
    /// </summary>
    private Slot[] _last = new Slot[1 << MinBits];
    private int _bits = MinBits;
    private int _observed;

    private static readonly ulong Seed = (ulong)Random.Shared.NextInt64() | 1;

    /// <summary>The pairs by client IP, in the order their clients first paired (a line of a busy log may pair).</summary>
    private readonly TextTable _byClient = new();
    private readonly List<ParallelQueryPair> _pairs = [];

    // Per line of text with other than ASCII in it (text of ASCII is narrowed and read as bytes): optimised at its first
    // call, as its bytes twin is (it never sees a profile: TieredPGO is off).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Observe(
        ReadOnlySpan<char> client, int? clientPort, ReadOnlySpan<char> name, ReadOnlySpan<char> type, ReadOnlySpan<char> transport,
        DateTimeOffset? timestamp, int lineNumber)
    {
        if (clientPort is not { } port || transport is not "udp" || type is not ("A" or "AAAA"))
        {
            return;
        }

        // Names and clients by a 64-bit hash: nothing allocated per line, and a collision is vanishingly rare.
        // The client's hash places the query in the table, so it stays FNV-1a: another hash would push out other
        // queries and find other pairs in a busy log. The name's is only compared, so it may be a faster one.
        Record(Fnv(client), port, Hash(name), type is "AAAA", timestamp, lineNumber, client, name);
    }

    /// <summary>Keeps the query in its client port's slot, counting a pair when the slot held the other type of it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Record<T>(ulong clientHash, int port, ulong nameHash, bool aaaa, DateTimeOffset? timestamp, int lineNumber, ReadOnlySpan<T> client, ReadOnlySpan<T> name)
        where T : unmanaged
    {
        var key = (clientHash ^ (ulong)port) * 0x9E3779B97F4A7C15UL;
        var second = timestamp?.ToUnixTimeSeconds() ?? lineNumber;
        if (++_observed > _last.Length * 2 && _bits < MaxBits)
        {
            Grow();
        }

        ref var slot = ref _last[(int)(key >> (64 - _bits))];
        if (slot.Key == key && slot.Name == nameHash && slot.Aaaa != aaaa
            && (timestamp is null ? Math.Abs(second - slot.Second) <= 1 : second == slot.Second))
        {
            if (_byClient.TryGetValue(new Client<T>(client), out var i))
            {
                _pairs[i] = _pairs[i] with { Occurrences = _pairs[i].Occurrences + 1 };
            }
            else
            {
                _pairs.Add(new ParallelQueryPair(_byClient.Add(new Client<T>(client), _pairs.Count), port, Text(name).TrimEnd('.').ToLowerInvariant(), timestamp, lineNumber, 1));
            }
        }

        slot = new Slot(key, nameHash, second, aaaa);
    }

    /// <summary>Characters, or ASCII bytes, as a string.</summary>
    private static string Text<T>(ReadOnlySpan<T> text)
        where T : unmanaged => typeof(T) == typeof(byte)
            ? System.Text.Encoding.ASCII.GetString(MemoryMarshal.Cast<T, byte>(text))
            : MemoryMarshal.Cast<T, char>(text).ToString();

    /// <summary>
    /// <see cref="Observe(ReadOnlySpan{char}, int?, ReadOnlySpan{char}, ReadOnlySpan{char}, ReadOnlySpan{char}, DateTimeOffset?, int)"/>
    /// of an ASCII line's fields: hashed as their characters would be, so a query read as bytes pairs with one read as text.
    /// </summary>
    // Runs per line or per byte of a long log: optimised at its first call, with no ReadyToRun or instrumented code in
    // between (BENCHMARKS.md, "The read's hot loops optimised at their first call").
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Observe(
        ReadOnlySpan<byte> client, int clientPort, ReadOnlySpan<byte> name, ReadOnlySpan<byte> type, ReadOnlySpan<byte> transport,
        DateTimeOffset? timestamp, int lineNumber)
    {
        if (!transport.SequenceEqual("udp"u8) || !(type.SequenceEqual("A"u8) || type.SequenceEqual("AAAA"u8)))
        {
            return;
        }

        Record(Fnv(client), clientPort, Hash(name), type.Length == 4, timestamp, lineNumber, client, name);
    }

    private void Grow()
    {
        var old = _last;
        _bits = Math.Min(MaxBits, _bits + 2);
        _last = new Slot[1 << _bits];
        foreach (var slot in old)
        {
            if (slot.Key != 0)
            {
                _last[(int)(slot.Key >> (64 - _bits))] = slot;
            }
        }
    }

    private readonly record struct Slot(ulong Key, ulong Name, long Second, bool Aaaa);

    /// <summary>FNV-1a, 64 bits, of the characters (an ASCII byte is its character).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Fnv<T>(ReadOnlySpan<T> text)
        where T : unmanaged
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            hash = (hash ^ (uint)QueryScanner.Code(c)) * 1099511628211UL;
        }

        return hash;
    }

    /// <summary>
    /// A name's 64-bit hash, over its UTF-16 bytes 16 at a time in two independent lanes (FNV-1a, a dependent multiply
    /// per character, took about a twentieth of a query log's scan for the name alone). The last 8 bytes are read whole,
    /// overlapping the step before (the length is in the seed). Seeded per process, so that names chosen by a cluster
    /// cannot be made to collide into a false pair.
    /// </summary>
    // Per line of text with other than ASCII in it (text of ASCII is narrowed and read as bytes): optimised at its first
    // call, as its bytes twin is (it never sees a profile: TieredPGO is off).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static ulong Hash(ReadOnlySpan<char> text)
    {
        const ulong Multiplier = 0x9E3779B97F4A7C15UL;
        var bytes = MemoryMarshal.AsBytes(text);
        var a = Seed ^ (ulong)bytes.Length;
        var b = Seed * Multiplier;
        if (bytes.Length >= 8)
        {
            var i = 0;
            for (; i + 16 <= bytes.Length; i += 16)
            {
                a = BitOperations.RotateLeft((a ^ MemoryMarshal.Read<ulong>(bytes[i..])) * Multiplier, 31);
                b = BitOperations.RotateLeft((b ^ MemoryMarshal.Read<ulong>(bytes[(i + 8)..])) * Multiplier, 31);
            }

            if (i < bytes.Length)
            {
                a = BitOperations.RotateLeft((a ^ MemoryMarshal.Read<ulong>(bytes[^8..])) * Multiplier, 31);
            }
        }
        else
        {
            // 2, 4 or 6 bytes: one to three characters.
            ulong tail = 0;
            for (var i = 0; i < bytes.Length; i += 2)
            {
                tail |= (ulong)MemoryMarshal.Read<ushort>(bytes[i..]) << (8 * i);
            }

            a = BitOperations.RotateLeft((a ^ tail) * Multiplier, 31);
        }

        var hash = a ^ BitOperations.RotateLeft(b, 17);
        hash ^= hash >> 29;
        hash *= 0xBF58476D1CE4E5B9UL;
        return hash ^ (hash >> 32);
    }

    /// <summary>
    /// <see cref="Hash(ReadOnlySpan{char})"/> of ASCII bytes' characters without making them: each 8 bytes the other
    /// reads (four UTF-16 units) are four bytes here, spread into those units (<see cref="AsciiText.Units"/>).
    /// </summary>
    // Runs per line or per byte of a long log: optimised at its first call, with no ReadyToRun or instrumented code in
    // between (BENCHMARKS.md, "The read's hot loops optimised at their first call").
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static ulong Hash(ReadOnlySpan<byte> ascii)
    {
        const ulong Multiplier = 0x9E3779B97F4A7C15UL;
        var a = Seed ^ ((ulong)ascii.Length * 2);
        var b = Seed * Multiplier;
        if (ascii.Length >= 4)
        {
            var i = 0;
            for (; i + 8 <= ascii.Length; i += 8)
            {
                a = BitOperations.RotateLeft((a ^ AsciiText.Units(MemoryMarshal.Read<uint>(ascii[i..]))) * Multiplier, 31);
                b = BitOperations.RotateLeft((b ^ AsciiText.Units(MemoryMarshal.Read<uint>(ascii[(i + 4)..]))) * Multiplier, 31);
            }

            if (i < ascii.Length)
            {
                a = BitOperations.RotateLeft((a ^ AsciiText.Units(MemoryMarshal.Read<uint>(ascii[^4..]))) * Multiplier, 31);
            }
        }
        else
        {
            ulong tail = 0;
            for (var i = 0; i < ascii.Length; i++)
            {
                tail |= (ulong)ascii[i] << (16 * i);
            }

            a = BitOperations.RotateLeft((a ^ tail) * Multiplier, 31);
        }

        var hash = a ^ BitOperations.RotateLeft(b, 17);
        hash ^= hash >> 29;
        hash *= 0xBF58476D1CE4E5B9UL;
        return hash ^ (hash >> 32);
    }

    public IReadOnlyList<ParallelQueryPair> Pairs() => _pairs.OrderByDescending(p => p.Occurrences).Take(MaxPairsReported).ToList();

    /// <summary>A client IP as characters or ASCII bytes of a line, compared ordinally; stored as its characters.</summary>
    private readonly ref struct Client<T>(ReadOnlySpan<T> client) : ITextKey
        where T : unmanaged
    {
        private readonly ReadOnlySpan<T> _client = client;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ulong Hash() => TextHash.Finish(typeof(T) == typeof(byte)
            ? TextHash.CaseFoldedHash(MemoryMarshal.Cast<T, byte>(_client), TextHash.Seed)
            : TextHash.Hash(MemoryMarshal.Cast<T, char>(_client), TextHash.Seed));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Is(string stored) => typeof(T) == typeof(byte)
            ? System.Text.Ascii.Equals(MemoryMarshal.Cast<T, byte>(_client), stored)
            : MemoryMarshal.Cast<T, char>(_client).SequenceEqual(stored);

        public string Text() => ParallelQueryDetector.Text(_client);
    }
}
