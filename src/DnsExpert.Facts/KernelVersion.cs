using System.Diagnostics.CodeAnalysis;

namespace DnsExpert.Facts;

/// <summary>
/// A Linux kernel release as <c>uname -r</c> and <c>status.nodeInfo.kernelVersion</c> print it:
/// <c>4.19.91-25.1.al7.x86_64</c>, <c>3.10.0-1160.el7.x86_64</c>, <c>5.15.0-1034-azure</c>. Compared like rpm's
/// rpmvercmp over the whole release, without the architecture.
/// </summary>
public sealed record KernelVersion : IComparable<KernelVersion>
{
    private static readonly string[] Architectures = ["x86_64", "aarch64", "arm64", "amd64", "i686", "ppc64le", "s390x"];

    private KernelVersion(string original, string comparable, string? distributionTag, string? architecture)
    {
        Original = original;
        Comparable = comparable;
        DistributionTag = distributionTag;
        Architecture = architecture;
    }

    public string Original { get; }

    /// <summary><c>al7</c> (Alibaba Cloud Linux 2), <c>al8</c>, <c>el7</c> (CentOS/RHEL 7), <c>an8</c> ... when present.</summary>
    public string? DistributionTag { get; }

    public string? Architecture { get; }

    /// <summary>The release without its architecture: what is compared.</summary>
    private string Comparable { get; }

    public static bool TryParse(string? text, [NotNullWhen(true)] out KernelVersion? version)
    {
        version = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim();
        if (s.Length > 128 || !char.IsAsciiDigit(s[0]))
        {
            return false;
        }

        string? arch = null;
        foreach (var a in Architectures)
        {
            if (s.EndsWith("." + a, StringComparison.Ordinal) || s.EndsWith("-" + a, StringComparison.Ordinal))
            {
                arch = a;
                s = s[..^(a.Length + 1)];
                break;
            }
        }

        string? tag = null;
        foreach (var part in s.Split('.', '-', '_'))
        {
            if (part.Length is >= 3 and <= 5 && char.IsAsciiLetter(part[0]) && char.IsAsciiDigit(part[^1])
                && (part.StartsWith("el", StringComparison.Ordinal) || part.StartsWith("al", StringComparison.Ordinal)
                    || part.StartsWith("an", StringComparison.Ordinal) || part.StartsWith("fc", StringComparison.Ordinal)))
            {
                tag = part;
            }
        }

        version = new KernelVersion(text.Trim(), s, tag, arch);
        return true;
    }

    public int CompareTo(KernelVersion? other) => other is null ? 1 : RpmVerCmp(Comparable, other.Comparable);

    /// <summary>True when this kernel is strictly older than <paramref name="other"/> (e.g. <c>"4.19.91-25.1.al7"</c>).</summary>
    public bool IsBefore(string other) => TryParse(other, out var o) ? CompareTo(o) < 0 : throw new FormatException($"'{other}' is not a kernel version");

    public static bool operator <(KernelVersion left, KernelVersion right) => left.CompareTo(right) < 0;
    public static bool operator >(KernelVersion left, KernelVersion right) => left.CompareTo(right) > 0;
    public static bool operator <=(KernelVersion left, KernelVersion right) => left.CompareTo(right) <= 0;
    public static bool operator >=(KernelVersion left, KernelVersion right) => left.CompareTo(right) >= 0;

    public override string ToString() => Original;

    /// <summary>
    /// rpm's comparison: split into runs of digits and runs of letters, skipping separators; digits compare
    /// numerically, letters lexically, a numeric run is newer than an alphabetic one, and more runs is newer.
    /// </summary>
    internal static int RpmVerCmp(string a, string b)
    {
        int i = 0, j = 0;
        while (true)
        {
            while (i < a.Length && !char.IsAsciiLetterOrDigit(a[i]))
            {
                i++;
            }

            while (j < b.Length && !char.IsAsciiLetterOrDigit(b[j]))
            {
                j++;
            }

            if (i >= a.Length || j >= b.Length)
            {
                return (i < a.Length).CompareTo(j < b.Length);
            }

            var numeric = char.IsAsciiDigit(a[i]);
            if (numeric != char.IsAsciiDigit(b[j]))
            {
                return numeric ? 1 : -1;
            }

            var si = i;
            var sj = j;
            while (i < a.Length && (numeric ? char.IsAsciiDigit(a[i]) : char.IsAsciiLetter(a[i])))
            {
                i++;
            }

            while (j < b.Length && (numeric ? char.IsAsciiDigit(b[j]) : char.IsAsciiLetter(b[j])))
            {
                j++;
            }

            var x = a.AsSpan(si, i - si);
            var y = b.AsSpan(sj, j - sj);
            int c;
            if (numeric)
            {
                x = x.TrimStart('0');
                y = y.TrimStart('0');
                c = x.Length != y.Length ? x.Length.CompareTo(y.Length) : x.SequenceCompareTo(y);
            }
            else
            {
                c = x.SequenceCompareTo(y);
            }

            if (c != 0)
            {
                return Math.Sign(c);
            }
        }
    }
}
