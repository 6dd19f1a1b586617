using DnsExpert.Testing;
using YamlDotNet.RepresentationModel;

namespace DnsExpert.Deploy.Tests;

/// <summary>
/// deploy/prometheus: the CoreDNS alert rules pass <c>promtool check rules</c> and their <c>promtool test rules</c> unit
/// tests (series of each CoreDNS metric generation), the PrometheusRule holds the same groups, and each alert names a
/// catalogued DnsExpert rule. promtool comes from Debian's <c>prometheus</c> package (test.sh installs it).
/// </summary>
public sealed class PrometheusRulesTests
{
    private static readonly string Folder = Path.Combine(ManifestTests.Deploy, "prometheus");
    private static readonly string RulesFile = Path.Combine(Folder, "dnsexpert-coredns.rules.yaml");

    /// <summary>The alerts and the DnsExpert rule each one labels: one per metric rule.</summary>
    private static readonly string[] MetricRules =
    [
        "coredns-servfail-rate-high", "coredns-latency-high", "coredns-forward-healthcheck-failing", "external-domain-upstream-error",
        "coredns-panics", "coredns-unknown-directive", "coredns-forward-max-concurrent", "nodelocal-setup-failed",
        "coredns-pod-not-running", "coredns-cpu-throttled",
    ];

    [Fact]
    public async Task Promtool_accepts_the_rules_file()
    {
        var (exitCode, output) = await Promtool("check", "rules", RulesFile);
        Assert.True(exitCode == 0, output);
        Assert.Contains($"SUCCESS: {MetricRules.Length} rules found", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promtool_unit_tests_pass_on_every_coredns_metric_generation()
    {
        var tests = Directory.EnumerateFiles(Path.Combine(Folder, "tests"), "*.yaml").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(
            ["any-version.yaml", "coredns-1.11-on.yaml", "coredns-1.7-to-1.10.yaml", "coredns-before-1.7.yaml"],
            tests.Select(Path.GetFileName));

        var (exitCode, output) = await Promtool(["test", "rules", .. tests]);
        Assert.True(exitCode == 0, output);
        Assert.Equal(tests.Count, output.Split("SUCCESS").Length - 1);

        // Every alert is expected to fire somewhere in them (not only to stay silent).
        var text = string.Concat(tests.Select(File.ReadAllText));
        Assert.All(Alerts(), alert => Assert.Contains($"alertname: {alert.Name}\n        exp_alerts:\n          - exp_labels:", text, StringComparison.Ordinal));
    }

    [Fact]
    public void The_prometheusrule_holds_the_groups_of_the_rules_file()
    {
        var rule = File.ReadAllText(Path.Combine(Folder, "prometheusrule.yaml")).ReplaceLineEndings("\n");
        var spec = rule.IndexOf("\nspec:\n", StringComparison.Ordinal);
        Assert.True(spec > 0, "prometheusrule.yaml has no spec");
        Assert.Contains("apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\n", rule[..spec], StringComparison.Ordinal);

        var rules = File.ReadAllText(RulesFile).ReplaceLineEndings("\n");
        var groups = rules[rules.IndexOf("\ngroups:\n", StringComparison.Ordinal)..];
        var indented = string.Join('\n', groups.Split('\n').Select(l => l.Length > 0 ? "  " + l : l));

        // Regenerate with the command in prometheusrule.yaml's header when this fails.
        Assert.Equal(indented, rule[(spec + "\nspec:".Length)..]);
    }

    [Fact]
    public void Each_alert_names_a_catalogued_rule_waits_links_dnsexpert_and_is_in_the_readme()
    {
        var catalogue = File.ReadLines(Path.Combine(RepoPaths.Rules, "CATALOGUE.md"))
            .Where(l => l.StartsWith("| `", StringComparison.Ordinal)).Select(l => l.Split('`')[1]).ToHashSet(StringComparer.Ordinal);
        var readme = File.ReadLines(Path.Combine(RepoPaths.Root, "README.md")).ToList();
        var alerts = Alerts();

        Assert.Equal(MetricRules, alerts.Select(a => a.Labels["dnsexpert_rule"]));
        Assert.Equal(alerts.Count, alerts.Select(a => a.Name).Distinct(StringComparer.Ordinal).Count());
        foreach (var alert in alerts)
        {
            var id = alert.Labels["dnsexpert_rule"];
            Assert.Contains(id, catalogue);
            Assert.Contains(alert.Labels["severity"], (string[])["critical", "warning"]);
            Assert.True(alert.For is "5m" or "10m", $"{alert.Name} waits {alert.For}");
            Assert.EndsWith($"{{{{ end }}}}/api/v1/rules/{id}", alert.Annotations["runbook_url"], StringComparison.Ordinal);
            Assert.EndsWith($"{{{{ end }}}}/api/v1/diagnoses?ruleId={id}&since=24h", alert.Annotations["dnsexpert_url"], StringComparison.Ordinal);
            Assert.StartsWith("{{ with $externalLabels.dnsexpert_url }}", alert.Annotations["runbook_url"], StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(alert.Annotations["description"]));

            // The README's alert table says the same.
            var row = Assert.Single(readme, l => l.StartsWith($"| `{alert.Name}` |", StringComparison.Ordinal));
            Assert.StartsWith($"| `{alert.Name}` | `{id}` |", row, StringComparison.Ordinal);
            Assert.EndsWith($"({alert.Labels["severity"]}) | {alert.For} |", row, StringComparison.Ordinal);
        }
    }

    private sealed record Alert(string Name, string For, IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> Annotations);

    private static List<Alert> Alerts()
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(RulesFile))
        {
            stream.Load(reader);
        }

        var root = (YamlMappingNode)stream.Documents.Single().RootNode;
        return ((YamlSequenceNode)root["groups"]).Cast<YamlMappingNode>()
            .SelectMany(g => ((YamlSequenceNode)g["rules"]).Cast<YamlMappingNode>())
            .Select(r => new Alert(Scalar(r, "alert"), Scalar(r, "for"), Map(r, "labels"), Map(r, "annotations")))
            .ToList();

        static string Scalar(YamlMappingNode node, string key) =>
            node.Children.TryGetValue(key, out var value) ? ((YamlScalarNode)value).Value ?? "" : "";

        static Dictionary<string, string> Map(YamlMappingNode node, string key) =>
            ((YamlMappingNode)node[key]).Children.ToDictionary(c => ((YamlScalarNode)c.Key).Value!, c => ((YamlScalarNode)c.Value).Value ?? "", StringComparer.Ordinal);
    }

    private static Task<(int ExitCode, string Output)> Promtool(params string[] arguments) =>
        InstalledTool.RunAsync("promtool", "prometheus", arguments, Folder);
}
