using DnsExpert.Contract;
using DnsExpert.Readers.Parsing;

namespace DnsExpert.Readers.Building;

/// <summary>
/// Whose Services a snapshot lists: the namespaces of pasted <c>kubectl get svc</c> commands (<c>-n NS</c>, the
/// default namespace without it, every namespace with <c>-A</c>), in whatever form their output came (JSON, a table,
/// <c>No resources found in NS namespace.</c>), and the namespaces of the Services among its objects. An empty list read
/// for a namespace says it has no Services; a namespace never listed says nothing. Absence of a Service is evidence
/// only where its namespace was listed.
/// </summary>
public sealed record ServiceListings(bool AllNamespaces, IReadOnlySet<string> Namespaces)
{
    /// <summary>Some Services were listed (possibly none found).</summary>
    public bool Any => AllNamespaces || Namespaces.Count > 0;

    /// <summary>The Services of <paramref name="ns"/> were listed.</summary>
    public bool Covers(string ns) => AllNamespaces || Namespaces.Contains(ns);

    public static ServiceListings Of(Snapshot? snapshot, IEnumerable<string> serviceNamespaces) =>
        Of(snapshot, serviceNamespaces, IsServiceResource);

    /// <summary>
    /// Whose objects of another kind a snapshot lists, read the same way: <paramref name="isResource"/> tells the
    /// resource's names (<c>ds</c>, <c>daemonset</c>, <c>daemonsets</c>), <paramref name="objectNamespaces"/> are those of
    /// its objects among the snapshot's.
    /// </summary>
    public static ServiceListings Of(Snapshot? snapshot, IEnumerable<string> objectNamespaces, Func<string, bool> isResource)
    {
        var namespaces = new HashSet<string>(objectNamespaces, StringComparer.Ordinal);
        var all = false;
        foreach (var command in (snapshot?.Outputs ?? []).Select(o => o.Command).OfType<string>())
        {
            var words = DnsExpert.Text.ShellWords.Split(command);
            var get = Array.IndexOf(words, "get");
            var resource = get < 0 ? -1 : Array.FindIndex(words, get + 1, w => isResource(w));
            if (words.FirstOrDefault()?.Split('/').Last() != "kubectl" || resource < 0 || Named(words, resource))
            {
                continue;
            }

            string? ns = null;
            for (var i = 1; i < words.Length; i++)
            {
                if (words[i] is "-A" or "--all-namespaces" or "--all-namespaces=true")
                {
                    all = true;
                }
                else if ((KubectlArgs.Value(words, ref i, "-n") ?? KubectlArgs.Value(words, ref i, "--namespace")) is { } value)
                {
                    ns = value;
                }
            }

            namespaces.Add(ns is not null && RequestValidator.IsDnsLabel(ns) ? ns : "default");
        }

        return new ServiceListings(all, namespaces);
    }

    /// <summary>Flags whose value is the next word (when not given with <c>=</c>).</summary>
    private static readonly HashSet<string> ValueFlags = new(StringComparer.Ordinal) { "-n", "--namespace", "-o", "--output", "-l", "--selector", "-L", "--label-columns", "--context", "--kubeconfig", "--field-selector" };

    /// <summary>A word after the resource that is neither a flag nor a flag's value names one Service: no listing.</summary>
    private static bool Named(string[] words, int resource)
    {
        for (var i = resource + 1; i < words.Length; i++)
        {
            if (ValueFlags.Contains(words[i]))
            {
                i++;
            }
            else if (!words[i].StartsWith('-'))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary><c>svc</c>, <c>service</c>, <c>services</c>, alone or first of a list (<c>svc,ep</c>); <c>svc/NAME</c> is not a listing.</summary>
    private static bool IsServiceResource(string word) =>
        word.Split(',')[0] is "svc" or "service" or "services" && !word.Contains('/', StringComparison.Ordinal);

    /// <summary><c>ds</c>, <c>daemonset</c>, <c>daemonsets</c> (also <c>.apps</c>), alone or first of a list; <c>ds/NAME</c> is not a listing.</summary>
    public static bool IsDaemonSetResource(string word) =>
        word.Split(',')[0] is "ds" or "daemonset" or "daemonsets" or "daemonset.apps" or "daemonsets.apps" && !word.Contains('/', StringComparison.Ordinal);
}
