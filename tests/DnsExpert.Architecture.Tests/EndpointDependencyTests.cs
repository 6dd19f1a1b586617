using DnsExpert.Testing;

namespace DnsExpert.Architecture.Tests;

/// <summary>
/// Handlers take what they use as parameters (minimal API parameter injection, <c>[AsParameters]</c> groups where there
/// are many), so a handler's signature says what it depends on; none looks a service up by hand.
/// </summary>
public sealed class EndpointDependencyTests
{
    [Fact]
    public void No_endpoint_body_reader_or_caller_scope_looks_a_service_up_by_hand()
    {
        var api = Path.Combine(RepoPaths.Root, "src", "DnsExpert.Api");
        var files = Directory.EnumerateFiles(Path.Combine(api, "Endpoints"), "*.cs")
            .Append(Path.Combine(api, "Hosting", "JsonBody.cs"))
            .Append(Path.Combine(api, "Security", "CallerScope.cs"));

        var lookups = files
            .SelectMany(file => File.ReadLines(file).Select((line, index) => (File: Path.GetFileName(file), Line: index + 1, Text: line)))
            .Where(l => l.Text.Contains("RequestServices", StringComparison.Ordinal) || l.Text.Contains("IServiceProvider", StringComparison.Ordinal))
            .Select(l => $"{l.File}:{l.Line}: {l.Text.Trim()}");

        Assert.Empty(lookups);
    }
}
