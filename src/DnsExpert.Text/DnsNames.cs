using System.Buffers;

namespace DnsExpert.Text;

/// <summary>The shapes of Kubernetes and DNS names, checked where a request is validated and where a command is filled in.</summary>
public static class DnsNames
{
    /// <summary>An RFC 1123 label: a Kubernetes namespace name.</summary>
    public static bool IsDnsLabel(string s) => s.Length is > 0 and <= 63 && IsLabel(s);

    /// <summary>An RFC 1123 subdomain: a Kubernetes object name (pod, node).</summary>
    public static bool IsDnsSubdomain(string s)
    {
        if (s.Length is 0 or > 253)
        {
            return false;
        }

        foreach (var label in s.AsSpan().Split('.'))
        {
            if (!IsLabel(s.AsSpan()[label]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A DNS name (letters of either case, digits, <c>_</c>, <c>-</c>; a final dot allowed), at most 253 characters.</summary>
    public static bool IsDomainName(string s)
    {
        var name = s.EndsWith('.') ? s[..^1] : s;
        return name.Length is > 0 and <= 253 && name.Split('.').All(l => l.Length is > 0 and <= 63) && !name.AsSpan().ContainsAnyExcept(DomainChars);
    }

    // Loops over a set of characters, not regular expressions: a name is checked in one linear pass, with no match
    // timeout to run into on a loaded machine (a 100 ms regex timeout once failed valid names under load).

    /// <summary>RFC 1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit.</summary>
    private static bool IsLabel(ReadOnlySpan<char> label) =>
        label.Length > 0 && label[0] != '-' && label[^1] != '-' && !label.ContainsAnyExcept(LabelChars);

    private static readonly SearchValues<char> LabelChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789-");

    private static readonly SearchValues<char> DomainChars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-");
}
