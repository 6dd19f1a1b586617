using System.CommandLine;
using DnsExpert.Contract;
using DnsExpert.Diagnosis.Composition;
using DnsExpert.Diagnosis;
using DnsExpert.Diagnosis.Application;
using DnsExpert.Engine.RuleFiles;

namespace DnsExpert.Cli;

/// <summary>
/// <c>dnsexpert diagnose</c>: its arguments (<see cref="DiagnoseOptions"/>), the request they make
/// (<see cref="DiagnoseRequests"/>), the diagnosis through the application service of the one composition root, and the
/// report (<see cref="Reports"/>); exits 2 when a critical finding fires.
/// </summary>
internal static class DiagnoseCommand
{
    public static Command Create(TextReader input, TextWriter output, TextWriter error, DnsExpertCli.Terminal terminal)
    {
        var options = new DiagnoseOptions();
        var command = new Command("diagnose", "Diagnose a pod live (--pod), a request file (--request) or a cluster-info dump (--dump); exits 2 when a critical finding fires.");
        options.AddTo(command);
        command.Validators.Add(options.Validate);
        command.SetAction((parse, cancellationToken) => RunAsync(options.Read(parse), input, output, error, terminal, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(
        DiagnoseArguments args, TextReader input, TextWriter output, TextWriter error, DnsExpertCli.Terminal terminal, CancellationToken cancellationToken)
    {
        // The one composition root, without a container (a one-shot run would pay for one); the rule base is located and
        // compiled when the diagnosis runs, after the request is read and checked.
        var composition = new DnsExpertComposition(new CompositionInputs(() => DnsExpertCli.LocateRules(args.Rules)));
        var (built, problems) = await DiagnoseRequests.BuildAsync(args, composition.LogScans, input, error, terminal.Error, cancellationToken);
        if (built is null)
        {
            foreach (var problem in problems)
            {
                await error.WriteLineAsync(problem);
            }

            return DnsExpertCli.ExitCodes.BadInput;
        }

        DiagnosisResponse response;
        try
        {
            var diagnosing = built.Collector is null ? composition : new DnsExpertComposition(composition.Inputs with { Collector = built.Collector });
            response = await diagnosing.Workflow.RunAsync(new DiagnosisRun(built.Request), cancellationToken);
        }
        catch (LiveCollectionUnavailableException ex)
        {
            await error.WriteLineAsync($"{built.Origin}: {ex.Message}");
            return DnsExpertCli.ExitCodes.BadInput;
        }
        catch (Exception ex) when (ex is RuleFileException or DirectoryNotFoundException)
        {
            await error.WriteLineAsync(ex.Message);
            return DnsExpertCli.ExitCodes.BadInput;
        }

        await output.WriteLineAsync(Reports.Diagnosis(response, args.Format, args.Color, args.Checks == "all", terminal));
        return response.Findings.Any(f => f.Severity == Severity.Critical) ? DnsExpertCli.ExitCodes.CriticalFinding : DnsExpertCli.ExitCodes.Ok;
    }
}
