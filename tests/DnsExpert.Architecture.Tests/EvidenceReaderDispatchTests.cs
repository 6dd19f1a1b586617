using DnsExpert.Testing;

namespace DnsExpert.Architecture.Tests;

/// <summary>
/// The evidence registry (<c>EvidenceSources</c>) is the only place that says which reader takes which output: each
/// entry carries its reader, and nothing else in src chooses code by reader (no <c>switch</c> on a source's reader, no
/// comparison with one), so an evidence reader is added where it is registered and nowhere else. A producer that reads
/// one reader's files asks the reader (<c>EvidenceReader.PrometheusMetrics.Reads(file)</c>).
/// </summary>
public sealed class EvidenceReaderDispatchTests
{
    /// <summary>The registry and the reader type: where readers are made, named and put in order.</summary>
    private static readonly string[] Registry = ["EvidenceSources.cs", "EvidenceReader.cs"];

    private static readonly string[] Dispatches = ["== EvidenceReader.", "!= EvidenceReader.", "case EvidenceReader.", "is EvidenceReader.", "or EvidenceReader.", "Reader switch", "switch (EvidenceSources."];

    [Fact]
    public void Only_the_registry_chooses_code_by_evidence_reader()
    {
        var src = Path.Combine(RepoPaths.Root, "src");
        var dispatches = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !Registry.Contains(Path.GetFileName(f)))
            .SelectMany(file => File.ReadLines(file).Select((line, index) => (File: Path.GetRelativePath(src, file), Line: index + 1, Text: line)))
            .Where(l => Dispatches.Any(d => l.Text.Contains(d, StringComparison.Ordinal)))
            .Select(l => $"{l.File}:{l.Line}: {l.Text.Trim()}");

        Assert.Empty(dispatches);
    }
}
