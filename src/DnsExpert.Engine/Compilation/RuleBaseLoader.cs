using DnsExpert.Engine.RuleFiles;

namespace DnsExpert.Engine.Compilation;

/// <summary>Loads every rule file of a directory and compiles the rule base.</summary>
public static class RuleBaseLoader
{
    /// <summary>Reads and compiles <paramref name="directory"/>; throws <see cref="RuleFileException"/> naming file, line and reason.</summary>
    public static RuleBase Load(string directory)
    {
        var documents = Read(directory, out var errors);
        if (errors.Count > 0)
        {
            throw new RuleFileException(errors);
        }

        return RuleBaseCompiler.Compile(documents);
    }

    /// <summary>Checks a rule directory without throwing: every error of every file (for <c>dnsexpert rules lint</c>).</summary>
    public static IReadOnlyList<RuleFileError> Lint(string directory, out int ruleCount)
    {
        var documents = Read(directory, out var errors);
        ruleCount = documents.Count;
        if (errors.Count > 0)
        {
            return errors;
        }

        try
        {
            // Everything compiled now, not on first call: lint reports what a diagnosis would only meet later.
            CompiledOnFirstCall.Eagerly(() => RuleBaseCompiler.Compile(documents));
            return [];
        }
        catch (RuleFileException ex)
        {
            return ex.Errors;
        }
    }

    /// <summary>
    /// Starts, once per process and on threads of their own, the first use of what a compile runs: YamlDotNet's scanner
    /// and parser with the rule file reader (on a small rule of its own), Dynamic LINQ's parser and NRules' compiler
    /// (<see cref="RuleBaseCompiler.WarmUp"/>). Their one-time set-up (static constructors, YamlDotNet's compiled
    /// regexes, code run for the first time) otherwise ran on one core while the other waited for it: at the start of
    /// the read, of the rules' compile, and alone at the end. Started before the rule files' fingerprint
    /// (<see cref="RuleBases.DirectoryRuleBaseProvider"/>) and the read, it runs beside them. Results are discarded.
    /// </summary>
    internal static void WarmUp() => _ = WarmedUp.Value;

    private static readonly Lazy<Task> WarmedUp = new(() => Task.WhenAll(
        Task.Run(() => RuleFileReader.Read("warm-up.yaml", WarmUpRule, [])),
        RuleBaseCompiler.WarmUp()));

    /// <summary>A rule in the shapes the rule files use: block and quoted scalars, flow and block lists, a template.</summary>
    internal const string WarmUpRule = """
        id: warm-up
        title: Warm-up
        severity: warning
        description: >
          Read once per process
          before the rule files.
        when:
          - fact: CoreDnsPod
            as: pod
            where: Restarts >= 5
        finding:
          cause: "{{ pod.Name }} restarts"
          evidence:
            - source: '{{ pod.Source }}'
              detail: "restarts {{ pod.Restarts }}"
          remediation:
            - summary: Look at its logs.
        collect:
          - command: "kubectl get pods -n {{ known.Namespace }}"
            why: the pods
            facts: [CoreDnsPod]
        """;

    private static List<RuleDocument> Read(string directory, out List<RuleFileError> errors)
    {
        WarmUp();
        errors = [];
        var documents = new List<RuleDocument>();
        if (!Directory.Exists(directory))
        {
            errors.Add(new RuleFileError(directory, 0, 0, "rule directory does not exist"));
            return documents;
        }

        var files = Directory.EnumerateFiles(directory, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
            .Where(f => !IsData(directory, f))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (files.Count == 0)
        {
            errors.Add(new RuleFileError(directory, 0, 0, "no rule files (*.yaml) found"));
            return documents;
        }

        var root = Path.GetDirectoryName(Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar)) ?? directory;
        // Files are read and parsed on every core; documents and errors are taken in the files' order.
        var read = new RuleDocument?[files.Count];
        var fileErrors = new List<RuleFileError>[files.Count];
        Parallel.For(0, files.Count, i =>
        {
            fileErrors[i] = [];
            read[i] = ReadOne(Path.GetRelativePath(root, files[i]), files[i], fileErrors[i]);
        });
        for (var i = 0; i < files.Count; i++)
        {
            errors.AddRange(fileErrors[i]);
            if (read[i] is { } doc)
            {
                documents.Add(doc);
            }
        }

        return documents;
    }

    private static RuleDocument? ReadOne(string display, string file, List<RuleFileError> errors)
    {
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (IOException ex)
        {
            errors.Add(new RuleFileError(display, 0, 0, "cannot read: " + ex.Message));
            return null;
        }

        return RuleFileReader.Read(display, text, errors);
    }

    /// <summary>Files under <c>data/</c> are tables the facts are built with (<c>data/coredns-plugins.yaml</c>), not rules.</summary>
    private static bool IsData(string directory, string file) =>
        Path.GetRelativePath(directory, file).Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar)[0] == DataFolder;

    public const string DataFolder = "data";
}
