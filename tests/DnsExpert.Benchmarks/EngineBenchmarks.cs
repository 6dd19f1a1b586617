using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using DnsExpert.Contract;
using DnsExpert.Diagnosis;
using DnsExpert.Engine.RuleBases;
using DnsExpert.Engine.Sessions;
using DnsExpert.Readers.Parsing;

namespace DnsExpert.Benchmarks;

/// <summary>The rule base compile (once per process) and a diagnosis session over the full knowledge base.</summary>
[MemoryDiagnoser]
public class EngineBenchmarks
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private string _rules = "";
    private DiagnosisService _service = null!;
    private DiagnosisRequest _sick = null!;
    private DiagnosisRequest _autopath = null!;
    private string _log = "";

    [GlobalSetup]
    public void Setup()
    {
        var root = Program.FindRoot();
        _rules = Path.Combine(root, "rules");
        _service = new DiagnosisService(new RuleEngine(new DirectoryRuleBaseProvider(_rules)), TimeProvider.System);
        _sick = JsonSerializer.Deserialize<DiagnosisRequest>(File.ReadAllText(Path.Combine(root, "src", "DnsExpert.Api", "Samples", "sick-cluster.json")), Json)!;
        _autopath = JsonSerializer.Deserialize<DiagnosisRequest>(File.ReadAllText(Path.Combine(root, "src", "DnsExpert.Api", "Samples", "autopath-wrong-answers.json")), Json)!;
        var text = new StringBuilder();
        LargeSnapshot.LogText(text, new Random(3), 10_000, 5_000);
        _log = text.ToString();
    }

    [Benchmark(Description = "compile the rule base (32 rule files)")]
    public int CompileRuleBase() => new DirectoryRuleBaseProvider(_rules).Current.Rules.Count;

    [Benchmark(Description = "diagnose sick-cluster (session per diagnosis)")]
    public Task<DiagnosisResponse> DiagnoseSickCluster() => _service.DiagnoseAsync(_sick, CancellationToken.None);

    [Benchmark(Description = "diagnose autopath-wrong-answers")]
    public Task<DiagnosisResponse> DiagnoseAutopath() => _service.DiagnoseAsync(_autopath, CancellationToken.None);

    [Benchmark(Description = "scan 10,000 CoreDNS log lines (the fact builder's path)")]
    public int ScanLog() => CoreDnsLogScanner.Scan(_log).FailedQueries.Count;

    [Benchmark(Description = "parse 10,000 CoreDNS log lines into records (line parser)")]
    public int ParseLog()
    {
        var n = 0;
        foreach (var record in CoreDnsLogParser.Parse(new StringReader(_log)))
        {
            n += (int)record.Kind;
        }

        return n;
    }
}
