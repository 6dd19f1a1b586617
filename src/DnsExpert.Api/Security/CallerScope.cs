using System.Security.Claims;
using DnsExpert.Contract;
using DnsExpert.History;

namespace DnsExpert.Api.Security;

/// <summary>What a caller may do: <c>read</c> lists and reads diagnoses; <c>diagnose</c> also creates them and adds evidence to its own; <c>admin</c> adds evidence to anyone's.</summary>
public enum CallerRole
{
    Read,
    Diagnose,
    Admin,
}

/// <summary>
/// A caller's principal, role and namespaces. A platform team shares one service between teams: each key (or token)
/// sees, lists and refines only diagnoses whose target is in its namespaces, creates diagnoses only there, and adds
/// evidence only to diagnoses it created unless it is an admin. With authentication off, every caller is an admin
/// over every namespace (a local run).
/// </summary>
/// <param name="Principal"><c>key:NAME</c> or <c>sub:SUBJECT</c>; null when authentication is off.</param>
/// <param name="Role">What the caller may do.</param>
/// <param name="Namespaces">Null for every namespace.</param>
public sealed record CallerScope(string? Principal, CallerRole Role, IReadOnlySet<string>? Namespaces)
{
    public const string RoleClaim = "dnsexpert_role";
    public const string NamespacesClaim = "dnsexpert_namespaces";

    public static readonly CallerScope Unrestricted = new(null, CallerRole.Admin, null);

    /// <summary>A diagnosis of <paramref name="ns"/> (null: no target, cluster-wide) is within the scope.</summary>
    public bool Covers(string? ns) => Namespaces is null || (ns is not null && Namespaces.Contains(ns));

    /// <summary>The caller may see a kept diagnosis.</summary>
    public bool MaySee(DiagnosisAccess access) => Covers(access.Namespace);

    /// <summary>The caller may add evidence to a kept diagnosis: its own, or anyone's as an admin.</summary>
    public bool MayRefine(DiagnosisAccess access) => Role == CallerRole.Admin || (Role >= CallerRole.Diagnose && access.CreatedBy is not null && access.CreatedBy == Principal);

    /// <summary>The namespace a request's diagnosis is kept under (as the history records it): its target's, or null without one.</summary>
    public static string? NamespaceOf(DiagnosisRequest request) => request.Target is null ? null : request.Target.Namespace ?? "default";

    /// <summary>
    /// The caller of <paramref name="context"/>, as the security middleware (<see cref="SecuritySetup"/>) set it once
    /// the caller was authenticated. A request that did not pass that middleware has none, and is refused rather than
    /// taken for a caller with every right.
    /// </summary>
    public static CallerScope Of(HttpContext context) =>
        context.Features.Get<CallerScope>()
            ?? throw new InvalidOperationException("No caller scope on the request: UseDnsExpertSecurity is not in the pipeline before the endpoints");

    /// <summary>The scope of an authenticated <paramref name="user"/> (unrestricted when authentication is off).</summary>
    public static CallerScope From(ClaimsPrincipal user, AuthOptions options)
    {
        if (!options.Enabled || user.Identity?.IsAuthenticated != true)
        {
            return Unrestricted;
        }

        if (user.FindFirstValue("dnsexpert:key") is { Length: > 0 } key)
        {
            var scope = options.Scopes.GetValueOrDefault(key);
            var namespaces = scope?.Namespaces is { Count: > 0 } list ? list.ToHashSet(StringComparer.Ordinal) : null;
            return new CallerScope($"key:{key}", ParseRole(scope?.Role ?? options.DefaultRole), namespaces);
        }

        var subject = user.FindFirstValue("sub") ?? "";
        var claimed = user.FindAll(NamespacesClaim).SelectMany(c => c.Value.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries)).ToHashSet(StringComparer.Ordinal);
        return new CallerScope($"sub:{subject}", ParseRole(user.FindFirstValue(RoleClaim) ?? options.DefaultRole), claimed.Count > 0 ? claimed : null);
    }

    /// <summary>A role name; anything unknown is the least, <c>read</c>.</summary>
    private static CallerRole ParseRole(string role) => role switch
    {
        "admin" => CallerRole.Admin,
        "diagnose" => CallerRole.Diagnose,
        _ => CallerRole.Read,
    };
}
