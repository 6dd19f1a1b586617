using System.Text.Json;
using DnsExpert.Contract;
using DnsExpert.Diagnosis.Application;
using DnsExpert.Diagnosis.Composition;
using DnsExpert.History;
using DnsExpert.Testing;

namespace DnsExpert.Diagnosis.Tests;

/// <summary>
/// The application service as the composition root builds it, outside any host: without a history it only diagnoses
/// (the CLI); with one (a SQLite file) it keeps each diagnosis, links it, refines a previous one and queues.
/// </summary>
public sealed class DiagnosisWorkflowTests : IDisposable
{
    private static readonly IDiagnosisService Diagnoses = new DnsExpertComposition(new CompositionInputs(RepoPaths.Rules)).Diagnoses;

    private readonly string _dir = Directory.CreateTempSubdirectory("dnsexpert-workflow-").FullName;

    private static DiagnosisRequest Request(string? callbackUrl = null) => new()
    {
        Domain = "api.example.com",
        Symptom = new Symptom { ErrorMessage = "dial tcp: lookup api.example.com on 10.96.0.10:53: no such host" },
        CallbackUrl = callbackUrl,
    };

    private async Task<(DiagnosisWorkflow Workflow, IDiagnosisStore Store)> KeptAsync()
    {
        var store = new SqliteDiagnosisStore(new HistoryOptions { ConnectionString = Path.Combine(_dir, "history.db") }, new JsonSerializerOptions(JsonSerializerDefaults.Web));
        await store.InitializeAsync(CancellationToken.None);
        var composition = new DnsExpertComposition(new CompositionInputs(RepoPaths.Rules) { History = new Kept(store) });
        return (composition.WorkflowOver(Diagnoses), store);
    }

    [Fact]
    public async Task Without_a_history_a_run_is_only_diagnosed()
    {
        var workflow = new DnsExpertComposition(new CompositionInputs(RepoPaths.Rules)).WorkflowOver(Diagnoses);

        var response = await workflow.RunAsync(new DiagnosisRun(Request("https://hooks.example.com/x")), CancellationToken.None);

        Assert.Equal(DiagnosisStatus.Completed, response.Status);
        Assert.Null(response.Links);
        Assert.Null(response.Callback);
        Assert.DoesNotContain(response.Collection, c => c.Source == "history");
        await Assert.ThrowsAsync<HistoryUnavailableException>(() => workflow.EnqueueAsync(new DiagnosisRun(Request()), CancellationToken.None));
    }

    [Fact]
    public async Task A_kept_run_is_linked_and_a_refinement_links_the_one_it_refines()
    {
        var (workflow, store) = await KeptAsync();

        var first = await workflow.RunAsync(new DiagnosisRun(Request()) { CreatedBy = "alice" }, CancellationToken.None);
        var second = await workflow.RunAsync(
            new DiagnosisRun(Request()) { PreviousId = first.Id, LinkBase = new Uri("https://ops.example.com/dnsexpert/") }, CancellationToken.None);

        Assert.Equal($"/api/v1/diagnoses/{first.Id}", first.Links!["self"]);
        Assert.Equal($"https://ops.example.com/dnsexpert/api/v1/diagnoses/{first.Id}", second.Links!["previous"]);
        Assert.Equal(first.Id, second.PreviousId);
        var kept = await store.GetAsync(second.Id, CancellationToken.None);
        Assert.Equal(DiagnosisStatus.Completed, kept!.Status);
        Assert.Equal(first.Id, kept.PreviousId);
    }

    [Fact]
    public async Task A_queued_run_holds_its_admission_until_it_ends_and_its_reply_hears_the_result()
    {
        var (workflow, store) = await KeptAsync();
        var admission = new Admission();
        DiagnosisResponse? replied = null;

        var accepted = await workflow.EnqueueAsync(new DiagnosisRun(Request())
        {
            Admission = admission, Reply = response => Task.FromResult(replied = response),
        }, CancellationToken.None);

        Assert.Equal(DiagnosisStatus.Running, accepted!.Status);
        Assert.Equal($"/api/v1/diagnoses/{accepted.Id}", accepted.Links!["self"]);
        Assert.True(workflow.Queue.TryRead(out var job));
        Assert.Same(admission.Held, job.Admission);
        await workflow.ProcessAsync(job, CancellationToken.None);
        Assert.Equal(accepted.Id, replied!.Id);
        Assert.Equal(DiagnosisStatus.Completed, (await store.GetAsync(accepted.Id, CancellationToken.None))!.Status);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>A history whose store is always ready (the server's HistoryState adds readiness checks).</summary>
    private sealed class Kept(IDiagnosisStore store) : IDiagnosisHistory
    {
        public IDiagnosisStore? Store => store;

        public string? Error => null;
    }

    /// <summary>What a request holds: handed over once, to the queued diagnosis.</summary>
    private sealed class Admission : IAdmission
    {
        public IDisposable? Held { get; private set; }

        public IDisposable Transfer() => Held = new MemoryStream();
    }
}
