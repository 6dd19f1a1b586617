using DnsExpert.Contract;

namespace DnsExpert.Diagnosis;

/// <summary>Diagnoses one request: snapshot to facts, facts through the rule base, findings out.</summary>
public interface IDiagnosisService
{
    /// <exception cref="LiveCollectionUnavailableException">The request has no snapshot and no live cluster is configured.</exception>
    Task<DiagnosisResponse> DiagnoseAsync(DiagnosisRequest request, CancellationToken cancellationToken) => DiagnoseAsync(request, null, cancellationToken);

    /// <summary>Diagnoses under a given id (the history reserves it before the diagnosis starts); a new one when null.</summary>
    /// <exception cref="LiveCollectionUnavailableException">The request has no snapshot and no live cluster is configured.</exception>
    Task<DiagnosisResponse> DiagnoseAsync(DiagnosisRequest request, string? id, CancellationToken cancellationToken);
}
