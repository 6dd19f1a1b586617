using System.Reflection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace DnsExpert.Api.Tests;

/// <summary>
/// An endpoint's answers are described by what it returns, not by lines kept beside it: every handler's return type
/// describes each of its answers (typed results, <c>Problem&lt;Status.X&gt;</c>, the body reader's
/// <c>BodyProblem&lt;T&gt;</c>), and the OpenAPI document lists exactly the statuses and media types the endpoints'
/// metadata declares, no more and no fewer.
/// </summary>
public sealed class EndpointAnswersTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private IEnumerable<RouteEndpoint> Operations() =>
        factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<MethodInfo>() is not null && e.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is not { ExcludeFromDescription: true })
            .Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>() is not null);

    private static string Route(RouteEndpoint endpoint) => "/" + endpoint.RoutePattern.RawText!.Trim('/');

    /// <summary>The types an answer of <paramref name="type"/> may be: each of a <c>Results&lt;...&gt;</c>, nested ones too.</summary>
    private static IEnumerable<Type> Answers(Type type)
    {
        if (type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Task<>) || type.GetGenericTypeDefinition() == typeof(ValueTask<>)))
        {
            type = type.GetGenericArguments()[0];
        }

        return type.IsGenericType && type.GetGenericTypeDefinition().FullName!.StartsWith("Microsoft.AspNetCore.Http.HttpResults.Results`", StringComparison.Ordinal)
            ? type.GetGenericArguments().SelectMany(Answers)
            : [type];
    }

    [Fact]
    public void Every_answer_type_of_every_endpoint_describes_itself()
    {
        var operations = Operations().ToList();
        Assert.True(operations.Count >= 18, $"only {operations.Count} operations found");
        var undescribed = operations
            .SelectMany(e => Answers(e.Metadata.GetMetadata<MethodInfo>()!.ReturnType).Select(t => (Endpoint: e, Type: t)))
            .Where(a => !typeof(IEndpointMetadataProvider).IsAssignableFrom(a.Type))
            .Select(a => $"{a.Endpoint.DisplayName}: {a.Type.Name} says nothing of its status or body")
            .ToList();

        Assert.True(undescribed.Count == 0, string.Join("\n", undescribed));
    }

    [Fact]
    public void No_answer_is_documented_by_hand_beside_an_endpoint()
    {
        var api = Path.Combine(ApiFactory.RepoRoot, "src", "DnsExpert.Api");
        var byHand = Directory.EnumerateFiles(api, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: Path.GetRelativePath(api, f), Line: i + 1, Text: line.Trim())))
            .Where(l => l.Text.StartsWith(".Produces", StringComparison.Ordinal) || l.Text.Contains(").Produces", StringComparison.Ordinal))
            .Select(l => $"{l.File}:{l.Line}: {l.Text}")
            .ToList();

        Assert.True(byHand.Count == 0, "answers kept by hand (return a typed result that describes them instead):\n" + string.Join("\n", byHand));
    }

    [Fact]
    public async Task The_document_lists_exactly_the_answers_the_endpoints_declare()
    {
        var document = await (await factory.CreateClient().GetAsync("/swagger/v1/swagger.json")).Json();
        var paths = document.GetProperty("paths");
        var differences = new List<string>();
        var compared = 0;
        foreach (var endpoint in Operations())
        {
            var method = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods.Single();
            var operation = paths.GetProperty(Route(endpoint)).GetProperty(method.ToLowerInvariant());
            var declared = endpoint.Metadata.OfType<IProducesResponseTypeMetadata>()
                .GroupBy(m => m.StatusCode)
                .ToDictionary(g => g.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), g => g.Last().ContentTypes.Order(StringComparer.Ordinal).ToList());
            var documented = operation.GetProperty("responses").EnumerateObject().ToDictionary(
                r => r.Name,
                r => r.Value.TryGetProperty("content", out var content) ? content.EnumerateObject().Select(c => c.Name).Order(StringComparer.Ordinal).ToList() : []);
            foreach (var status in declared.Keys.Union(documented.Keys).Order(StringComparer.Ordinal))
            {
                compared++;
                var answer = $"{method} {Route(endpoint)} -> {status}";
                if (!documented.TryGetValue(status, out var media))
                {
                    differences.Add($"{answer}: declared, not in the document");
                }
                else if (!declared.TryGetValue(status, out var types))
                {
                    differences.Add($"{answer}: in the document, declared by nothing the endpoint returns");
                }
                else if (types.Count > 0 && media.Count > 0 && !types.SequenceEqual(media))
                {
                    differences.Add($"{answer}: declared as {string.Join(", ", types)}, documented as {string.Join(", ", media)}");
                }
            }
        }

        Assert.True(compared >= 80, $"only {compared} answers compared");
        Assert.True(differences.Count == 0, string.Join("\n", differences));
    }

    /// <summary>
    /// The caller checks in front of every endpoint answer before it runs: 401 without credentials when they are required,
    /// 429 when the rate limit is used up (here one request per address, taken by the document's own request). Every
    /// operation is called with neither, and what it answers must be documented for it.
    /// </summary>
    [Theory]
    [InlineData("DnsExpert:Auth:Enabled", "true", 401)]
    [InlineData("DnsExpert:Auth:RequestsPerMinutePerAddress", "1", 429)]
    public async Task What_the_caller_checks_answer_is_documented_on_every_operation(string setting, string value, int status)
    {
        using var app = factory.WithWebHostBuilder(b => b.UseSetting(setting, value).UseSetting("DnsExpert:Auth:ApiKeys:0", "ci:" + new string('0', 64)));
        var client = app.CreateClient();
        var document = await (await client.GetAsync("/swagger/v1/swagger.json")).Json();
        var undocumented = new List<string>();
        var answered = 0;
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var url = path.Name.Replace("{id}", new string('0', 32), StringComparison.Ordinal).Replace("{name}", "sick-cluster", StringComparison.Ordinal);
                using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(operation.Name.ToUpperInvariant()), url));
                var code = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
                answered += (int)response.StatusCode == status ? 1 : 0;
                if (!operation.Value.GetProperty("responses").TryGetProperty(code, out _))
                {
                    undocumented.Add($"{operation.Name.ToUpperInvariant()} {path.Name} -> {code}");
                }
            }
        }

        Assert.True(undocumented.Count == 0, "answers the document does not describe:\n" + string.Join("\n", undocumented));
        Assert.True(answered >= 10, $"only {answered} operations answered {status}");
    }
}
