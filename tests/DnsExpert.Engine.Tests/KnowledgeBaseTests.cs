using System.Text.RegularExpressions;
using DnsExpert.Engine.RuleFiles;

namespace DnsExpert.Engine.Tests;

/// <summary>The rule files against the catalogue of KNOWLEDGE.md, whose ids are public API.</summary>
public sealed partial class KnowledgeBaseTests
{
    private static List<string> KnowledgeIds()
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
    public void Each_rule_file_is_named_after_its_id()
    {
        var ruleBase = RuleBaseLoader.Load(RepoPaths.Rules);
        Assert.All(ruleBase.Rules, r => Assert.Equal(r.Id + ".yaml", Path.GetFileName(r.Document.File)));
    }

    [GeneratedRegex(@"^\| `([a-z0-9.-]+)`")]
    private static partial Regex RuleIdRow();
}
