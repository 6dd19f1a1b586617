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

    [Fact]
    public async Task The_worst_bodies_never_make_a_500_or_exhaust_the_heap_of_a_512Mi_pod()
    {
        await using var service = await ServiceProcess.StartAsync(
            new Dictionary<string, string>
            {
                ["DnsExpert:RulesDirectory"] = Path.Combine(ApiFactory.RepoRoot, "rules"),
                ["DnsExpert:History:Provider"] = "none",
                ["DnsExpert:Auth:RequestsPerMinute"] = "100000",
            },
            new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "0x" + HeapLimit.ToString("x", System.Globalization.CultureInfo.InvariantCulture) });
        using var client = new HttpClient { BaseAddress = service.Address, Timeout = TimeSpan.FromMinutes(2) };
        var outcomes = new List<string>();

        async Task<HttpStatusCode> Send(byte[] body)
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
}
