using System.Security.Cryptography;
using System.Text;
using DnsExpert.Engine.Compilation;
using DnsExpert.Engine.RuleFiles;

namespace DnsExpert.Engine.RuleBases;

/// <summary>
/// Compiles <c>rules/</c> at construction (a broken rule file throws <see cref="RuleFileException"/> and stops start-up),
/// and again on <see cref="ReloadIfChanged"/> when the files changed. A reload that fails keeps the last good rule
/// base and reports why; diagnoses in flight keep the base they started with (a session per diagnosis).
/// </summary>
public sealed class DirectoryRuleBaseProvider : IRuleBaseProvider
{
    private readonly Lock _gate = new();
    private volatile State _state;

    public DirectoryRuleBaseProvider(string directory, TimeProvider? time = null)
    {
        Directory = directory;
        Time = time ?? TimeProvider.System;
        RuleBaseLoader.WarmUp();
        var fingerprint = Fingerprint(directory);
        _state = new State(RuleBaseLoader.Load(directory), fingerprint, Time.GetUtcNow(), null, 1);
    }

    public string Directory { get; }

    private TimeProvider Time { get; }

    public RuleBase Current => _state.RuleBase;

    /// <summary>The version of the rule base (1 at start-up, +1 per successful reload), when it was loaded, and the last reload error.</summary>
    public RuleBaseStatus Status => new(_state.Version, _state.LoadedAt, _state.LastError);

    /// <summary>Recompiles when a rule file was added, removed or changed since the last attempt; true when the base changed.</summary>
    public bool ReloadIfChanged()
    {
        lock (_gate)
        {
            var state = _state;
            var fingerprint = Fingerprint(Directory);
            if (fingerprint == state.Fingerprint)
            {
                return false;
            }

            try
            {
                _state = new State(RuleBaseLoader.Load(Directory), fingerprint, Time.GetUtcNow(), null, state.Version + 1);
                return true;
            }
            catch (Exception ex) when (ex is RuleFileException or IOException or UnauthorizedAccessException)
            {
                // Remember the fingerprint so a broken file is reported once, not recompiled on every poll.
                _state = state with { Fingerprint = fingerprint, LastError = ex.Message };
                return false;
            }
        }
    }

    /// <summary>The names and contents of the rule files (read through symlinks, as ConfigMap volumes use them).</summary>
    private static string Fingerprint(string directory)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        if (System.IO.Directory.Exists(directory))
        {
            foreach (var path in System.IO.Directory.EnumerateFiles(directory, "*.y*ml").Order(StringComparer.Ordinal))
            {
                hash.AppendData(Encoding.UTF8.GetBytes(Path.GetFileName(path) + "\n"));
                try
                {
                    hash.AppendData(File.ReadAllBytes(path));
                }
                catch (IOException)
                {
                    hash.AppendData("unreadable"u8);
                }
            }
        }

        return Convert.ToHexString(hash.GetHashAndReset());
    }

    private sealed record State(RuleBase RuleBase, string Fingerprint, DateTimeOffset LoadedAt, string? LastError, int Version);
}
