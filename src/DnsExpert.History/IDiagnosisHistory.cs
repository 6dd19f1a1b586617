namespace DnsExpert.History;

/// <summary>The configured history as a diagnosis sees it: its store, if any, and why it is not ready when it is not.</summary>
public interface IDiagnosisHistory
{
    /// <summary>Null when the history is switched off (<c>DnsExpert:History:Provider=none</c>).</summary>
    IDiagnosisStore? Store { get; }

    /// <summary>Why the store is not ready, when it is not.</summary>
    string? Error { get; }
}
