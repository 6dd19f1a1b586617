using DnsExpert.Core.Building;
using DnsExpert.Core.Classification;
using DnsExpert.Core.Contract;
using DnsExpert.Engine.Sessions;

namespace DnsExpert.Engine.Diagnosis;

/// <summary>The offline diagnosis: a snapshot in the request, the rule base over its facts.</summary>
public sealed class DiagnosisService(IRuleBaseProvider rules, TimeProvider time) : IDiagnosisService
{
    public Task<DiagnosisResponse> DiagnoseAsync(DiagnosisRequest request, CancellationToken cancellationToken)
    {
        if (request.Snapshot is null)
        {
            throw new LiveCollectionUnavailableException();
        }

        cancellationToken.ThrowIfCancellationRequested();
        var facts = SnapshotFactBuilder.Build(request);
        cancellationToken.ThrowIfCancellationRequested();
        var result = RuleSessionRunner.Run(rules.Current, facts.Facts);

        var collection = facts.Collection.ToList();
        if (result.Problems.Count > 0)
        {
            collection.Add(new CollectionEntry("rules", CollectionStatus.Partial, string.Join("; ", result.Problems.Distinct().Take(10))));
        }

        return Task.FromResult(new DiagnosisResponse
        {
            Id = NewId(),
            Classification = SymptomClassifier.Classify(request.Symptom?.ErrorMessage),
            Findings = result.Findings,
            Collection = collection,
        });
    }

    /// <summary>Time-ordered ids (UUIDv7) so that a list of diagnoses sorts by creation.</summary>
    private string NewId() => Guid.CreateVersion7(time.GetUtcNow()).ToString("N");
}
