using System.Text.Json;
using DnsExpert.Rendering;
using DnsExpert.Testing;

namespace DnsExpert.Cli.Tests;

public sealed class CliTests : IDisposable
{
    private static readonly string Root = RepoPaths.Root;
    private readonly string _temp = Directory.CreateTempSubdirectory("dnsexpert-cli-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static string Sample(string name) => Path.Combine(Root, "src", "DnsExpert.Api", "Samples", name + ".json");

    private static async Task<(int Exit, string Out, string Err)> Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await DnsExpertCli.RunAsync(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Serve_with_a_broken_rule_file_says_file_line_and_reason_without_a_stack_trace()
    {
        await File.WriteAllTextAsync(Path.Combine(_temp, "broken.yaml"), "id: broken\ntitle: t\nseverity: severe\ndescription: d\nwhen: []\nfinding: {}\n");

        var (exit, _, stderr) = await Run("serve", "--urls", "http://127.0.0.1:0", $"--DnsExpert:RulesDirectory={_temp}", "--DnsExpert:History:Provider=none");

        Assert.Equal(DnsExpertCli.ExitCodes.BadInput, exit);
        Assert.Contains("broken.yaml:3:", stderr, StringComparison.Ordinal);
        Assert.Contains("severity 'severe'", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Diagnose_prints_the_response_json_and_exits_2_on_a_critical_finding()
    {
        var (exit, stdout, _) = await Run("diagnose", "--request", Sample("sick-cluster"), "--rules", Path.Combine(Root, "rules"));

        Assert.Equal(DnsExpertCli.ExitCodes.CriticalFinding, exit);
        using var json = JsonDocument.Parse(stdout);
        var ids = json.RootElement.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("ruleId").GetString()).ToList();
        Assert.Contains("coredns-autopath-enabled", ids);
        Assert.True(json.RootElement.TryGetProperty("classification", out _));
        Assert.True(json.RootElement.TryGetProperty("collection", out _));
    }

    [Fact]
    public async Task Diagnose_markdown_report()
    {
        var (exit, stdout, _) = await Run("diagnose", "-r", Sample("external-upstream-nxdomain"), "-o", "markdown", "--rules", Path.Combine(Root, "rules"));

        Assert.Equal(DnsExpertCli.ExitCodes.CriticalFinding, exit);
        Assert.StartsWith("# DNS diagnosis", stdout, StringComparison.Ordinal);
        Assert.Contains("**Support ticket**", stdout, StringComparison.Ordinal);
        Assert.Contains("i-bp1g6zv0ce8oghu7k3a1", stdout, StringComparison.Ordinal);
    }

    public static TheoryData<string> RegisteredFormats => [.. DiagnosisFormats.All.Select(f => f.Name)];

    [Theory]
    [MemberData(nameof(RegisteredFormats))]
    public async Task Every_registered_output_format_is_an_output_of_the_cli_and_writes_its_renderers_text(string name)
    {
        var (exit, stdout, stderr) = await Run("diagnose", "-r", Sample("sick-cluster"), "-o", name, "--rules", Path.Combine(Root, "rules"));

        Assert.True(exit == DnsExpertCli.ExitCodes.CriticalFinding, stderr);
        var format = DiagnosisFormats.Find(name)!;
        if (format.IsMarkdown)
        {
            Assert.StartsWith("# DNS diagnosis", stdout, StringComparison.Ordinal);
        }
        else
        {
            // A JSON message, as the platform reads it: Slack's blocks, Teams' attachments, Jira's fields.
            using var json = JsonDocument.Parse(stdout);
            Assert.Equal(JsonValueKind.Object, json.RootElement.ValueKind);
            Assert.True(name switch
            {
                "slack" => json.RootElement.TryGetProperty("blocks", out _),
                "teams" => json.RootElement.TryGetProperty("attachments", out _),
                "jira" => json.RootElement.TryGetProperty("fields", out _),
                _ => json.RootElement.TryGetProperty("findings", out _),
            }, stdout);
        }
    }

    [Fact]
    public async Task In_a_terminal_the_report_is_markdown_in_colour()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await DnsExpertCli.RunAsync(["diagnose", "-r", Sample("sick-cluster"), "--rules", Path.Combine(Root, "rules")], output, error, new DnsExpertCli.Terminal(Output: true, Error: true));

        var text = output.ToString();
        Assert.Equal(DnsExpertCli.ExitCodes.CriticalFinding, exit);
        Assert.StartsWith("\u001b[1m# DNS diagnosis", text, StringComparison.Ordinal);
        Assert.Contains("\u001b[1;31m[CRITICAL]\u001b[0m", text, StringComparison.Ordinal);
        Assert.Contains("\u001b[36m   kubectl -n kube-system edit configmap coredns\u001b[0m", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("never", true)]
    [InlineData("auto", false)]
    public async Task Colour_is_off_when_asked_or_when_piped(string color, bool terminal)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        await DnsExpertCli.RunAsync(["diagnose", "-r", Sample("sick-cluster"), "-o", "markdown", "--color", color, "--rules", Path.Combine(Root, "rules")],
            output, error, new DnsExpertCli.Terminal(terminal, terminal));

        Assert.StartsWith("# DNS diagnosis", output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', output.ToString());
    }

    [Fact]
    public async Task Apikey_new_prints_a_key_and_the_hash_line_that_accepts_it()
    {
        var (exit, stdout, _) = await Run("apikey", "new", "chatops-bot");

        Assert.Equal(0, exit);
        var key = stdout.Split('\n').Single(l => l.StartsWith("key:", StringComparison.Ordinal))[4..].Trim();
        var line = stdout.Split('\n').Single(l => l.StartsWith("line:", StringComparison.Ordinal))[5..].Trim();
        Assert.StartsWith("chatops-bot:", line, StringComparison.Ordinal);
        Assert.DoesNotContain(key, line, StringComparison.Ordinal);
        var store = Api.Security.ApiKeyStore.Load(new Api.Security.AuthOptions { ApiKeys = [line] });
        Assert.Equal("chatops-bot", store.Find(key));
        Assert.Null(store.Find(key + "x"));
        Assert.Equal(1, (await Run("apikey", "new", "bad name;rm")).Exit);
    }

    [Fact]
    public async Task Diagnose_exits_0_when_nothing_critical_fires()
    {
        var request = Path.Combine(_temp, "quiet.json");
        await File.WriteAllTextAsync(request, """{"snapshot": {"objects": []}}""");
        var (exit, stdout, _) = await Run("diagnose", "-r", request, "--rules", Path.Combine(Root, "rules"));

        Assert.Equal(DnsExpertCli.ExitCodes.Ok, exit);
        Assert.Equal(0, JsonDocument.Parse(stdout).RootElement.GetProperty("findings").GetArrayLength());
    }

    [Fact]
    public async Task Diagnose_with_bad_json_names_the_file_and_line_and_exits_1()
    {
        var request = Path.Combine(_temp, "bad.json");
        await File.WriteAllTextAsync(request, "{\n  \"symptom\": {\"frequency\": \"sometimes\"}\n}");
        var (exit, _, stderr) = await Run("diagnose", "-r", request, "--rules", Path.Combine(Root, "rules"));

        Assert.Equal(DnsExpertCli.ExitCodes.BadInput, exit);
        Assert.Contains($"{request}:2: symptom.frequency", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lint_of_the_repository_rules_passes()
    {
        var (exit, stdout, _) = await Run("rules", "lint", Path.Combine(Root, "rules"));

        Assert.Equal(0, exit);
        Assert.Matches(@"^\d+ rules OK", stdout);
    }

    [Fact]
    public async Task Lint_of_a_broken_rule_names_file_line_and_reason()
    {
        var dir = Directory.CreateDirectory(Path.Combine(_temp, "rules")).FullName;
        File.Copy(Path.Combine(Root, "rules", "coredns-autopath-enabled.yaml"), Path.Combine(dir, "coredns-autopath-enabled.yaml"));
        await WriteRule(Path.Combine(dir, "broken.yaml"), "broken-rule", "Nmae == \"log\"", "c");
        var (exit, _, stderr) = await Run("rules", "lint", dir);

        Assert.Equal(DnsExpertCli.ExitCodes.BadInput, exit);
        Assert.Contains("rules/broken.yaml:8:", stderr, StringComparison.Ordinal);
        Assert.Contains("Nmae", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lint_rejects_a_template_that_can_allocate_without_bound()
    {
        var dir = Directory.CreateDirectory(Path.Combine(_temp, "rules")).FullName;
        await WriteRule(Path.Combine(dir, "padded.yaml"), "padded-rule", "Name == \"log\"", "\"{{ p.Text.PadLeft(100000000) }}\"");
        var (exit, _, stderr) = await Run("rules", "lint", dir);

        Assert.Equal(DnsExpertCli.ExitCodes.BadInput, exit);
        Assert.Contains("padded.yaml:10:", stderr, StringComparison.Ordinal);
        Assert.Contains("'PadLeft' is not allowed", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lint_refuses_a_literal_the_property_never_holds_and_names_the_value_meant()
    {
        var dir = Directory.CreateDirectory(Path.Combine(_temp, "rules")).FullName;
        await WriteRule(Path.Combine(dir, "loop.yaml"), "loop", "Kind == \"forward_loop\"", "c", fact: "CoreDnsLogEvent");
        var (exit, _, stderr) = await Run("rules", "lint", dir);

        Assert.Equal(DnsExpertCli.ExitCodes.BadInput, exit);
        Assert.Contains("rules/loop.yaml:8:20: where: CoreDnsLogEvent.Kind is never \"forward_loop\" (did you mean \"forward-loop\"?); it is one of: ", stderr, StringComparison.Ordinal);
    }

    /// <summary>A rule file over one pattern named <c>p</c> (a CorefilePlugin unless said): its condition on line 8, its cause on line 10.</summary>
    private static Task WriteRule(string path, string id, string where, string cause, string fact = "CorefilePlugin") => File.WriteAllTextAsync(path, $$"""
        id: {{id}}
        title: t
        severity: warning
        description: d
        when:
          - fact: {{fact}}
            as: p
            where: {{where}}
        finding:
          cause: {{cause}}
          evidence:
            - source: s
              detail: d
          remediation:
            - summary: r
        """);

    [Fact]
    public async Task Rules_list_prints_ids_and_severities()
    {
        var (exit, stdout, _) = await Run("rules", "list", Path.Combine(Root, "rules"));
        Assert.Equal(0, exit);
        Assert.Contains("coredns-autopath-enabled", stdout, StringComparison.Ordinal);
        Assert.Contains("critical", stdout, StringComparison.Ordinal);
    }
}

public sealed class DumpTests
{
    private static readonly string Root = RepoPaths.Root;

    private static async Task<(int Exit, string Out, string Err)> Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await DnsExpertCli.RunAsync(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task A_cluster_info_dump_directory_is_diagnosed()
    {
        var (exit, stdout, stderr) = await Run("diagnose", "--dump", Path.Combine(Root, "tests", "fixtures", "cluster-info-dump"),
            "--pod", "kube-system/nginx-ingress-controller-6d5f7c8b9-q7w2r", "--domain", "shop-api.shop.svc.cluster.local",
            "--error", "2024/05/13 08:21:44 [error] 38#38: *1203 shop-api.shop.svc.cluster.local could not be resolved (3: Host not found)",
            "--frequency", "often", "--rules", Path.Combine(Root, "rules"));

        Assert.True(exit == DnsExpertCli.ExitCodes.CriticalFinding, stderr);
        using var json = System.Text.Json.JsonDocument.Parse(stdout);
        var ids = json.RootElement.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("ruleId").GetString()).ToList();
        Assert.Contains("pod-dnspolicy-hostnetwork", ids);
        Assert.Contains("coredns-unknown-directive", ids);
        Assert.Contains("external-domain-upstream-error", ids);
        Assert.Equal("name-not-found", json.RootElement.GetProperty("classification").GetProperty("class").GetString());

        // The dump has no resolv.conf: the log's own search walk shows api.partner-example.com.cn-hangzhou.internal is a
        // try of the search list (NXDOMAIN as it should be), not a name whose upstream fails (issue 20).
        var upstream = json.RootElement.GetProperty("findings").EnumerateArray().Where(f => f.GetProperty("ruleId").GetString() == "external-domain-upstream-error").ToList();
        Assert.All(upstream, f => Assert.DoesNotContain("cn-hangzhou.internal", f.GetProperty("cause").GetString(), StringComparison.Ordinal));
        Assert.Contains(upstream, f => f.GetProperty("cause").GetString()!.Contains("external name api.partner-example.com upstream", StringComparison.Ordinal));

        // A dump has no ConfigMaps: the Corefile checks say they did not run, and how to add it.
        var corefile = json.RootElement.GetProperty("collection").EnumerateArray().Single(c => c.GetProperty("source").GetString() == "ConfigMap kube-system/coredns");
        Assert.Equal("skipped", corefile.GetProperty("status").GetString());
        Assert.Contains("configmaps.json", corefile.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // secrets.json is in the dump but never read.
        Assert.DoesNotContain("db-credentials", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("c3VwZXItc2VjcmV0", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_and_dump_together_are_refused()
    {
        var (exit, _, stderr) = await Run("diagnose", "--request", "x.json", "--dump", "y");
        Assert.Equal(DnsExpertCli.ExitCodes.BadInput, exit);
        Assert.Contains("exactly one of --request FILE, --dump DIR, or --pod NAMESPACE/NAME", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("web-0 --pod shop/web-0", "Give the pod once")]
    [InlineData("shop/web-0 -n payments", "-n payments and the pod's own namespace (shop) disagree")]
    [InlineData("-n shop", "-n/--namespace is the pod's namespace; give the pod too")]
    public async Task A_pod_named_twice_or_in_two_namespaces_is_refused(string args, string expected)
    {
        var (exit, _, stderr) = await Run(["diagnose", .. args.Split(' '), "--error", "lookup api on 10.96.0.10:53: no such host"]);
        Assert.Equal(DnsExpertCli.ExitCodes.BadInput, exit);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pod_as_the_argument_with_n_is_found_in_a_dump()
    {
        var (exit, stdout, stderr) = await Run("diagnose", "nginx-ingress-controller-6d5f7c8b9-q7w2r", "-n", "kube-system",
            "--dump", Path.Combine(Root, "tests", "fixtures", "cluster-info-dump"), "--rules", Path.Combine(Root, "rules"));
        Assert.True(exit == DnsExpertCli.ExitCodes.CriticalFinding, stderr);
        using var json = System.Text.Json.JsonDocument.Parse(stdout);
        var target = json.RootElement.GetProperty("target");
        Assert.Equal(("kube-system", "nginx-ingress-controller-6d5f7c8b9-q7w2r"), (target.GetProperty("namespace").GetString(), target.GetProperty("pod").GetString()));
        Assert.Contains("pod-dnspolicy-hostnetwork", json.RootElement.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("ruleId").GetString()));
    }
}
