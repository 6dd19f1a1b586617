using k8s.Models;

namespace DnsExpert.Readers.Building;

/// <summary>CPU and memory quantities of requests, limits and metrics (<c>250m</c>, <c>1.5Gi</c>) as numbers.</summary>
internal static class ResourceQuantities
{
    public static double? Millicores(IDictionary<string, ResourceQuantity>? resources, string key) =>
        resources is not null && resources.TryGetValue(key, out var q) && q is not null ? (double)q.ToDecimal() * 1000 : null;

    public static double? Bytes(IDictionary<string, ResourceQuantity>? resources, string key) =>
        resources is not null && resources.TryGetValue(key, out var q) && q is not null ? (double)q.ToDecimal() : null;
}
