using System.Reflection;
using System.Text.RegularExpressions;
using DnsExpert.Api.Hosting;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace DnsExpert.Api.Endpoints;

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

    /// <summary>
    /// Documents the 400 on each endpoint of <paramref name="group"/> with a query or route parameter that may not bind:
    /// one of a type parsed from its text (<c>int?</c>, <c>bool?</c>, <see cref="ReportFormat"/>, <see cref="CheckList"/>).
    /// </summary>
    public static RouteGroupBuilder AnswersParameterProblems(RouteGroupBuilder group)
    {
        ArgumentNullException.ThrowIfNull(group);
        ((IEndpointConventionBuilder)group).Add(endpoint =>
        {
            if (endpoint.Metadata.OfType<MethodInfo>().FirstOrDefault() is { } method && method.GetParameters().Any(MayNotBind))
            {
                Problem<Status.BadRequest>.PopulateMetadata(method, endpoint);
            }
        });
        return group;
    }

    /// <summary>A parameter bound from its text (the query or the route) with a type's <c>TryParse</c>, which that text may fail.</summary>
    private static bool MayNotBind(ParameterInfo parameter)
    {
        var type = Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType;
        return type != typeof(string) && parameter.GetCustomAttribute<FromServicesAttribute>() is null
            && (type.IsPrimitive || type.IsEnum || type.GetMethod("TryParse", BindingFlags.Public | BindingFlags.Static, [typeof(string), type.MakeByRefType()]) is not null
                || type.GetMethod("TryParse", BindingFlags.Public | BindingFlags.Static, [typeof(string), typeof(IFormatProvider), type.MakeByRefType()]) is not null);
    }

    /// <summary>What a parameter of <paramref name="type"/> (as minimal APIs name it: <c>int?</c>, <c>Nullable&lt;ReportFormat&gt;</c>) takes, with the allowed values of a closed set.</summary>
    private static string Describe(string type) => Unwrap(type) switch
    {
        "int" or "long" or "Int32" or "Int64" => "whole number in range",
        "bool" or "Boolean" => "boolean (true or false)",
        "DateTimeOffset" or "DateTime" => "date and time",
        "ReportFormat" => $"format; one of: {string.Join(", ", ReportFormat.Names)}",
        "CheckList" => $"check list; one of: {string.Join(", ", CheckList.Names)}",
        _ => "value",
    };

    private static string Unwrap(string type)
    {
        var bare = type.Trim().TrimEnd('?');
        return bare.StartsWith("Nullable<", StringComparison.Ordinal) && bare.EndsWith('>') ? bare["Nullable<".Length..^1] : bare;
    }

    // Minimal APIs' wording: 'Failed to bind parameter "int? limit" from "x".' and 'Required parameter "string id" was not provided ...'.
    [GeneratedRegex(@"^(?:(?<kind>Failed) to bind parameter|(?<kind>Required) parameter) ""(?<type>[\w.?<>\[\], ]+) (?<name>\w+)""", RegexOptions.NonBacktracking)]
    private static partial Regex Binding();
}
