namespace DnsExpert.Diagnosis;

/// <summary>A request without a snapshot, when live collection is not configured.</summary>
public sealed class LiveCollectionUnavailableException : Exception
{
    public LiveCollectionUnavailableException()
        : base("The request has neither a snapshot nor a symptom, and live collection is not configured: this service has no cluster access to collect one. Send symptom.errorMessage (the client's error, verbatim) for the likely causes and the checks to run, snapshot.outputs with the output of commands you ran, or give the service cluster access (README: Install in a cluster).")
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
