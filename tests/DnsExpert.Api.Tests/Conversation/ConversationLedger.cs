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

    /// <summary>The suffix of a conversation played from the name and the frequency alone, summed up apart.</summary>
    public const string SymptomOnly = " (name and frequency only)";

    /// <summary>The summary, as written: the conversations from the error message, then those from the name and frequency alone.</summary>
    public string Summary()
    {
        var text = new StringBuilder();
        foreach (var (title, symptomOnly) in new[] { ("from the error message", false), ("from the name and frequency alone", true) })
        {
            bool Of(string key) => key.EndsWith(SymptomOnly, StringComparison.Ordinal) == symptomOnly;
            var rounds = _rounds.Where(r => Of(r.Key)).Select(r => r.Value).ToList();
            var pending = _pending.Where(p => Of(p.Key)).ToList();
            if (rounds.Count + pending.Count == 0)
            {
                continue;
            }

            text.Append(CultureInfo.InvariantCulture, $"{title}:\n");
            if (rounds.Count > 0)
            {
                text.Append(CultureInfo.InvariantCulture,
                    $"{rounds.Count} conversations reach their cause: mean {rounds.Average():0.00} rounds, worst {rounds.Max()} ");
                text.Append(CultureInfo.InvariantCulture,
                    $"({string.Join(", ", rounds.GroupBy(r => r).OrderBy(g => g.Key).Select(g => $"{g.Count()} in {g.Key}"))})\n");
            }

            text.Append(CultureInfo.InvariantCulture, $"{pending.Count} not yet within the bounds\n");
            foreach (var group in pending.GroupBy(p => p.Value).OrderByDescending(g => g.Count()))
            {
                text.Append(CultureInfo.InvariantCulture, $"  {group.Count()} × {group.Key}: {string.Join(", ", group.Select(p => p.Key).Order(StringComparer.Ordinal))}\n");
            }
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
