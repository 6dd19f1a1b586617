using System.Net;
using System.Net.Sockets;
using DnsExpert.Facts;

namespace DnsExpert.Readers.Classification;

/// <summary>
/// A failing name's form (<see cref="NameForms"/>) and the cluster objects it names: <see cref="Form"/>,
/// the Service (<see cref="ServiceNamespace"/>/<see cref="ServiceName"/>) and, under a Service, the pod's <see cref="Hostname"/>.
/// </summary>
public sealed record NameShape(string Name, string Form, bool IsFullyQualified, string? ServiceNamespace, string? ServiceName, string? Hostname)
{
    /// <summary>True when the name is in the cluster's zone (as given, or once the search list completes it).</summary>
    public bool InCluster => Form is not (NameForms.External or NameForms.ExternalRooted);
}

/// <summary>
/// Tells a name's form from its labels alone, in one pass over them (no regular expression): a Service's
/// <c>svc.ns.svc.&lt;zone&gt;</c>, a pod under a headless Service <c>host.svc.ns.svc.&lt;zone&gt;</c> (a StatefulSet's pods),
/// a pod-IP name <c>a-b-c-d.ns.pod.&lt;zone&gt;</c>, a short name the search list completes, or an external name, with or
/// without its trailing dot. The zone is the cluster domain (the Corefile's <c>kubernetes</c> zone), not always
/// <c>cluster.local</c>. Which Service is headless is not in the name: the caller decides that from the objects.
/// </summary>
public static class NameFormClassifier
{
    /// <summary>
    /// The form of <paramref name="given"/> in a cluster whose domain is <paramref name="clusterDomain"/>, for a pod in
    /// <paramref name="targetNamespace"/> (its search list's first domain); <paramref name="isNamespace"/> says whether a
    /// label is a namespace the request knows, so that a relative <c>svc.ns</c> is a Service, not a public suffix.
    /// </summary>
    public static NameShape Classify(string given, string clusterDomain, string? targetNamespace, Func<string, bool> isNamespace)
    {
        var rooted = given.EndsWith('.');
        var name = given.TrimEnd('.').ToLowerInvariant();
        var zone = clusterDomain.TrimEnd('.').ToLowerInvariant();
        if (name == zone)
        {
            return new NameShape(name, NameForms.ClusterOther, rooted, null, null, null);
        }

        var inZone = name.EndsWith("." + zone, StringComparison.Ordinal);
        var labels = inZone ? name[..^(zone.Length + 1)].Split('.')
            : rooted ? null
            : RelativeClusterLabels(name.Split('.'), isNamespace);
        return labels switch
        {
            null => new NameShape(name, rooted ? NameForms.ExternalRooted : NameForms.External, rooted, null, null, null),
            [var service, var ns, "svc"] => new NameShape(name, NameForms.Service, rooted, ns, service, null),
            [var host, var service, var ns, "svc"] => new NameShape(name, NameForms.ServicePod, rooted, ns, service, host),
            // An SRV name (_port._proto.svc.ns.svc) is the Service's; any other longer name under svc exists nowhere.
            [.., var service, var ns, "svc"] => new NameShape(name, labels[0].StartsWith('_') ? NameForms.Service : NameForms.ClusterOther, rooted, ns, service, null),
            [var ip, _, "pod"] when IsDashedAddress(ip) => new NameShape(name, NameForms.PodIp, rooted, null, null, null),
            [var single] when !inZone =>
                new NameShape(name, NameForms.ShortName, rooted, targetNamespace, targetNamespace is null ? null : single, null),
            _ => new NameShape(name, NameForms.ClusterOther, rooted, null, null, null),
        };
    }

    /// <summary>
    /// A relative name that the pod's search list (<c>&lt;ns&gt;.svc.&lt;domain&gt; svc.&lt;domain&gt; &lt;domain&gt;</c>) completes
    /// into a cluster name, as labels ending in <c>svc</c> or <c>pod</c>: <c>mysql</c>, <c>kubernetes.default</c> (a Service
    /// and a namespace the request or Kubernetes knows), <c>kubernetes.default.svc</c>, <c>mysql-0.mysql.db.svc</c>,
    /// <c>10-244-1-5.shop.pod</c>; null for anything else (<c>api.example.com</c>).
    /// </summary>
    private static string[]? RelativeClusterLabels(string[] labels, Func<string, bool> isNamespace) => labels switch
    {
        [_] => labels,
        [.., "svc"] when labels.Length is 3 or 4 => labels,
        [var ip, _, "pod"] when IsDashedAddress(ip) => labels,
        [var service, var ns] when isNamespace(ns) => [service, ns, "svc"],
        _ => null,
    };

    /// <summary>A pod IP written with dashes, as the kubernetes plugin's pod records spell it (<c>10-244-1-5</c>, <c>fd00--5</c>).</summary>
    private static bool IsDashedAddress(string label)
    {
        var dashes = label.Count(c => c == '-');
        return dashes == 3
            ? IPAddress.TryParse(label.Replace('-', '.'), out var v4) && v4.AddressFamily == AddressFamily.InterNetwork
            : dashes >= 2 && IPAddress.TryParse(label.Replace('-', ':'), out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6;
    }
}
