using System.Globalization;
using DnsExpert.Facts;

namespace DnsExpert.Readers.Building;

/// <summary>Times as a support ticket asks for them.</summary>
internal static class TicketTime
{
    /// <summary>To the second: <c>2024-05-13 08:21:44 UTC</c>.</summary>
    public static string Format(DateTimeOffset? timestamp)
    {
        if (timestamp is not { } t)
        {
            return LogPosition.NoTimestamp;
        }

        var zone = t.Offset == TimeSpan.Zero ? "UTC" : t.ToString("zzz", CultureInfo.InvariantCulture);
        return t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " " + zone;
    }

    /// <summary>A Kubernetes object's time (<c>metadata.creationTimestamp</c>) as the UTC instant it is.</summary>
    public static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time.ToUniversalTime(), DateTimeKind.Utc));
}
