using DnsExpert.Contract;

namespace DnsExpert.Diagnosis.Application;

/// <summary>Tells a request's callback URL of its diagnosis (the server queues the delivery; it never waits for the receiver).</summary>
public interface IDiagnosisNotifier
{
    /// <summary>
    /// Queues the delivery of <paramref name="response"/> to <paramref name="url"/>, recorded on the diagnosis when it is
    /// <paramref name="stored"/>; returns where the delivery stands now (pending, or failed when it cannot be queued).
    /// </summary>
    Task<CallbackDelivery> NotifyAsync(string url, DiagnosisResponse response, bool stored);
}

