using DnsExpert.Api.Hosting;
using DnsExpert.Contract;
using DnsExpert.Diagnosis;
using DnsExpert.Engine.RuleBases;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DnsExpert.Api.Endpoints;

public static class RulesApi
{
    public static IEndpointRouteBuilder MapRulesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/rules").WithTags("Rules");
        group.MapGet("/", (IRuleBaseProvider rules) => TypedResults.Ok(WireResults.Rules(RuleCatalog.List(rules.Current))))
            .WithName("ListRules")
            .WithSummary("The loaded knowledge base")
            .WithDescription("Every rule: id (stable, public), title, severity, description, the fact types it reads, the guide section and the rule file.");
        group.MapGet("/{id}", GetRule)
            .WithName("GetRule")
            .WithSummary("One rule of the knowledge base");
        return app;
    }

    internal static Results<Ok<RuleInfo>, Problem<Status.NotFound>> GetRule(string id, IRuleBaseProvider rules)
    {
        var rule = RuleCatalog.List(rules.Current).FirstOrDefault(r => r.Id == id);
        return rule is null
            ? Problem.Of<Status.NotFound>("No such rule", $"No rule with id '{Sanitize(id)}'. GET /api/v1/rules lists them.")
            : TypedResults.Ok(WireResults.Rule(rule));
    }

    /// <summary>Echo only safe characters of user input back.</summary>
    internal static string Sanitize(string s)
    {
        var clean = new string(s.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_').Take(80).ToArray());
        return clean.Length == s.Length ? clean : clean + "…";
    }
}
