using System.CommandLine;
using System.Text.Json;
using DnsExpert.Api.Hosting;
using DnsExpert.Collectors.Dump;
using DnsExpert.Collectors.Node;
using DnsExpert.Contract;
using DnsExpert.Diagnosis;
using DnsExpert.Diagnosis.FactBuilding;
using DnsExpert.Engine.RuleBases;
using DnsExpert.Engine.RuleFiles;
using DnsExpert.Engine.Sessions;
using DnsExpert.NodeAgent;
using DnsExpert.Readers.Classification;
using DnsExpert.Readers.Collection;
using DnsExpert.Rendering;
using DnsExpert.Rendering.Escaping;
using Microsoft.Extensions.Hosting;

namespace DnsExpert.Cli;

/// <summary>The <c>dnsexpert</c> command: diagnose a request file, lint or list the rule base, serve the API.</summary>
public static class DnsExpertCli
{
    /// <summary>Exit codes scripts can rely on.</summary>
    public static class ExitCodes
    {
        public const int Ok = 0;
        public const int BadInput = 1;
        public const int CriticalFinding = 2;
    }

    private static readonly RequestLimits Limits = new();

    /// <summary>The service's own reading rules: a request file the CLI accepts is one the API accepts.</summary>
    private static readonly JsonSerializerOptions ReadJson = RequestJson.CreateOptions(Limits, maxDepth: 64);
    /// <summary>Scans the long logs of a request file as it is read, as the service does.</summary>
    private static readonly LogScanScheduler LogScans = new();
    private static readonly JsonSerializerOptions WriteJson = JsonText.ForResponses(new(JsonSerializerDefaults.Web) { WriteIndented = true });

    public static Task<int> Main(string[] args) => RunAsync(args, Console.In, Console.Out, Console.Error, new Terminal(!Console.IsOutputRedirected, !Console.IsErrorRedirected));

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error) => RunAsync(args, output, error, new Terminal(false, false));

    /// <summary>With <paramref name="input"/> as standard input (<c>--add -</c>).</summary>
    public static Task<int> RunAsync(string[] args, TextReader input, TextWriter output, TextWriter error) => RunAsync(args, input, output, error, new Terminal(false, false));

    /// <summary>Whether standard output and standard error are terminals (colour, live progress).</summary>
    public sealed record Terminal(bool Output, bool Error);

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, Terminal terminal) => RunAsync(args, TextReader.Null, output, error, terminal);

    public static async Task<int> RunAsync(string[] args, TextReader input, TextWriter output, TextWriter error, Terminal terminal)
    {
        var root = new RootCommand("DnsExpert: diagnoses DNS failures in Kubernetes clusters and says, with evidence, what is wrong and how to fix it.");
        root.Subcommands.Add(DiagnoseCommand(input, output, error, terminal));
        root.Subcommands.Add(RulesCommand(output, error));
        root.Subcommands.Add(ClassifyCommand(input, output, error, terminal));
        root.Subcommands.Add(ServeCommand(error));
        root.Subcommands.Add(AgentCommand(error));
        root.Subcommands.Add(ApiKeyCommand(output));
        var parse = root.Parse(args);
        return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
    }

    private static Command ApiKeyCommand(TextWriter output)
    {
        var name = new Argument<string>("name") { Description = "Who the key is for (a bot, a ticketing integration); appears in logs and rate limits." };
        var create = new Command("new", "Make a random API key: prints the key (give it to the caller) and the NAME:SHA256 line for the keys Secret.") { name };
        create.Validators.Add(result =>
        {
            var value = result.GetValue(name);
            if (string.IsNullOrEmpty(value) || value.Length > 63 || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                result.AddError("NAME must be 1-63 characters of letters, digits, '-', '_' or '.'.");
            }
        });
        create.SetAction(async (parse, _) =>
        {
            var (key, line) = Api.Security.ApiKeyStore.NewKey(parse.GetValue(name)!);
            await output.WriteLineAsync($"key:  {key}");
            await output.WriteLineAsync($"line: {line}");
            await output.WriteLineAsync("Add the line to the file in the dnsexpert-api-keys Secret; only the caller keeps the key.");
            return ExitCodes.Ok;
        });
        return new Command("apikey", "Manage API keys.") { create };
    }

    private static Option<DirectoryInfo?> RulesOption() => new("--rules")
    {
        Description = "Rule base directory (default: the nearest rules/ above the current directory or the binary).",
    };

    private static Command DiagnoseCommand(TextReader input, TextWriter output, TextWriter error, Terminal terminal)
    {
        var request = new Option<FileInfo?>("--request", "-r") { Description = "A diagnosis request (the JSON body of POST /api/v1/diagnoses)." };
        var dump = new Option<DirectoryInfo?>("--dump") { Description = "The output directory of `kubectl cluster-info dump --all-namespaces --output-directory DIR`." };
        var pod = new Option<string?>("--pod") { Description = "The pod that cannot resolve, as NAMESPACE/NAME (or NAME with -n): diagnosed live from the kubeconfig, or found in --dump; with --error or --add, the pod the symptom and the pasted output are about." };
        var podArgument = new Argument<string?>("pod")
        {
            Description = "The pod, as --pod takes it (kubectl's way: dnsexpert diagnose web-0 -n shop).", Arity = ArgumentArity.ZeroOrOne,
        };
        var podNamespace = new Option<string?>("--namespace", "-n") { Description = "The pod's namespace, when the pod is given as NAME (default: the kubeconfig context's namespace when live, else default)." };
        string? Pod(ParseResult result) => result.GetValue(pod) ?? result.GetValue(podArgument);
        string? PodOf(System.CommandLine.Parsing.CommandResult result) => result.GetValue(pod) ?? result.GetValue(podArgument);
        var domain = new Option<string?>("--domain", "--name") { Description = "The name that fails to resolve (with --dump, or alone)." };
        var message = new Option<string?>("--error") { Description = "The client's error message, verbatim (with --dump, or alone: a symptom-only diagnosis and the checks to run next)." };
        var frequency = new Option<string?>("--frequency") { Description = "always, peak, often, rarely or scaling (with --dump, or alone)." };
        var add = new Option<string[]>("--add")
        {
            Description = "A file with the output of a command to add as evidence (repeat; '-' reads standard input). Its first line may be '$ COMMAND'; a whole terminal session (prompts, and the shells kubectl exec -it opened) is split command by command. Never run.",
        };
        var pastedCommand = new Option<string?>("--command") { Description = "The command the --add outputs are the output of, when their first line is not '$ COMMAND'." };
        var from = new Option<string?>("--from") { Description = "Where the --add commands ran: NAMESPACE/POD or node/NAME (default: --pod)." };
        frequency.AcceptOnlyFromAmong("always", "peak", "often", "rarely", "scaling");
        var kubeconfig = new Option<FileInfo?>("--kubeconfig") { Description = "Kubeconfig for live collection (default: $KUBECONFIG or ~/.kube/config)." };
        var context = new Option<string?>("--context") { Description = "Kubeconfig context for live collection (default: the current context)." };
        var noProbe = new Option<bool>("--no-probe") { Description = "Do not run active DNS probes during live collection." };
        var format = new Option<string>("--output", "-o") { Description = "markdown or json (default: markdown in a terminal, json when piped).", DefaultValueFactory = _ => "auto" };
        format.AcceptOnlyFromAmong("auto", "json", "markdown");
        var color = new Option<string>("--color") { Description = "Colour the markdown report: auto (in a terminal, unless NO_COLOR is set), always or never.", DefaultValueFactory = _ => "auto" };
        color.AcceptOnlyFromAmong("auto", "always", "never");
        var checks = new Option<string>("--checks") { Description = "The next checks in the markdown report: the first three, which decide the most, or all.", DefaultValueFactory = _ => "first" };
        checks.AcceptOnlyFromAmong("first", "all");
        var rules = RulesOption();
        var command = new Command("diagnose", "Diagnose a pod live (--pod), a request file (--request) or a cluster-info dump (--dump); exits 2 when a critical finding fires.")
        {
            podArgument, request, dump, pod, podNamespace, domain, message, frequency, add, pastedCommand, from, kubeconfig, context, noProbe, format, color, checks, rules,
        };
        command.Validators.Add(result =>
        {
            var sources = (result.GetValue(request) is null ? 0 : 1) + (result.GetValue(dump) is null ? 0 : 1);
            var offline = result.GetValue(message) is not null || result.GetValue(add) is { Length: > 0 };
            if (result.GetValue(pod) is not null && result.GetValue(podArgument) is not null)
            {
                result.AddError("Give the pod once: as the argument (kubectl's way) or as --pod.");
            }

            if (result.GetValue(podNamespace) is { } ns && PodOf(result) is { } named && named.Contains('/', StringComparison.Ordinal)
                && !named.StartsWith(ns + "/", StringComparison.Ordinal))
            {
                result.AddError($"-n {ns} and the pod's own namespace ({named[..named.IndexOf('/', StringComparison.Ordinal)]}) disagree; give one.");
            }

            if (result.GetValue(podNamespace) is not null && PodOf(result) is null)
            {
                result.AddError("-n/--namespace is the pod's namespace; give the pod too (dnsexpert diagnose POD -n NAMESPACE).");
            }

            if (sources > 1 || (sources == 0 && PodOf(result) is null && !offline))
            {
                result.AddError("Give exactly one of --request FILE, --dump DIR, or --pod NAMESPACE/NAME (live, from the kubeconfig); or --error MESSAGE and --add FILE "
                    + "alone to diagnose from the symptom and pasted command output.");
            }

            if (result.GetValue(add) is { Length: > 0 } && result.GetValue(dump) is not null)
            {
                result.AddError("--add goes with --request FILE or --error MESSAGE, not with --dump.");
            }

            if (result.GetValue(add) is { } files && files.Count(f => f == "-") > 1)
            {
                result.AddError("--add - (standard input) can be given once.");
            }

            // Options that would be silently ignored are refused, naming what to do instead.
            if (result.GetValue(request) is not null)
            {
                var carried = new[] { ("--pod", PodOf(result)), ("--domain", result.GetValue(domain)), ("--error", result.GetValue(message)), ("--frequency", result.GetValue(frequency)) }
                    .Where(o => o.Item2 is not null).Select(o => o.Item1).ToList();
                if (carried.Count > 0)
                {
                    result.AddError($"{string.Join(", ", carried)}: --request FILE carries its own target, name and symptom; edit the file, or drop --request and give them alone.");
                }
            }

            var live = sources == 0 && PodOf(result) is not null && result.GetValue(add) is not { Length: > 0 };
            if ((result.GetValue(kubeconfig) is not null || result.GetValue(context) is not null || result.GetValue(noProbe)) && !live)
            {
                result.AddError("--kubeconfig, --context and --no-probe are for live collection (--pod without --request, --dump or --add); they would do nothing here.");
            }

            if ((result.GetValue(pastedCommand) is not null || result.GetValue(from) is not null) && result.GetValue(add) is not { Length: > 0 })
            {
                result.AddError("--command and --from describe --add outputs; give the output with --add FILE (or --add - for standard input).");
            }
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            DiagnosisRequest? body;
            string origin;
            ILiveSnapshotCollector? collector = null;
            string? contextNamespace = null;
            if (parse.GetValue(request) is { } file)
            {
                origin = file.FullName;
                (body, var problem) = await ReadRequest(file, cancellationToken);
                if (problem is not null)
                {
                    await error.WriteLineAsync(problem);
                    return ExitCodes.BadInput;
                }
            }
            else if (parse.GetValue(dump) is null && (Pod(parse) is null || parse.GetValue(add) is { Length: > 0 }))
            {
                // Offline, from what the user has: the symptom, and the output of checks already run (--add).
                origin = "symptom";
                body = new DiagnosisRequest
                {
                    Target = Pod(parse) is { } p ? ParseTarget(p, parse.GetValue(podNamespace)) : null,
                    Domain = parse.GetValue(domain),
                    Symptom = new Symptom { ErrorMessage = parse.GetValue(message), Frequency = ParseFrequency(parse.GetValue(frequency)) },
                };
            }
            else
            {
                if (parse.GetValue(dump) is { } directory)
                {
                    origin = directory.FullName;
                    if (!directory.Exists)
                    {
                        await error.WriteLineAsync($"{origin}: no such directory (expected the output of kubectl cluster-info dump --output-directory)");
                        return ExitCodes.BadInput;
                    }

                    collector = new DumpSnapshotCollector(directory.FullName);
                }
                else
                {
                    origin = "live cluster";
                    try
                    {
                        (collector, contextNamespace) = LiveCollector(parse.GetValue(kubeconfig), parse.GetValue(context), error, terminal.Error);
                    }
                    catch (Exception ex) when (ex is k8s.Exceptions.KubeConfigException or FileNotFoundException or IOException)
                    {
                        await error.WriteLineAsync($"cannot use the kubeconfig: {ex.Message}");
                        return ExitCodes.BadInput;
                    }
                }

                var target = Pod(parse) is { } p ? ParseTarget(p, parse.GetValue(podNamespace) ?? contextNamespace) : null;
                body = new DiagnosisRequest
                {
                    Target = target,
                    Domain = parse.GetValue(domain),
                    Symptom = new Symptom { ErrorMessage = parse.GetValue(message), Frequency = ParseFrequency(parse.GetValue(frequency)) },
                    Options = new DiagnosisOptions { Probe = !parse.GetValue(noProbe) },
                };
            }

            if (parse.GetValue(add) is { Length: > 0 } pasted)
            {
                var where = parse.GetValue(from) ?? (body!.Target is { Pod: { } targetPod } t ? $"{t.Namespace ?? "default"}/{targetPod}" : null);
                var (evidence, unreadable) = await ReadPasted(pasted, input, parse.GetValue(pastedCommand), where, cancellationToken);
                if (unreadable is not null)
                {
                    await error.WriteLineAsync(unreadable);
                    return ExitCodes.BadInput;
                }

                // Named as the command line names them: the request file's own outputs by index, each added one by its --add.
                body = evidence!.AppendTo(body!, i => $"snapshot.outputs[{i}]", i => $"--add {pasted[i]}");
            }

            var problems = RequestValidator.Validate(body!, Limits);
            if (problems.Count > 0)
            {
                foreach (var (field, messages) in problems)
                {
                    await error.WriteLineAsync($"{origin}: {field}: {string.Join("; ", messages)}");
                }

                return ExitCodes.BadInput;
            }

            DiagnosisResponse response;
            try
            {
                var service = new DiagnosisService(new RuleEngine(new DirectoryRuleBaseProvider(LocateRules(parse.GetValue(rules)))), TimeProvider.System, collector);
                response = await service.DiagnoseAsync(body!, cancellationToken);
            }
            catch (LiveCollectionUnavailableException ex)
            {
                await error.WriteLineAsync($"{origin}: {ex.Message}");
                return ExitCodes.BadInput;
            }
            catch (Exception ex) when (ex is RuleFileException or DirectoryNotFoundException)
            {
                await error.WriteLineAsync(ex.Message);
                return ExitCodes.BadInput;
            }

            var markdown = parse.GetValue(format) switch { "markdown" => true, "json" => false, _ => terminal.Output };
            var allChecks = parse.GetValue(checks) == "all";
            await output.WriteLineAsync(!markdown
                ? JsonSerializer.Serialize(response, WriteJson)
                : TerminalReport.UseColor(parse.GetValue(color)!, terminal.Output)
                    ? TerminalReport.Colorize(MarkdownReport.Render(response, allChecks))
                    : MarkdownReport.Render(response, allChecks));
            return response.Findings.Any(f => f.Severity == Severity.Critical) ? ExitCodes.CriticalFinding : ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<(DiagnosisRequest? Request, string? Problem)> ReadRequest(FileInfo file, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = file.OpenRead();
            var body = await LogScans.ReadAsync<DiagnosisRequest>(stream, ReadJson, Limits, cancellationToken);
            return body is null ? (null, $"{file.FullName}: the file holds no JSON object") : (body, null);
        }
        catch (JsonException ex)
        {
            var path = ex.Path is { } p && p.StartsWith("$.", StringComparison.Ordinal) ? p[2..] : ex.Path;
            return (null, $"{file.FullName}:{(ex.LineNumber ?? 0) + 1}: {path}: invalid JSON or wrong type ({FirstSentence(ex.Message)})");
        }
        catch (RequestLimitException ex)
        {
            return (null, $"{file.FullName}: {ex.Field}: {ex.Message}");
        }
        catch (IOException ex)
        {
            return (null, $"{file.FullName}: cannot read: {ex.Message}");
        }
    }

    /// <summary>The <c>--add</c> files (and standard input for <c>-</c>) as evidence; the first problem stops the reading.</summary>
    private static async Task<(EvidenceRequest? Evidence, string? Problem)> ReadPasted(
        string[] files, TextReader input, string? command, string? from, CancellationToken cancellationToken)
    {
        if (files.Length > Limits.MaxOutputs)
        {
            return (null, $"--add: {files.Length} outputs; at most {Limits.MaxOutputs} are accepted");
        }

        var outputs = new List<CommandOutput>();
        foreach (var file in files)
        {
            try
            {
                using var reader = file == "-" ? null : new StreamReader(file);
                var (output, problem) = await PastedOutputFile.ReadAsync(reader ?? input, file == "-" ? "standard input" : file, command, from, cancellationToken);
                if (output is null)
                {
                    return (null, problem);
                }

                outputs.Add(output);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return (null, $"{file}: cannot read: {ex.Message}");
            }
        }

        return (new EvidenceRequest { Outputs = outputs }, null);
    }

    /// <summary>A collector for the cluster of a kubeconfig, reporting each collector's progress on stderr.</summary>
    /// <summary>The live collector for the kubeconfig's context, and that context's namespace (kubectl's default for a pod NAME).</summary>
    private static (ProgressCollector Collector, string? Namespace) LiveCollector(FileInfo? kubeconfig, string? context, TextWriter progress, bool live)
    {
        var config = k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig?.FullName, context);
        var options = Microsoft.Extensions.Options.Options.Create(new Collectors.Kubernetes.ClusterOptions { Enabled = true });
        var prober = new Collectors.Probes.DnsProber(Microsoft.Extensions.Options.Options.Create(new Collectors.Probes.ProbeOptions()), TimeProvider.System);
        var inner = new Collectors.Kubernetes.KubernetesSnapshotCollector(new k8s.Kubernetes(config), options, TimeProvider.System, prober: prober);
        return (new ProgressCollector(inner, config.Host ?? "the cluster", progress, live), config.Namespace);
    }

    /// <summary>Says what is being collected and how each source went, for a person waiting at a terminal.</summary>
    private sealed class ProgressCollector(ILiveSnapshotCollector inner, string cluster, TextWriter progress, bool live) : ILiveSnapshotCollector
    {
        public async Task<CollectedSnapshot> CollectAsync(TargetRef? target, string? domain, bool probe, CancellationToken cancellationToken)
        {
            await progress.WriteLineAsync($"collecting from {cluster} ...");
            var collecting = inner.CollectAsync(target, domain, probe, cancellationToken);
            if (live)
            {
                // A ticking line on a terminal while the collectors (and probes) run; erased when they are done.
                var started = System.Diagnostics.Stopwatch.StartNew();
                while (await Task.WhenAny(collecting, Task.Delay(250, CancellationToken.None)) != collecting)
                {
                    await progress.WriteAsync($"\r  {"|/-\\"[(int)(started.ElapsedMilliseconds / 250) % 4]} reading pods, CoreDNS, logs, nodes{(probe ? " and probing DNS" : "")} ... {started.Elapsed.TotalSeconds:0}s");
                }

                await progress.WriteAsync("\r\u001b[K");
            }

            var collected = await collecting;
            foreach (var entry in collected.Collection)
            {
                var mark = entry.Status == CollectionStatus.Ok ? "ok" : entry.Status.ToString().ToLowerInvariant();
                await progress.WriteLineAsync($"  {mark,-9} {entry.Source}{(entry.DurationMs is { } ms ? $" ({ms:0} ms)" : "")}{(entry.Status == CollectionStatus.Ok ? "" : ": " + entry.Detail)}");
            }

            return collected;
        }
    }

    /// <summary>NAMESPACE/NAME, or NAME in the default namespace.</summary>
    /// <summary>A pod as NAMESPACE/NAME, or NAME in <paramref name="ns"/> (kubectl's <c>-n</c>, or the context's), else in <c>default</c>.</summary>
    private static TargetRef ParseTarget(string value, string? ns)
    {
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? new TargetRef { Namespace = ns ?? "default", Pod = value } : new TargetRef { Namespace = value[..slash], Pod = value[(slash + 1)..] };
    }

    private static Frequency? ParseFrequency(string? value) => value switch
    {
        "always" => Frequency.Always,
        "peak" => Frequency.Peak,
        "often" => Frequency.Often,
        "rarely" => Frequency.Rarely,
        "scaling" => Frequency.Scaling,
        _ => null,
    };

    /// <summary>
    /// <c>dnsexpert classify MESSAGE</c> (or <c>-</c> for standard input): what the client's error message means, as
    /// <c>POST /api/v1/classify</c> answers it: the name does not exist, the server is unreachable, or either.
    /// </summary>
    private static Command ClassifyCommand(TextReader input, TextWriter output, TextWriter error, Terminal terminal)
    {
        var message = new Argument<string>("message") { Description = "The client's error message, verbatim ('-' reads it from standard input)." };
        var format = new Option<string>("--output", "-o") { Description = "text or json (default: text in a terminal, json when piped).", DefaultValueFactory = _ => "auto" };
        format.AcceptOnlyFromAmong("auto", "json", "text");
        var command = new Command("classify", "Say what a client's DNS error message means: the name does not exist, the DNS server is unreachable, or either.") { message, format };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var text = parse.GetValue(message)!;
            if (text == "-")
            {
                var buffer = new char[Limits.MaxErrorMessageLength + 1];
                var read = await input.ReadBlockAsync(buffer, cancellationToken);
                text = new string(buffer, 0, read);
            }

            if (string.IsNullOrWhiteSpace(text) || text.Length > Limits.MaxErrorMessageLength)
            {
                await error.WriteLineAsync(string.IsNullOrWhiteSpace(text)
                    ? "classify: give the client's error message (or '-' to read it from standard input)"
                    : $"classify: the message is longer than {Limits.MaxErrorMessageLength} characters");
                return ExitCodes.BadInput;
            }

            var result = SymptomClassifier.Classify(text.Trim());
            if (parse.GetValue(format) is "json" || (parse.GetValue(format) is "auto" && !terminal.Output))
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(result, WriteJson));
                return ExitCodes.Ok;
            }

            // Parts of the message are shown back: control characters as carets, as the terminal report does.
            var lines = new List<string> { $"class: {JsonSerializer.Serialize(result.Class, WriteJson).Trim('"')}" };
            lines.AddRange(new[] { ("name", result.Name), ("server", result.Server), ("client", result.Client) }
                .Where(p => p.Item2 is not null).Select(p => $"{p.Item1}: {TerminalReport.Sanitize(p.Item2!)}"));
            lines.Add(TerminalReport.Sanitize(result.Explanation));
            await output.WriteLineAsync(string.Join('\n', lines));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command RulesCommand(TextWriter output, TextWriter error)
    {
        var directory = new Argument<DirectoryInfo?>("dir") { Description = "Rule directory (default: the nearest rules/).", Arity = ArgumentArity.ZeroOrOne };
        var lint = new Command("lint", "Validate a rule base: every error as file:line:column: reason.") { directory };
        lint.SetAction(async (parse, _) =>
        {
            string dir;
            try
            {
                dir = LocateRules(parse.GetValue(directory));
            }
            catch (DirectoryNotFoundException ex)
            {
                await error.WriteLineAsync(ex.Message);
                return ExitCodes.BadInput;
            }

            var errors = RuleBaseLoader.Lint(dir, out var count);
            foreach (var e in errors)
            {
                await error.WriteLineAsync(e.ToString());
            }

            if (errors.Count > 0)
            {
                await error.WriteLineAsync($"{errors.Count} error(s) in {dir}");
                return ExitCodes.BadInput;
            }

            await output.WriteLineAsync($"{count} rules OK ({dir})");
            return ExitCodes.Ok;
        });

        var listDirectory = new Argument<DirectoryInfo?>("dir") { Description = "Rule directory (default: the nearest rules/).", Arity = ArgumentArity.ZeroOrOne };
        var list = new Command("list", "List the rules of the knowledge base.") { listDirectory };
        list.SetAction(async (parse, _) =>
        {
            try
            {
                var ruleBase = RuleBaseLoader.Load(LocateRules(parse.GetValue(listDirectory)));
                foreach (var rule in RuleCatalog.List(ruleBase))
                {
                    await output.WriteLineAsync($"{rule.Id,-42} {rule.Severity.ToString().ToLowerInvariant(),-8} {rule.Title}");
                }

                return ExitCodes.Ok;
            }
            catch (Exception ex) when (ex is RuleFileException or DirectoryNotFoundException)
            {
                await error.WriteLineAsync(ex.Message);
                return ExitCodes.BadInput;
            }
        });

        return new Command("rules", "Work with the rule base.") { lint, list };
    }

    private static Command ServeCommand(TextWriter error)
    {
        var urls = new Option<string?>("--urls") { Description = "Addresses to listen on (default http://localhost:5000, or ASPNETCORE_URLS)." };
        var command = new Command("serve", "Run the REST API (Swagger UI at /swagger).") { urls };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, cancellationToken) =>
        {
            var hostArgs = parse.UnmatchedTokens.ToList();
            if (parse.GetValue(urls) is { } u)
            {
                hostArgs.Add("--urls");
                hostArgs.Add(u);
            }

            // A broken rule file or setting is the user's to fix: said in one message (file, line and reason; the key at
            // fault), not as an unhandled exception's stack trace.
            Microsoft.AspNetCore.Builder.WebApplication? app = null;
            try
            {
                app = DnsExpertHost.Build([.. hostArgs]);
                await app.StartAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is Engine.RuleFiles.RuleFileException or Microsoft.Extensions.Options.OptionsValidationException)
            {
                await error.WriteLineAsync($"dnsexpert serve: {ex.Message}");
                if (app is not null)
                {
                    await app.DisposeAsync();
                }

                return ExitCodes.BadInput;
            }

            await using (app)
            {
                await app.WaitForShutdownAsync(cancellationToken);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command AgentCommand(TextWriter error)
    {
        var rootDir = new Option<DirectoryInfo>("--root") { Description = "Where the host's /proc, /etc and /var/log are mounted (default /host).", DefaultValueFactory = _ => new DirectoryInfo("/host") };
        var node = new Option<string?>("--node") { Description = "This node's name (default: $NODE_NAME from the downward API, else the host name)." };
        var urls = new Option<string>("--urls") { Description = "Addresses to listen on.", DefaultValueFactory = _ => "http://0.0.0.0:9154" };
        var tokenFile = new Option<FileInfo>("--token-file") { Description = "A file with the token the service must present on every call but /healthz (the dnsexpert-agent-token Secret).", Required = true };
        var allowCidr = new Option<string[]>("--allow-cidr") { Description = "A range probes may go to: the cluster's Service, pod and node CIDRs (repeat; default: the private ranges 10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7)." };
        var dnsPort = new Option<int[]>("--dns-port") { Description = "A port DNS probes may use (repeat; default 53). Add one only where CoreDNS pods listen elsewhere." };
        var command = new Command("agent", "Run the node agent: serves the node's conntrack, kernel log, TCP counters and resolv.conf to the service, and runs its node probes.") { rootDir, node, urls, tokenFile, allowCidr, dnsPort };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var name = NodeAgentHost.NodeName(parse.GetValue(node));
            var file = parse.GetValue(tokenFile)!;
            var token = NodeAgentHost.ReadToken(file.FullName);
            if (token.Length == 0)
            {
                await error.WriteLineAsync($"{file.FullName}: no token there; the agent answers only callers holding one (create the dnsexpert-agent-token Secret)");
                return ExitCodes.BadInput;
            }

            var scope = new AgentOptions { AllowedCidrs = [.. parse.GetValue(allowCidr) ?? []], DnsPorts = [.. parse.GetValue(dnsPort) ?? []] };
            Microsoft.AspNetCore.Builder.WebApplication app;
            try
            {
                app = NodeAgentHost.Build(["--urls", parse.GetValue(urls)!], parse.GetValue(rootDir)!.FullName, name, token,
                    scope: scope.AllowedCidrs.Count + scope.DnsPorts.Count > 0 ? scope : null);
            }
            catch (Exception ex) when (ex is ArgumentException or Microsoft.Extensions.Options.OptionsValidationException)
            {
                await error.WriteLineAsync(ex.Message);
                return ExitCodes.BadInput;
            }

            await using (app)
            {
                await app.StartAsync(cancellationToken);
                await app.WaitForShutdownAsync(cancellationToken);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static string LocateRules(DirectoryInfo? configured) =>
        RulesDirectoryLocator.Locate(configured?.FullName, Directory.GetCurrentDirectory(), AppContext.BaseDirectory);

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
