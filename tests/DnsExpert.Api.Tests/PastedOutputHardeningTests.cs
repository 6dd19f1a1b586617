using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using DnsExpert.Testing;

namespace DnsExpert.Api.Tests;

/// <summary>
/// The hostile corpus through every pasted-output reader: each value as a command's argument and inside the output of
/// dig, nslookup, ping, kubectl JSON, a kubectl table, kubectl logs, cat, conntrack and an unknown command. Each
/// request is answered 200 (never a 500), every note is one bounded line, and no response string carries a control or
/// bidi character from the paste.
/// </summary>
public sealed class PastedOutputHardeningTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static JsonObject Output(string command, string text, string? from = "default/web-0") =>
        new() { ["command"] = command, ["text"] = text, ["from"] = from };

    /// <summary>The outputs with <paramref name="v"/> in them; commands take at most its first 1,000 characters (a longer command is a 422).</summary>
    private static JsonArray Outputs(string v) => Outputs(v, v[..Math.Min(v.Length, 1000)]);

    private static JsonArray Outputs(string v, string c) =>
    [
        Output($"dig @10.96.0.10 {c}", $"; <<>> DiG 9.18.28 <<>> @10.96.0.10 {v}\n;; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN, id: 1\n;; flags: qr aa rd; QUERY: 1, ANSWER: 0\n;{v}. IN A\n;; SERVER: 10.96.0.10#53(10.96.0.10) (UDP)\n"),
        Output($"nslookup {c}", $"Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n** server can't find {v}: NXDOMAIN\n{v}\n"),
        Output($"ping -c 3 {c}", $"PING {v} (10.0.0.1): 56 data bytes\n{v}\n--- {v} ping statistics ---\n3 packets transmitted, 0 packets received, 100% packet loss\n"),
        Output("kubectl get pods -o json", new JsonObject
        {
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = "web-0", ["namespace"] = "default", ["labels"] = new JsonObject { ["x"] = v } },
            ["spec"] = new JsonObject { ["dnsPolicy"] = v },
        }.ToJsonString(), null),
        Output("kubectl get pods -A", $"NAMESPACE   NAME    READY   STATUS    RESTARTS   AGE\ndefault     {v}   1/1     Running   0          1d\n", null),
        Output($"kubectl logs -n kube-system coredns-1 {c}", $"[INFO] {v}:53 - 1 \"A IN {v}. udp 40 false 512\" NXDOMAIN qr,aa,rd 40 0.0001s\n[ERROR] plugin/errors: 2 {v}. A: read udp 10.0.0.1:1->{v}:53: i/o timeout\n", null),
        Output($"cat {c}", v),
        Output($"cat /etc/{c}", v),
        Output("conntrack -S", $"cpu=0 {v}=1 insert_failed={v} drop=1\n{v}\n", "node/node-1"),
        Output(c, v),
        Output($"kubectl exec -n default web-0 -- {c}", v, null),
    ];

    [Theory]
    [MemberData(nameof(HostileCorpus.Indexes), MemberType = typeof(HostileCorpus))]
    public async Task Every_reader_takes_each_hostile_value_without_a_500_and_with_bounded_clean_notes(int index)
    {
        var value = HostileCorpus.Values[index];
        var request = new JsonObject
        {
            ["target"] = new JsonObject { ["namespace"] = "default", ["pod"] = "web-0" },
            ["symptom"] = new JsonObject { ["errorMessage"] = $"dial tcp: lookup {value[..Math.Min(value.Length, 1000)]} on 10.96.0.10:53: no such host" },
            ["snapshot"] = new JsonObject { ["outputs"] = Outputs(value) },
        };

        using var response = await factory.CreateClient().PostAsync("/api/v1/diagnoses", new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body[..Math.Min(body.Length, 2000)]}");

        var diagnosis = JsonNode.Parse(body)!;
        var notes = diagnosis["collection"]!.AsArray().Where(c => c!["source"]!.GetValue<string>().StartsWith("snapshot.outputs", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(notes);
        Assert.All(notes, n => Assert.True(n!["detail"]!.GetValue<string>().Length <= 600, n.ToJsonString()));
        foreach (var text in Strings(diagnosis))
        {
            Assert.False(text.Any(c => (char.IsControl(c) && c is not ('\n' or '\t')) || c is '\u202e' or '\u2066' or '\u2069'), $"a control or bidi character in: {text[..Math.Min(text.Length, 200)]}");
        }
    }

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => Strings(p.Value)),
        JsonArray a => a.SelectMany(Strings),
        JsonValue v when v.TryGetValue<string>(out var s) => [s],
        _ => [],
    };
}
