using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace DnsExpert.Api.Tests;

/// <summary>
/// Secrets pasted as command output (kubectl JSON, env, a token file, a log with a key) never reach the stored request,
/// the history file or a log line, and the diagnosis is the same: the kept request replays to the same findings.
/// </summary>
public sealed class PastedSecretsTests : IDisposable
{
    private const string Jwt =
        "eyJhbGciOiJSUzI1NiIsImtpZCI6IkROU2V4cGVydFRlc3QifQ.eyJpc3MiOiJodHRwczovL2t1YmVybmV0ZXMuZGVmYXVsdC5zdmMiLCJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6c2hvcDpkZWZhdWx0In0.c2lnbmF0dXJlLW9mLXRoZS10b2tlbi10aGF0LW11c3QtZ28";

    /// <summary>Every value below that must not be kept.</summary>
    private static readonly string[] Secrets =
    [
        "aHVudGVyMi1wYXNzd29yZA==", "hunter2-password", "ZXlKaGJHY2", "tlsKeyMaterial", "cm-datasource-password-42", "last-applied-coredns-secret-9",
        "pod-env-secret-1", "env-output-secret-2", "truncated-json-secret-3", "journal-password-4", "journalKeyMaterial5", "evidence-env-secret-6", Jwt[..60],
    ];

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private readonly CapturingLoggerProvider _logs = new();
    private readonly ApiFactory _api = new();
    private readonly WebApplicationFactory<Program> _factory;
    private readonly HttpClient _client;

    public PastedSecretsTests()
    {
        _factory = _api.WithWebHostBuilder(b => b
            .UseSetting("DnsExpert:History:ConnectionString", _api.HistoryPath)
            .UseSetting("Logging:LogLevel:Default", "Trace")
            .ConfigureLogging(l => l.AddProvider(_logs)));
        _client = _factory.CreateClient();
    }

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
        _api.Dispose();
    }

    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    private static string Fixture(string name) => File.ReadAllText(Path.Combine(ApiFactory.RepoRoot, "tests", "fixtures", "kubectl-json", name));

    private static JsonObject Output(string command, string text, string? from = null)
    {
        var output = new JsonObject { ["command"] = command, ["text"] = text };
        if (from is not null)
        {
            output["from"] = from;
        }

        return output;
    }

    /// <summary>
    /// The autopath sample with its Corefile and its pod pasted as kubectl JSON (with a last-applied annotation and env
    /// values), and beside them Secrets, an application ConfigMap, env, the pod's token, cut JSON, a node's journal and a dig.
    /// </summary>
    private static string RequestWithPastedSecrets()
    {
        var request = JsonNode.Parse(File.ReadAllText(Path.Combine(ApiFactory.RepoRoot, "src", "DnsExpert.Api", "Samples", "autopath-wrong-answers.json")))!;
        var objects = request["snapshot"]!["objects"]!.AsArray();
        var corefile = objects.Single(o => o!["kind"]!.GetValue<string>() == "ConfigMap")!;
        var pod = objects.Single(o => o!["metadata"]!["name"]!.GetValue<string>() == "web-7d4b9c-x2k4q")!;
        objects.Remove(corefile);
        objects.Remove(pod);
        corefile["metadata"]!["annotations"] = new JsonObject
        {
            ["kubectl.kubernetes.io/last-applied-configuration"] = "{\"data\":{\"Corefile\":\"last-applied-coredns-secret-9\"}}",
        };
        pod["spec"]!["containers"]![0]!["env"] = new JsonArray(new JsonObject { ["name"] = "DB_PASSWORD", ["value"] = "pod-env-secret-1" });
        var shopConfig = JsonNode.Parse(Fixture("configmaps-last-applied.json"))!["items"]![1]!;
        const string web = "default/web-7d4b9c-x2k4q";

        request["snapshot"]!["outputs"] = new JsonArray(
            Output("kubectl get cm coredns -n kube-system -o json", corefile.ToJsonString(Indented)),
            Output("kubectl get pod -n default web-7d4b9c-x2k4q -o json", pod.ToJsonString()),
            Output("kubectl get secrets -n shop -o json", Fixture("secrets-list.json")),
            Output("kubectl get cm shop-config -n shop -o json", shopConfig.ToJsonString()),
            Output("kubectl exec -n default web-7d4b9c-x2k4q -- env", "HOSTNAME=web-7d4b9c-x2k4q\nAPI_TOKEN=env-output-secret-2\n"),
            Output("kubectl exec -n default web-7d4b9c-x2k4q -- cat /var/run/secrets/kubernetes.io/serviceaccount/token", Jwt),
            Output("kubectl get secret db -n shop -o json", "{\n    \"apiVersion\": \"v1\",\n    \"data\": {\n        \"password\": \"truncated-json-secret-3\""),
            Output("journalctl -u shop-sync", "May 12 06:01:02 node sync[811]: login password=journal-password-4\n-----BEGIN PRIVATE KEY-----\njournalKeyMaterial5\n-----END PRIVATE KEY-----\n", "node/cn-hangzhou.192.168.0.199"),
            Output("dig oss-cn-hangzhou.aliyuncs.com", File.ReadAllText(Path.Combine(ApiFactory.RepoRoot, "tests", "fixtures", "dns-tools", "dig-nx.txt")), web));
        return request.ToJsonString();
    }

    private static Dictionary<string, string> Notes(JsonElement diagnosis) => diagnosis.GetProperty("collection").EnumerateArray()
        .Where(c => c.GetProperty("source").GetString()!.Contains("outputs[", StringComparison.Ordinal))
        .ToDictionary(c => c.GetProperty("source").GetString()!, c => c.TryGetProperty("detail", out var d) ? d.GetString()! : "");

    private static void HasNoSecret(string what, string text)
    {
        foreach (var secret in Secrets)
        {
            Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{what} holds {secret}");
        }
    }

    /// <summary>The history's SQLite file and its write-ahead log, as bytes on disk.</summary>
    private string HistoryFiles()
    {
        var text = new StringBuilder();
        foreach (var path in new[] { _api.HistoryPath, _api.HistoryPath + "-wal" }.Where(File.Exists))
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(file, Encoding.UTF8);
            text.Append(reader.ReadToEnd());
        }

        return text.ToString();
    }

    [Fact]
    public async Task Pasted_secrets_are_never_kept_and_the_kept_request_gives_the_same_findings()
    {
        var sent = RequestWithPastedSecrets();
        var response = await _client.PostAsync("/api/v1/diagnoses", Body(sent));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var diagnosis = await response.Json();
        var id = diagnosis.GetProperty("id").GetString()!;
        Assert.Contains(diagnosis.GetProperty("findings").EnumerateArray(), f => f.GetProperty("ruleId").GetString() == "coredns-autopath-enabled");

        // Each output's note says what the kept request left out of it; what lost nothing says nothing more.
        var notes = Notes(diagnosis);
        Assert.EndsWith("; stored redacted: last-applied-configuration", notes["snapshot.outputs[0]"], StringComparison.Ordinal);
        Assert.EndsWith("; stored redacted: env values", notes["snapshot.outputs[1]"], StringComparison.Ordinal);
        Assert.EndsWith("; stored redacted: Secret data, last-applied-configuration", notes["snapshot.outputs[2]"], StringComparison.Ordinal);
        Assert.EndsWith("; stored redacted: ConfigMap data other than DNS configuration, last-applied-configuration", notes["snapshot.outputs[3]"], StringComparison.Ordinal);
        Assert.EndsWith("; stored redacted: the values of 2 environment variable line(s)", notes["snapshot.outputs[4]"], StringComparison.Ordinal);
        Assert.EndsWith("; stored redacted: not kept: /var/run/secrets/kubernetes.io/serviceaccount/token holds credentials", notes["snapshot.outputs[5]"], StringComparison.Ordinal);
        Assert.EndsWith("; stored redacted: not kept: it is not JSON the rules could read", notes["snapshot.outputs[6]"], StringComparison.Ordinal);
        Assert.EndsWith("; stored redacted: 2 credential-looking value(s) masked", notes["snapshot.outputs[7]"], StringComparison.Ordinal);
        Assert.DoesNotContain("stored redacted", notes["snapshot.outputs[8]"], StringComparison.Ordinal);

        var stored = await _client.GetStringAsync($"/api/v1/diagnoses/{id}/request");
        HasNoSecret("the stored request", stored);
        Assert.Contains("autopath @kubernetes", stored, StringComparison.Ordinal);
        Assert.Equal("HOSTNAME=<redacted>\nAPI_TOKEN=<redacted>\n", JsonNode.Parse(stored)!["snapshot"]!["outputs"]![4]!["text"]!.GetValue<string>());

        // The kept request is diagnosed as the request sent was: the same findings, word for word.
        var replayed = await (await _client.PostAsync("/api/v1/diagnoses", Body(stored))).Json();
        Assert.Equal(diagnosis.GetProperty("findings").GetRawText(), replayed.GetProperty("findings").GetRawText());
        Assert.Equal(diagnosis.GetProperty("hypotheses").GetRawText(), replayed.GetProperty("hypotheses").GetRawText());

        // Evidence pasted onto the diagnosis is kept the same way, asynchronously too.
        var accepted = await _client.PostAsync($"/api/v1/diagnoses/{id}/evidence?wait=false",
            Body(new JsonObject { ["outputs"] = new JsonArray(Output("printenv", "DB_URL=postgres://u:evidence-env-secret-6@db/shop\n", "default/web-7d4b9c-x2k4q")) }.ToJsonString()));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var refinedId = (await accepted.Json()).GetProperty("id").GetString()!;
        JsonElement refined = default;
        for (var i = 0; i < 200 && (i == 0 || refined.GetProperty("status").GetString() == "running"); i++)
        {
            await Task.Delay(i == 0 ? 0 : 50);
            refined = await (await _client.GetAsync($"/api/v1/diagnoses/{refinedId}")).Json();
        }

        Assert.Equal("completed", refined.GetProperty("status").GetString());
        Assert.EndsWith("; stored redacted: the values of 1 environment variable line(s)", Notes(refined)["outputs[0]"], StringComparison.Ordinal);
        HasNoSecret("the refined request", await _client.GetStringAsync($"/api/v1/diagnoses/{refinedId}/request"));

        foreach (var path in new[] { $"/api/v1/diagnoses/{id}", $"/api/v1/diagnoses/{id}/ticket", $"/api/v1/diagnoses/{id}?format=markdown", $"/reports/{id}" })
        {
            HasNoSecret(path, await _client.GetStringAsync(path));
        }

        HasNoSecret("the history file", HistoryFiles());
        HasNoSecret("the service log", string.Join('\n', _logs.Lines));
    }
}
