using System.Text.Json;
using System.Text.Json.Nodes;
using DnsExpert.Testing;

namespace DnsExpert.Cli.Tests;

/// <summary><c>dnsexpert diagnose --error ... --add FILE</c>: the conversation at a terminal, from the symptom and pasted command output.</summary>
public sealed class PastedEvidenceCliTests : IDisposable
{
    private static readonly string Root = RepoPaths.Root;
    private const string Pod = "default/web-7d4b9c-x2k4q";
    private const string Error = "dial tcp: lookup orders.shop.svc.cluster.local on 172.21.0.10:53: read udp 172.20.7.45:38161->172.21.0.10:53: i/o timeout";
    private readonly string _temp = Directory.CreateTempSubdirectory("dnsexpert-cli-add-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static async Task<(int Exit, string Out, string Err)> Run(string stdin, params string[] args)
    {
        using var input = new StringReader(stdin);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await DnsExpertCli.RunAsync([.. args, "--rules", Path.Combine(Root, "rules"), "-o", "json"], input, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    private static JsonObject Scenario() => JsonNode.Parse(File.ReadAllText(
        Path.Combine(Root, "tests", "scenarios", "app-to-kube-dns-unreachable", "fires-pasted-dig-output.json")))!.AsObject();

    private string Write(string name, string text)
    {
        var path = Path.Combine(_temp, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>The cluster's objects as <c>kubectl get -o json</c> prints a list, with the command on the first line.</summary>
    private string KubectlJson() => Write("objects.txt", "$ kubectl get nodes,pods,svc,endpoints,configmaps -A -o json\n"
        + new JsonObject { ["apiVersion"] = "v1", ["kind"] = "List", ["items"] = Scenario()["snapshot"]!["objects"]!.DeepClone() }.ToJsonString());

    /// <summary>Real dig 9.18 timeout output, with the kube-dns ClusterIP as its server.</summary>
    private string DigTimeout() => Write("dig-cluster-ip.txt", "$ dig @172.21.0.10 kubernetes.default.svc.cluster.local A +tries=1 +time=1\n"
        + File.ReadAllText(Path.Combine(Root, "tests", "fixtures", "dns-tools", "dig-timeout.txt"))
            .Replace("127.0.0.1#15355", "172.21.0.10#53", StringComparison.Ordinal)
            .Replace("@127.0.0.1 -p 15355", "@172.21.0.10", StringComparison.Ordinal)
            .Replace("www.test", "kubernetes.default.svc.cluster.local", StringComparison.Ordinal));

    private static string PodAnswer(int index) => Scenario()["snapshot"]!["outputs"]![index]!["text"]!.GetValue<string>();

    private static List<string> RuleIds(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("ruleId").GetString()!).ToList();
    }

    [Fact]
    public async Task Error_and_pasted_files_and_stdin_give_the_verdict()
    {
        var (exit, stdout, stderr) = await Run(PodAnswer(1),
            "diagnose", "--error", Error, "--frequency", "always", "--name", "orders.shop.svc.cluster.local", "--pod", Pod,
            "--add", KubectlJson(), "--add", DigTimeout(), "--add", "-", "--command", "dig @172.20.6.53 kubernetes.default.svc.cluster.local A +tries=1 +time=5");

        Assert.True(exit == DnsExpertCli.ExitCodes.CriticalFinding, stderr + stdout);
        Assert.Contains("app-to-kube-dns-unreachable", RuleIds(stdout));
        using var json = JsonDocument.Parse(stdout);
        var notes = json.RootElement.GetProperty("collection").EnumerateArray()
            .ToDictionary(c => c.GetProperty("source").GetString()!, c => c.GetProperty("detail").GetString());
        Assert.Equal("read as Kubernetes objects", notes[$"--add {KubectlJson()}"]);
        Assert.Equal("1 DNS lookup(s) read from dig output", notes[$"--add {DigTimeout()}"]);
        Assert.Equal("1 DNS lookup(s) read from dig output", notes["--add -"]);
        Assert.Equal("orders.shop.svc.cluster.local", json.RootElement.GetProperty("domain").GetString());
    }

    [Fact]
    public async Task Without_the_clusterip_check_the_verdict_is_not_given()
    {
        var (exit, stdout, stderr) = await Run(PodAnswer(1), "diagnose", "--error", Error, "--pod", Pod, "--add", KubectlJson(), "--add", "-",
            "--command", "dig @172.20.6.53 kubernetes.default.svc.cluster.local A +tries=1 +time=5");

        Assert.True(exit != DnsExpertCli.ExitCodes.BadInput, stderr);
        Assert.DoesNotContain("app-to-kube-dns-unreachable", RuleIds(stdout));
    }

    [Fact]
    public async Task The_markdown_answer_to_the_symptom_alone_gives_three_checks_and_all_with_checks_all()
    {
        static async Task<(int Exit, string Out)> Markdown(params string[] more)
        {
            using var output = new StringWriter();
            var exit = await DnsExpertCli.RunAsync(["diagnose", "--error", Error, "--frequency", "always", "--rules", Path.Combine(Root, "rules"), "-o", "markdown", .. more], output, TextWriter.Null);
            return (exit, output.ToString());
        }

        var (exit, first) = await Markdown();
        var (_, all) = await Markdown("--checks", "all");
        var (_, json, _) = await Run("", "diagnose", "--error", Error, "--frequency", "always");

        Assert.Equal(DnsExpertCli.ExitCodes.Ok, exit);
        Assert.Contains("**Verdict:** not decided yet: the checks below tell the possible causes apart.", first, StringComparison.Ordinal);
        Assert.Equal(3, Count(first, "```sh"));
        using var document = JsonDocument.Parse(json);
        var checks = document.RootElement.GetProperty("hypotheses").EnumerateArray().SelectMany(h => h.GetProperty("checks").EnumerateArray()).ToList();
        var commands = checks.Where(c => !c.GetProperty("paste").GetString()!.StartsWith("not pasted:", StringComparison.Ordinal)).Select(c => c.GetProperty("command").GetString()).Distinct().Count();
        var shared = checks.Where(c => c.GetProperty("paste").GetString()!.StartsWith("not pasted:", StringComparison.Ordinal)).Select(c => c.GetProperty("command").GetString()).Distinct().Count();
        Assert.Contains($"_{commands - 3} more check(s) in the JSON answer's `hypotheses`._", first, StringComparison.Ordinal);
        Assert.Equal(commands + shared, Count(all, "```sh"));
    }

    private static int Count(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;

    [Fact]
    public async Task The_symptom_alone_is_classified_or_refused_for_want_of_a_snapshot()
    {
        var (exit, stdout, stderr) = await Run("", "diagnose", "--error", Error, "--frequency", "always");

        // Without a cluster, the service answers from the symptom (classification and next checks) or says it needs a snapshot.
        if (exit == DnsExpertCli.ExitCodes.BadInput)
        {
            Assert.Contains("snapshot", stderr, StringComparison.Ordinal);
        }
        else
        {
            using var json = JsonDocument.Parse(stdout);
            Assert.Equal("server-unreachable", json.RootElement.GetProperty("classification").GetProperty("class").GetString());
        }
    }

    [Fact]
    public async Task Pasted_text_and_its_command_line_are_data_never_run()
    {
        var canary = Path.Combine(_temp, "ran");
        var hostile = Write("hostile.txt", $"$ dig @10.96.0.10 x; touch {canary} $(touch {canary}) `touch {canary}`\n;; connection timed out; no servers could be reached\n");

        var (exit, stdout, stderr) = await Run($"$(touch {canary})\n", "diagnose", "--error", Error, "--add", hostile, "--add", "-");

        Assert.True(exit != DnsExpertCli.ExitCodes.BadInput, stderr);
        Assert.False(File.Exists(canary));
        Assert.Contains("--add -", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_added_evidence_is_refused_with_the_reason()
    {
        var huge = Write("huge.txt", new string('x', 4 * 1024 * 1024 + 1));
        var (exit, _, stderr) = await Run("", "diagnose", "--error", Error, "--add", huge);
        Assert.Equal(DnsExpertCli.ExitCodes.BadInput, exit);
        Assert.Contains("longer than", stderr, StringComparison.Ordinal);

        (exit, _, stderr) = await Run("", "diagnose", "--error", Error, "--add", Path.Combine(_temp, "missing.txt"));
        Assert.Equal(DnsExpertCli.ExitCodes.BadInput, exit);
        Assert.Contains("cannot read", stderr, StringComparison.Ordinal);

        (exit, _, stderr) = await Run("", "diagnose", "--error", Error, "--add", "-", "--add", "-");
        Assert.Equal(DnsExpertCli.ExitCodes.BadInput, exit);
        Assert.Contains("standard input", stderr, StringComparison.Ordinal);

        (exit, _, stderr) = await Run("", "diagnose", "--dump", _temp, "--add", DigTimeout());
        Assert.Equal(DnsExpertCli.ExitCodes.BadInput, exit);
        Assert.Contains("not with --dump", stderr, StringComparison.Ordinal);

        (exit, _, stderr) = await Run("", "diagnose", "--error", Error, "--from", "default/web\n; rm -rf /", "--add", DigTimeout());
        Assert.Equal(DnsExpertCli.ExitCodes.BadInput, exit);
        Assert.Contains($"--add {DigTimeout()}.from", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_whole_terminal_session_is_split_into_its_commands_and_the_pods_they_ran_in()
    {
        var session = Write("session.txt", File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "fixtures", "transcripts", "ckad-lab-busybox.txt")));

        var (exit, stdout, stderr) = await Run("", "diagnose", "--error", "lookup ckad12-service.default.svc.cluster.local on 172.20.0.10:53: no such host", "--add", session);

        Assert.True(exit != DnsExpertCli.ExitCodes.BadInput, stderr);
        using var json = JsonDocument.Parse(stdout);
        var notes = json.RootElement.GetProperty("collection").EnumerateArray().Select(c => c.GetProperty("source").GetString()).ToList();
        Assert.Contains($"--add {session} (1 of 1: nslookup ckad12-service.default.svc.cluster.local)", notes);
    }

    [Theory]
    [InlineData("--pod", "shop/web-0")]
    [InlineData("--error", "i/o timeout")]
    [InlineData("--domain", "orders.shop.svc.cluster.local")]
    public async Task An_option_a_request_file_would_ignore_is_refused_naming_it(string option, string value)
    {
        var file = Write("request.json", """{"symptom": {"errorMessage": "dial udp 10.96.0.10:53: i/o timeout"}}""");

        var (exit, _, stderr) = await Run("", "diagnose", "--request", file, option, value);

        Assert.Equal(DnsExpertCli.ExitCodes.BadInput, exit);
        Assert.Contains($"{option}: --request FILE carries its own target, name and symptom", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Live_only_and_add_only_options_are_refused_where_they_would_do_nothing()
    {
        var (exit, _, stderr) = await Run("", "diagnose", "--error", Error, "--no-probe");
        Assert.Equal(DnsExpertCli.ExitCodes.BadInput, exit);
        Assert.Contains("are for live collection", stderr, StringComparison.Ordinal);

        (exit, _, stderr) = await Run("", "diagnose", "--error", Error, "--from", "shop/web-0");
        Assert.Equal(DnsExpertCli.ExitCodes.BadInput, exit);
        Assert.Contains("--command and --from describe --add outputs", stderr, StringComparison.Ordinal);
    }
}
