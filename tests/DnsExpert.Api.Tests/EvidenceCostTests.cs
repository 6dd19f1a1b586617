using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.RateLimiting;
using DnsExpert.Api.Security;
using DnsExpert.Contract;
using DnsExpert.Diagnosis;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DnsExpert.Api.Tests;

/// <summary>
/// Evidence diagnoses the stored request it is added to again: a small evidence body on a large stored request holds
/// admission and costs rate limit as the stored request would, not as its few bytes.
/// </summary>
public sealed class EvidenceCostTests
{
    private const int StoredLogBytes = 400 * 1024;

    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>The sick-cluster sample with a CoreDNS log of <see cref="StoredLogBytes"/>, kept as it is by the history.</summary>
    private static string LargeRequest()
    {
        var request = JsonNode.Parse(File.ReadAllText(Path.Combine(ApiFactory.RepoRoot, "src", "DnsExpert.Api", "Samples", "sick-cluster.json")))!;
        var log = request["snapshot"]!["logs"]![0]!;
        const string line = "2024-05-13T08:21:44.031882211Z [INFO] 172.20.7.45:44532 - 31007 \"A IN api.partner-example.com. udp 41 false 512\" NOERROR qr,rd,ra 120 0.000148s\n";
        log["text"] = log["text"]!.GetValue<string>() + string.Concat(Enumerable.Repeat(line, StoredLogBytes / line.Length));
        return request.ToJsonString();
    }

    private static readonly string Evidence = new JsonObject
    {
        ["outputs"] = new JsonArray(new JsonObject
        {
            ["from"] = "default/web-7d4b9c-x2k4q",
            ["command"] = "cat /etc/resolv.conf",
            ["text"] = "nameserver 172.21.0.10\nsearch default.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n",
        }),
    }.ToJsonString();

    private static async Task<string> StoreAsync(HttpClient client)
    {
        var response = await client.PostAsync("/api/v1/diagnoses", Body(LargeRequest()));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Json()).GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task Evidence_on_a_large_stored_request_holds_admission_for_the_stored_request_until_its_diagnosis_ends()
    {
        var gate = new DiagnosisGate();
        await using var factory = new ApiFactory().WithWebHostBuilder(b => b
            .UseSetting("DnsExpert:MaxRequestBodyBytes", "1048576")
            .UseSetting("DnsExpert:MaxBodiesInFlightBytes", "1048576")
            .UseSetting("DnsExpert:MaxPastedItemsInFlight", "1000000") // the bodies' pool alone is under test here
            .UseSetting("DnsExpert:AdmissionWait", "00:00:00.300")
            .UseSetting("DnsExpert:Async:Workers", "1")
            .ConfigureTestServices(s =>
            {
                s.AddSingleton<DiagnosisService>();
                s.AddSingleton<IDiagnosisService>(sp => new GatedDiagnosis(sp.GetRequiredService<DiagnosisService>(), gate));
            }));
        using var client = factory.CreateClient();
        var id = await StoreAsync(client);

        // Diagnoses wait at the gate, holding what they were admitted with: two refinements of the ~420 KB stored
        // request fit in 1 MiB, a third does not, however few bytes its evidence has.
        gate.Close();
        var accepted = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var response = await client.PostAsync($"/api/v1/diagnoses/{id}/evidence?wait=false", Body(Evidence));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            accepted.Add((await response.Json()).GetProperty("id").GetString()!);
        }

        var refused = await client.PostAsync($"/api/v1/diagnoses/{id}/evidence?wait=false", Body(Evidence));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);

        // Once they end, their admission is released and evidence is admitted again.
        gate.Open();
        foreach (var refined in accepted)
        {
            for (var i = 0; i < 600 && (await (await client.GetAsync($"/api/v1/diagnoses/{refined}")).Json()).GetProperty("status").GetString() == "running"; i++)
            {
                await Task.Delay(50);
            }
        }

        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/v1/diagnoses/{id}/evidence", Body(Evidence))).StatusCode);
    }

    [Fact]
    public async Task Evidence_and_the_stored_request_together_must_fit_the_body_limit()
    {
        // The stored request fits the limit; 100 KB of evidence would too, by itself, but not with the stored request.
        var limit = Encoding.UTF8.GetByteCount(LargeRequest()) + 50_000;
        await using var factory = new ApiFactory().WithWebHostBuilder(b => b.UseSetting("DnsExpert:MaxRequestBodyBytes", limit.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        using var client = factory.CreateClient();
        var id = await StoreAsync(client);
        var padding = new string('x', 100_000);

        var response = await client.PostAsync($"/api/v1/diagnoses/{id}/evidence",
            Body(new JsonObject { ["outputs"] = new JsonArray(new JsonObject { ["from"] = "default/web-7d4b9c-x2k4q", ["command"] = "cat /etc/hosts", ["text"] = padding }) }.ToJsonString()));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("the stored request it adds to", (await response.Json()).GetProperty("detail").GetString()!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evidence_on_a_costly_stored_request_takes_more_than_one_permit_of_the_callers_rate_limit()
    {
        // 12 requests a minute; the stored request (about 420 KB) costs one more per full 64 KiB (time does not count here).
        await using var factory = new ApiFactory().WithWebHostBuilder(b => b
            .UseSetting("DnsExpert:Auth:RequestsPerMinute", "12")
            .UseSetting("DnsExpert:Auth:EvidenceBytesPerPermit", "65536")
            .UseSetting("DnsExpert:Auth:EvidenceTimePerPermit", "01:00:00"));
        using var client = factory.CreateClient();
        var id = await StoreAsync(client);
        var stored = (await client.GetStringAsync($"/api/v1/diagnoses/{id}/request")).Length;
        var extra = stored / 65536;
        Assert.InRange(extra, 5, 8);

        // 10 left: the first refinement takes 1 + extra, which leaves too few for a second one but one for a cheap request.
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/v1/diagnoses/{id}/evidence", Body(Evidence))).StatusCode);
        var refused = await client.PostAsync($"/api/v1/diagnoses/{id}/evidence", Body(Evidence));

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds >= 1);
        Assert.Contains($"costs {1 + extra} requests", (await refused.Json()).GetProperty("detail").GetString()!, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/rules")).StatusCode);
    }

    [Theory]
    [InlineData(0, 2_000, 0)]                        // a small request diagnosed in 2 ms costs nothing more
    [InlineData(3_500_000, 2_000, 3)]                 // 3 full MiB
    [InlineData(100_000, 10_000_000, 10)]             // a 10-second diagnosis
    [InlineData(30_000_000, 3_600_000_000, 119)]      // never more than the rest of a full bucket
    public void A_rerun_costs_a_permit_per_full_MiB_or_second_whichever_is_more(long storedBytes, long measuredMicroseconds, int permits)
    {
        using var limiter = PartitionedRateLimiter.Create<HttpContext, string>(_ =>
            RateLimitPartition.GetNoLimiter("all"));
        var charge = new CallerRateLimit(Options.Create(new RateLimiterOptions { GlobalLimiter = limiter }), Options.Create(new AuthOptions()))
            .ChargeRerun(new DefaultHttpContext(), storedBytes, TimeSpan.FromMicroseconds(measuredMicroseconds));

        Assert.Equal(new RateLimitCharge(permits, null), charge);
    }

    /// <summary>Holds diagnoses while closed.</summary>
    private sealed class DiagnosisGate
    {
        private volatile TaskCompletionSource _open = Opened();

        public Task WaitAsync(CancellationToken cancellationToken) => _open.Task.WaitAsync(cancellationToken);

        public void Close() => _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Open() => _open.TrySetResult();

        private static TaskCompletionSource Opened()
        {
            var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            open.SetResult();
            return open;
        }
    }

    private sealed class GatedDiagnosis(IDiagnosisService inner, DiagnosisGate gate) : IDiagnosisService
    {
        public async Task<DiagnosisResponse> DiagnoseAsync(DiagnosisRequest request, string? id, CancellationToken cancellationToken)
        {
            await gate.WaitAsync(cancellationToken);
            return await inner.DiagnoseAsync(request, id, cancellationToken);
        }
    }
}
