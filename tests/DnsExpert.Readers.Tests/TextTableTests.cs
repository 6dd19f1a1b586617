using DnsExpert.Readers.Parsing;

namespace DnsExpert.Readers.Tests;

/// <summary>The scanner's open-addressed table against the framework's Dictionary, over keys whose hashes collide.</summary>
public sealed class TextTableTests
{
    /// <summary>How a test key's hash is made from the key's own: whole, or cut so that keys collide in the ways a probe meets.</summary>
    public enum Hashing
    {
        /// <summary>A well-spread 64-bit hash.</summary>
        Spread,

        /// <summary>One of three values: long runs of full collisions, compared by the key alone.</summary>
        Three,

        /// <summary>The same low bits (one slot to start from), different high ones (the slot's check tells them apart).</summary>
        SameSlot,

        /// <summary>The same high bits (the check never helps), different low ones.</summary>
        SameCheck,
    }

    [Theory]
    [InlineData(Hashing.Spread, 1)]
    [InlineData(Hashing.Spread, 2)]
    [InlineData(Hashing.Three, 3)]
    [InlineData(Hashing.SameSlot, 4)]
    [InlineData(Hashing.SameCheck, 5)]
    public void Finds_what_a_dictionary_finds_as_it_grows(Hashing hashing, int seed)
    {
        var random = new Random(seed);
        var table = new TextTable();
        var expected = new Dictionary<string, int>(StringComparer.Ordinal);
        var added = new List<string>();

        // Short keys of few letters (3,120 of them), so that lookups both hit and miss, past many growths.
        for (var step = 0; step < 20_000; step++)
        {
            var key = new string(Enumerable.Range(0, random.Next(0, 4)).Select(_ => "ab|Z."[random.Next(5)]).ToArray()) + random.Next(20);
            var found = table.TryGetValue(new Key(key, hashing), out var value);
            Assert.Equal(expected.TryGetValue(key, out var wanted), found);
            if (found)
            {
                Assert.Equal(wanted, value);
            }
            else
            {
                // The value is not the order of adding: a table that returned its entry's index would fail.
                var number = random.Next();
                table.Add(new Key(key, hashing), number);
                expected.Add(key, number);
                added.Add(key);
            }

            Assert.Equal(expected.Count, table.Count);
        }

        Assert.True(table.Count > 2_000, $"{table.Count} keys");
        foreach (var key in added)
        {
            Assert.True(table.TryGetValue(new Key(key, hashing), out var value), key);
            Assert.Equal(expected[key], value);
        }
    }

    [Fact]
    public void A_key_is_made_once_when_added_and_not_at_a_lookup()
    {
        var table = new TextTable();
        var made = 0;
        Assert.False(table.TryGetValue(new Key("x", Hashing.Spread, () => made++), out _));
        table.Add(new Key("x", Hashing.Spread, () => made++), 7);
        Assert.True(table.TryGetValue(new Key("x", Hashing.Spread, () => made++), out var value));
        Assert.Equal((1, 7), (made, value));
    }

    private readonly ref struct Key(string text, Hashing hashing, Action? made = null) : ITextKey
    {
        public ulong Hash()
        {
            var full = (ulong)string.GetHashCode(text, StringComparison.Ordinal) * 0x9E3779B97F4A7C15UL;
            return hashing switch
            {
                Hashing.Three => (ulong)(text.Length % 3) * 0x0101_0101_0101_0101UL,
                Hashing.SameSlot => full & 0xFFFF_FFFF_0000_0000UL,
                Hashing.SameCheck => full & 0x0000_0000_FFFF_FFFFUL,
                _ => full,
            };
        }

        public bool Is(string stored) => stored == text;

        public string Text()
        {
            made?.Invoke();
            return text;
        }
    }
}
