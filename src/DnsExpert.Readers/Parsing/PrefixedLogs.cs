using System.Text;
using DnsExpert.Contract;

namespace DnsExpert.Readers.Parsing;

/// <summary>
/// The output of <c>kubectl logs -l SELECTOR --prefix</c> (one command for every CoreDNS pod), split per pod: each
/// line starts with <c>[pod/NAME/CONTAINER] </c>. Lines without a valid prefix (kubectl's own warnings) are left
/// out; so is everything when no line has one. One pass, each line copied once.
/// </summary>
public static class PrefixedLogs
{
    /// <summary>One pod's and container's lines, in their order.</summary>
    public sealed record Part(string Pod, string Container, string Text);

    public static IReadOnlyList<Part> Split(string text)
    {
        var parts = new Dictionary<(string Pod, string Container), StringBuilder>();
        var start = 0;
        while (start < text.Length)
        {
            var end = text.IndexOf('\n', start);
            var line = text.AsSpan(start, (end < 0 ? text.Length : end) - start);
            start = end < 0 ? text.Length : end + 1;
            if (Prefix(line) is not { } prefixed)
            {
                continue;
            }

            var (pod, container, rest) = prefixed;
            var key = (pod, container);
            if (!parts.TryGetValue(key, out var sb))
            {
                sb = new StringBuilder();
                parts.Add(key, sb);
            }

            sb.Append(rest).Append('\n');
        }

        return parts.Select(p => new Part(p.Key.Pod, p.Key.Container, p.Value.ToString())).ToList();
    }

    /// <summary><c>[pod/coredns-5d78c9869d-abcde/coredns] line</c> → the pod, the container and the line.</summary>
    private static (string Pod, string Container, string Line)? Prefix(ReadOnlySpan<char> line)
    {
        const string Start = "[pod/";
        if (!line.StartsWith(Start, StringComparison.Ordinal))
        {
            return null;
        }

        var close = line.IndexOf("] ", StringComparison.Ordinal);
        if (close < 0)
        {
            return null;
        }

        var inner = line[Start.Length..close];
        var slash = inner.IndexOf('/');
        if (slash <= 0)
        {
            return null;
        }

        var pod = inner[..slash].ToString();
        var container = inner[(slash + 1)..].ToString();
        return RequestValidator.IsDnsSubdomain(pod) && RequestValidator.IsDnsLabel(container)
            ? (pod, container, line[(close + 2)..].TrimEnd('\r').ToString())
            : null;
    }
}
