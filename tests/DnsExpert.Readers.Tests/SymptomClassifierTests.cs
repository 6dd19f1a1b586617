using DnsExpert.Contract;
using DnsExpert.Facts;
using DnsExpert.Readers.Building;
using DnsExpert.Readers.Classification;

namespace DnsExpert.Readers.Tests;

/// <summary>Application error messages as people paste them, from issue threads (tests/fixtures/error-messages).</summary>
public sealed class SymptomClassifierTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "fixtures", "error-messages");

    /// <summary>Every line of every file: class, name, url flag, message.</summary>
    public static TheoryData<string, int, string, string, bool, string> RealMessages()
    {
        var data = new TheoryData<string, int, string, string, bool, string>();
        foreach (var file in Directory.GetFiles(Folder, "*.txt").Order(StringComparer.Ordinal))
        {
            var number = 0;
            foreach (var line in File.ReadLines(file))
            {
                number++;
                var fields = line.Split('\t', 4);
                data.Add(Path.GetFileName(file), number, fields[0], fields[1], fields[2] == "url", fields[3]);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RealMessages))]
    public void A_real_message_gets_its_class_and_name(string file, int line, string expectedClass, string name, bool url, string message)
    {
        var result = SymptomClassifier.Classify(message);

        Assert.True(
            (expectedClass, name == "-" ? null : name, url) == (result.Class.Name(), result.Name, result.Url is not null),
            $"{file}:{line}: got {result.Class.Name()} name={result.Name ?? "-"} url={result.Url ?? "-"} client={result.Client}");
    }

    [Fact]
    public void Every_client_has_its_file()
    {
        var files = Directory.GetFiles(Folder, "*.txt").Select(Path.GetFileNameWithoutExtension);

        Assert.Superset(new HashSet<string?> { "busybox", "iputils", "curl", "python", "java", "node", "dotnet", "go" }, files.ToHashSet());
    }

    [Theory]
    [InlineData("getaddrinfo ENOTFOUND http://orders.shop.svc.cluster.local", "orders.shop.svc.cluster.local", "node")]
    [InlineData("Get \"https://api.example.com/v1\": dial tcp: lookup https://api.example.com: no such host", "api.example.com", "go")]
    [InlineData("java.net.UnknownHostException: http://user:secret@orders.shop:8080/api", "orders.shop", "java")]
    public void A_url_where_a_host_belongs_is_the_applications_bug_said_first(string message, string host, string client)
    {
        var result = SymptomClassifier.Classify(message);

        Assert.Equal((SymptomClass.NameNotFound, host, client), (result.Class, result.Name, result.Client));
        Assert.StartsWith("The application's bug, not DNS: it passed a URL", result.Explanation, StringComparison.Ordinal);
        Assert.Contains($"the host alone ({host})", result.Explanation, StringComparison.Ordinal);
        Assert.NotNull(result.Url);
        Assert.DoesNotContain("secret", result.Explanation + result.Url, StringComparison.Ordinal);
    }

    [Fact]
    public void A_url_that_timed_out_still_says_the_server_is_unreachable_after_the_bug()
    {
        var result = SymptomClassifier.Classify("Error: getaddrinfo EAI_AGAIN http://orders.shop.svc.cluster.local");

        Assert.Equal((SymptomClass.ServerUnreachable, "orders.shop.svc.cluster.local"), (result.Class, result.Name));
        Assert.StartsWith("The application's bug", result.Explanation, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ping: unknown host db.internal", "db.internal", "ping")]
    [InlineData("php_network_getaddresses: getaddrinfo for db.internal failed: Name or service not known", "db.internal", "php")]
    [InlineData("getaddrinfo ENOTFOUND api.example.com:443", "api.example.com", "node")]
    [InlineData("nslookup: can't resolve '(null)': Name does not resolve\nnslookup: can't resolve 'kubernetes.default': Name does not resolve", "kubernetes.default", "nslookup")]
    public void The_name_is_read_without_its_port_quotes_or_busyboxs_null_server(string message, string name, string client)
    {
        var result = SymptomClassifier.Classify(message);

        Assert.Equal((SymptomClass.Ambiguous, name, client), (result.Class, result.Name, result.Client));
    }

    [Theory]
    [InlineData("Resource temporarily unavailable")]        // EAGAIN of any socket call, not a DNS answer, without .NET's framing
    [InlineData("connection reset by peer")]
    public void A_message_that_is_not_a_resolver_error_stays_unknown(string message) =>
        Assert.Equal(SymptomClass.Unknown, SymptomClassifier.Classify(message).Class);

    /// <summary>No error message: still unknown, and the explanation says what the name's form told, in the cluster's own domain.</summary>
    [Theory]
    [InlineData("web-0.nginx.ns.svc.cluster.local", "rarely", "is a StatefulSet pod's name (the pod web-0 under the headless Service nginx in namespace ns)")]
    [InlineData("10-244-1-5.shop.pod.cluster.local", null, "is a pod's IP address as a name")]
    [InlineData("orders", "peak", "is a short name, which the search list completes to the Service orders in namespace shop")]
    [InlineData("api.partner-example.com.", null, "is an absolute external name (its trailing dot: no search domain is tried)")]
    [InlineData("web-0.nginx.ns.svc.corp.internal", "scaling", "the reported frequency (scaling) orders them within")]
    public void A_name_without_an_error_message_is_explained_by_its_form(string domain, string? frequency, string said)
    {
        var corefile = """{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "coredns", "namespace": "kube-system"}, "data": {"Corefile": ".:53 {\n    kubernetes corp.internal in-addr.arpa ip6.arpa\n    forward . /etc/resolv.conf\n}\n"}}""";
        var request = new DiagnosisRequest
        {
            Target = new TargetRef { Namespace = "shop", Pod = "web-0" },
            Domain = domain,
            Snapshot = new Snapshot { Objects = domain.EndsWith("corp.internal", StringComparison.Ordinal) ? [System.Text.Json.JsonDocument.Parse(corefile).RootElement.Clone()] : [] },
        };
        var name = SnapshotFactBuilder.Build(request).Facts.OfType<QueriedName>().Single();

        var result = SymptomClassifier.InferredFromName(name, frequency);

        Assert.Equal(SymptomClass.Unknown, result.Class);
        Assert.StartsWith(SymptomClassifier.FromTheNamesForm + name.Name + " ", result.Explanation, StringComparison.Ordinal);
        Assert.Contains(said, result.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_message_gets_its_own_classification_whatever_was_classified_before()
    {
        // A message is remembered by reference (a stored diagnosis classifies its message twice): another
        // message, or the same text in another string, is still classified as itself.
        var timeout = "Error: getaddrinfo EAI_AGAIN http://orders.shop.svc.cluster.local";
        var first = SymptomClassifier.Classify(timeout);
        Assert.Same(first, SymptomClassifier.Classify(timeout));

        var missing = SymptomClassifier.Classify("getaddrinfo ENOTFOUND http://orders.shop.svc.cluster.local");
        Assert.Equal((SymptomClass.ServerUnreachable, SymptomClass.NameNotFound), (first.Class, missing.Class));
        var again = SymptomClassifier.Classify(new string(timeout.AsSpan()));
        Assert.Equal((first.Class, first.Explanation), (again.Class, again.Explanation));
        Assert.Equal(SymptomClass.Unknown, SymptomClassifier.Classify(null).Class);
    }
}
