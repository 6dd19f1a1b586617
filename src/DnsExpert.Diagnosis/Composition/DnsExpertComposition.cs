using DnsExpert.Contract;
using DnsExpert.Diagnosis.Application;
using DnsExpert.Diagnosis.FactBuilding;
using DnsExpert.Engine.RuleBases;
using DnsExpert.Engine.Sessions;
using DnsExpert.History;
using DnsExpert.Readers.Collection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DnsExpert.Diagnosis.Composition;

/// <summary>
/// The one composition root: DnsExpert's object graph (the rule base, the engine, the log-scan stage, the diagnosis, the
/// application service) built in code from <see cref="CompositionInputs"/>, each part once, when first asked for. The
/// server's container registration delegates to it (<see cref="DiagnosisServiceCollectionExtensions.AddDnsExpertDiagnosis(Microsoft.Extensions.DependencyInjection.IServiceCollection, Func{IServiceProvider, string})"/>),
/// the CLI and the tests use it directly: a one-shot CLI run composed through a reflection container paid 0.2 s for it
/// (BENCHMARKS.md), so nothing here needs one.
/// </summary>
public sealed class DnsExpertComposition(CompositionInputs inputs)
{
    private readonly Lazy<DirectoryRuleBaseProvider> _ruleBase = new(() => new DirectoryRuleBaseProvider(inputs.RulesDirectory(), inputs.Time));
    private readonly Lazy<LogScanScheduler> _logScans = new(() => new LogScanScheduler());
    private RuleEngine? _engine;
    private IDiagnosisService? _diagnoses;
    private DiagnosisWorkflow? _workflow;

    /// <summary>What the graph is built from.</summary>
    public CompositionInputs Inputs { get; } = inputs;

    /// <summary>The rule base of <see cref="CompositionInputs.RulesDirectory"/>, located and compiled when first asked for (reloadable).</summary>
    /// <exception cref="Engine.RuleFiles.RuleFileException">A rule file is broken (file, line and reason).</exception>
    public DirectoryRuleBaseProvider RuleBase => _ruleBase.Value;

    /// <summary>The engine that runs fact sets against <see cref="RuleBase"/>.</summary>
    public RuleEngine Engine => LazyInitializer.EnsureInitialized(ref _engine, () => new RuleEngine(RuleBase));

    /// <summary>Scans the long logs of a request as it is read (the server's bodies, the CLI's request files).</summary>
    public LogScanScheduler LogScans => _logScans.Value;

    /// <summary>Collect, build facts, run the engine, respond.</summary>
    public IDiagnosisService Diagnoses => LazyInitializer.EnsureInitialized(ref _diagnoses,
        () => new DiagnosisService(Engine, Inputs.Time, Inputs.Collector, Inputs.Metrics, Inputs.Limits));

    /// <summary>The application service over <see cref="Diagnoses"/>: diagnose, store, refine, notify.</summary>
    public DiagnosisWorkflow Workflow => LazyInitializer.EnsureInitialized(ref _workflow, () => WorkflowOver(Diagnoses));

    /// <summary>
    /// The application service over another diagnosis than <see cref="Diagnoses"/> (the server's container lets a test
    /// put one in its place), with the history, notifier and queue of <see cref="Inputs"/>.
    /// </summary>
    public DiagnosisWorkflow WorkflowOver(IDiagnosisService diagnoses) => new(
        diagnoses, Inputs.History ?? NoHistory.Instance, Inputs.Async, Inputs.Time, Inputs.Logging.CreateLogger<DiagnosisWorkflow>(), Inputs.Notifier);

    /// <summary>No history (the CLI, or <c>DnsExpert:History:Provider=none</c> without one given).</summary>
    private sealed class NoHistory : IDiagnosisHistory
    {
        public static readonly NoHistory Instance = new();

        public IDiagnosisStore? Store => null;

        public string? Error => null;
    }
}

/// <summary>
/// What <see cref="DnsExpertComposition"/> builds the graph from: the rules directory, and what a host adds (the server:
/// its clock, limits, live collector, metrics, history, callbacks and queue options; the CLI: a collector, at most).
/// </summary>
/// <param name="RulesDirectory">
/// Locates the rule base's directory when the rule base is first built (a CLI run that stops at a bad request never
/// looks for it); may throw <see cref="DirectoryNotFoundException"/>.
/// </param>
public sealed record CompositionInputs(Func<string> RulesDirectory)
{
    /// <summary>Over the rule base in <paramref name="rulesDirectory"/>.</summary>
    public CompositionInputs(string rulesDirectory)
        : this(() => rulesDirectory)
    {
    }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Pasted output is read within these (the defaults when null).</summary>
    public RequestLimits? Limits { get; init; }

    /// <summary>Collects a snapshot when a request has none; null when no cluster is configured.</summary>
    public ILiveSnapshotCollector? Collector { get; init; }

    public DiagnosisMetrics? Metrics { get; init; }

    /// <summary>Where diagnoses are kept; null keeps none.</summary>
    public IDiagnosisHistory? History { get; init; }

    /// <summary>Tells a request's callback URL of its diagnosis; null sends none.</summary>
    public IDiagnosisNotifier? Notifier { get; init; }

    /// <summary>The queue of asynchronous diagnoses.</summary>
    public AsyncOptions Async { get; init; } = new();

    public ILoggerFactory Logging { get; init; } = NullLoggerFactory.Instance;
}
