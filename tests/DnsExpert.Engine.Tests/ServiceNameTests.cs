using System.Text.Json;
using DnsExpert.Contract;
using DnsExpert.Engine.Results;

namespace DnsExpert.Engine.Tests;

/// <summary>service-name-not-found through the fact builder and the real rules, and what a request without a symptom says.</summary>
public sealed class ServiceNameTests
{
    private static JsonElement Service(string ns, string name) => JsonSerializer.SerializeToElement(new
    {
        apiVersion = "v1",
        kind = "Service",
        metadata = new { name, @namespace = ns },
        spec = new { clusterIP = "172.21.14.7", selector = new Dictionary<string, string> { ["app"] = name } },
    });

    private static ProbeArtifact Nxdomain(string name) => new()
    {
        From = "default/web-1", Kind = ProbeKind.Dns, Server = "172.21.0.10", Name = name, Type = "A",
        Transport = ProbeTransport.Udp, Outcome = ProbeOutcome.Answered, Rcode = "NXDOMAIN",
    };

    private static IReadOnlyList<RuleFinding> Diagnose(DiagnosisRequest request) => RealRules.Diagnose(request);

    private static DiagnosisRequest Request(string name, params JsonElement[] services)
    {
        var kubeDns = JsonSerializer.SerializeToElement(new
        {
            apiVersion = "v1", kind = "Service", metadata = new { name = "kube-dns", @namespace = "kube-system" },
            spec = new { clusterIP = "172.21.0.10" },
        });
        return new DiagnosisRequest { Domain = name, Snapshot = new Snapshot { Objects = [kubeDns, .. services], Probes = [Nxdomain(name)] } };
    }

    [Fact]
    public void A_misspelled_namespace_names_the_service_where_it_is()
    {
        var finding = Assert.Single(Diagnose(Request("orders.shpo.svc.cluster.local", Service("shop", "orders"), Service("shop", "payments"))), f => f.RuleId == "service-name-not-found");

        Assert.Contains("there is no Service orders in namespace shpo", finding.Cause, StringComparison.Ordinal);
        Assert.Contains("The nearest existing names: orders.shop (same name, namespace shop)", finding.Cause, StringComparison.Ordinal);
        Assert.Equal("snapshot.probes[0]", finding.Evidence[0].Source);
    }

    [Fact]
    public void A_statefulset_pod_of_a_missing_service_is_found_and_an_expanded_external_name_is_not()
    {
        var pod = Assert.Single(Diagnose(Request("mysql-0.mysql.db.svc.cluster.local", Service("db", "mysql-headless"), Service("db", "mysq"))), f => f.RuleId == "service-name-not-found");
        Assert.Contains("(so no pod mysql-0 of it either)", pod.Cause, StringComparison.Ordinal);
        Assert.Contains("mysq.db (spelled mysq)", pod.Cause, StringComparison.Ordinal);

        Assert.DoesNotContain(Diagnose(Request("example.com.default.svc.cluster.local", Service("default", "kubernetes"))), f => f.RuleId == "service-name-not-found");
    }

    [Fact]
    public void A_name_without_a_symptom_is_not_called_a_reported_failure()
    {
        // Some evidence was read (the pod's resolv.conf, nothing wrong in it): the capture is what is left.
        var resolvConf = new FileArtifact { Namespace = "shop", Pod = "web-0", Path = "/etc/resolv.conf", Text = "nameserver 10.96.0.10\nsearch shop.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n" };
        var request = new DiagnosisRequest { Domain = "payments.shop.svc.cluster.local", Snapshot = new Snapshot { Files = [resolvConf] } };

        var finding = Assert.Single(Diagnose(request), f => f.RuleId == "packet-capture-recommended");
        Assert.DoesNotContain("failure was reported", finding.Cause, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("The request names payments.shop.svc.cluster.local without describing a failure", finding.Cause, StringComparison.Ordinal);

        request.Symptom = new Symptom { ErrorMessage = "curl: (6) Could not resolve host: payments.shop.svc.cluster.local" };
        Assert.StartsWith("A DNS failure was reported", Assert.Single(Diagnose(request), f => f.RuleId == "packet-capture-recommended").Cause, StringComparison.Ordinal);
    }

    [Fact]
    public void With_nothing_read_the_packet_capture_is_not_the_answer_yet()
    {
        // A symptom alone, or an empty snapshot: nothing was looked at, so "capture packets" (the guide's last resort)
        // would skip every cheaper check; the hypotheses list those instead.
        foreach (var snapshot in new Snapshot?[] { null, new Snapshot() })
        {
            var request = new DiagnosisRequest
            {
                Domain = "payments.shop.svc.cluster.local",
                Symptom = new Symptom { ErrorMessage = "curl: (6) Could not resolve host: payments.shop.svc.cluster.local" },
                Snapshot = snapshot,
            };

            Assert.DoesNotContain(Diagnose(request), f => f.RuleId == "packet-capture-recommended");
        }
    }
}
