using System.CommandLine;
using System.Text.Json;
using DnsExpert.Api;
using DnsExpert.Api.Hosting;
using DnsExpert.Collectors.Dump;
using DnsExpert.Collectors.Node;
using DnsExpert.Contract;
using DnsExpert.Diagnosis;
using DnsExpert.Diagnosis.Application;
using DnsExpert.Engine.Compilation;
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
        root.Subcommands.Add(DiagnoseCommand.Create(input, output, error, terminal));
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

    internal static Option<DirectoryInfo?> RulesOption() => new("--rules")
    {
        Description = "Rule base directory (default: the nearest rules/ above the current directory or the binary).",
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
                var buffer = new char[DiagnoseRequests.Limits.MaxErrorMessageLength + 1];
                var read = await input.ReadBlockAsync(buffer, cancellationToken);
                text = new string(buffer, 0, read);
            }

            if (string.IsNullOrWhiteSpace(text) || text.Length > DiagnoseRequests.Limits.MaxErrorMessageLength)
            {
                await error.WriteLineAsync(string.IsNullOrWhiteSpace(text)
                    ? "classify: give the client's error message (or '-' to read it from standard input)"
                    : $"classify: the message is longer than {DiagnoseRequests.Limits.MaxErrorMessageLength} characters");
                return ExitCodes.BadInput;
            }

            await output.WriteLineAsync(Reports.Classification(SymptomClassifier.Classify(text.Trim()), parse.GetValue(format)!, terminal));
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

    internal static string LocateRules(DirectoryInfo? configured) =>
        RulesDirectoryLocator.Locate(configured?.FullName, Directory.GetCurrentDirectory(), AppContext.BaseDirectory);
}
