namespace DnsExpert.Diagnosis.Application;

/// <summary>An asynchronous diagnosis cannot be kept, so it cannot be read back later.</summary>
public sealed class HistoryUnavailableException : Exception
{
    public HistoryUnavailableException(string message) : base(message) { }

    public HistoryUnavailableException(string message, Exception inner) : base(message, inner) { }

    public HistoryUnavailableException() { }
}
