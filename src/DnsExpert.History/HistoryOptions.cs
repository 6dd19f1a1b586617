using System.ComponentModel.DataAnnotations;

namespace DnsExpert.History;

/// <summary>Where diagnoses are kept (configuration section <c>DnsExpert:History</c>).</summary>
public sealed class HistoryOptions
{
    public const string Section = "DnsExpert:History";

    /// <summary><c>sqlite</c> (default: a file, no set-up), <c>postgres</c> (several replicas share one database) or <c>none</c>.</summary>
    public HistoryProvider Provider { get; set; } = HistoryProvider.Sqlite;

    /// <summary>
    /// For SQLite, a file path or a full connection string (default <c>~/.local/share/dnsexpert/history.db</c>); for
    /// PostgreSQL, an Npgsql connection string (<c>Host=...;Database=...;Username=...;Password=...</c>), best taken from a Secret.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>Diagnoses older than this are deleted.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "3650.00:00:00")]
    [Display(Name = $"{Section}:{nameof(MaxAge)}")]
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(30);

    /// <summary>At most this many diagnoses are kept; the oldest go first.</summary>
    [Range(1, 100_000_000)]
    [Display(Name = $"{Section}:{nameof(MaxCount)}")]
    public int MaxCount { get; set; } = 10_000;

    /// <summary>How often retention runs (and running diagnoses past their deadline are marked failed).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    [Display(Name = $"{Section}:{nameof(SweepInterval)}")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>A diagnosis still running this long after it started was lost with its process: it is marked failed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    [Display(Name = $"{Section}:{nameof(RunningDeadline)}")]
    public TimeSpan RunningDeadline { get; set; } = TimeSpan.FromMinutes(5);
}

public enum HistoryProvider
{
    None,
    Sqlite,
    Postgres,
}
