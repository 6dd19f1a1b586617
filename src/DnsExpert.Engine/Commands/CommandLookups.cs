using System.Globalization;
using DnsExpert.Facts;
using DnsExpert.Text;

namespace DnsExpert.Engine.Commands;

/// <summary>
/// Parts of a command that paste as given whatever the facts hold: the value itself once the facts show it (a checked,
/// quoted word), else a command substitution that finds it on the cluster (<c>$(kubectl get ...)</c>), never a
/// placeholder for the user to fill in. Every value in them is one shell word of its kind (<see cref="CorefileEdit.Word"/>).
/// </summary>
internal static class CommandLookups
{
    /// <summary>
    /// A CoreDNS pod to enter with <c>kubectl debug</c>: <paramref name="pod"/> once known, else the first pod the
    /// cluster DNS selector lists in its namespace, found when the command runs.
    /// </summary>
    public static object CoreDnsPod(object pod, object ns, object selector)
    {
        // A name read from the cluster that is no pod name is looked up as if unknown, not left to fill in.
        if (pod is string name && CommandValue.Fits(name, CommandValueKind.ObjectName))
        {
            return name;
        }

        var refused = new List<(string Placeholder, string Note)>();
        var text = $"$(kubectl -n {CorefileEdit.Word(ns, CommandValueKind.Namespace, "<known-cluster-dns-namespace>", refused)} get pod "
            + $"-l {CorefileEdit.Word(selector, CommandValueKind.LabelSelector, "<known-cluster-dns-selector>", refused)} -o jsonpath='{{.items[0].metadata.name}}')";
        return new ShellCommand(text, [.. refused.Select(r => r.Note)]);
    }

    /// <summary>
    /// The arguments of <c>kubectl scale</c> for the cluster DNS Deployment, and how its count was chosen: half as many
    /// again as it has now, rounded up, at least 2 (<see cref="ScaleTo"/>). With the current count known (its
    /// <c>spec.replicas</c>, else the pods listed), <c>--current-replicas</c> makes kubectl refuse a count that changed
    /// since (or that the listing got wrong); without it, the command reads <c>spec.replicas</c> and computes the count
    /// itself (awk reads the count once and keeps the result at least 2).
    /// </summary>
    public static (ShellCommand Arguments, string Note, string Target) Scale(int? current, string currentFrom, object ns, object workload)
    {
        if (current is >= 0 and var now)
        {
            var target = ScaleTo(now).ToString(CultureInfo.InvariantCulture);
            var count = now.ToString(CultureInfo.InvariantCulture);
            return (new ShellCommand($"--current-replicas={count} --replicas={target}"),
                $"to {target} replicas, half as many again as the {count} {currentFrom}, rounded up, at least 2 (--current-replicas={count} makes kubectl refuse if the count is no longer {count})",
                target);
        }

        var refused = new List<(string Placeholder, string Note)>();
        var read = $"$(kubectl -n {CorefileEdit.Word(ns, CommandValueKind.Namespace, "<known-cluster-dns-namespace>", refused)} get "
            + $"{CorefileEdit.Word(workload, CommandValueKind.ObjectReference, "<known-cluster-dns-workload>", refused)} -o jsonpath='{{.spec.replicas}}')";
        return (new ShellCommand($"--replicas={read[..^1]} | awk '{{n = int(($1 * 3 + 1) / 2); print (n < 2 ? 2 : n)}}')", [.. refused.Select(r => r.Note)]),
            "to half as many replicas again as it has now, rounded up, at least 2 (the command reads its spec.replicas: 1 becomes 2, 2 becomes 3, 4 becomes 6)",
            "half as many again as now, rounded up");
    }

    /// <summary>Half as many again as <paramref name="current"/>, rounded up, at least 2: 1 → 2, 2 → 3, 3 → 5.</summary>
    public static int ScaleTo(int current) => Math.Max(2, (int)Math.Min(int.MaxValue, ((long)current * 3 + 1) / 2));

    /// <summary>Characters no URL a command holds may have: blanks, quotes, a backslash, <c>$</c> and <c>`</c>.</summary>
    private static readonly System.Buffers.SearchValues<char> Unsafe = System.Buffers.SearchValues.Create(" \t\r\n'\"\\$`");

    /// <summary>
    /// The Prometheus server a metrics fact was read from (<see cref="CoreDnsMetrics.PrometheusServer"/>, filled by the
    /// reader of the request's metrics), as a URL a command may hold: http or https, a host name or address, a port, a
    /// path of plain characters; no user, query or fragment (a URL with a password is not repeated). Null when none is such a URL.
    /// </summary>
    public static string? PrometheusServer(IEnumerable<CoreDnsMetrics> metrics)
    {
        foreach (var server in metrics.Select(m => m.PrometheusServer?.Trim()).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            if (server.Length > 0 && server.Length <= 512 && !server.AsSpan().ContainsAny(Unsafe) && Uri.TryCreate(server, UriKind.Absolute, out var uri)
                && uri.Scheme is "http" or "https" && uri.UserInfo.Length == 0 && uri.Query.Length == 0 && uri.Fragment.Length == 0
                && CommandValue.Fits(uri.DnsSafeHost, CommandValueKind.NameOrAddress)
                && uri.AbsolutePath.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '-' or '.' or '_' or '~'))
            {
                var port = uri.IsDefaultPort ? "" : ":" + uri.Port.ToString(CultureInfo.InvariantCulture);
                return $"{uri.Scheme}://{uri.Host}{port}{uri.AbsolutePath.TrimEnd('/')}";
            }
        }

        return null;
    }
}
