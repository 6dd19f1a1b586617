using DnsExpert.Engine.Compilation;
using DnsExpert.Engine.Results;
using DnsExpert.Facts;
using NRules.Diagnostics;

namespace DnsExpert.Engine.Sessions;

/// <summary>The outcome of one rule session.</summary>
public sealed record RuleSessionResult(IReadOnlyList<RuleFinding> Findings, IReadOnlyList<string> Problems)
{
    /// <summary>The causes the report routes to and where the evidence leaves them (<see cref="Hypotheses.HypothesisBuilder"/>).</summary>
    public IReadOnlyList<RuleHypothesis> Hypotheses { get; init; } = [];

    /// <summary>The hypotheses' checks in the order of what they decide (<see cref="Hypotheses.CheckOrder"/>).</summary>
    public IReadOnlyList<RankedCheck> NextChecks { get; init; } = [];
}

/// <summary>
/// Runs one diagnosis: a fresh NRules session from the shared factory, the facts in, <c>Fire()</c>, and the
/// matches merged into one finding per rule (evidence from every match), ordered by <see cref="FindingRanking"/>.
/// </summary>
public static class RuleSessionRunner
{
    /// <summary>At most this many evidence lines per finding; the rest are counted.</summary>
    public const int MaxEvidence = 25;

    /// <summary>At most this many characters of evidence per finding (each text is capped too); the rest are counted.</summary>
    public const int MaxEvidenceCharacters = 64 * 1024;

    /// <summary>
    /// Runs <paramref name="facts"/> against <paramref name="ruleBase"/>; <paramref name="cancellationToken"/> stops the
    /// firing between two rules (an abandoned request does not keep a worker busy) and the run ends with
    /// <see cref="OperationCanceledException"/> rather than with the findings of half a session.
    /// </summary>
    public static RuleSessionResult Run(RuleBase ruleBase, IReadOnlyList<object> facts, CancellationToken cancellationToken = default) =>
        Run(ruleBase, facts, known: null, cancellationToken);

    /// <summary>
    /// As <see cref="Run(RuleBase, IReadOnlyList{object}, CancellationToken)"/>, with <paramref name="known"/> what finding
    /// templates read as <c>known</c>: the cluster's own names (kubeadm's while null).
    /// </summary>
    public static RuleSessionResult Run(RuleBase ruleBase, IReadOnlyList<object> facts, Commands.KnownValues? known, CancellationToken cancellationToken = default)
    {
        known ??= new Commands.KnownValues();
        var problems = new List<string>();
        var session = ruleBase.SessionFactory.CreateSession();

        // A condition that throws (a null it did not expect) must not sink the whole diagnosis: the rule
        // simply does not match that fact, and the response says so.
        session.Events.LhsExpressionFailedEvent += (_, e) =>
        {
            e.IsHandled = true;
            problems.Add($"rule {string.Join(",", e.Rules.Select(r => r.Name))}: condition failed: {e.Exception?.Message}");
        };
        session.Events.RhsExpressionFailedEvent += (_, e) =>
        {
            e.IsHandled = true;
            problems.Add($"rule {e.Match.Rule.Name}: action failed: {e.Exception?.Message}");
        };

        session.InsertAll(facts);
        session.Fire(cancellationToken);
        cancellationToken.ThrowIfCancellationRequested(); // Fire stops between two rules and returns; it does not throw

        var matches = session.Query<FindingFact>().ToList();
        var symptom = facts.OfType<ReportedSymptom>().FirstOrDefault();
        var name = facts.OfType<QueriedName>().FirstOrDefault();
        // The instance id as the cloud reads spec.providerID (alicloud://, aws:///, gce://, azure:///), else the node's own.
        var instances = facts.OfType<NodeCloud>().Where(c => c.InstanceId is not null).ToDictionary(c => c.Node, c => c.InstanceId, StringComparer.Ordinal);
        var coreDnsNodes = facts.OfType<ClusterNode>().Where(n => n.HostsCoreDns)
            .Select(n => new RuleTicketNode(n.Name, instances.GetValueOrDefault(n.Name) ?? n.InstanceId)).ToList();

        var groups = matches.GroupBy(m => m.Rule).ToDictionary(g => g.Key.Id, g => (Rule: g.Key, Matches: g.ToList()), StringComparer.Ordinal);
        var ranked = groups.Values
            .Select(g => (g.Rule.Id, FindingRanking.Score(g.Rule, g.Matches, symptom, name), (IReadOnlyList<FindingFact>)g.Matches))
            .ToList();
        var findings = Explanations.Order(ruleBase, ranked)
            .Select(x => Merge(groups[x.Id].Rule, groups[x.Id].Matches, x, coreDnsNodes, known, problems))
            .ToList();
        return new RuleSessionResult(findings, problems);
    }

    /// <summary>
    /// One finding from a rule's matches. A template that fails (its expression throws) fails only its own text: the
    /// finding stays, an evidence line says which template failed, and so does the <c>rules</c> collection entry.
    /// </summary>
    private static RuleFinding Merge(CompiledRule rule, List<FindingFact> found, Explanations.Placed placed, IReadOnlyList<RuleTicketNode> coreDnsNodes, Commands.KnownValues known, List<string> problems)
    {
        var failures = new List<string>();
        // Earlier cases first: a rule lists its strongest proof first. Templates read the match's facts, then `known`.
        var matches = found.OrderBy(m => m.Case.Index).Select(m => (m.Case, Facts: (object[])[.. m.Facts, known])).ToList();
        var evidence = new List<RuleEvidence>();
        var seen = new HashSet<RuleEvidence>();
        var hidden = 0;
        var characters = 0;
        foreach (var match in matches)
        {
            foreach (var (source, detail) in match.Case.Evidence)
            {
                var e = new RuleEvidence(source.Render(match.Facts, failures), detail.Render(match.Facts, failures));
                if (!seen.Add(e))
                {
                    continue;
                }

                if (evidence.Count < MaxEvidence && characters + e.Source.Length + e.Detail.Length <= MaxEvidenceCharacters)
                {
                    evidence.Add(e);
                    characters += e.Source.Length + e.Detail.Length;
                }
                else
                {
                    hidden++;
                }
            }
        }

        if (hidden > 0)
        {
            evidence.Add(new RuleEvidence("DnsExpert", $"and {hidden} more matching item(s) not shown"));
        }

        var remediation = matches
            .SelectMany(m => m.Case.Remediation.Where(r => r.When?.Invoke(m.Facts) ?? true).Select(r => Remediation(r, m.Facts, failures, known)))
            .DistinctBy(r => r.Summary)
            .Take(10)
            .ToList();

        RuleTicket? ticket = null;
        if (matches.Any(m => m.Case.Ticket is not null))
        {
            var entries = matches
                .Where(m => m.Case.Ticket is not null)
                .Select(m => (T: m.Case.Ticket!.Value, m.Facts))
                .Select(x => new RuleTicketEntry(x.T.Name.Render(x.Facts, failures), x.T.Rcode.Render(x.Facts, failures), NullIfEmpty(x.T.Time?.Render(x.Facts, failures)), NullIfEmpty(x.T.Pod?.Render(x.Facts, failures))))
                .DistinctBy(e => (e.Name, e.Rcode, e.Time))
                .OrderBy(e => e.Time, StringComparer.Ordinal)
                .ThenBy(e => e.Name, StringComparer.Ordinal)
                .Take(MaxEvidence)
                .ToList();
            ticket = new RuleTicket(entries, coreDnsNodes);
        }

        var cause = matches[0].Case.Cause.Render(matches[0].Facts, failures).Trim();
        foreach (var failure in failures.Distinct(StringComparer.Ordinal).Take(3))
        {
            evidence.Add(new RuleEvidence("DnsExpert", failure));
            problems.Add($"rule {rule.Id}: {failure}");
        }

        // The strongest proof found decides the severity (a rule's weaker case alone gives a weaker finding), then what
        // the finding explains or is explained by (Explanations).
        return new RuleFinding(rule.Id, placed.Severity, rule.Document.Title, cause, evidence, remediation)
        {
            Ticket = ticket,
            Explains = placed.Explains.Count == 0 ? null : placed.Explains,
            ExplainedBy = placed.ExplainedBy.Count == 0 ? null : placed.ExplainedBy,
        };
    }

    /// <summary>
    /// A remediation entry; its summary's notes say which placeholder of its command stands for a value that was no name
    /// or address, and how a <c>kubectl debug</c> command differs on this cluster.
    /// </summary>
    private static RuleRemediation Remediation(CompiledRemediation r, object[] facts, List<string> failures, Commands.KnownValues known)
    {
        var notes = new List<string>();
        var command = NullIfEmpty(r.Command?.Render(facts, failures, notes));
        if (command is not null)
        {
            // kubectl debug as this cluster runs it (oc on OpenShift; a pod of its own before 1.23), from the template's words.
            (command, var debugNote) = r.Command!.ForCluster(facts, command, known);
            if (debugNote is not null)
            {
                notes.Add(debugNote);
            }
        }

        // A hole that ends a summary may be empty (known.CorefileEditNote on kubeadm): no trailing space.
        var summary = r.Summary.Render(facts, failures).TrimEnd();
        notes = notes.Distinct(StringComparer.Ordinal).ToList();
        return new RuleRemediation(
            notes.Count == 0 ? summary : $"{summary} (note: {string.Join("; ", notes)})",
            command,
            NullIfEmpty(r.Snippet?.Render(facts, failures)));
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}
