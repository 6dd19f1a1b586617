using System.Security.Cryptography;
using DnsExpert.Api.History;
using DnsExpert.Rendering;

namespace DnsExpert.Api.Endpoints;

public static class ReportsApi
{
    public static IEndpointRouteBuilder MapReportsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/reports/{id}", Report)
            .WithTags("Diagnoses")
            .WithName("DiagnosisReport")
            .WithSummary("A diagnosis as a printable HTML page, for ticket links");
        return app;
    }

    internal static async Task<HtmlPage> Report(string id, HttpContext http, HistoryState history, Hosting.PublicLinks links, CancellationToken cancellationToken)
    {
        var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = $"default-src 'none'; style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";

        var (response, _) = await DiagnosesApi.Find(id, history, Security.CallerScope.Of(http), cancellationToken);
        return response is null
            ? HtmlPage.NotFound(HtmlReport.NotFound(nonce))
            : HtmlPage.Found(HtmlReport.Render(response with { Links = links.Of(id, response.PreviousId) }, nonce));
    }
}
