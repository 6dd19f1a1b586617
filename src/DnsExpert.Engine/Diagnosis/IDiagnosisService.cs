using DnsExpert.Core.Contract;

namespace DnsExpert.Engine.Diagnosis;

/// <summary>Diagnoses one request: snapshot to facts, facts through the rule base, findings out.</summary>
public interface IDiagnosisService
{
    /// <exception cref="LiveCollectionUnavailableException">The request has no snapshot and no live cluster is configured.</exception>
    Task<DiagnosisResponse> DiagnoseAsync(DiagnosisRequest request, CancellationToken cancellationToken) => DiagnoseAsync(request, null, cancellationToken);

    /// <summary>Diagnoses under a given id (the history reserves it before the diagnosis starts); a new one when null.</summary>
    /// <exception cref="LiveCollectionUnavailableException">The request has no snapshot and no live cluster is configured.</exception>
    Task<DiagnosisResponse> DiagnoseAsync(DiagnosisRequest request, string? id, CancellationToken cancellationToken);
}

/// <summary>A request without a snapshot, when live collection is not configured.</summary>
public sealed class LiveCollectionUnavailableException : Exception
{
    public LiveCollectionUnavailableException()
        : base("The request has no snapshot, and live collection from a cluster is not configured. Send a snapshot, or configure cluster access.")
    {
    }

    public LiveCollectionUnavailableException(string message)
        : base(message)
    {
    }

    public LiveCollectionUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
