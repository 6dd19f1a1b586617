using System.Text.RegularExpressions;
using DnsExpert.Engine.RuleFiles;

namespace DnsExpert.Engine.Tests;

/// <summary>The rule files against the catalogue of KNOWLEDGE.md, whose ids are public API.</summary>
public sealed partial class KnowledgeBaseTests
{
    internal static List<string> KnowledgeIds()
    {
        var path = Path.Combine(RepoPaths.Root, "..", "shared", "KNOWLEDGE.md");
        Assert.True(File.Exists(path), $"KNOWLEDGE.md not found at {path}");
        return File.ReadLines(path).Select(l => RuleIdRow().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();
    }

    [Fact]
    public void Every_rule_file_uses_an_id_of_the_knowledge_base()
    {
        var known = KnowledgeIds();
        Assert.True(known.Count >= 30, $"expected the KNOWLEDGE.md catalogue, found {known.Count} ids");
        var ruleBase = RuleBaseLoader.Load(RepoPaths.Rules);
        Assert.All(ruleBase.Rules, r => Assert.Contains(r.Id, known));
    }

    [Fact]
    public void Every_id_of_the_knowledge_base_has_exactly_one_rule()
    {
        var ruleIds = RuleBaseLoader.Load(RepoPaths.Rules).Rules.Select(r => r.Id).ToList();
        foreach (var id in KnowledgeIds())
        {
            Assert.True(ruleIds.Count(r => r == id) == 1, $"KNOWLEDGE.md id '{id}' has {ruleIds.Count(r => r == id)} rule(s) in rules/");
        }

        Assert.Equal(KnowledgeIds().Count, ruleIds.Count);
    }

    [Fact]
    public void Each_rule_file_is_named_after_its_id()
    {
        var ruleBase = RuleBaseLoader.Load(RepoPaths.Rules);
        Assert.All(ruleBase.Rules, r => Assert.Equal(r.Id + ".yaml", Path.GetFileName(r.Document.File)));
    }

    [GeneratedRegex(@"^\| `([a-z0-9.-]+)`")]
    private static partial Regex RuleIdRow();
}
