using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace DnsExpert.Api.Tests.Conversation;

/// <summary>
/// The engineer on call, played against a simulated cluster: start from the application's error message alone, run the
/// first checks the answer gives (at most <see cref="ChecksPerRound"/> that the cluster can answer as given), paste their
/// output back with <c>POST /{id}/evidence</c>, and repeat; the cause must be confirmed within <see cref="MaxRounds"/>
/// rounds, with no other critical finding on the way (but the causes the scenario's expectation says its finding is
/// the effect of, <see cref="RootCauses"/>). Every rule's fires scenario that holds an error message is
/// played; so is, without its error message, from its failing name and frequency alone, every fires scenario of a rule
/// routed by the kind of name alone (<see cref="SymptomOnlyConversations"/>). The rounds each conversation took are
/// written to the test output, and their mean and worst to <see cref="ConversationLedger"/>'s summary.
/// </summary>
public sealed class ConversationTests(ApiFactory factory, ConversationLedger ledger, ITestOutputHelper output)
    : IClassFixture<ApiFactory>, IClassFixture<ConversationLedger>
{
    private const int MaxRounds = 3;
    private const int ChecksPerRound = 4;

    /// <summary>
    /// The conversations that do not reach their cause within the bounds yet, each with the reason its transcript
    /// shows. They are still played and must still fail: one that starts converging fails its case, which says to move
    /// it out of here, so this table cannot claim more than is true.
    /// </summary>
    private static readonly Dictionary<string, string> NotYetWithinBounds = new(StringComparer.Ordinal)
    {
        ["coredns-forward-loop/fires-stub-with-uplink-file-names-real-upstream.json"] = CrashBeforeItsCause,
        ["coredns-forward-loop/fires-systemd-resolved-stub-without-loop-log.json"] = CrashBeforeItsCause,
        ["coredns-unknown-directive/fires-reload-refused-keeps-old-configuration.json"] = ReloadRefusedBesideACrash,
        // The same cluster with pod fghij's refused reload counted by Prometheus too (which the simulated cluster does not answer).
        ["coredns-unknown-directive/fires-reload-refused-in-the-log-and-counted-by-the-metrics.json"] = ReloadRefusedBesideACrash,
        // The same cluster with pod abcde's last run ending after the refused reload: one diagnosis shows the crash under
        // its cause (the refusal's case for a pod restarted since), but a conversation never reads fghij's log.
        ["coredns-unknown-directive/fires-reload-refused-then-another-pod-restarts-into-it.json"] = NoLogOfTheCrashedPod,
        ["nodelocal-dnsconfig-not-injected/fires-clusterfirst-pod-with-nodelocal-installed.json"] =
            "the pod's case is under way once its JSON is read, but the DaemonSet check and the kube-dns Service decide it only together (NodeLocalPresent and KubeDnsClusterIp), neither alone, so the node checks of the causes listed under the reported frequency fill rounds 2 and 3",
        // The same cluster with the chart's NodeLocal DNSCache in its own namespace: the same two checks decide it.
        ["nodelocal-dnsconfig-not-injected/fires-chart-in-its-own-namespace-pod-asks-kube-dns.json"] =
            "the same cluster as fires-clusterfirst-pod-with-nodelocal-installed with the chart's DaemonSet in its release's namespace: the DaemonSet check and the kube-dns Service decide it only together, so the node checks of the causes listed under the reported frequency fill rounds 2 and 3",
        ["search-list-too-long/fires-eight-domains-with-glibc-2.17.json"] =
            "the pod's `ldd --version` (glibc 2.17, which decides) is never among the first four answerable checks of a round",
        ["networkpolicy-blocks-dns-egress/fires-udp-53-allowed-but-not-tcp.json"] =
            "no check lists the client namespace's NetworkPolicies within three rounds: the no-such-host error routes to name hypotheses first",
        ["coredns-pod-not-running/fires-pasted-pods-A-wide-kube-dns-crashloop.json"] = PastedTableOnly,
        ["coredns-pod-not-running/fires-pasted-pods-kube-system-kube-dns-crashloop.json"] = PastedTableOnly,
        ["coredns-pod-not-running/fires-pasted-pods-A-openshift-dns-default-crashloop.json"] = PastedTableOnly,
        ["coredns-apiserver-unreachable/fires-kube-dns-failed-to-list-pasted-2019.json"] = PastedTableOnly,
        ["cloud-resolver-packet-limit/fires-aks-azure-dns-timeouts-no-counter-read.json"] =
            "round 1 reads the CoreDNS log's timeouts to Azure DNS (with the pods and nodes); the rule's case without a counter read is a warning, a weaker proof that does not demote its effect, so coredns-upstream-unreachable stays a second critical, and Azure shows no node counter whose rise would make the critical case",
        ["coredns-upstream-unreachable/fires-dig-from-coredns-to-upstream-times-out.json"] =
            "with `forward . /etc/resolv.conf` the upstream comes from the node's resolv.conf, now offered as the prerequisite of the lookup from CoreDNS that keeps `<upstream>`, but ranked with that lookup only when it follows from the evidence, and the clean logs leave this cause no clue: the conntrack checks of an equally weighted cause fill rounds 2 and 3 (ranking it with the lookup whenever the cause had no other check left reached it only in round 3 and lost a converged conversation)",
    };

    private const string ReloadRefusedBesideACrash =
        "pod coredns-...-abcde crash-loops since 08:21 (its last run ended then), before the Corefile change that pod fghij refused at 09:02, and the scenario holds no log of abcde: the refusal cannot be the crash's cause (a pod whose last run ended after it would be: fires-reload-refused-then-another-pod-restarts-into-it), and nothing read says what is: a second, real critical from round 1 on";

    private const string NoLogOfTheCrashedPod =
        "the logs check selects both CoreDNS pods and the scenario holds no log of the crash-looping abcde (what it printed at its last start is the proof of its own), so the simulated cluster cannot answer it and fghij's refused reload is never read: the crash stays a critical with no cause from round 1 on";

    private const string CrashBeforeItsCause =
        "round 1's CoreDNS pods JSON shows both pods crash-looping (a true critical) while nothing read by then can show why: the stub is in the resolv.conf of the node the pods' JSON names (round 2 at best), and the crashed run's log (what kubectl logs serves while the container waits) has no loop line here. Even then the stub case is a warning (its expect), which does not demote a crash that full proof shows, and pod fghij crash-loops on a node whose resolv.conf the scenario does not hold";

    private const string PastedTableOnly =
        "the scenario's truth is a table pasted under its own command (no objects): the simulated cluster answers a check only from objects or an output pasted under that exact command, and the checks ask for `-o json`";

    private const string ClientNamespace =
        "the failing name's namespace is used (`kubectl get svc -n mq`), but only in round 3 (the no-such-host error routes to the CoreDNS checks first), and the Service's ready addresses come from its EndpointSlices, which no check lists (EstimatedAnswerBytes is 0, not unknown, until they are read)";

    /// <summary>Scenarios of a healthy cluster (or one whose only finding is not critical) with an error message.</summary>
    public static TheoryData<string> HealthyClusters() => new()
    {
        "packet-capture-recommended/fires-intermittent-timeout-healthy-cluster.json",
        "app-to-kube-dns-unreachable/near-miss-both-answer.json",
        "coredns-load-unbalanced/near-miss-two-replicas-on-two-nodes.json",
    };

    /// <summary>Every rule's fires scenario that holds <c>symptom.errorMessage</c>: the rule (its folder) and the scenario.</summary>
    public static TheoryData<string, string> Conversations()
    {
        var data = new TheoryData<string, string>();
        foreach (var (ruleId, file) in FiresScenarios())
        {
            if (JsonNode.Parse(File.ReadAllText(file))?["symptom"]?["errorMessage"] is not null)
            {
                data.Add(ruleId, $"{ruleId}/{Path.GetFileName(file)}");
            }
        }

        return data;
    }

    /// <summary>
    /// Every <c>fires</c> scenario with a <c>domain</c> of the rules routed by the kind of name alone (their
    /// <c>routing</c> names a <c>nameKind</c> and no <c>frequency</c>): the rule and the scenario, played from the name
    /// and the frequency only, without the error message.
    /// </summary>
    public static TheoryData<string, string> SymptomOnlyConversations()
    {
        var data = new TheoryData<string, string>();
        foreach (var (ruleId, file) in FiresScenarios().Where(s => RoutedByNameAlone(s.RuleId)))
        {
            if (JsonNode.Parse(File.ReadAllText(file))?["domain"] is not null)
            {
                data.Add(ruleId, $"{ruleId}/{Path.GetFileName(file)}");
            }
        }

        return data;
    }

    /// <summary>The symptom-only conversations that do not reach their cause within the bounds yet, with the reason their transcript shows.</summary>
    private static readonly Dictionary<string, string> SymptomOnlyNotYetWithinBounds = new(StringComparer.Ordinal)
    {
        // Two that do not converge from the error message either, for the same reasons or nearly (as their transcripts here show).
        ["coredns-apiserver-unreachable/fires-kube-dns-failed-to-list-pasted-2019.json"] = PastedTableOnly,
        ["coredns-upstream-unreachable/fires-dig-from-coredns-to-upstream-times-out.json"] = EnablerKeepsItsRank,
        // Converges from its error message (the Services' check lists their ready addresses), not from the name alone.
        ["headless-response-truncated/fires-29-ready-addresses-over-512-bytes.json"] =
            "from the name and 'always' alone, the causes routed under 'always' (the pod's resolv.conf, the CoreDNS logs and Corefile, the kube-dns Service, the node) fill the three rounds, and the check that lists the name's namespace's Services with their ready addresses (`kubectl get svc,endpointslices -n mq`), which decides from the error message, is never offered; the scenario holds no dig of the name",
        // Converges from its error message (no such host, which routes by the name alone); here "rarely" also routes, and its node checks win rounds 2 and 3.
        ["coredns-apiserver-unreachable/fires-tcp-probe-from-coredns-times-out.json"] = EnablerKeepsItsRank,
    };

    private const string EnablerKeepsItsRank =
        "the check that decides runs from a CoreDNS pod (`<coredns-pod>`, `<upstream>`), and the pods' listing that names one keeps its own rank while nothing read yet points at the cause, so the node checks of the causes listed under the reported frequency fill rounds 2 and 3; ranking that listing with the check it enables for every cause the name routes to was tried: these two converged and two others (udp-truncation-no-tcp-fallback, headless-tolerate-unready-annotation) no longer did";

    [Theory]
    [MemberData(nameof(Conversations))]
    public async Task The_cause_is_confirmed_within_three_rounds_from_the_error_message_alone(string ruleId, string scenario) =>
        await Converges(scenario, ruleId, symptomOnly: false, NotYetWithinBounds);

    [Theory]
    [MemberData(nameof(SymptomOnlyConversations))]
    public async Task The_cause_is_confirmed_within_three_rounds_from_the_name_and_frequency_alone(string ruleId, string scenario) =>
        await Converges(scenario, ruleId, symptomOnly: true, SymptomOnlyNotYetWithinBounds);

    private async Task Converges(string scenario, string ruleId, bool symptomOnly, Dictionary<string, string> notYet)
    {
        var outcome = await PlayAsync(scenario, ruleId, symptomOnly);
        var key = symptomOnly ? scenario + ConversationLedger.SymptomOnly : scenario;
        output.WriteLine(outcome.Transcript);
        if (notYet.TryGetValue(scenario, out var reason))
        {
            ledger.NotConverging(key, reason);
            output.WriteLine($"  not within the bounds: {outcome.Failure}");
            Assert.True(outcome.Failure is not null,
                $"{key} now reaches its cause in {outcome.Rounds} round(s): move it out of its NotYetWithinBounds (it said: {reason})");
            return;
        }

        Assert.True(outcome.Failure is null, $"{outcome.Failure}\n{outcome.Transcript}");
        ledger.Converged(key, outcome.Rounds);
    }

    /// <summary>Every rule's <c>fires</c> scenario files (not the combined and routing folders, which have no single cause).</summary>
    private static IEnumerable<(string RuleId, string File)> FiresScenarios() =>
        Directory.GetDirectories(Path.Combine(ApiFactory.RepoRoot, "tests", "scenarios")).Order(StringComparer.Ordinal)
            .Select(folder => (RuleId: Path.GetFileName(folder), Folder: folder))
            .Where(f => !f.RuleId.StartsWith('_'))
            .SelectMany(f => Directory.GetFiles(f.Folder, "fires-*.json").Where(n => !n.EndsWith(".expect.json", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal).Select(n => (f.RuleId, n)));

    /// <summary>Whether the rule's <c>routing:</c> block names a <c>nameKind</c> and no <c>frequency</c>.</summary>
    private static bool RoutedByNameAlone(string ruleId)
    {
        var routing = File.ReadLines(Path.Combine(ApiFactory.RepoRoot, "rules", $"{ruleId}.yaml"))
            .SkipWhile(l => l != "routing:").Skip(1).TakeWhile(l => l.StartsWith(' ') || l.StartsWith('#')).Select(l => l.Trim()).ToList();
        return routing.Any(l => l.StartsWith("nameKind:", StringComparison.Ordinal)) && !routing.Any(l => l.StartsWith("frequency:", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(HealthyClusters))]
    public async Task A_healthy_cluster_gives_no_critical_finding_in_three_rounds_of_checks(string scenario)
    {
        var outcome = await PlayAsync(scenario, cause: null);
        output.WriteLine(outcome.Transcript);
        Assert.True(outcome.Failure is null, $"{outcome.Failure}\n{outcome.Transcript}");
        Assert.True(outcome.Rounds > 0, $"no check the cluster could answer\n{outcome.Transcript}");
    }

    /// <summary>
    /// The README's conversation (the block after <c>&lt;!-- conversation: SCENARIO --&gt;</c>) is the one this suite
    /// plays: the same error message, the same commands in the same rounds, the same cause; a change to the checks'
    /// order shows here and in the README together.
    /// </summary>
    [Fact]
    public async Task The_readme_conversation_is_the_one_played_here()
    {
        const string Marker = "<!-- conversation: ";
        var readme = File.ReadAllText(Path.Combine(ApiFactory.RepoRoot, "README.md"));
        var at = readme.IndexOf(Marker, StringComparison.Ordinal);
        Assert.True(at >= 0, "README.md has no conversation marker");
        var scenario = readme[(at + Marker.Length)..readme.IndexOf(" -->", at, StringComparison.Ordinal)];
        var open = readme.IndexOf("```text\n", at, StringComparison.Ordinal) + "```text\n".Length;
        var block = readme[open..readme.IndexOf("```", open, StringComparison.Ordinal)];
        var cause = scenario[..scenario.IndexOf('/', StringComparison.Ordinal)];

        var outcome = await PlayAsync(scenario, cause);

        Assert.Null(outcome.Failure);
        static IEnumerable<string> Rounds(string text) => text.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("round ", StringComparison.Ordinal) && !l.Contains("not answerable", StringComparison.Ordinal));
        Assert.Equal(Rounds(outcome.Transcript), Rounds(block));
        Assert.Contains($"confirmed in {outcome.Rounds} round(s)", block, StringComparison.Ordinal);
        Assert.Contains(cause, block, StringComparison.Ordinal);
    }

    /// <summary>
    /// On a cluster before Kubernetes 1.23, as the <c>kubectl version -o json</c> pasted with the error says (a real
    /// v1.14.3 server: tests/fixtures/kubectl-version), the check run in a CoreDNS pod comes as a pod of its own
    /// (<c>kubectl run dnsexpert-debug ... --overrides=SPEC</c>: that pod's node, CoreDNS's dnsPolicy), and the simulated
    /// cluster answers it in the round the <c>kubectl debug</c> form is answered on a later cluster (round 3), as the
    /// CoreDNS pod on that node. The product reads that answer as pod kube-system/dnsexpert-debug's, not as a CoreDNS
    /// pod's, so the cause is not confirmed by it (yet): the transcript says which rounds ran, not the verdict.
    /// </summary>
    [Fact]
    public async Task Before_1_23_the_check_in_a_coredns_pod_is_a_pod_of_its_own_which_the_cluster_answers()
    {
        const string Scenario = "coredns-apiserver-unreachable/fires-tcp-probe-from-coredns-times-out.json";
        var version = File.ReadAllText(Path.Combine(ApiFactory.RepoRoot, "tests", "fixtures", "kubectl-version", "json-v1.15-server-v1.14.3.json"));

        var outcome = await PlayAsync(Scenario, "coredns-apiserver-unreachable", pasted: new JsonObject { ["command"] = "kubectl version -o json", ["text"] = version });

        output.WriteLine(outcome.Transcript);
        Assert.Contains("  round 3: kubectl run dnsexpert-debug -n kube-system -i --rm --restart=Never --image=busybox:1.36 --overrides=", outcome.Transcript, StringComparison.Ordinal);
        Assert.DoesNotContain("not answerable: kubectl run", outcome.Transcript, StringComparison.Ordinal);
        Assert.DoesNotContain("kubectl debug -n", outcome.Transcript, StringComparison.Ordinal);
    }

    /// <summary>How a conversation went: the rounds played, why it failed (null when it did not), what was run.</summary>
    private sealed record Outcome(int Rounds, string? Failure, string Transcript);

    /// <summary>
    /// Plays the conversation of <paramref name="scenario"/>: until <paramref name="cause"/> is found (with no other
    /// critical finding on the way), or, with no cause (a healthy cluster), through every round with no critical at all.
    /// </summary>
    /// <param name="symptomOnly">
    /// Start from the scenario's failing name (<c>domain</c>) and frequency only, as a person who has no error text to
    /// paste reports it; else from its error message alone.
    /// </param>
    /// <param name="pasted">An output the person pastes with the first request (<c>command</c>, <c>text</c>), when one.</param>
    private async Task<Outcome> PlayAsync(string scenario, string? cause, bool symptomOnly = false, JsonObject? pasted = null)
    {
        var cluster = SimulatedCluster.FromScenario(scenario);
        var start = JsonNode.Parse(File.ReadAllText(Path.Combine(ApiFactory.RepoRoot, "tests", "scenarios", scenario)))!.AsObject();
        var request = new JsonObject { ["target"] = start["target"]?.DeepClone(), ["symptom"] = start["symptom"]!.DeepClone() };
        if (symptomOnly)
        {
            request["domain"] = start["domain"]!.DeepClone();
            request["symptom"] = new JsonObject { ["frequency"] = start["symptom"]?["frequency"]?.DeepClone() ?? "always" };
        }

        if (pasted is not null)
        {
            request["snapshot"] = new JsonObject { ["outputs"] = new JsonArray(pasted) };
        }

        var rootCauses = RootCauses(scenario);
        using var client = factory.CreateClient();

        var diagnosis = await PostAsync(client, "/api/v1/diagnoses", request);
        var asked = new HashSet<string>(StringComparer.Ordinal);
        var transcript = new StringBuilder(symptomOnly
            ? $"{scenario} ({cluster}): {start["domain"]}, {request["symptom"]!["frequency"]}, no error message\n"
            : $"{scenario} ({cluster}): {start["symptom"]!["errorMessage"]}\n");
        for (var round = 1; round <= MaxRounds; round++)
        {
            var outputs = new JsonArray();
            foreach (var command in Checks(diagnosis).Where(asked.Add))
            {
                if (cluster.Run(command) is { } text)
                {
                    outputs.Add(new JsonObject { ["command"] = command, ["text"] = text });
                    transcript.Append($"  round {round}: {command}\n");
                    if (outputs.Count == ChecksPerRound)
                    {
                        break;
                    }
                }
                else
                {
                    transcript.Append($"  round {round}, not answerable: {command}\n");
                }
            }

            if (outputs.Count == 0)
            {
                return cause is null && round > 1
                    ? new Outcome(round - 1, null, transcript.Append($"  no further check after {round - 1} round(s)").ToString())
                    : new Outcome(round - 1, $"round {round}: no check the cluster could answer as given", transcript.ToString());
            }

            diagnosis = await PostAsync(client, $"/api/v1/diagnoses/{diagnosis.GetProperty("id").GetString()}/evidence", new JsonObject { ["outputs"] = outputs });
            var findings = diagnosis.GetProperty("findings").EnumerateArray().ToList();
            var falseCriticals = findings.Where(f => f.GetProperty("severity").GetString() == "critical" && f.GetProperty("ruleId").GetString() != cause
                    && !rootCauses.Contains(f.GetProperty("ruleId").GetString()!))
                .Select(f => f.GetProperty("ruleId").GetString()).ToList();
            if (falseCriticals.Count > 0)
            {
                return new Outcome(round, $"round {round}: a critical that is not the cause: {string.Join(", ", falseCriticals)}", transcript.ToString());
            }

            if (cause is not null && findings.Any(f => f.GetProperty("ruleId").GetString() == cause))
            {
                return new Outcome(round, null, transcript.Append($"  confirmed in {round} round(s)").ToString());
            }
        }

        return cause is null
            ? new Outcome(MaxRounds, null, transcript.Append($"  no critical in {MaxRounds} rounds").ToString())
            : new Outcome(MaxRounds, $"{cause} not confirmed within {MaxRounds} rounds", transcript.ToString());
    }

    /// <summary>
    /// The causes the scenario's own expectation (<c>SCENARIO.expect.json</c>, <c>explainedBy</c>) says its rule's finding
    /// is the effect of: the crash that empties the kube-dns endpoints is the cause there, so its critical is no false one.
    /// </summary>
    private static HashSet<string> RootCauses(string scenario)
    {
        var expect = Path.Combine(ApiFactory.RepoRoot, "tests", "scenarios", Path.ChangeExtension(scenario, ".expect.json"));
        return File.Exists(expect) && JsonNode.Parse(File.ReadAllText(expect))?["explainedBy"] is JsonArray causes
            ? causes.Select(c => (string)c!).ToHashSet(StringComparer.Ordinal)
            : [];
    }

    /// <summary>The answer's next checks, in its order (what decides the most first), each once, as a chat answer lists them.</summary>
    private static IEnumerable<string> Checks(JsonElement diagnosis) =>
        diagnosis.GetProperty("nextChecks").EnumerateArray().Select(c => c.GetProperty("command").GetString()!);

    private static async Task<JsonElement> PostAsync(HttpClient client, string path, JsonObject body)
    {
        using var response = await client.PostAsync(path, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {text[..Math.Min(text.Length, 1500)]}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
