using DnsExpert.Core.Parsing;

namespace DnsExpert.Core.Building;

/// <summary>
/// Finds A and AAAA queries for one name sent from one client IP and port within the same second: glibc's parallel
/// lookups, which race in conntrack and lose a UDP packet. Memory is bounded: only the last query per client port is kept.
/// </summary>
internal sealed class ParallelQueryDetector
{
    public sealed record Pair(string Client, int Port, string Name, DateTimeOffset? Timestamp, int LineNumber, int Occurrences);

    private const int MaxTracked = 50_000;
    private const int MaxPairsReported = 20;

    private readonly Dictionary<(string Client, int Port), (string Name, string Type, long Second)> _last = [];
    private readonly Dictionary<string, Pair> _byClient = new(StringComparer.Ordinal);

    public void Observe(CoreDnsLogRecord record, CoreDnsQuery query)
    {
        if (query.ClientPort is not { } port || query.Transport != "udp" || query.Type is not ("A" or "AAAA"))
        {
            return;
        }

        var second = record.Timestamp?.ToUnixTimeSeconds() ?? record.LineNumber;
        var key = (query.Client, port);
        if (_last.TryGetValue(key, out var previous) && previous.Name == query.Name && previous.Type != query.Type
            && (record.Timestamp is null ? Math.Abs(second - previous.Second) <= 1 : second == previous.Second))
        {
            var name = query.Name.TrimEnd('.').ToLowerInvariant();
            _byClient[query.Client] = _byClient.TryGetValue(query.Client, out var existing)
                ? existing with { Occurrences = existing.Occurrences + 1 }
                : new Pair(query.Client, port, name, record.Timestamp, record.LineNumber, 1);
        }

        if (_last.Count >= MaxTracked)
        {
            _last.Clear();
        }

        _last[key] = (query.Name, query.Type, second);
    }

    public IEnumerable<Pair> Pairs() => _byClient.Values.OrderByDescending(p => p.Occurrences).Take(MaxPairsReported);
}
