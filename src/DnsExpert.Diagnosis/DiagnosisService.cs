using DnsExpert.Contract;
using DnsExpert.Engine.Commands;
using DnsExpert.Engine.Sessions;
using DnsExpert.Facts;
using DnsExpert.Readers;
using DnsExpert.Readers.Building;
using DnsExpert.Readers.Classification;
using DnsExpert.Readers.Collection;
using DnsExpert.Text.Telemetry;

namespace DnsExpert.Diagnosis;

/// <summary>
/// A diagnosis: the request's snapshot, or one collected live when the request has none and a cluster is configured;
/// then the rule base over its facts. Pasted output is read within <paramref name="limits"/> (the defaults when not given).
/// </summary>
public sealed class DiagnosisService(
    RuleEngine engine, TimeProvider time, ILiveSnapshotCollector? collector = null, DiagnosisMetrics? metrics = null, RequestLimits? limits = null) : IDiagnosisService
{
    public Task<DiagnosisResponse> DiagnoseAsync(DiagnosisRequest request, CancellationToken cancellationToken) => DiagnoseAsync(request, null, cancellationToken);

    public async Task<DiagnosisResponse> DiagnoseAsync(DiagnosisRequest request, string? id, CancellationToken cancellationToken)
    {
        id ??= NewId(time);
        using var activity = Tracing.Source.StartActivity("diagnose");
        activity?.SetTag("dnsexpert.diagnosis.id", id);
        activity?.SetTag("dnsexpert.live", request.Snapshot is null);
        try
        {
            var response = await DiagnoseCoreAsync(request, id, cancellationToken);
            metrics?.Diagnosis("ok");
            activity?.SetTag("dnsexpert.findings", response.Findings.Count);
            if (response.Findings.Count > 0)
            {
                activity?.SetTag("dnsexpert.top_rule_id", response.Findings[0].RuleId);
            }

            return response;
        }
        catch (LiveCollectionUnavailableException)
        {
            metrics?.Diagnosis("unavailable");
            activity.Fail("live collection is not configured");
            throw;
        }
        catch (OperationCanceledException)
        {
            metrics?.Diagnosis("cancelled");
            activity.Fail("cancelled");
            throw;
        }
        catch (Exception ex)
        {
            metrics?.Diagnosis("error");
            activity.Fail(ex.GetType().Name);
            throw;
        }
    }

    private async Task<DiagnosisResponse> DiagnoseCoreAsync(DiagnosisRequest request, string id, CancellationToken cancellationToken)
    {
        var createdAt = time.GetUtcNow();
        var began = time.GetTimestamp();
        var (target, domain) = (request.Target, request.Domain);
        IReadOnlyList<CollectionEntry> collected = [];
        if (request.Snapshot is null && collector is null && request.Symptom is not null)
        {
            // What a chat user has: an error message, no cluster. The classification and the hypotheses (every one
            // unverified, with the commands that tell them apart) are the answer.
            request = new DiagnosisRequest { Target = request.Target, Domain = request.Domain, Symptom = request.Symptom, Snapshot = new Snapshot() };
            collected = [new CollectionEntry("live", CollectionStatus.Skipped, LiveCollectionNotConfigured)];
        }
        else if (request.Snapshot is null)
        {
            if (collector is null)
            {
                throw new LiveCollectionUnavailableException();
            }

            var live = await collector.CollectAsync(request.Target, request.Domain, request.Options?.Probe ?? true, cancellationToken);
            request = new DiagnosisRequest { Target = request.Target, Domain = request.Domain, Symptom = request.Symptom, Snapshot = live.Snapshot };
            collected = live.Collection;
        }

        cancellationToken.ThrowIfCancellationRequested();
        var started = time.GetTimestamp();
        FactSet facts;
        using (Tracing.Source.StartActivity("facts"))
        {
            facts = SnapshotFactBuilder.Build(request, limits);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var classification = facts.Classification;
        if (string.IsNullOrWhiteSpace(request.Symptom?.ErrorMessage) && facts.Facts.OfType<QueriedName>().FirstOrDefault() is { } name)
        {
            // No error message: the name's form is what routes the hypotheses (HypothesisBuilder), and the answer says so.
            classification = SymptomClassifier.InferredFromName(name, facts.Facts.OfType<ReportedSymptom>().FirstOrDefault()?.Frequency);
        }

        var known = KnownValues.From(facts.Facts, target?.Namespace, target?.Pod, domain ?? classification.Name, classification.Server, ObservedFactTypes.Of(request.Snapshot, facts),
            PastedOutputs.Origins(request.Snapshot), (request.Snapshot?.Outputs ?? []).Select(o => o.Command));
        known = known with { Unread = ObservedFactTypes.Unread(request.Snapshot, facts.Facts) };
        var result = engine.Run(facts.Facts, known, cancellationToken);
        metrics?.Session(time.GetElapsedTime(started));

        var collection = Merge(collected, facts.Collection);
        if (result.Problems.Count > 0)
        {
            collection.Add(new CollectionEntry("rules", CollectionStatus.Partial, string.Join("; ", result.Problems.Distinct().Take(10))));
        }

        var findings = WireResults.Findings(result.Findings);
        var response = new DiagnosisResponse
        {
            Id = id,
            CreatedAt = createdAt,
            CompletedAt = time.GetUtcNow(),
            DurationMs = Math.Round(time.GetElapsedTime(began).TotalMilliseconds, 1),
            Target = target,
            Domain = domain,
            Classification = classification,
            Findings = findings,
            Collection = collection,
            DnsPath = DnsPathBuilder.Build(facts.Facts, findings, target),
            Hypotheses = WireResults.Hypotheses(result.Hypotheses),
            NextChecks = WireResults.NextChecks(result.NextChecks),
        };
        metrics?.Record(response, request.Snapshot);
        return response;
    }

    /// <summary>The <c>live</c> collection entry of a request answered from its symptom alone.</summary>
    public const string LiveCollectionNotConfigured =
        "live collection from a cluster is not configured: the answer rests on the symptom alone; run the checks of the hypotheses and send their output in snapshot.outputs";

    /// <summary>
    /// One entry per source: when a collector could not read something and the fact builder then noted what it could
    /// not check, the reader gets both in one line ("403 Forbidden ...; Corefile checks were not run").
    /// </summary>
    private static List<CollectionEntry> Merge(IReadOnlyList<CollectionEntry> collected, IReadOnlyList<CollectionEntry> built)
    {
        var merged = collected.ToList();
        foreach (var entry in built)
        {
            var index = merged.FindIndex(e => e.Source == entry.Source);
            if (index < 0)
            {
                merged.Add(entry);
            }
            else
            {
                var first = merged[index];
                merged[index] = first with { Detail = string.Join("; ", new[] { first.Detail, entry.Detail }.Where(d => !string.IsNullOrEmpty(d))) };
            }
        }

        return merged;
    }

    /// <summary>Time-ordered ids (UUIDv7) so that a list of diagnoses sorts by creation.</summary>
    public static string NewId(TimeProvider time) => Guid.CreateVersion7(time.GetUtcNow()).ToString("N");
}
