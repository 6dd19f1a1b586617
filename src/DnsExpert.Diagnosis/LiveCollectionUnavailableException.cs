namespace DnsExpert.Diagnosis;

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
