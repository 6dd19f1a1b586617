using DnsExpert.Engine.Compilation;
using DnsExpert.Engine.RuleFiles;

namespace DnsExpert.Engine.Tests;

/// <summary>Small rule files for tests: one matched pattern, one evidence line, one remediation.</summary>
internal static class TestRules
{
    /// <summary>
    /// A rule over one <paramref name="fact"/> named <paramref name="name"/>: its condition on line 8 (column 12), its
    /// cause on line 10, its remediation's summary on line 15 and the remediation's <c>when</c>, if any, on line 16.
    /// </summary>
    public static string OnePattern(string id, string severity, string fact, string name, string where, string cause = "c", string? remediationWhen = null) => $$"""
        id: {{id}}
        title: {{id}}
        severity: {{severity}}
        description: d
        when:
          - fact: {{fact}}
            as: {{name}}
            where: {{where}}
        finding:
          cause: {{cause}}
          evidence:
            - source: s
              detail: d
          remediation:
            - summary: r
        {{(remediationWhen is null ? "" : "      when: " + remediationWhen)}}
        """;

    /// <summary>Reads and compiles <paramref name="yaml"/> (files <c>rules/r0.yaml</c> ...); the reader must accept every one.</summary>
    public static RuleBase Compile(params string[] yaml)
    {
        var errors = new List<RuleFileError>();
        var documents = yaml.Select((y, i) => RuleFileReader.Read($"rules/r{i}.yaml", y, errors)).ToList();
        Assert.Empty(errors);
        return RuleBaseCompiler.Compile(documents.Select(d => d!).ToList());
    }

    /// <summary>
    /// The errors of reading and compiling <paramref name="yaml"/> as <paramref name="file"/>: the reader's, then the
    /// compiler's when the reader gave a document (which <paramref name="readable"/> requires).
    /// </summary>
    public static List<RuleFileError> Errors(string yaml, string file = "rules/bad.yaml", bool readable = false)
    {
        var errors = new List<RuleFileError>();
        var document = RuleFileReader.Read(file, yaml, errors);
        if (readable)
        {
            Assert.NotNull(document);
        }

        if (document is not null)
        {
            try
            {
                RuleBaseCompiler.Compile([document]);
            }
            catch (RuleFileException ex)
            {
                errors.AddRange(ex.Errors);
            }
        }

        return errors;
    }
}
