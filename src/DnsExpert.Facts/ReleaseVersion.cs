using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace DnsExpert.Facts;

/// <summary>
/// A dotted release version with an optional vendor suffix: <c>v1.9.3.10-7dfca203-aliyun</c>, <c>1.7.0</c>,
/// <c>v1.20.11-aliyun.1</c>. Ordered by its numbers only; missing numbers count as 0 (1.7 == 1.7.0).
/// </summary>
public sealed record ReleaseVersion(IReadOnlyList<int> Numbers, string Suffix, string Original) : IComparable<ReleaseVersion>
{
    public static bool TryParse(string? text, [NotNullWhen(true)] out ReleaseVersion? version)
    {
        version = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim();
        var start = s.Length > 1 && (s[0] is 'v' or 'V') && char.IsAsciiDigit(s[1]) ? 1 : 0;
        var numbers = new List<int>();
        var i = start;
        while (i < s.Length && numbers.Count < 8)
        {
            var begin = i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }

            if (i == begin || i - begin > 9)
            {
                return false;
            }

            numbers.Add(int.Parse(s.AsSpan(begin, i - begin), NumberStyles.None, CultureInfo.InvariantCulture));
            if (i < s.Length && s[i] == '.' && i + 1 < s.Length && char.IsAsciiDigit(s[i + 1]))
            {
                i++;
                continue;
            }

            break;
        }

        if (numbers.Count == 0)
        {
            return false;
        }

        version = new ReleaseVersion(numbers, s[i..].TrimStart('-', '+', '.', '_'), s);
        return true;
    }

    public static ReleaseVersion Parse(string text) =>
        TryParse(text, out var v) ? v : throw new FormatException($"'{text}' is not a release version");

    /// <summary>
    /// The version in an image's tag (<see cref="ContainerImage.Tag"/>); null for an image without a tag (only a digest)
    /// or a non-version tag.
    /// </summary>
    public static ReleaseVersion? FromImage(string? image) =>
        !string.IsNullOrWhiteSpace(image) && ContainerImage.Tag(image) is { } tag && TryParse(tag, out var v) ? v : null;

    public int CompareTo(ReleaseVersion? other)
    {
        if (other is null)
        {
            return 1;
        }

        var n = Math.Max(Numbers.Count, other.Numbers.Count);
        for (var i = 0; i < n; i++)
        {
            var c = (i < Numbers.Count ? Numbers[i] : 0).CompareTo(i < other.Numbers.Count ? other.Numbers[i] : 0);
            if (c != 0)
            {
                return c;
            }
        }

        return 0;
    }

    /// <summary>True when this version is strictly older than <paramref name="other"/> (e.g. <c>"1.7.0"</c>).</summary>
    public bool IsBefore(string other) => CompareTo(Parse(other)) < 0;

    /// <summary>True when this version is <paramref name="other"/> or newer.</summary>
    public bool IsAtLeast(string other) => CompareTo(Parse(other)) >= 0;

    public static bool operator <(ReleaseVersion left, ReleaseVersion right) => left.CompareTo(right) < 0;
    public static bool operator >(ReleaseVersion left, ReleaseVersion right) => left.CompareTo(right) > 0;
    public static bool operator <=(ReleaseVersion left, ReleaseVersion right) => left.CompareTo(right) <= 0;
    public static bool operator >=(ReleaseVersion left, ReleaseVersion right) => left.CompareTo(right) >= 0;

    public override string ToString() => Original;
}
