using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;

namespace DnsExpert.Api.Hosting;

/// <summary>
/// A query or route parameter that does not bind (<c>?limit=99999999999</c>, <c>?limit=ten</c>) is a 400 ProblemDetails
/// whose <c>errors</c> names the parameter, like every other bad input; the value itself is not echoed.
/// </summary>
public sealed partial class ParameterBindingProblems(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad || bad.StatusCode != StatusCodes.Status400BadRequest
            || Binding().Match(bad.Message) is not { Success: true } match)
        {
            return false;
        }

        var name = match.Groups["name"].Value;
        var message = match.Groups["kind"].Value == "Required"
            ? "is required"
            : $"is not a valid {Describe(match.Groups["type"].Value)}";
        httpContext.Response.StatusCode = StatusCodes.Status400BadRequest;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new HttpValidationProblemDetails(new Dictionary<string, string[]> { [name] = [message] })
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "Invalid query parameter",
                Detail = $"{name}: {message}",
            },
        });
    }

    private static string Describe(string type) => type.TrimEnd('?') switch
    {
        "int" or "long" => "whole number in range",
        "bool" => "boolean (true or false)",
        "DateTimeOffset" or "DateTime" => "date and time",
        "ReportFormat" => "format (json, markdown or slack)",
        "CheckList" => "check list (first or all)",
        _ => "value",
    };

    // Minimal APIs' wording: 'Failed to bind parameter "int? limit" from "x".' and 'Required parameter "string id" was not provided ...'.
    [GeneratedRegex(@"^(?:(?<kind>Failed) to bind parameter|(?<kind>Required) parameter) ""(?<type>[\w.?<>\[\], ]+) (?<name>\w+)""", RegexOptions.NonBacktracking)]
    private static partial Regex Binding();
}
