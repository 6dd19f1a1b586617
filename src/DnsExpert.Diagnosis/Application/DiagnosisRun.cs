using DnsExpert.Contract;

namespace DnsExpert.Diagnosis.Application;

/// <summary>
/// One diagnosis to run (<see cref="DiagnosisWorkflow"/>): the request as sent, and what the caller adds to it: the
/// diagnosis it refines, who asked, the base its links are made under, and, for a queued one, what it holds until it ends
/// and who else hears of its result.
/// </summary>
/// <param name="Request">The request as sent; the history keeps it as <c>StoredRequest</c> redacts it.</param>
public sealed record DiagnosisRun(DiagnosisRequest Request)
{
    /// <summary>The diagnosis this one refines (the history keeps the chain); null for a first one.</summary>
    public string? PreviousId { get; init; }

    /// <summary>The caller's principal, recorded as the creator.</summary>
    public string? CreatedBy { get; init; }

    /// <summary>The base of the links handed out (the base of the request that asked); null keeps them paths.</summary>
    public Uri? LinkBase { get; init; }

    /// <summary>What the request holds (the body's admission), taken over by a queued diagnosis until it ends.</summary>
    public IAdmission? Admission { get; init; }

    /// <summary>Handed the result of a queued diagnosis when it ends, completed or failed (a chat command's answer).</summary>
    public Func<DiagnosisResponse, Task>? Reply { get; init; }
}

/// <summary>Something a request holds while it runs that a queued diagnosis takes over when the request has its answer.</summary>
public interface IAdmission
{
    /// <summary>Hands what the request holds to the caller, who releases it by disposing the result.</summary>
    IDisposable Transfer();
}
