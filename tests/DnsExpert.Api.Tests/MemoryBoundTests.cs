using System.Net;
using System.Text;
using Xunit.Abstractions;

namespace DnsExpert.Api.Tests;

/// <summary>
/// The worst bodies of the hardening suite against the service in its own process under the heap the 512Mi pod gives
/// it (<c>DOTNET_GCHeapHardLimit</c> 384 MiB): each is answered with a 4xx or a 200, never a 500, and the process
/// never runs out of memory. Limits are enforced while the body streams in, so a body of a million empty objects is
/// refused at object 20,001 instead of after all of them are held.
/// </summary>
[Collection(MemoryBoundRunsAlone.Name)]
public sealed class MemoryBoundTests(ITestOutputHelper output)
{
    private const long HeapLimit = 384L * 1024 * 1024;
    private const int BodyLimit = 32 * 1024 * 1024;

    /// <summary>A body of about <paramref name="bytes"/> bytes: <paramref name="head"/>, the item repeated, <paramref name="tail"/>.</summary>
    private static byte[] Repeated(string head, string item, string tail, int bytes)
    {
        var count = Math.Max(1, (bytes - head.Length - tail.Length) / (item.Length + 1));
        var builder = new StringBuilder(bytes + item.Length * 2);
        builder.Append(head);
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                builder.Append(',');
            }

            builder.Append(item);
        }

        return Encoding.UTF8.GetBytes(builder.Append(tail).ToString());
    }

    /// <summary>The hostile bodies, each just under the 32 MiB body limit unless its name says otherwise.</summary>
    public static IEnumerable<(string Name, byte[] Body)> WorstBodies()
    {
        const int size = BodyLimit - 4096;
        yield return ("8 MB of empty objects", Repeated("""{"snapshot":{"objects":[""", "{}", "]}}", 8 * 1024 * 1024));
        yield return ("30 MB of empty objects", Repeated("""{"snapshot":{"objects":[""", "{}", "]}}", size));
        yield return ("30 MB of empty probes", Repeated("""{"snapshot":{"probes":[""", "{}", "]}}", size));
        yield return ("30 MB of empty files", Repeated("""{"snapshot":{"files":[""", "{}", "]}}", size));
        yield return ("30 MB of empty logs", Repeated("""{"snapshot":{"logs":[""", "{}", "]}}", size));
        yield return ("30 MB of nulls in objects", Repeated("""{"snapshot":{"objects":[""", "null", "]}}", size));
        yield return ("one object holding a 30 MB array of zeros", Repeated("""{"snapshot":{"objects":[{"kind":"Pod","x":[""", "0", "]}]}}", size));
        yield return ("one List holding 30 MB of empty items", Repeated("""{"snapshot":{"objects":[{"kind":"List","items":[""", "{}", "]}]}}", size));
        yield return ("one object holding 30 MB of short strings", Repeated("""{"snapshot":{"objects":[{"kind":"ConfigMap","data":[""", "\"\"", "]}]}}", size));
        yield return ("a 30 MB error message", Encoding.UTF8.GetBytes("{\"symptom\":{\"errorMessage\":\"" + new string('x', size) + "\"}}"));
        yield return ("a 30 MB log of escaped newlines", Encoding.UTF8.GetBytes("{\"snapshot\":{\"logs\":[{\"pod\":\"coredns-1\",\"text\":\"" + string.Concat(Enumerable.Repeat("\\n", size / 2)) + "\"}]}}"));
        yield return ("a 30 MB log of distinct failing names", Encoding.UTF8.GetBytes("{\"snapshot\":{\"logs\":[{\"pod\":\"coredns-1\",\"text\":\"" + FailingNames(size) + "\"}]}}"));
        yield return ("30 MB of one-character strings in files", Repeated("""{"snapshot":{"files":[""", """{"node":"n","path":"p","text":"x"}""", "]}}", size));
        yield return ("nested arrays to the depth limit, repeated", Repeated("""{"snapshot":{"objects":[""", new string('[', 60) + new string(']', 60), "]}}", size));
    }

    private static string FailingNames(int size)
    {
        var builder = new StringBuilder(size + 200);
        for (var i = 0; builder.Length < size; i++)
        {
            builder.Append("[INFO] 10.0.0.1:53000 - 1 \\\"A IN n").Append(i).Append(".example.com. udp 40 false 512\\\" SERVFAIL qr,rd 40 0.001s\\n");
        }

        return builder.ToString();
    }

    private static Task<ServiceProcess> StartAsync() => ServiceProcess.StartAsync(
        new Dictionary<string, string>
        {
            ["DnsExpert:RulesDirectory"] = Path.Combine(ApiFactory.RepoRoot, "rules"),
            ["DnsExpert:History:Provider"] = "none",
            ["DnsExpert:Auth:RequestsPerMinute"] = "100000",
        },
        new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "0x" + HeapLimit.ToString("x", System.Globalization.CultureInfo.InvariantCulture) });

    private static async Task<HttpStatusCode> SendAsync(ServiceProcess service, HttpClient client, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        try
        {
            using var response = await client.PostAsync("/api/v1/diagnoses", content);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            // The server may answer 413/422 and close the connection before the whole body is sent.
            return service.HasExited ? HttpStatusCode.InternalServerError : HttpStatusCode.RequestEntityTooLarge;
        }
    }

    [Fact]
    public async Task The_worst_bodies_never_make_a_500_or_exhaust_the_heap_of_a_512Mi_pod()
    {
        await using var service = await StartAsync();
        using var client = new HttpClient { BaseAddress = service.Address, Timeout = TimeSpan.FromMinutes(2) };
        var outcomes = new List<string>();
        Task<HttpStatusCode> Send(byte[] body) => SendAsync(service, client, body);

        var bodies = WorstBodies().ToList();
        foreach (var (name, body) in bodies)
        {
            var status = await Send(body);
            outcomes.Add($"{name}: {(int)status}, peak {service.PeakWorkingSetBytes >> 20} MiB");
            output.WriteLine(outcomes[^1]);
            Assert.False(service.HasExited, $"the service died on '{name}':\n{service.Output}");
            Assert.True((int)status < 500, $"'{name}' answered {(int)status}:\n{string.Join('\n', outcomes)}\n{service.Output}");
        }

        // The same bodies three at a time: the limits hold per request, and the admission of bodies bounds them together.
        for (var i = 0; i < bodies.Count; i += 3)
        {
            var batch = bodies.Skip(i).Take(3).ToList();
            var statuses = await Task.WhenAll(batch.Select(b => Send(b.Body)));
            output.WriteLine($"{string.Join(", ", batch.Select(b => b.Name))}: {string.Join(", ", statuses.Select(x => (int)x))}, peak {service.PeakWorkingSetBytes >> 20} MiB");
            Assert.False(service.HasExited, $"the service died on {string.Join(", ", batch.Select(b => b.Name))}:\n{service.Output}");
            Assert.All(statuses, s => Assert.True((int)s < 500 || s == HttpStatusCode.ServiceUnavailable,
                $"{string.Join(", ", batch.Select(b => b.Name))} answered {string.Join(", ", statuses.Select(x => (int)x))}\n{service.Output}"));
        }

        output.WriteLine(string.Join('\n', outcomes));
        output.WriteLine($"peak working set after the concurrent batches: {service.PeakWorkingSetBytes >> 20} MiB");

        // The pod's limit is on the whole process (heap, code, stacks), not the heap alone: the kernel kills past it.
        Assert.True(service.PeakWorkingSetBytes < 512L * 1024 * 1024, $"peak working set {service.PeakWorkingSetBytes >> 20} MiB is past the 512Mi pod limit");
        using var healthy = await client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
        using var sample = await client.PostAsync("/api/v1/samples/sick-cluster/diagnose", null);
        Assert.Equal(HttpStatusCode.OK, sample.StatusCode);
        Assert.DoesNotContain("OutOfMemory", service.Output, StringComparison.Ordinal);
    }

    /// <summary>A request of pasted outputs, each <c>(command, from, text)</c>.</summary>
    private static byte[] Pasted(params (string Command, string? From, string Text)[] outputs) =>
        System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new
        {
            target = new { @namespace = "default", pod = "web-0" },
            snapshot = new { outputs = outputs.Select(o => new { command = o.Command, from = o.From, text = o.Text }) },
        });

    private static string Lines(int bytes, Func<int, string> line)
    {
        var builder = new StringBuilder(bytes + 256);
        for (var i = 0; builder.Length < bytes; i++)
        {
            builder.Append(line(i)).Append('\n');
        }

        return builder.ToString();
    }

    private const string PodsHeader = "NAMESPACE   NAME          READY   STATUS    RESTARTS   AGE   IP            NODE     NOMINATED NODE   READINESS GATES\n";

    private static string PodRow(int i) => $"shop        web-{i:D7}   1/1     Running   0          1d    10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}   node-1   <none>           <none>";

    /// <summary>A realistic chat paste: a whole cluster's pods (5,000 rows of <c>get pods -A -o wide</c>) and 20 digs.</summary>
    internal static byte[] RealisticPaste()
    {
        var pods = PodsHeader + string.Join('\n', Enumerable.Range(0, 5000).Select(PodRow));
        const string dig = "; <<>> DiG 9.18.28 <<>> @10.96.0.10 web.shop.svc.cluster.local\n;; global options: +cmd\n;; connection timed out; no servers could be reached\n";
        return Pasted([("kubectl get pods -A -o wide", null, pods), .. Enumerable.Range(0, 20).Select(i => ($"dig @10.96.0.10 web{i}.shop.svc.cluster.local", (string?)"default/web-0", dig))]);
    }

    /// <summary>
    /// The pasted-output classes of issue 19, each as large as the pasted-text limits let it be: one output just under
    /// <c>MaxOutputCharacters</c> (4 Mi), several just under <c>MaxOutputsCharacters</c> (8 Mi) together.
    /// </summary>
    public static IEnumerable<(string Name, byte[] Body)> HostilePastes()
    {
        const int size = (4 << 20) - 4096;
        yield return ("4 MB of ping headers", Pasted(("ping -c 3 10.0.0.1", "default/web-0", Lines(size, _ => "PING a (10.0.0.1)"))));
        yield return ("4 MB of ping headers, twice", Pasted([.. Enumerable.Range(0, 2).Select(_ => ("ping -c 3 10.0.0.1", (string?)"default/web-0", Lines(size, _ => "PING a (10.0.0.1)")))]));
        yield return ("a 200 KB ping line", Pasted(("ping -c 3 10.0.0.1", "default/web-0", "PING a (10.0.0.1) " + new string('a', 200_000) + "\n")));
        yield return ("900k busybox NXDOMAIN lines", Pasted(("nslookup a", "default/web-0", "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n" + Lines(size, _ => "** server can't find a: NXDOMAIN"))));
        yield return ("distinct nslookup failures", Pasted(("nslookup a", "default/web-0", "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n" + Lines(size, i => $"** server can't find n{i}.x: NXDOMAIN"))));
        var table = PodsHeader + Lines(((2 * size) - (1 << 17)) / 40 / 8 - PodsHeader.Length, PodRow);
        var tables = string.Join("\n", Enumerable.Repeat(table, 8));
        yield return ("40 outputs of 8 pod tables", Pasted([.. Enumerable.Range(0, 40).Select(_ => ("kubectl get pods -A -o wide", (string?)null, tables))]));
        yield return ("conntrack -S with distinct counter names", Pasted(("conntrack -S", "node/node-1", Lines(size, i => $"cpu={i} c{i}a=1 c{i}b=2 c{i}c=3 insert_failed=1"))));
        yield return ("two kubectl JSON lists of 40,000 items", Pasted([.. Enumerable.Range(0, 2).Select(_ => ("kubectl get pods -o json", (string?)null,
            """{"kind":"List","items":[""" + string.Join(',', Enumerable.Repeat("""{"kind":"Pod","metadata":{"name":"p"},"x":[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]}""", 40_000)) + "]}"))]));
        yield return ("dig outputs of distinct answers", Pasted(("dig", "default/web-0", Lines(size, i => $"; <<>> DiG 9.18 <<>> @10.96.0.10 n{i}.x\n;; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN, id: {i}\n;; flags: qr aa rd; QUERY: 1, ANSWER: 0\n;n{i}.x. IN A\n;; Query time: {i} msec\n;; SERVER: 10.96.0.10#53(10.96.0.10) (UDP)"))));
    }

    [Fact]
    public async Task Pasted_output_never_makes_a_500_or_exhausts_the_heap_one_at_a_time_or_200_at_once()
    {
        await using var service = await StartAsync();
        using var client = new HttpClient { BaseAddress = service.Address, Timeout = TimeSpan.FromMinutes(3) };
        var outcomes = new List<string>();
        foreach (var (name, body) in HostilePastes())
        {
            var status = await SendAsync(service, client, body);
            outcomes.Add($"{name} ({body.Length >> 10} KiB): {(int)status}, peak {service.PeakWorkingSetBytes >> 20} MiB");
            output.WriteLine(outcomes[^1]);
            Assert.False(service.HasExited, $"the service died on '{name}':\n{service.Output}");
            Assert.True((int)status < 500, $"'{name}' answered {(int)status}:\n{string.Join('\n', outcomes)}\n{service.Output}");
        }

        // Past the pasted-text limits: refused while the body streams in, naming the field.
        foreach (var (name, body) in new[]
        {
            ("one 24 MB paste", Pasted(("nslookup a", "default/web-0", Lines(24 << 20, _ => "** server can't find a: NXDOMAIN")))),
            ("three 3.5 MB pastes", Pasted([.. Enumerable.Range(0, 3).Select(_ => ("nslookup a", (string?)"default/web-0", Lines(7 << 19, _ => "** server can't find a: NXDOMAIN")))])),
        })
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new("application/json");
            using var refused = await client.PostAsync("/api/v1/diagnoses", content);
            var problem = await refused.Content.ReadAsStringAsync();
            output.WriteLine($"{name}: {(int)refused.StatusCode}, peak {service.PeakWorkingSetBytes >> 20} MiB");
            Assert.True(refused.StatusCode == HttpStatusCode.UnprocessableEntity, $"{name}: {(int)refused.StatusCode} {problem}");
            Assert.Contains("\"snapshot.outputs\"", problem, StringComparison.Ordinal);
        }

        // 200 realistic pastes at once: each is answered, or refused with a 503 while the others hold the admission.
        var realistic = RealisticPaste();
        using var many = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 200 }) { BaseAddress = service.Address, Timeout = TimeSpan.FromMinutes(5) };
        var statuses = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => SendAsync(service, many, realistic)));
        var counts = statuses.GroupBy(s => (int)s).OrderBy(g => g.Key).Select(g => $"{g.Count()} × {g.Key}");
        output.WriteLine($"200 realistic pastes ({realistic.Length >> 10} KiB each) at once: {string.Join(", ", counts)}, peak {service.PeakWorkingSetBytes >> 20} MiB");
        Assert.False(service.HasExited, $"the service died on 200 realistic pastes:\n{service.Output}");
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"{string.Join(", ", counts)}\n{service.Output}"));
        Assert.Contains(HttpStatusCode.OK, statuses);
        Assert.DoesNotContain("OutOfMemory", service.Output, StringComparison.Ordinal);
    }
}

/// <summary>
/// The memory-bound tests run alone, not beside the rest of the suite: they measure the service process's heap under
/// 200 concurrent pastes, and a test runner saturating both cores with other tests starves that process's GC (an
/// out-of-memory seen only in full-suite runs, never alone).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryBoundRunsAlone
{
    public const string Name = "memory-bound, alone";
}
