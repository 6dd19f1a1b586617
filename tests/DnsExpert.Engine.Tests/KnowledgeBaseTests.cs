using System.Text.RegularExpressions;
using DnsExpert.Engine.Compilation;
using DnsExpert.Testing;

namespace DnsExpert.Engine.Tests;

/// <summary>The rule files against the project's catalogue of ids (rules/CATALOGUE.md), which are public API.</summary>
public sealed partial class KnowledgeBaseTests
{
    /// <summary>The project's own catalogue of promised ids (rules/CATALOGUE.md): id and origin (<c>guide</c> or <c>beyond</c>).</summary>
    private static List<(string Id, string Origin)> Catalogue() =>
        File.ReadLines(Path.Combine(RepoPaths.Rules, "CATALOGUE.md")).Select(l => CatalogueRow().Match(l)).Where(m => m.Success)
            .Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToList();

    internal static List<string> KnowledgeIds() => Catalogue().Select(c => c.Id).ToList();

    private static string SignatureTable(string file)
    {
        var text = File.ReadAllText(Path.Combine(RepoPaths.Root, file)).ReplaceLineEndings("\n");
        var begin = text.IndexOf("<!-- signatures:begin -->", StringComparison.Ordinal);
        var end = text.IndexOf("<!-- signatures:end -->", StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, $"{file} has no signature table");
        return text[begin..end];
    }

    [Fact]
    public void The_signature_table_is_one_table_in_rules_and_readme_and_names_existing_rules()
    {
        var table = SignatureTable(Path.Combine("rules", "SIGNATURES.md"));
        Assert.Equal(table, SignatureTable("README.md"));

        var ids = RuleBaseLoader.Load(RepoPaths.Rules).Rules.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        // Columns: signature | versions | rule id (cause) | printed by.
        var named = table.Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal))
            .Select(l => CodeSpan().Match(l.Split('|')[3])).ToList();
        Assert.True(named.Count >= 10, "expected a row per signature");
        Assert.All(named, m => Assert.Contains(m.Groups[1].Value, ids));
    }

    [Fact]
    public void Every_rule_file_uses_an_id_of_the_knowledge_base()
    {
        var known = KnowledgeIds();
        Assert.True(known.Count >= 30, $"expected the rules/CATALOGUE.md ids, found {known.Count}");
        var ruleBase = RuleBaseLoader.Load(RepoPaths.Rules);
        Assert.All(ruleBase.Rules, r => Assert.Contains(r.Id, known));
    }

    /// <summary>Ids of KNOWLEDGE.md's section 4 (new cases) whose rules are not built yet, from rules/PLANNED.md.</summary>
    internal static List<string> PlannedIds() =>
        File.ReadLines(Path.Combine(RepoPaths.Rules, "PLANNED.md")).Select(l => RuleIdRow().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();

    /// <summary>Ids of the guide's own cases (origin <c>guide</c> in the catalogue), which must all be built.</summary>
    private static List<string> CatalogueIds() => Catalogue().Where(c => c.Origin == "guide").Select(c => c.Id).ToList();

    [Fact]
    public void Every_id_of_the_knowledge_base_has_exactly_one_rule_or_is_planned()
    {
        var ruleIds = RuleBaseLoader.Load(RepoPaths.Rules).Rules.Select(r => r.Id).ToList();
        var planned = PlannedIds();
        foreach (var id in KnowledgeIds())
        {
            var rules = ruleIds.Count(r => r == id);
            Assert.True(rules == 1 || (rules == 0 && planned.Contains(id)),
                $"catalogue id '{id}' has {rules} rule(s) in rules/{(planned.Contains(id) ? " and is listed in rules/PLANNED.md" : " and is not listed in rules/PLANNED.md")}");
            Assert.False(rules == 1 && planned.Contains(id), $"'{id}' has a rule: remove it from rules/PLANNED.md");
        }

        Assert.All(planned, id => Assert.Contains(id, KnowledgeIds()));
        Assert.Equal(KnowledgeIds().Count, ruleIds.Count + planned.Count);
    }

    [Fact]
    public void Every_id_of_the_guide_catalogue_has_a_rule_and_none_is_merely_planned()
    {
        var catalogue = CatalogueIds();
        Assert.True(catalogue.Count >= 30, $"expected the guide's ids in rules/CATALOGUE.md, found {catalogue.Count}");
        var ruleIds = RuleBaseLoader.Load(RepoPaths.Rules).Rules.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        Assert.All(catalogue, id => Assert.Contains(id, ruleIds));
        Assert.Empty(catalogue.Intersect(PlannedIds()));
    }

    [Fact]
    public void Each_rule_file_is_named_after_its_id()
    {
        var ruleBase = RuleBaseLoader.Load(RepoPaths.Rules);
        Assert.All(ruleBase.Rules, r => Assert.Equal(r.Id + ".yaml", Path.GetFileName(r.Document.File)));
    }

    [GeneratedRegex(@"^\| `([a-z0-9.-]+)`", RegexOptions.NonBacktracking)]
    private static partial Regex RuleIdRow();

    [GeneratedRegex(@"^\| `([a-z0-9.-]+)` \| (guide|beyond) \|", RegexOptions.NonBacktracking)]
    private static partial Regex CatalogueRow();

    [GeneratedRegex("`([a-z0-9.-]+)`")]
    private static partial Regex CodeSpan();
}
