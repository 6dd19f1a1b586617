using System.Text.Json;
using System.Text.Json.Nodes;
using DnsExpert.Contract;
using DnsExpert.Testing;

namespace DnsExpert.History.Tests;

/// <summary>What the history keeps of pasted output: what the rules read, with the redaction of objects, and no credential.</summary>
public sealed class StoredOutputTests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>A service-account token as kubelet mounts it (RS256 header, claims, signature).</summary>
    public const string ServiceAccountJwt =
        "eyJhbGciOiJSUzI1NiIsImtpZCI6IkROU2V4cGVydFRlc3QifQ.eyJpc3MiOiJodHRwczovL2t1YmVybmV0ZXMuZGVmYXVsdC5zdmMiLCJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6c2hvcDpkZWZhdWx0In0.c2lnbmF0dXJlLW9mLXRoZS10b2tlbi10aGF0LW11c3QtZ28";

    private static string Fixture(string name) => File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "fixtures", "kubectl-json", name));

    private static (string Text, string? Note) Keep(string? command, string text, string? from = null)
    {
        var kept = StoredRequest.Keep(new DiagnosisRequest
        {
            Snapshot = new Snapshot { Outputs = [new CommandOutput { From = from, Command = command, Text = text }] },
        });
        return (kept.Request.Snapshot!.Outputs![0].Text!, kept.Notes.SingleOrDefault()?.Detail);
    }

    private static void HasNone(string stored, params string[] secrets)
    {
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_pasted_list_of_secrets_keeps_names_types_and_keys_but_no_data_and_no_last_applied_configuration()
    {
        var (stored, note) = Keep("kubectl get secrets -n shop -o json", Fixture("secrets-list.json"));

        HasNone(stored, "aHVudGVyMi1wYXNzd29yZA==", "c2hvcC1hcHA=", "hunter2-password", "ZXlKaGJHY2", "LS0tLS1CRUdJTi", "tlsKeyMaterial", "PRIVATE KEY");
        var list = JsonNode.Parse(stored)!;
        Assert.Equal("List", list["kind"]!.GetValue<string>());
        var items = list["items"]!.AsArray();
        Assert.Equal(["db-credentials", "default-token-x7k2p", "shop-tls"], items.Select(i => i!["metadata"]!["name"]!.GetValue<string>()));
        Assert.Equal("kubernetes.io/service-account-token", items[1]!["type"]!.GetValue<string>());
        Assert.Equal(["password", "username"], items[0]!["data"]!.AsObject().Select(p => p.Key));
        Assert.Equal("default", items[1]!["metadata"]!["annotations"]!["kubernetes.io/service-account.name"]!.GetValue<string>());
        Assert.Equal("stored redacted: Secret data, last-applied-configuration", note);
    }

    [Fact]
    public void A_pasted_pod_keeps_its_env_names_and_references_but_not_their_values()
    {
        var (stored, note) = Keep("kubectl get pod -n shop web-7d4b9c-x2k4q -o json", Fixture("pod-with-env.json"));

        HasNone(stored, "env-db-password-77", "sk_live_envStripeKey51Hc", "init-migration-token-3141");
        Assert.Contains("STRIPE_API_KEY", stored, StringComparison.Ordinal);
        Assert.Contains("secretKeyRef", stored, StringComparison.Ordinal);
        var pod = JsonNode.Parse(stored)!;
        Assert.Equal("ClusterFirst", pod["spec"]!["dnsPolicy"]!.GetValue<string>());
        Assert.Equal("172.20.1.17", pod["status"]!["podIP"]!.GetValue<string>());
        Assert.Equal("stored redacted: env values", note);
    }

    [Fact]
    public void Pasted_configmaps_keep_the_corefile_the_rules_read_and_only_the_keys_of_the_rest_without_last_applied_configuration()
    {
        var pasted = Fixture("configmaps-last-applied.json");
        var (stored, note) = Keep(null, pasted, from: null);

        HasNone(stored, "cm-datasource-password-42", "checkout-v2", "last-applied-coredns-marker", "last-applied-configuration");
        var items = JsonNode.Parse(stored)!["items"]!.AsArray();
        Assert.Equal(JsonNode.Parse(pasted)!["items"]![0]!["data"]!["Corefile"]!.GetValue<string>(), items[0]!["data"]!["Corefile"]!.GetValue<string>());
        Assert.Equal(["application.properties", "FEATURE_FLAGS"], items[1]!["data"]!.AsObject().Select(p => p.Key));
        Assert.Equal("stored redacted: ConfigMap data other than DNS configuration, last-applied-configuration", note);
    }

    [Theory]
    [InlineData("kubectl get secret db-credentials -n shop -o json", "{\"apiVersion\": \"v1\", \"data\": {\"password\": \"aHVudGVyMi1wYXNzd29yZA==\"")]
    [InlineData(null, "{\"kind\": \"Secret\", \"data\": {\"password\": \"aHVudGVyMi1wYXNzd29yZA==\"}, ")]
    [InlineData("kubectl get secret db-credentials -n shop -o jsonpath={.data.password}", "aHVudGVyMi1wYXNzd29yZA==")]
    [InlineData("kubectl get secret db-credentials -n shop -ojsonpath='{.data.password}'", "aHVudGVyMi1wYXNzd29yZA==")]
    [InlineData("kubectl -n shop get secret db-credentials --output=go-template={{.data.password}}", "aHVudGVyMi1wYXNzd29yZA==")]
    [InlineData("kubectl config view --raw", "users:\n- name: admin\n  user:\n    client-key-data: aHVudGVyMi1wYXNzd29yZA==\n")]
    public void Kubectl_output_the_rules_cannot_read_keeps_no_text(string? command, string text)
    {
        var (stored, note) = Keep(command, text);

        Assert.Equal("", stored);
        Assert.StartsWith("stored redacted: not kept: ", note, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("kubectl get secret db-credentials -n shop -o yaml")]
    [InlineData("kubectl -n shop get secrets,cm --output yaml")]
    [InlineData(null)]
    public void Kubectl_yaml_is_kept_as_the_json_it_is_read_as_with_secret_values_gone(string? command)
    {
        var (stored, note) = Keep(command, "apiVersion: v1\ndata:\n  password: aHVudGVyMi1wYXNzd29yZA==\nkind: Secret\nmetadata:\n  name: db-credentials\n  namespace: shop\n");

        Assert.DoesNotContain("aHVudGVyMi1wYXNzd29yZA==", stored, StringComparison.Ordinal);
        Assert.Equal("db-credentials", System.Text.Json.Nodes.JsonNode.Parse(stored)!["metadata"]!["name"]!.GetValue<string>());
        Assert.StartsWith("stored redacted: ", note, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pasted_corefile_configmap_in_yaml_is_kept_as_pasted()
    {
        var yaml = File.ReadAllText(Path.Combine(DnsExpert.Testing.RepoPaths.Root, "tests", "fixtures", "kubectl-yaml", "coredns-configmap-minikube.yaml"));

        var (stored, note) = Keep("kubectl -n kube-system get cm coredns -o yaml", yaml);

        // Nothing to redact: the YAML is kept as pasted, and a later round reads it again.
        Assert.Null(note);
        Assert.Equal(yaml, stored);
    }

    [Theory]
    [InlineData("kubectl exec -n shop web-7d4b9c-x2k4q -- cat /var/run/secrets/kubernetes.io/serviceaccount/token", null)]
    [InlineData("cat /var/run/secrets/kubernetes.io/serviceaccount/token", "shop/web-7d4b9c-x2k4q")]
    [InlineData("cat /run/secrets/db-password", "shop/web-7d4b9c-x2k4q")]
    [InlineData("cat /etc/app/credentials.json", "shop/web-7d4b9c-x2k4q")]
    [InlineData("sudo cat /etc/kubernetes/pki/apiserver.key", "node/cn-hangzhou.192.168.0.199")]
    [InlineData("cat /etc/kubernetes/admin.conf", "node/cn-hangzhou.192.168.0.199")]
    [InlineData("cat /proc/1/environ", "shop/web-7d4b9c-x2k4q")]
    [InlineData("kubectl debug node/cn-hangzhou.192.168.0.199 -it --image=busybox -- head -c 2000 /host/var/lib/kubelet/pki/kubelet-client-current.pem", null)]
    public void A_file_under_a_credentials_path_keeps_no_text(string command, string? from)
    {
        var (stored, note) = Keep(command, ServiceAccountJwt, from);

        Assert.Equal("", stored);
        Assert.Contains("holds credentials", note, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("kubectl exec -n shop web-7d4b9c-x2k4q -- env", null)]
    [InlineData("env", "shop/web-7d4b9c-x2k4q")]
    [InlineData("printenv", "shop/web-7d4b9c-x2k4q")]
    public void Pasted_env_keeps_the_names_of_the_variables_and_none_of_their_values(string command, string? from)
    {
        const string env = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nHOSTNAME=web-7d4b9c-x2k4q\nDATABASE_URL=postgres://shop:env-db-password-77@db.shop.svc:5432/shop\nSTRIPE_API_KEY=sk_live_envStripeKey51Hc\nCERT=-----BEGIN CERT-----\nMIIBfake\n-----END CERT-----\nKUBERNETES_SERVICE_HOST=172.21.0.1\n";

        var (stored, note) = Keep(command, env, from);

        HasNone(stored, "env-db-password-77", "sk_live_envStripeKey51Hc", "MIIBfake", "172.21.0.1");
        Assert.Equal("PATH=<redacted>\nHOSTNAME=<redacted>\nDATABASE_URL=<redacted>\nSTRIPE_API_KEY=<redacted>\nCERT=<redacted>\n<redacted>\n<redacted>\nKUBERNETES_SERVICE_HOST=<redacted>\n", stored);
        Assert.Equal("stored redacted: the values of 8 environment variable line(s)", note);
    }

    [Fact]
    public void Credential_looking_values_in_any_other_output_are_masked_and_its_lines_stay()
    {
        var text = $"""
            2024-05-12T06:02:42Z starting with token {ServiceAccountJwt}
            connecting to postgres://shop:url-password-99@db.shop.svc:5432/shop
            DB_PASSWORD=assign-password-1 retries=3
            api_key: "yaml-api-key-2"
            "client_secret": "json-client-secret-3",
            --token=flag-token-4 --v=2
            Authorization: Basic YWRtaW46YmFzaWMtcGFzc3dvcmQtNQ==
            curl -H 'Authorization: Bearer bearer-token-value-6'
            -----BEGIN OPENSSH PRIVATE KEY-----
            b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW
            QyNTUxOQAAACBfakeKeyMaterial7
            -----END OPENSSH PRIVATE KEY-----
            dial tcp: lookup secrets-manager.us-east-1.amazonaws.com: no such host
            """;

        var (stored, note) = Keep("journalctl -u myapp", text, "node/cn-hangzhou.192.168.0.199");

        HasNone(stored, ServiceAccountJwt[..40], "url-password-99", "assign-password-1", "yaml-api-key-2", "json-client-secret-3", "flag-token-4",
            "YWRtaW46YmFzaWMtcGFzc3dvcmQtNQ==", "bearer-token-value-6", "b3BlbnNzaC1rZXkt", "fakeKeyMaterial7");
        Assert.Equal(text.Split('\n').Length, stored.Split('\n').Length);
        Assert.Contains("postgres://shop:<redacted>@db.shop.svc:5432/shop", stored, StringComparison.Ordinal);
        Assert.Contains("DB_PASSWORD=<redacted> retries=3", stored, StringComparison.Ordinal);
        Assert.Contains("\"client_secret\": \"<redacted>\",", stored, StringComparison.Ordinal);
        Assert.Contains("-----BEGIN OPENSSH PRIVATE KEY-----\n<redacted>\n\n-----END OPENSSH PRIVATE KEY-----", stored, StringComparison.Ordinal);
        Assert.Contains("lookup secrets-manager.us-east-1.amazonaws.com: no such host", stored, StringComparison.Ordinal);
        Assert.Equal("stored redacted: 9 credential-looking value(s) masked", note);
    }

    /// <summary>Every real output the readers are tested with (dig, nslookup, ping, kubectl tables, ldd, node files) is kept unchanged.</summary>
    [Fact]
    public void Real_outputs_the_rules_read_are_kept_as_they_were_pasted()
    {
        var fixtures = Path.Combine(RepoPaths.Root, "tests", "fixtures");
        var files = Directory.EnumerateFiles(fixtures, "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains("kubectl-json", StringComparison.Ordinal) && !f.EndsWith(".md", StringComparison.Ordinal) && !f.EndsWith(".json", StringComparison.Ordinal))
            .ToList();
        Assert.True(files.Count > 40, $"only {files.Count} fixtures found");

        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            var (stored, note) = Keep(null, text, "node/cn-hangzhou.192.168.0.199");
            Assert.True(stored == text, $"{Path.GetRelativePath(fixtures, file)} changed: {note}");
        }
    }

    [Fact]
    public void Keeping_a_kept_request_again_changes_nothing_and_notes_nothing()
    {
        var request = new DiagnosisRequest
        {
            Snapshot = new Snapshot
            {
                Outputs =
                [
                    new CommandOutput { Command = "kubectl get secrets -n shop -o json", Text = Fixture("secrets-list.json") },
                    new CommandOutput { Command = "kubectl get pod -n shop web-7d4b9c-x2k4q -o json", Text = Fixture("pod-with-env.json") },
                    new CommandOutput { Command = "env", From = "shop/web-7d4b9c-x2k4q", Text = "A=1\nB=2\n" },
                    new CommandOutput { Command = "cat /var/run/secrets/kubernetes.io/serviceaccount/token", From = "shop/web-7d4b9c-x2k4q", Text = ServiceAccountJwt },
                    new CommandOutput { Command = "dmesg", From = "node/n1", Text = $"password=pw-dmesg-1 {ServiceAccountJwt}\n" },
                ],
                Files = [new FileArtifact { Pod = "web-7d4b9c-x2k4q", Namespace = "shop", Path = "/var/run/secrets/kubernetes.io/serviceaccount/token", Text = ServiceAccountJwt }],
            },
        };

        var once = StoredRequest.Keep(request);
        var twice = StoredRequest.Keep(once.Request);

        Assert.Equal(["snapshot.outputs[0]", "snapshot.outputs[1]", "snapshot.outputs[2]", "snapshot.outputs[3]", "snapshot.outputs[4]", "snapshot.files[0]"], once.Notes.Select(n => n.Source));
        Assert.Empty(twice.Notes);
        Assert.Equal(JsonSerializer.Serialize(once.Request, Json), JsonSerializer.Serialize(twice.Request, Json));
        HasNone(StoredRequest.Serialize(request, Json), ServiceAccountJwt[..40], "pw-dmesg-1", "aHVudGVyMi1wYXNzd29yZA==", "env-db-password-77");
    }

    [Fact]
    public void The_notes_go_to_the_collection_entry_of_their_output()
    {
        IReadOnlyList<CollectionEntry> collection =
        [
            new("snapshot.outputs[0]", CollectionStatus.Ok, "read as Kubernetes objects"),
            new("snapshot.outputs[1]", CollectionStatus.Ok, "1 DNS lookup(s) read from dig output"),
        ];

        var noted = StoredRequest.WithStoredNotes(collection,
            [new("snapshot.outputs[0]", CollectionStatus.Ok, "stored redacted: Secret data"), new("snapshot.files[0]", CollectionStatus.Ok, "stored redacted: not kept")]);

        Assert.Equal(
        [
            new("snapshot.outputs[0]", CollectionStatus.Ok, "read as Kubernetes objects; stored redacted: Secret data"),
            new("snapshot.outputs[1]", CollectionStatus.Ok, "1 DNS lookup(s) read from dig output"),
            new("snapshot.files[0]", CollectionStatus.Ok, "stored redacted: not kept"),
        ], noted);
    }
}
