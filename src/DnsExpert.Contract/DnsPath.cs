using System.Text.Json.Serialization;

namespace DnsExpert.Contract;

/// <summary>
/// One hop of the failing pod's DNS path: the pod, NodeLocal DNSCache, the kube-dns Service, a CoreDNS pod or an
/// upstream of the Corefile's <c>forward</c>, with what the evidence says about it.
/// </summary>
public sealed record DnsPathHop(
    string Kind,
    string Name,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Address,
    HopStatus Status,
    IReadOnlyList<HopReason> Because);

/// <summary>Why a hop has its status: the finding (rule id) or the probe that says it, and what it says.</summary>
public sealed record HopReason(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? RuleId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Probe,
    string Detail);

/// <summary>The kinds of hop, in path order.</summary>
public static class HopKinds
{
    public const string Pod = "pod";
    public const string NodeLocal = "nodelocal";
    public const string KubeDns = "kube-dns";
    public const string CoreDns = "coredns";
    public const string Upstream = "upstream";

    public static readonly IReadOnlyList<string> InOrder = [Pod, NodeLocal, KubeDns, CoreDns, Upstream];
}

[JsonConverter(typeof(JsonStringEnumConverter<HopStatus>))]
public enum HopStatus
{
    /// <summary>Nothing collected says either way.</summary>
    [JsonStringEnumMemberName("unverified")] Unverified,

    /// <summary>A probe to it answered, or it is a Running and Ready pod, and no finding says otherwise.</summary>
    [JsonStringEnumMemberName("healthy")] Healthy,

    /// <summary>A finding's evidence or a failed probe names it.</summary>
    [JsonStringEnumMemberName("failed")] Failed,
}
