using System.Text.Json;
using DnsExpert.Contract;
using DnsExpert.Readers.Building;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace DnsExpert.Readers.Tests;

/// <summary>
/// Kubernetes objects of every kind DnsExpert reads, with fields of the wrong type, missing, null or odd: building facts
/// never throws; what cannot be read is reported in <c>collection</c>.
/// </summary>
public sealed class KubernetesJsonPropertyTests
{
    private static readonly string[] Kinds = ["Pod", "Service", "Endpoints", "EndpointSlice", "ConfigMap", "Deployment", "DaemonSet", "StatefulSet", "Node", "NetworkPolicy", "PodMetrics", "NodeMetrics", "List", "Secret", "Weird"];

    private static Gen<string> Value(int depth) => depth <= 0
        ? Gen.Elements("null", "42", "-1", "true", "\"\"", "\"x\"", "\"172.21.0.10\"", "\"ClusterFirst\"", "\"None\"", "\"1.5Gi\"", "\"v1.31.1\"", "\"k8s-app\"", "\"kube-dns\"", "[]", "{}")
        : Gen.OneOf(
            Value(0),
            Gen.Elements("metadata", "spec", "status", "containers", "ports", "name", "namespace", "labels", "nodeName", "podIP", "clusterIP", "data", "Corefile", "dnsConfig", "nameservers", "items", "subsets", "addresses", "containerStatuses", "usage", "nodeInfo", "egress", "podSelector")
                .SelectMany(key => Value(depth - 1).Select(v => $"{{\"{key}\": {v}}}")),
            Value(depth - 1).ArrayOf().Select(items => "[" + string.Join(",", items.Take(4)) + "]"));

    private static Arbitrary<string> Objects() =>
        (from kind in Gen.Elements(Kinds)
         from fields in Gen.Elements("metadata", "spec", "status", "data", "items", "containers", "usage", "subsets", "endpoints")
             .SelectMany(key => Value(3).Select(v => $"\"{key}\": {v}")).ArrayOf()
         select $"{{\"apiVersion\": \"v1\", \"kind\": \"{kind}\"{string.Concat(fields.Take(6).Select(f => ", " + f))}}}")
        .ToArbitrary();

    [Property(MaxTest = 400)]
    public Property Building_facts_from_odd_objects_never_throws() =>
        Prop.ForAll(Objects(), Objects(), (a, b) =>
        {
            var request = new DiagnosisRequest
            {
                Target = new TargetRef { Namespace = "default", Pod = "web" },
                Domain = "kubernetes.default.svc.cluster.local",
                Snapshot = new Snapshot { Objects = [JsonDocument.Parse(a).RootElement, JsonDocument.Parse(b).RootElement] },
            };
            var facts = SnapshotFactBuilder.Build(request);
            return facts.Facts is not null && facts.Collection is not null;
        });
}
