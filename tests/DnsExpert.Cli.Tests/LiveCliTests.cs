using System.Text.Json;
using DnsExpert.Contract;
using DnsExpert.Testing;

namespace DnsExpert.Cli.Tests;

/// <summary><c>dnsexpert diagnose --pod</c> against the fixture cluster through a kubeconfig, as a person with kubectl access would run it.</summary>
public sealed class LiveCliTests : IAsyncLifetime
{
    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);
    private readonly string _temp = Directory.CreateTempSubdirectory("dnsexpert-cli-live-").FullName;
    private FixtureApiServer _server = null!;
    private readonly string _root = RepoPaths.Root;

    public async Task InitializeAsync()
    {
        var scenario = JsonSerializer.Deserialize<DiagnosisRequest>(
            await File.ReadAllTextAsync(Path.Combine(_root, "src", "DnsExpert.Api", "Samples", "sick-cluster.json")), WebJson)!;
        _server = await FixtureApiServer.StartAsync(scenario.Snapshot!);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_temp, recursive: true);
    }

    [Fact]
    public async Task Diagnose_a_pod_live_shows_progress_and_exits_2_on_a_critical_finding()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        // --no-probe: the fixture cluster's addresses are not on this machine, and only loopback may be probed here.
        var exit = await DnsExpertCli.RunAsync(
        [
            "diagnose", "--pod", "kube-system/nginx-ingress-controller-6d5f7c8b9-q7w2r", "--domain", "shop-api.shop.svc.cluster.local",
            "--frequency", "often", "--kubeconfig", _server.WriteKubeconfig(_temp), "--no-probe", "--rules", Path.Combine(_root, "rules"),
        ], output, error);

        Assert.True(exit == DnsExpertCli.ExitCodes.CriticalFinding, error.ToString());
        var ids = JsonDocument.Parse(output.ToString()).RootElement.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("ruleId").GetString()).ToList();
        Assert.Contains("pod-dnspolicy-hostnetwork", ids);
        Assert.Contains("coredns-autopath-enabled", ids);
        Assert.Contains("collecting from http://127.0.0.1:", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("ConfigMap kube-system/coredns", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("switched off by the request", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-n")]        // kubectl's way: kubectl dnsexpert diagnose POD -n NAMESPACE
    [InlineData("context")]   // no -n: the kubeconfig context's namespace, as kubectl takes it
    public async Task The_pod_is_named_as_kubectl_names_it(string namespaceFrom)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var kubeconfig = _server.WriteKubeconfig(_temp);
        string[] ns = ["-n", "kube-system"];
        if (namespaceFrom == "context")
        {
            await File.WriteAllTextAsync(kubeconfig, (await File.ReadAllTextAsync(kubeconfig)).Replace("    user: dnsexpert\n", "    user: dnsexpert\n    namespace: kube-system\n", StringComparison.Ordinal));
            ns = [];
        }

        var exit = await DnsExpertCli.RunAsync(
        [
            "diagnose", "nginx-ingress-controller-6d5f7c8b9-q7w2r", .. ns, "--kubeconfig", kubeconfig, "--context", "fixture", "--no-probe",
            "--rules", Path.Combine(_root, "rules"),
        ], output, error);

        Assert.True(exit == DnsExpertCli.ExitCodes.CriticalFinding, error.ToString());
        var json = JsonDocument.Parse(output.ToString()).RootElement;
        Assert.Equal("kube-system", json.GetProperty("target").GetProperty("namespace").GetString());
        Assert.Contains("pod-dnspolicy-hostnetwork", json.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("ruleId").GetString()));
    }

    [Fact]
    public async Task A_missing_kubeconfig_is_a_clear_error()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await DnsExpertCli.RunAsync(["diagnose", "--pod", "default/web", "--kubeconfig", Path.Combine(_temp, "nope"), "--rules", Path.Combine(_root, "rules")], output, error);

        Assert.Equal(DnsExpertCli.ExitCodes.BadInput, exit);
        Assert.Contains("kubeconfig", error.ToString(), StringComparison.OrdinalIgnoreCase);
    }
}
