namespace DnsExpert.Readers.Building;

/// <summary>Sizes of DNS messages on the wire (RFC 1035), to tell whether an answer fits in a 512-byte UDP message.</summary>
public static class DnsAnswerSize
{
    /// <summary>The classic UDP limit without EDNS.</summary>
    public const int UdpLimit = 512;

    /// <summary>
    /// The size of a response to an A query for <paramref name="name"/> with <paramref name="records"/> A records:
    /// a 12-byte header, the question (name, type, class), and per record a 2-byte compression pointer, type, class,
    /// TTL, length and the 4-byte address.
    /// </summary>
    public static int ForARecords(string name, int records)
    {
        var question = WireLength(name) + 4;
        return 12 + question + (records * (2 + 2 + 2 + 4 + 2 + 4));
    }

    /// <summary>The wire length of a name: each label with its length byte, plus the root's zero byte.</summary>
    public static int WireLength(string name)
    {
        var trimmed = name.TrimEnd('.');
        return trimmed.Length == 0 ? 1 : trimmed.Split('.').Sum(label => label.Length + 1) + 1;
    }
}
