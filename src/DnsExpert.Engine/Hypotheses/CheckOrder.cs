using DnsExpert.Engine.Commands;
using DnsExpert.Engine.Results;

namespace DnsExpert.Engine.Hypotheses;

/// <summary>The hypotheses of a diagnosis, and their checks in the order of what they decide.</summary>
public sealed record HypothesisPlan(IReadOnlyList<RuleHypothesis> Hypotheses, IReadOnlyList<RankedCheck> NextChecks);

/// <summary>
/// Orders the checks of the unverified hypotheses by what they decide, from the rule base alone (no order kept by
/// hand):
/// <list type="number">
/// <item>a check that can be run as given (no value left to fill in, on a named node) before one that cannot;</item>
/// <item>then a check that finishes a case under way, by the weights of its causes: it gives all such a case lacks,
/// whose facts read so far already point at it (an Alpine pod whose use of NodeLocal DNSCache is unknown until the
/// DaemonSets are read: a cause the guide's table lists under no row, which the node checks of listed causes would
/// otherwise keep out of three rounds);</item>
/// <item>then by what it decides: the weights (below) of the causes for which it gives all an open case still lacks,
/// so that the cause is confirmed or that case ruled out by its output alone, twice for a case under way (the kube-dns
/// ClusterIP timed out, and the dig of a CoreDNS pod IP finishes the comparison; the pod was read, and its
/// NetworkPolicies decide whether one drops DNS), and once, each of them, for a case a probe put under way that
/// checks runnable now finish only together (the ClusterIP timed out: the client node's VXLAN device and the dig of a
/// CoreDNS pod IP);</item>
/// <item>then a check that follows from what the evidence already showed: it collects for a cause under way, or for a
/// cause of a finding already made (CoreDNS pods not Ready: the logs that say what stops them);</item>
/// <item>then by worth: the sum of the weights of the causes it collects facts for, so one command that answers for
/// many causes comes before one that answers for one. A cause weighs how the guide's symptom table lists it for the
/// report (<c>routing.listedUnder</c>, twice), whether, with no error message, the failing name's kind routes to it
/// (twice), how much of the report its routing names, and one more when critical;</item>
/// <item>then the cheapest (<c>cost:</c>), then the hypotheses' own order.</item>
/// </list>
/// A check that cannot be run as given yet is offered through what fills it in: a check, of any rule, that collects a
/// fact its missing values are read from (the CoreDNS pods give <c>&lt;coredns-pod-ip&gt;</c>; with
/// <c>forward . /etc/resolv.conf</c>, the node's resolv.conf gives <c>&lt;upstream&gt;</c>). When the check it enables
/// follows from the evidence (a case of its cause under way, a finding its cause would explain, or it names a value given
/// only once the evidence showed its premise: the failing pod's node once the pod is known to ask NodeLocal DNSCache,
/// whose upstream address the Service listing gives), the enabler ranks at least as that check, so the value is known
/// the round after; else it keeps its own rank (promoting every enabler of a check that decides much, before any evidence, pushed the checks
/// that decide by themselves out of the first round: more conversations took two rounds).
/// A command whose output the request already holds is not asked for again; a file to share (the packet capture) is
/// not a next check.
/// </summary>
public static class CheckOrder
{
    /// <summary>An unverified cause: its id, how the report routes to it, its open cases, and its checks (cheapest first).</summary>
    internal sealed record Cause(
        string RuleId, int Listed, int Routing, int ByName, FindingSeverity Severity, IReadOnlyList<OpenCase> Open, bool ExplainsAFinding, IReadOnlyList<Planned> Checks)
    {
        public int Weight => 1 + (2 * (Listed + ByName)) + Routing + (Severity == FindingSeverity.Critical ? 1 : 0);

        /// <summary>The evidence already points at it: a case under way, or a finding made that it would explain.</summary>
        public bool Follows => Open.Any(c => c.UnderWay) || ExplainsAFinding;

        /// <summary>
        /// What <paramref name="check"/> decides of this cause: its weight when it gives all an open case still lacks (the
        /// case can then fire or not), twice that when the case is under way; else nothing. (Counting a share of what a
        /// case lacks, as one of two checks that decide together, was tried: fewer conversations converged, in more rounds.)
        /// </summary>
        public int DecidedBy(Planned check) =>
            Open.Where(c => Gives(check, c)).Select(c => c.UnderWay ? 2 * Weight : Weight).DefaultIfEmpty(0).Max();

        /// <summary>
        /// Its weight when <paramref name="check"/> gives all a case under way lacks, so that its output finishes what the
        /// evidence points at; else nothing. (Counting a check that gives part of what such a case lacks, as the DaemonSet
        /// and the kube-dns Service finish a pod bypassing NodeLocal DNSCache only together, was tried: three
        /// conversations no longer converged.)
        /// </summary>
        public int CompletedBy(Planned check) => Open.Any(c => c.UnderWay && Gives(check, c)) ? Weight : 0;

        /// <summary>
        /// The checks, each runnable as given and not yet run (<paramref name="open"/>), that together give all a case a
        /// probe put under way lacks when no one of them does (the kube-dns ClusterIP timed out: the client node's VXLAN
        /// device and the dig of a CoreDNS pod IP finish the cross-node split together): run in one round, they decide
        /// the case the round after. One set per case, the cheapest check for each fact it lacks; none when some fact has
        /// no such check. (Counting this for every case under way, a pod's dnsPolicy being clue enough, was tried: the
        /// checks that finish such cases took the slots of those that decide, and eleven conversations no longer converged;
        /// counted as finishing the case alone, sixteen.)
        /// </summary>
        public IEnumerable<Planned> CompletedTogetherBy(Func<Planned, bool> open)
        {
            var runnable = Checks.Where(p => p.AsGiven && p.Facts.Count > 0 && open(p)).ToList();
            foreach (var c in Open.Where(c => c.Probed && c.Missing.Count > 1 && !runnable.Any(p => Gives(p, c))))
            {
                var together = new List<Planned>();
                foreach (var missing in c.Missing.Order(StringComparer.Ordinal))
                {
                    if (together.Any(p => p.Facts.Contains(missing, StringComparer.Ordinal)))
                    {
                        continue;
                    }

                    if (runnable.FirstOrDefault(p => p.Facts.Contains(missing, StringComparer.Ordinal)) is not { } giving)
                    {
                        together.Clear();
                        break;
                    }

                    together.Add(giving);
                }

                foreach (var check in together)
                {
                    yield return check;
                }
            }
        }

        private static bool Gives(Planned check, OpenCase open) =>
            check.Facts.Count == 0 || open.Missing.All(m => check.Facts.Contains(m, StringComparer.Ordinal));
    }

    /// <summary>A case of a cause not yet decided: what it lacks, and whether some of its own facts already pass.</summary>
    internal sealed record OpenCase(IReadOnlySet<string> Missing, bool UnderWay)
    {
        /// <summary>Under way on a probe's result: a lookup already failed as the case reads it (the kube-dns ClusterIP timed out).</summary>
        public bool Probed { get; init; }
    }

    /// <summary>
    /// A check of a cause: its cost (1 cheapest), the check, whether it can be run as given, and, when not, the fact
    /// types (not read yet) that would fill in what it lacks (<see cref="KnownValues.FilledFrom"/>).
    /// </summary>
    internal sealed record Planned(int Cost, RuleCheck Check, bool AsGiven, IReadOnlyList<string> Facts)
    {
        public IReadOnlyList<string> Awaits { get; init; } = [];

        /// <summary>
        /// It names a value given only once the evidence showed its premise (<see cref="Placeholder.Withheld"/>: the failing
        /// pod's node once the pod is known to ask NodeLocal DNSCache): it follows from the evidence, whatever its causes'
        /// cases say, and what fills in its other values ranks with it.
        /// </summary>
        public bool Premised { get; init; }
    }

    /// <summary>
    /// The checks of <paramref name="causes"/> in the order of what they decide; <paramref name="enablers"/> are the
    /// checks of the rule base, as given, that collect what a check not yet runnable awaits.
    /// </summary>
    internal static IReadOnlyList<RankedCheck> Order(IReadOnlyList<Cause> causes, KnownValues known, IReadOnlyList<Planned> enablers)
    {
        var byCommand = new Dictionary<string, Entry>(StringComparer.Ordinal);
        foreach (var cause in causes)
        {
            foreach (var planned in cause.Checks.Where(c => c.Check.Pasted && !known.Ran.Contains(KnownValues.Words(c.Check.Command))))
            {
                if (!byCommand.TryGetValue(planned.Check.Command, out var entry))
                {
                    entry = new Entry(byCommand.Count, planned);
                    byCommand.Add(planned.Check.Command, entry);
                }

                if (!entry.RuleIds.Contains(cause.RuleId))
                {
                    entry.RuleIds.Add(cause.RuleId);
                    entry.Worth += cause.Weight;
                    entry.Follows += cause.Follows ? cause.Weight : 0;
                    entry.Decides += cause.DecidedBy(planned);
                    entry.Completes += cause.CompletedBy(planned);
                }

                entry.Cost = Math.Min(entry.Cost, planned.Cost);
            }
        }

        // A case a probe put under way that the runnable checks finish only together: each of them decides it by the cause's
        // weight, half what a check finishing such a case alone counts.
        bool Open(Planned p) => p.Check.Pasted && !known.Ran.Contains(KnownValues.Words(p.Check.Command));
        foreach (var cause in causes)
        {
            foreach (var command in cause.CompletedTogetherBy(Open).Select(p => p.Check.Command).Distinct(StringComparer.Ordinal))
            {
                byCommand[command].Decides += cause.Weight;
            }
        }

        foreach (var blocked in byCommand.Values.Where(e => !e.AsGiven && e.Check.Awaits.Count > 0).ToList())
        {
            foreach (var enabler in enablers.Where(p => p.Facts.Any(blocked.Check.Awaits.Contains) && !known.Ran.Contains(KnownValues.Words(p.Check.Command))))
            {
                if (!byCommand.TryGetValue(enabler.Check.Command, out var entry))
                {
                    entry = new Entry(byCommand.Count, enabler);
                    byCommand.Add(enabler.Check.Command, entry);
                }

                entry.Enable(blocked, blocked.Follows > 0 || blocked.Check.Premised);
            }
        }

        return byCommand.Values
            .OrderByDescending(e => e.AsGiven)
            .ThenByDescending(e => e.Completes)
            .ThenByDescending(e => e.Decides)
            .ThenByDescending(e => e.Follows)
            .ThenByDescending(e => e.Worth)
            .ThenBy(e => e.Cost)
            .ThenBy(e => e.First)
            .Select(e => new RankedCheck(e.Check.Check, e.RuleIds))
            .ToList();
    }

    private sealed class Entry(int first, Planned check)
    {
        public int First { get; } = first;
        public Planned Check { get; } = check;
        public bool AsGiven => Check.AsGiven;
        public int Worth { get; set; }
        public int Follows { get; set; }
        public int Decides { get; set; }
        public int Completes { get; set; }
        public int Cost { get; set; } = check.Cost;
        public List<string> RuleIds { get; } = [];

        /// <summary>
        /// Offers this check for <paramref name="blocked"/>, whose missing value its output fills in, ranked at least as
        /// that check when <paramref name="rankWith"/>.
        /// </summary>
        public void Enable(Entry blocked, bool rankWith)
        {
            if (rankWith)
            {
                (Completes, Decides, Follows, Worth) = (Math.Max(Completes, blocked.Completes), Math.Max(Decides, blocked.Decides), Math.Max(Follows, blocked.Follows), Math.Max(Worth, blocked.Worth));
            }

            RuleIds.AddRange(blocked.RuleIds.Where(r => !RuleIds.Contains(r)));
        }
    }
}
