using System.CommandLine;
using System.CommandLine.Parsing;
using DnsExpert.Rendering;

namespace DnsExpert.Cli;

/// <summary>What <c>dnsexpert diagnose</c> was given, read from its command line (<see cref="DiagnoseOptions"/>).</summary>
internal sealed record DiagnoseArguments(
    FileInfo? Request, DirectoryInfo? Dump, string? Pod, string? Namespace, string? Domain, string? Error, string? Frequency,
    string[] Add, string? Command, string? From, FileInfo? Kubeconfig, string? Context, bool NoProbe,
    string Format, string Color, string Checks, DirectoryInfo? Rules)
{
    /// <summary>Offline, from what the user has: the symptom and the output of checks already run (<c>--add</c>), no request file nor dump.</summary>
    public bool FromSymptom => Request is null && Dump is null && (Pod is null || Add.Length > 0);
}

/// <summary>
/// The options of <c>dnsexpert diagnose</c>, what may go with what (<see cref="Validate"/>: options that would be silently
/// ignored are refused, naming what to do instead), and the values they were given (<see cref="Read"/>).
/// </summary>
internal sealed class DiagnoseOptions
{
    private readonly Option<FileInfo?> _request = new("--request", "-r") { Description = "A diagnosis request (the JSON body of POST /api/v1/diagnoses)." };
    private readonly Option<DirectoryInfo?> _dump = new("--dump") { Description = "The output directory of `kubectl cluster-info dump --all-namespaces --output-directory DIR`." };
    private readonly Option<string?> _pod = new("--pod") { Description = "The pod that cannot resolve, as NAMESPACE/NAME (or NAME with -n): diagnosed live from the kubeconfig, or found in --dump; with --error or --add, the pod the symptom and the pasted output are about." };
    private readonly Argument<string?> _podArgument = new("pod")
    {
        Description = "The pod, as --pod takes it (kubectl's way: dnsexpert diagnose web-0 -n shop).", Arity = ArgumentArity.ZeroOrOne,
    };
    private readonly Option<string?> _namespace = new("--namespace", "-n") { Description = "The pod's namespace, when the pod is given as NAME (default: the kubeconfig context's namespace when live, else default)." };
    private readonly Option<string?> _domain = new("--domain", "--name") { Description = "The name that fails to resolve (with --dump, or alone)." };
    private readonly Option<string?> _message = new("--error") { Description = "The client's error message, verbatim (with --dump, or alone: a symptom-only diagnosis and the checks to run next)." };
    private readonly Option<string?> _frequency = new("--frequency") { Description = "always, peak, often, rarely or scaling (with --dump, or alone)." };
    private readonly Option<string[]> _add = new("--add")
    {
        Description = "A file with the output of a command to add as evidence (repeat; '-' reads standard input). Its first line may be '$ COMMAND'; a whole terminal session (prompts, and the shells kubectl exec -it opened) is split command by command. Never run.",
    };
    private readonly Option<string?> _pastedCommand = new("--command") { Description = "The command the --add outputs are the output of, when their first line is not '$ COMMAND'." };
    private readonly Option<string?> _from = new("--from") { Description = "Where the --add commands ran: NAMESPACE/POD or node/NAME (default: --pod)." };
    private readonly Option<FileInfo?> _kubeconfig = new("--kubeconfig") { Description = "Kubeconfig for live collection (default: $KUBECONFIG or ~/.kube/config)." };
    private readonly Option<string?> _context = new("--context") { Description = "Kubeconfig context for live collection (default: the current context)." };
    private readonly Option<bool> _noProbe = new("--no-probe") { Description = "Do not run active DNS probes during live collection." };
    private readonly Option<string> _format = new("--output", "-o")
    {
        Description = "auto, " + string.Join(", ", DiagnosisFormats.All.Select(f => $"{f.Name} ({f.Summary})"))
            + "; auto is markdown in a terminal, json when piped.",
        DefaultValueFactory = _ => "auto",
    };
    private readonly Option<string> _color = new("--color") { Description = "Colour the markdown report: auto (in a terminal, unless NO_COLOR is set), always or never.", DefaultValueFactory = _ => "auto" };
    private readonly Option<string> _checks = new("--checks") { Description = "The next checks in the markdown report: the first three, which decide the most, or all.", DefaultValueFactory = _ => "first" };
    private readonly Option<DirectoryInfo?> _rules = DnsExpertCli.RulesOption();

    public DiagnoseOptions()
    {
        _frequency.AcceptOnlyFromAmong("always", "peak", "often", "rarely", "scaling");
        _format.AcceptOnlyFromAmong(["auto", .. DiagnosisFormats.All.Select(f => f.Name)]);
        _color.AcceptOnlyFromAmong("auto", "always", "never");
        _checks.AcceptOnlyFromAmong("first", "all");
    }

    /// <summary>Adds the pod argument and the options to <paramref name="command"/>, in the order the help lists them.</summary>
    public void AddTo(Command command)
    {
        command.Arguments.Add(_podArgument);
        foreach (var option in new Option[] { _request, _dump, _pod, _namespace, _domain, _message, _frequency, _add, _pastedCommand, _from, _kubeconfig, _context, _noProbe, _format, _color, _checks, _rules })
        {
            command.Options.Add(option);
        }
    }

    public DiagnoseArguments Read(ParseResult parse) => new(
        parse.GetValue(_request), parse.GetValue(_dump), parse.GetValue(_pod) ?? parse.GetValue(_podArgument), parse.GetValue(_namespace),
        parse.GetValue(_domain), parse.GetValue(_message), parse.GetValue(_frequency), parse.GetValue(_add) ?? [], parse.GetValue(_pastedCommand),
        parse.GetValue(_from), parse.GetValue(_kubeconfig), parse.GetValue(_context), parse.GetValue(_noProbe),
        parse.GetValue(_format)!, parse.GetValue(_color)!, parse.GetValue(_checks)!, parse.GetValue(_rules));

    public void Validate(CommandResult result)
    {
        string? PodOf() => result.GetValue(_pod) ?? result.GetValue(_podArgument);
        var sources = (result.GetValue(_request) is null ? 0 : 1) + (result.GetValue(_dump) is null ? 0 : 1);
        var offline = result.GetValue(_message) is not null || result.GetValue(_add) is { Length: > 0 };
        if (result.GetValue(_pod) is not null && result.GetValue(_podArgument) is not null)
        {
            result.AddError("Give the pod once: as the argument (kubectl's way) or as --pod.");
        }

        if (result.GetValue(_namespace) is { } ns && PodOf() is { } named && named.Contains('/', StringComparison.Ordinal)
            && !named.StartsWith(ns + "/", StringComparison.Ordinal))
        {
            result.AddError($"-n {ns} and the pod's own namespace ({named[..named.IndexOf('/', StringComparison.Ordinal)]}) disagree; give one.");
        }

        if (result.GetValue(_namespace) is not null && PodOf() is null)
        {
            result.AddError("-n/--namespace is the pod's namespace; give the pod too (dnsexpert diagnose POD -n NAMESPACE).");
        }

        if (sources > 1 || (sources == 0 && PodOf() is null && !offline))
        {
            result.AddError("Give exactly one of --request FILE, --dump DIR, or --pod NAMESPACE/NAME (live, from the kubeconfig); or --error MESSAGE and --add FILE "
                + "alone to diagnose from the symptom and pasted command output.");
        }

        if (result.GetValue(_add) is { Length: > 0 } && result.GetValue(_dump) is not null)
        {
            result.AddError("--add goes with --request FILE or --error MESSAGE, not with --dump.");
        }

        if (result.GetValue(_add) is { } files && files.Count(f => f == "-") > 1)
        {
            result.AddError("--add - (standard input) can be given once.");
        }

        // Options that would be silently ignored are refused, naming what to do instead.
        if (result.GetValue(_request) is not null)
        {
            var carried = new[] { ("--pod", PodOf()), ("--domain", result.GetValue(_domain)), ("--error", result.GetValue(_message)), ("--frequency", result.GetValue(_frequency)) }
                .Where(o => o.Item2 is not null).Select(o => o.Item1).ToList();
            if (carried.Count > 0)
            {
                result.AddError($"{string.Join(", ", carried)}: --request FILE carries its own target, name and symptom; edit the file, or drop --request and give them alone.");
            }
        }

        var live = sources == 0 && PodOf() is not null && result.GetValue(_add) is not { Length: > 0 };
        if ((result.GetValue(_kubeconfig) is not null || result.GetValue(_context) is not null || result.GetValue(_noProbe)) && !live)
        {
            result.AddError("--kubeconfig, --context and --no-probe are for live collection (--pod without --request, --dump or --add); they would do nothing here.");
        }

        if ((result.GetValue(_pastedCommand) is not null || result.GetValue(_from) is not null) && result.GetValue(_add) is not { Length: > 0 })
        {
            result.AddError("--command and --from describe --add outputs; give the output with --add FILE (or --add - for standard input).");
        }
    }
}
