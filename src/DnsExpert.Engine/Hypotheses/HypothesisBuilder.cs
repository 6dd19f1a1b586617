using DnsExpert.Engine.Commands;
using DnsExpert.Engine.Compilation;
using DnsExpert.Engine.Results;
using DnsExpert.Engine.RuleFiles;
using DnsExpert.Facts;
using DnsExpert.Text;

namespace DnsExpert.Engine.Hypotheses;

/// <summary>
/// The hypotheses of a diagnosis, derived from the rule base alone (no code per rule): the rules whose <c>routing</c>
/// matches the report (an unreported frequency, class or name kind matches every rule; an <c>ambiguous</c> error
/// matches both classes), each
/// <list type="bullet">
/// <item><c>confirmed</c> when it fired,</item>
/// <item><c>ruled-out</c> when every fact type its conditions need was there and it did not fire,</item>
/// <item><c>unverified</c> otherwise, with the missing fact types and the rule's <c>collect:</c> commands for them.</item>
/// </list>
/// A case that needs the fact types of another case of the same rule and more refines it: once the other case could be
/// checked, its extra facts are not missing (a CoreDNS pod that is Ready needs no events to say why it is not).
/// An unverified cause some of whose proofs could be checked and did not match is <c>partly checked</c>, with what
/// those facts showed.
/// Order: confirmed as the findings are ranked; then unverified: with no error message but a failing name, the causes
/// that name's kind routes to before all others (the name is what the report says); then the causes the guide's symptom table lists under
/// the reported frequency and name kind (<c>routing.listedUnder</c>), the wholly open before the partly checked, then
/// those whose routing names more of the report, then the cheapest check (<c>cost:</c>, 1 to 9), then severity; then
/// ruled out; the packet capture, the guide's last resort, last of all.
/// </summary>
public static class HypothesisBuilder
{
    /// <summary>The guide's last resort: after every other check.</summary>
    public const string LastResortRuleId = "packet-capture-recommended";

    /// <summary>Where the output of a check goes in a follow-up request.</summary>
    public const string PasteTo = "snapshot.outputs[] of a follow-up request, as {\"command\": this command, \"text\": its output}";

    /// <summary>Fact types every request or session has by itself: never missing.</summary>
    private static readonly HashSet<string> Given = new(StringComparer.Ordinal) { "Finding", "ReportedSymptom" };

    public static IReadOnlyList<RuleHypothesis> Build(RuleBase ruleBase, IReadOnlyList<object> facts, IReadOnlyList<RuleFinding> findings, KnownValues known) =>
        Plan(ruleBase, facts, findings, known).Hypotheses;

    /// <summary>The hypotheses (<see cref="Build"/>) and their checks in the order of what they decide (<see cref="CheckOrder"/>).</summary>
    public static HypothesisPlan Plan(RuleBase ruleBase, IReadOnlyList<object> facts, IReadOnlyList<RuleFinding> findings, KnownValues known)
    {
        var report = new Report(facts, findings, known);
        var causesOf = CausesOf(ruleBase);
        var explaining = findings.Where(f => causesOf.ExplainsFailure.Contains(f.RuleId)).Select(f => f.RuleId).ToList();

        var confirmed = new List<(int Rank, RuleHypothesis H)>();
        var unverified = new List<Unchecked>();
        var ruledOut = new List<RuleHypothesis>();
        var lastResort = causesOf.LastResort is { } last ? LastResort(last, explaining, known) : null;
        var routed = causesOf.RoutedFor(report.Symptom, report.Name);
        for (var i = 0; i < causesOf.Causes.Length; i++)
        {
            var rule = causesOf.Causes[i];
            var doc = rule.Document;
            if (report.Fired.TryGetValue(rule.Id, out var rank))
            {
                confirmed.Add((rank, new RuleHypothesis { RuleId = rule.Id, Title = doc.Title, Status = RuleHypothesisStatus.Confirmed, Reason = "the rule fired: see its finding" }));
                continue;
            }

            if (!routed[i])
            {
                continue;
            }

            var cases = Cases(rule, report.ByType, report.IsRead);
            var missing = Missing(cases);
            if (missing.Count == 0)
            {
                ruledOut.Add(new RuleHypothesis { RuleId = rule.Id, Title = doc.Title, Status = RuleHypothesisStatus.RuledOut, Reason = Read(rule, report) });
                continue;
            }

            unverified.Add(Unverified(rule, cases, missing, report));
        }

        var open = unverified.OrderByDescending(u => u.ByName).ThenByDescending(u => u.Listed).ThenByDescending(u => u.Open).ThenByDescending(u => u.Routing).ThenBy(u => u.Cost)
            .ThenByDescending(u => u.Severity).ThenBy(u => u.H.RuleId, StringComparer.Ordinal).ToList();
        var ordered = confirmed.OrderBy(c => c.Rank).Select(c => c.H)
            .Concat(open.Select(u => u.H))
            .Concat(ruledOut.OrderBy(h => h.RuleId, StringComparer.Ordinal))
            .ToList();
        if (lastResort is not null)
        {
            ordered.Add(lastResort);
        }

        var causes = open.Select(u => u.Cause).ToList();
        return new HypothesisPlan(ordered, CheckOrder.Order(causes, known, Enablers(ruleBase, causes, known, report.IsRead)));
    }

    /// <summary>
    /// What of the rule base the plan reads in every diagnosis, made once per rule base (a reload compiles a new one):
    /// the rules that explain a failure (the causes, in the rule base's order, the last resort not among them), their ids,
    /// the last resort, and which causes each report's routing admits (<see cref="Routed"/>), per distinct report.
    /// </summary>
    private static RuleBaseCauses CausesOf(RuleBase ruleBase) => Causes.GetValue(ruleBase, static ruleBase => new RuleBaseCauses(ruleBase));

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<RuleBase, RuleBaseCauses> Causes = new();

    /// <summary>See <see cref="CausesOf"/>. Thread-safe: read only but for <see cref="RoutedFor"/>'s bounded cache.</summary>
    private sealed class RuleBaseCauses
    {
        /// <summary>Reports (frequency, class, name kind) whose routing is kept: the classifiers' closed sets give far fewer.</summary>
        private const int MaxRoutings = 256;

        private readonly System.Collections.Concurrent.ConcurrentDictionary<(string?, string?, string?), bool[]> _routed = new();

        public RuleBaseCauses(RuleBase ruleBase)
        {
            Causes = ruleBase.Rules.Where(r => r.Id != LastResortRuleId && r.Document.ExplainsFailure).ToArray();
            ExplainsFailure = ruleBase.Rules.Where(r => r.Document.ExplainsFailure).Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
            LastResort = ruleBase.Rules.LastOrDefault(r => r.Id == LastResortRuleId);
        }

        public CompiledRule[] Causes { get; }

        public HashSet<string> ExplainsFailure { get; }

        public CompiledRule? LastResort { get; }

        /// <summary>Per cause (<see cref="Causes"/>' order), whether the report's routing admits it.</summary>
        public bool[] RoutedFor(ReportedSymptom? symptom, QueriedName? name)
        {
            var key = (symptom?.Frequency, symptom?.Class, name?.Kind);
            if (_routed.TryGetValue(key, out var routed))
            {
                return routed;
            }

            routed = Causes.Select(r => Routed(r.Document.Routing, symptom, name)).ToArray();
            if (_routed.Count < MaxRoutings)
            {
                _routed.TryAdd(key, routed);
            }

            return routed;
        }
    }

    /// <summary>
    /// An unverified cause: its hypothesis (what was not checked, or what the proofs that could be checked showed), its
    /// checks, and what orders it among the others.
    /// </summary>
    private static Unchecked Unverified(CompiledRule rule, List<CaseState> cases, List<string> missing, Report report)
    {
        var (doc, byType, known, symptom, name) = (rule.Document, report.ByType, report.Known, report.Symptom, report.Name);
        var checks = Checks(rule, missing, known, report.IsRead);
        var notChecked = NotChecked(missing.Where(m => !byType.ContainsKey(m)).ToList());
        var unmeasured = missing.Where(byType.ContainsKey).ToList();
        if (unmeasured.Count > 0)
        {
            notChecked = (notChecked.Length == 0 ? "" : notChecked + "; ")
                + $"no {string.Join(", ", unmeasured)} of what it asks about (the ones read measured something else)";
        }

        var partly = Checked(cases);
        var listed = Listed(doc.Routing, symptom, name);
        var routing = RoutingSupport(doc.Routing, symptom, name);
        var byName = ByName(doc.Routing, symptom, name);
        var cause = new CheckOrder.Cause(rule.Id, listed, routing, byName, doc.Severity,
            cases.Where(c => !c.Dead && c.Missing.Count > 0).Select(c => new CheckOrder.OpenCase(c.Missing, c.UnderWay) { Probed = c.UnderWay && c.Probed }).ToList(),
            doc.Explains.Any(e => report.Fired.ContainsKey(e.Id)), checks);
        return new Unchecked(byName, listed, partly.Count > 0 ? 0 : 1, routing, checks.Count == 0 ? 10 : checks.Min(c => c.Cost), doc.Severity, new RuleHypothesis
        {
            RuleId = rule.Id,
            Title = doc.Title,
            Status = RuleHypothesisStatus.Unverified,
            Reason = partly.Count == 0
                ? $"not checked: {notChecked}"
                : $"partly checked: {Summarise(partly, report)}; the proofs that need more: {notChecked}",
            Missing = missing,
            Checks = checks.Select(c => c.Check).ToList(),
        }, cause);
    }

    /// <summary>What the plan reads of the diagnosis: the facts by type, the report (symptom, name), the rules that fired and their rank.</summary>
    private sealed class Report(IReadOnlyList<object> facts, IReadOnlyList<RuleFinding> findings, KnownValues known)
    {
        public Dictionary<string, List<object>> ByType { get; } = ByTypeName(facts);

        public KnownValues Known { get; } = known;

        public ReportedSymptom? Symptom { get; } = facts.OfType<ReportedSymptom>().FirstOrDefault();

        public QueriedName? Name { get; } = facts.OfType<QueriedName>().FirstOrDefault();

        public Dictionary<string, int> Fired { get; } = findings.Select((f, i) => (f.RuleId, i)).ToDictionary(x => x.RuleId, x => x.i, StringComparer.Ordinal);

        /// <summary>The facts by their type's name, each type's in the facts' order.</summary>
        private static Dictionary<string, List<object>> ByTypeName(IReadOnlyList<object> facts) =>
            Commands.FactsByType.Group(facts, static type => type.Name, StringComparer.Ordinal);

        /// <summary>Each fact type's answer of <see cref="IsRead"/>: asked for the same types rule after rule, answered once per plan.</summary>
        private readonly Dictionary<string, bool> _reads = new(StringComparer.Ordinal);

        /// <summary>Each fact type's summary (<see cref="FactSummaries.Describe"/>), made once per plan.</summary>
        public Dictionary<string, string> Described { get; } = new(StringComparer.Ordinal);

        /// <summary>Whether a fact type was read: present or observed, and not one the collection could not read.</summary>
        public bool IsRead(string need)
        {
            if (!_reads.TryGetValue(need, out var read))
            {
                _reads[need] = read = !Known.Unread.Contains(need) && IsReadIn(ByType, Known.Observed, need);
            }

            return read;
        }
    }

    /// <summary>An unverified cause with what orders it: a failing name's kind, the guide's table, wholly open, routing, cost, severity.</summary>
    private sealed record Unchecked(int ByName, int Listed, int Open, int Routing, int Cost, FindingSeverity Severity, RuleHypothesis H, CheckOrder.Cause Cause);

    /// <summary>Does the rule's routing admit the report? An unreported dimension, or one the rule does not route on, does.</summary>
    internal static bool Routed(RuleRouting routing, ReportedSymptom? symptom, QueriedName? name) =>
        Admits(routing.Frequency, symptom?.Frequency)
        && (symptom?.Class == SymptomClasses.Ambiguous || Admits(routing.SymptomClass, symptom?.Class))
        && Admits(routing.NameKind, name?.Kind);

    private static bool Admits(IReadOnlyList<string> routed, string? observed) =>
        routed.Count == 0 || observed is null or SymptomClasses.Unknown or SymptomFrequencies.Unknown || routed.Contains(observed, StringComparer.Ordinal);

    /// <summary>
    /// How many of the report's rows of the guide's table list the cause: the guide routes a server-unreachable error by
    /// how often it fails and a name-not-found error by the kind of name; an ambiguous or unclassified error by both.
    /// </summary>
    private static int Listed(RuleRouting routing, ReportedSymptom? symptom, QueriedName? name)
    {
        var byFrequency = symptom?.Class is not SymptomClasses.NameNotFound;
        var byName = symptom?.Class is not SymptomClasses.ServerUnreachable;
        return (byFrequency && routing.ListedUnder.Contains(symptom?.Frequency ?? "", StringComparer.Ordinal) ? 1 : 0)
            + (byName && routing.ListedUnder.Contains(name?.Kind ?? "", StringComparer.Ordinal) ? 1 : 0);
    }

    /// <summary>
    /// 1 when the report has no error message but a failing name, and the rule is routed by that name's kind (its
    /// <c>nameKind</c> or the guide's row it is listed under): the name is then all that tells the causes apart, so those
    /// of its kind come before those a frequency alone routes to (which still orders them within); else 0.
    /// </summary>
    private static int ByName(RuleRouting routing, ReportedSymptom? symptom, QueriedName? name) =>
        name is not null && symptom?.ErrorMessage is null
        && (routing.NameKind.Contains(name.Kind, StringComparer.Ordinal) || routing.ListedUnder.Contains(name.Kind, StringComparer.Ordinal)) ? 1 : 0;

    /// <summary>How many of the report's dimensions the rule's routing names explicitly: the more, the likelier.</summary>
    private static int RoutingSupport(RuleRouting routing, ReportedSymptom? symptom, QueriedName? name) =>
        (routing.Frequency.Contains(symptom?.Frequency ?? "", StringComparer.Ordinal) ? 1 : 0)
        + (routing.SymptomClass.Contains(symptom?.Class ?? "", StringComparer.Ordinal) ? 1 : 0)
        + (routing.NameKind.Contains(name?.Kind ?? "", StringComparer.Ordinal) ? 1 : 0);

    /// <summary>The fact types a case needs present (its matched and <c>exists</c> patterns).</summary>
    private static HashSet<string> Needs(RuleCaseDocument c) =>
        c.When.Where(p => p.Mode != PatternMode.Not && !Given.Contains(p.FactType)).Select(p => p.FactType).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Where the facts leave each case of the rule: what it needs to be checked (its fact types, and each
    /// <c>Type.Property</c> it tests that is null when unknown, <see cref="UnknownWhenNullAttribute"/>), which of those
    /// this diagnosis lacks, and whether it is dead (a pattern was decided, as were all before it, and no fact of its type passes the pattern's
    /// own tests: the CoreDNS pods were read and none is not Ready). A pattern over a measurement
    /// (<see cref="MeasurementFactAttribute"/>: a dig to one server) is decided only by a fact that measured what it
    /// asks about, so its type stays missing for the case until then: the ClusterIP dig leaves the CoreDNS pod IP dig
    /// to be done. A case is under way when some of its own facts already pass what they decide of its patterns (an
    /// unknown property leaves its tests undecided) and others are still missing.
    /// </summary>
    private static List<CaseState> Cases(CompiledRule rule, Dictionary<string, List<object>> byType, Func<string, bool> isRead)
    {
        // Each pattern's facts are tested once per question (Measures, Passes, PassesSoFar), in plain loops: the planner
        // asks this of every routed rule's every case in every diagnosis.
        var planning = PlanningOf(rule);
        var states = new List<CaseState>(planning.Cases.Count);
        foreach (var planned in planning.Cases)
        {
            var patterns = planned.Patterns;
            var facts = new List<object>[patterns.Count];
            HashSet<string>? unmeasured = null;
            var measured = new bool[patterns.Count];
            for (var i = 0; i < patterns.Count; i++)
            {
                facts[i] = byType.GetValueOrDefault(patterns[i].FactType) ?? [];
                if (planned.Measurement[i])
                {
                    measured[i] = AnyFact(facts[i], patterns[i].Measures);
                    if (!measured[i])
                    {
                        (unmeasured ??= new HashSet<string>(StringComparer.Ordinal)).Add(patterns[i].FactType);
                    }
                }
            }

            // Patterns join the earlier ones (the nearest names of the NXDOMAIN lookup): one can kill the case only
            // while every pattern before it was decided, and it does when no fact of its type passes its own tests.
            var dead = false;
            for (var i = 0; i < patterns.Count && !dead; i++)
            {
                var pattern = patterns[i];
                var decided = isRead(pattern.FactType) && AllRead(pattern.UnknownWhenNull, isRead) && (!planned.Measurement[i] || measured[i]);
                if (!decided)
                {
                    break;
                }

                dead = !AnyFact(facts[i], pattern.Passes);
            }

            var missing = new HashSet<string>(StringComparer.Ordinal);
            foreach (var need in planned.Needs)
            {
                if (!isRead(need) || unmeasured?.Contains(need) == true)
                {
                    missing.Add(need);
                }
            }

            // Under way: a fact already passes what it decides of a pattern that tests something (a pod any CoreDNS pod would
            // match is no clue; an Alpine pod is one before NodeLocal DNSCache is known). Probed: that fact is a probe's
            // result, the failure reproduced as the case reads it (the kube-dns ClusterIP timed out). Both are read only of
            // a live case that still misses facts.
            bool pointing = false, probed = false;
            if (!dead && missing.Count > 0)
            {
                for (var i = 0; i < patterns.Count && !probed; i++)
                {
                    if (AnyFact(facts[i], patterns[i].PassesSoFar))
                    {
                        pointing = true;
                        probed = planned.Measurement[i];
                    }
                }
            }

            states.Add(new CaseState(planned.Needs, missing, dead, UnderWay: pointing) { Probed = probed });
        }

        return states;
    }

    private static bool AnyFact(List<object> facts, Func<object, bool> test)
    {
        foreach (var fact in facts)
        {
            if (test(fact))
            {
                return true;
            }
        }

        return false;
    }

    private static bool AllRead(IReadOnlyList<string> needs, Func<string, bool> isRead)
    {
        foreach (var need in needs)
        {
            if (!isRead(need))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>What of a rule's cases the facts do not change: computed once per compiled rule, not per diagnosis.</summary>
    private static Planning PlanningOf(CompiledRule rule) => Plannings.GetValue(rule, static rule =>
    {
        var cases = rule.Document.Cases.Select((c, i) =>
        {
            var needs = Needs(c);
            var compiled = rule.Cases.FirstOrDefault(k => k.Index == i);
            needs.UnionWith(compiled?.UnknownWhenNull ?? []);
            var patterns = (compiled?.Patterns ?? []).Where(p => !Given.Contains(p.FactType) && !IsRelation(p.FactType)).ToList();
            return new PlannedCase(needs, patterns, patterns.Select(p => IsMeasurement(p.FactType)).ToArray());
        }).ToList();
        return new Planning(cases, Summarised(rule.Document.Cases.SelectMany(Needs)));
    });

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<CompiledRule, Planning> Plannings = new();

    /// <summary>A rule's cases (<see cref="PlannedCase"/>) and the fact types all of them need present that a ruled-out reason summarises (<see cref="Summarised"/>). Read only.</summary>
    private sealed record Planning(IReadOnlyList<PlannedCase> Cases, IReadOnlyList<string> Reads);

    /// <summary>A case's needs (<see cref="Needs"/> and the properties it tests that are null when unknown), its patterns over facts (no given or relation types) and which of them are over a measurement (<see cref="IsMeasurement"/>). Read only.</summary>
    private sealed record PlannedCase(HashSet<string> Needs, IReadOnlyList<CompiledPattern> Patterns, bool[] Measurement);

    /// <summary>One case of a rule in this diagnosis (<see cref="Cases"/>).</summary>
    private sealed record CaseState(HashSet<string> Needs, HashSet<string> Missing, bool Dead, bool UnderWay)
    {
        /// <summary>Under way on a probe's result (<see cref="MeasurementFactAttribute"/>): the failure was reproduced as the case reads it.</summary>
        public bool Probed { get; init; }
    }

    private static bool IsMeasurement(string type) => Measurements.GetOrAdd(type, static t => FactTypes.TryGet(t, out var c) && c.IsDefined(typeof(MeasurementFactAttribute), false));

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> Measurements = new(StringComparer.Ordinal);
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> Relations = new(StringComparer.Ordinal);

    /// <summary>"no PodDns fact in this diagnosis; CoreDnsPod.Version unknown (on every CoreDnsPod fact)".</summary>
    private static string NotChecked(IReadOnlyList<string> missing)
    {
        var types = missing.Where(m => !m.Contains('.', StringComparison.Ordinal)).ToList();
        var properties = missing.Where(m => m.Contains('.', StringComparison.Ordinal)).ToList();
        var parts = new List<string>();
        if (types.Count > 0)
        {
            parts.Add($"no {string.Join(", ", types)} fact{(types.Count == 1 ? "" : "s")} in this diagnosis");
        }

        parts.AddRange(properties.Select(p => $"{p} unknown (on every {p[..p.IndexOf('.', StringComparison.Ordinal)]} fact)"));
        return string.Join("; ", parts);
    }

    /// <summary>A fact type is read when some fact has it (or its source was read); a <c>Type.Property</c> when some fact of the type has a value.</summary>
    private static bool IsReadIn(Dictionary<string, List<object>> byType, IReadOnlySet<string> observed, string need)
    {
        var dot = need.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
        {
            return byType.ContainsKey(need) || observed.Contains(need) || IsRelation(need);
        }

        var type = need[..dot];
        return byType.TryGetValue(type, out var list) && FactTypes.TryGet(type, out var t) && t.GetProperty(need[(dot + 1)..]) is { } property
            && list.Any(f => property.GetValue(f) is not null);
    }

    /// <summary>
    /// The facts the live cases lack, unless a simpler case it refines could be checked; none when every case is dead
    /// or could be checked (the cause is ruled out).
    /// </summary>
    private static List<string> Missing(List<CaseState> cases)
    {
        var live = cases.Where(c => !c.Dead).ToList();
        var checkable = live.Where(c => c.Missing.Count == 0).ToList();
        return live
            .Where(c => !checkable.Any(k => k.Needs.IsSubsetOf(c.Needs)))
            .SelectMany(c => c.Missing)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// What the facts the rule reads showed, type by type (<see cref="FactSummaries"/>): <c>2 CoreDNS pods: both Ready,
    /// 0 restarts; kube-dns Service 10.96.0.10: 2 ready endpoints ...</c>; then that none matches. Bounded: each type's
    /// summary is, and so is the whole.
    /// </summary>
    private static string Read(CompiledRule rule, Report report)
    {
        var read = Summarise(PlanningOf(rule).Reads, report);
        return read.Length == 0 ? "the rule's conditions did not match" : read + NoneMatches;
    }

    /// <summary>
    /// What the facts of these types showed (<see cref="FactSummaries"/>), bounded; empty when only relations. Each type's
    /// summary is made once per plan (<see cref="Report.Described"/>).
    /// </summary>
    private static string Summarise(IEnumerable<string> types, Report report) => Summarise(Summarised(types), report);

    /// <summary>As <see cref="Summarise(IEnumerable{string}, Report)"/>, of types already <see cref="Summarised"/> (a rule's, once per rule base).</summary>
    private static string Summarise(IReadOnlyList<string> summarised, Report report)
    {
        // The summaries joined with "; " and clipped: joined only until past the clip, which is all the clip keeps.
        var max = MaxReason - NoneMatches.Length;
        var text = new System.Text.StringBuilder();
        for (var i = 0; i < summarised.Count; i++)
        {
            var t = summarised[i];
            if (text.Length > max)
            {
                break;
            }

            if (!report.Described.TryGetValue(t, out var summary))
            {
                report.Described[t] = summary = FactSummaries.Describe(t, report.ByType.GetValueOrDefault(t) ?? [], report.Known.Observed.Contains(t));
            }

            if (i > 0)
            {
                text.Append("; ");
            }

            text.Append(summary);
        }

        return FactSummaries.Clip(text.ToString(), max);
    }

    /// <summary>The types a summary describes, in its order: fact types (no <c>Type.Property</c>), no relations, each once, ordinal.</summary>
    private static List<string> Summarised(IEnumerable<string> types) =>
        types.Where(t => !t.Contains('.', StringComparison.Ordinal) && !IsRelation(t)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// The fact types of the cases that were checked and did not match (dead, or every fact there), when other cases
    /// still miss facts (a ping that answered excludes the network case of container-network-error, not its CNI-event
    /// case): empty when none.
    /// </summary>
    private static HashSet<string> Checked(List<CaseState> cases) =>
        cases.Where(c => (c.Dead || c.Missing.Count == 0) && c.Needs.Any(t => !IsRelation(t)))
            .SelectMany(c => c.Needs.Where(t => !c.Missing.Contains(t))).ToHashSet(StringComparer.Ordinal);

    private const string NoneMatches = ". None of it matches the rule's conditions";

    /// <summary>Characters of a ruled-out reason, whatever the snapshot.</summary>
    internal const int MaxReason = 1200;

    /// <summary>
    /// A relation fact (<see cref="RelationFactAttribute"/>: a policy selects a pod) is computed from the facts it joins:
    /// when they are there and it is not, the relation does not hold; it is never missing by itself.
    /// </summary>
    private static bool IsRelation(string type) =>
        Relations.GetOrAdd(type, static t => FactTypes.TryGet(t, out var c) && c.IsDefined(typeof(RelationFactAttribute), false));

    /// <summary>
    /// The rule's <c>collect:</c> commands for the missing facts (an entry without <c>facts</c> serves them all), cheapest
    /// first; not one naming a value the evidence has not shown yet (<see cref="Placeholder.Withheld"/>).
    /// </summary>
    private static List<CheckOrder.Planned> Checks(CompiledRule rule, IReadOnlyList<string> missing, KnownValues known, Func<string, bool> isRead) =>
        rule.Checks
            .Where(c => c.Facts.Count == 0 || c.Facts.Any(f => missing.Contains(f, StringComparer.Ordinal)))
            .Select(c => Planned(c, known, isRead))
            .Where(c => !known.Withheld.Any(p => c.Check.Command.Contains(p, StringComparison.Ordinal)))
            .OrderBy(c => c.Cost)
            .ToList();

    /// <summary>
    /// The checks of the whole rule base that collect what another check of <paramref name="causes"/> awaits to be run
    /// as given (the CoreDNS pods for <c>&lt;coredns-pod-ip&gt;</c>, the node's resolv.conf for <c>&lt;upstream&gt;</c>),
    /// whichever rule's they are, when they can be run as given themselves.
    /// </summary>
    private static List<CheckOrder.Planned> Enablers(RuleBase ruleBase, IReadOnlyList<CheckOrder.Cause> causes, KnownValues known, Func<string, bool> isRead)
    {
        var awaited = causes.SelectMany(c => c.Checks).Where(c => !c.AsGiven).SelectMany(c => c.Awaits).ToHashSet(StringComparer.Ordinal);
        return awaited.Count == 0
            ? []
            : ruleBase.Rules.Where(r => r.Id != LastResortRuleId).SelectMany(r => r.Checks)
                .Where(c => c.Share is null && c.Facts.Any(awaited.Contains))
                .Select(c => Planned(c, known, isRead))
                .Where(c => c.AsGiven)
                .ToList();
    }

    /// <summary>
    /// A check with what ordering needs: its cost, whether it can be run as given (no value left to fill in, its node
    /// named), and else the fact types not read yet that would fill in what it lacks.
    /// </summary>
    private static CheckOrder.Planned Planned(CompiledCheck check, KnownValues known, Func<string, bool> isRead)
    {
        var next = Check(check, known, PasteTo);
        var notNote = !next.Why.Contains(" Note: ", StringComparison.Ordinal);
        var asGiven = notNote
            && !known.Placeholders.Any(p => next.Command.Contains(p, StringComparison.Ordinal))
            && (check.On is null || NodeOf(check.On, known) is not null);
        var awaits = asGiven || !notNote ? [] : known.FilledFrom(next.Command, check.On).Where(t => !isRead(t)).ToList();
        // A check given only once the evidence showed its premise (it names a withheld value, now known) follows from it.
        var premised = awaits.Count > 0 && check.Command.Render([known.Unpremised]) is var unpremised
            && KnownValues.PremisePlaceholders.Any(p => unpremised.Contains(p, StringComparison.Ordinal));
        return new CheckOrder.Planned(check.Cost, next, asGiven, check.Facts) { Awaits = awaits, Premised = premised };
    }

    private static RuleHypothesis LastResort(CompiledRule rule, List<string> explaining, KnownValues known)
    {
        if (explaining.Count > 0)
        {
            return new RuleHypothesis
            {
                RuleId = rule.Id, Title = rule.Document.Title, Status = RuleHypothesisStatus.RuledOut,
                Reason = $"not needed: {string.Join(", ", explaining)} explain{(explaining.Count == 1 ? "s" : "")} the failure",
            };
        }

        return new RuleHypothesis
        {
            RuleId = rule.Id, Title = rule.Document.Title, Status = RuleHypothesisStatus.Unverified,
            Reason = "the last resort: capture packets during a failure when the checks above explain nothing",
            Checks = rule.Checks.OrderBy(c => c.Cost).Select(c => Check(c, known, PasteTo))
                .Where(c => !known.Withheld.Any(p => c.Command.Contains(p, StringComparison.Ordinal))).ToList(),
        };
    }

    /// <summary>
    /// A check's command over the known values, as a person can run it: in the pod's image (its <c>otherwise</c> when
    /// the image lacks the tool), on its node through <c>kubectl debug node/NAME</c> when the node is known; its why
    /// says which placeholder stands for a value that was no name or address. A check that leaves a file says how to
    /// share it instead of where to paste.
    /// </summary>
    private static RuleCheck Check(CompiledCheck check, KnownValues known, string paste)
    {
        var notes = new List<string>();
        var template = check.Otherwise is var (tool, otherwise) && known.PodTools is { } tools && !tools.Contains(tool) ? otherwise : check.Command;
        var command = template.Render([known], notes, notes).Trim();

        // kubectl debug as this cluster runs it (oc on OpenShift; a pod of its own before 1.23), from the template's words.
        (command, var debugNote) = NodeOf(check.On, known) is { } node
            ? Commands.DebugCommands.OnNode(node, command, known)
            : template.ForCluster([known], command, known);
        if (debugNote is not null)
        {
            notes.Add(debugNote);
        }

        return new RuleCheck(command, notes.Count == 0 ? check.Why : $"{check.Why} Note: {string.Join("; ", notes.Distinct(StringComparer.Ordinal))}.",
            check.Share is { } share ? $"{NotPasted} {share}" : paste);
    }

    /// <summary>A check as a hypothesis gives it over <paramref name="known"/> (what the collect-promise tests paste).</summary>
    internal static RuleCheck CheckOf(CompiledCheck check, KnownValues known) => Check(check, known, PasteTo);

    /// <summary>How a command runs on a node from a workstation: a debug pod there, the node's root under <c>/host</c>.</summary>
    public const string DebugNode = Commands.DebugCommands.NodePrefix;

    /// <summary>The start of <see cref="RuleCheck.Paste"/> for a check whose output is a file, not a paste.</summary>
    public const string NotPasted = RuleCheck.NotPasted;

    /// <summary>The node a check <c>on</c> a node runs on, when known and a node name (never an option to kubectl).</summary>
    private static string? NodeOf(string? on, KnownValues known) =>
        (on switch { "node" => known.Node, "coredns-node" => known.CoreDnsNode, _ => null }) is string node
        && CommandValue.Fits(node, CommandValueKind.ObjectName) ? node : null;
}
