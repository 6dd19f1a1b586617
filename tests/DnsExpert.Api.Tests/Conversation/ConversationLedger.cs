using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace DnsExpert.Api.Tests.Conversation;

/// <summary>
/// The rounds of every conversation <see cref="ConversationTests"/> played, summed up once they all ran: the mean and
/// worst rounds of those that reached their cause, and how many do not yet, with their reasons grouped. The summary is
/// written to <c>conversation-rounds.txt</c> beside the test assembly and as an xunit diagnostic message.
/// </summary>
public sealed class ConversationLedger(IMessageSink sink) : IDisposable
{
    private readonly ConcurrentDictionary<string, int> _rounds = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _pending = new(StringComparer.Ordinal);

    /// <summary>Notes that <paramref name="scenario"/> reached its cause in <paramref name="rounds"/> rounds.</summary>
    public void Converged(string scenario, int rounds) => _rounds[scenario] = rounds;

    /// <summary>Notes that <paramref name="scenario"/> does not reach its cause within the bounds yet, and why.</summary>
    public void NotConverging(string scenario, string reason) => _pending[scenario] = reason;

    /// <summary>The summary, as written.</summary>
    public string Summary()
    {
        var text = new StringBuilder();
        if (!_rounds.IsEmpty)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"{_rounds.Count} conversations reach their cause: mean {_rounds.Values.Average():0.00} rounds, worst {_rounds.Values.Max()} ");
            text.Append(CultureInfo.InvariantCulture,
                $"({string.Join(", ", _rounds.Values.GroupBy(r => r).OrderBy(g => g.Key).Select(g => $"{g.Count()} in {g.Key}"))})\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"{_pending.Count} not yet within the bounds\n");
        foreach (var group in _pending.GroupBy(p => p.Value).OrderByDescending(g => g.Count()))
        {
            text.Append(CultureInfo.InvariantCulture, $"  {group.Count()} × {group.Key}: {string.Join(", ", group.Select(p => p.Key).Order(StringComparer.Ordinal))}\n");
        }

        return text.ToString();
    }

    public void Dispose()
    {
        if (_rounds.IsEmpty && _pending.IsEmpty)
        {
            return;
        }

        var summary = Summary();
        File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "conversation-rounds.txt"), summary);
        sink.OnMessage(new DiagnosticMessage(summary));
    }
}
