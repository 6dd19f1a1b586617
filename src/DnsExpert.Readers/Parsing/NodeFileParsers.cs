using System.Globalization;

namespace DnsExpert.Readers.Parsing;

/// <summary>TCP counters from <c>/proc/net/snmp</c>.</summary>
public sealed record TcpCounters(long OutSegs, long RetransSegs);

/// <summary>A kernel log line that reports a full conntrack table.</summary>
public sealed record ConntrackFullLine(int LineNumber, string Text);

/// <summary>Parsers for the node files the guide reads by hand: /proc counters and the kernel log.</summary>
public static class NodeFileParsers
{
    /// <summary>Conntrack-full lines kept from one kernel log.</summary>
    public const int MaxConntrackLines = 100;

    /// <summary>A file holding one integer (<c>/proc/sys/net/netfilter/nf_conntrack_count</c>); null when it holds none.</summary>
    public static long? ParseCounter(string? text)
    {
        var trimmed = text?.Trim();
        return long.TryParse(trimmed, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 0 ? value : null;
    }

    /// <summary>
    /// <c>net.bridge.bridge-nf-call-iptables</c> as <c>cat /proc/sys/net/bridge/bridge-nf-call-iptables</c> or
    /// <c>sysctl net.bridge.bridge-nf-call-iptables</c> prints it: (true, value), or (false, null) when the file does not
    /// exist (the module is not loaded: "No such file or directory", "cannot stat"); null when the text says neither.
    /// </summary>
    public static (bool ModuleLoaded, long? Value)? ParseBridgeNetfilter(string? text)
    {
        if (text is null)
        {
            return null;
        }

        if (text.Contains("No such file or directory", StringComparison.Ordinal) || text.Contains("cannot stat", StringComparison.Ordinal)
            || text.Contains("unknown key", StringComparison.Ordinal))
        {
            return (false, null);
        }

        var value = text.Trim();
        var equals = value.LastIndexOf('=');
        return ParseCounter(equals < 0 ? value : value[(equals + 1)..]) is { } v and (0 or 1) ? (true, v) : null;
    }

    /// <summary>
    /// The <c>Tcp:</c> section of <c>/proc/net/snmp</c>: a header line of names followed by a line of values.
    /// Null when the section or the two counters are missing.
    /// </summary>
    public static TcpCounters? ParseSnmpTcp(string? text)
    {
        if (text is null)
        {
            return null;
        }

        string[]? header = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (!line.StartsWith("Tcp:", StringComparison.Ordinal))
            {
                continue;
            }

            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (header is null)
            {
                header = fields;
                continue;
            }

            var outIndex = Array.IndexOf(header, "OutSegs");
            var retransIndex = Array.IndexOf(header, "RetransSegs");
            if (outIndex < 0 || retransIndex < 0 || fields.Length != header.Length
                || !long.TryParse(fields[outIndex], CultureInfo.InvariantCulture, out var outSegs)
                || !long.TryParse(fields[retransIndex], CultureInfo.InvariantCulture, out var retrans))
            {
                return null;
            }

            return new TcpCounters(outSegs, retrans);
        }

        return null;
    }

    /// <summary>
    /// Lines of <c>dmesg</c> (plain, <c>-T</c> or <c>-H</c>) or the journal that say the conntrack table is full:
    /// <c>nf_conntrack: table full, dropping packet</c>, and older kernels' <c>ip_conntrack: table full</c>.
    /// </summary>
    public static IReadOnlyList<ConntrackFullLine> FindConntrackFull(string? text, int max = MaxConntrackLines) =>
        FindKernelLines(text, max).Where(l => l.Kind == Facts.NodeKernelLogKinds.ConntrackFull).Select(l => new ConntrackFullLine(l.LineNumber, l.Text)).ToList();

    /// <summary>Kernel log lines of every kind DnsExpert reads (<see cref="KernelLineKind"/>), at most <paramref name="max"/>.</summary>
    public static IReadOnlyList<(string Kind, int LineNumber, string Text)> FindKernelLines(string? text, int max = MaxConntrackLines)
    {
        var found = new List<(string, int, string)>();
        if (text is null)
        {
            return found;
        }

        var number = 0;
        foreach (var line in text.Split('\n'))
        {
            number++;
            if (KernelLineKind(line) is { } kind)
            {
                found.Add((kind, number, line.TrimEnd('\r')));
                if (found.Count >= max)
                {
                    break;
                }
            }
        }

        return found;
    }

    /// <summary>
    /// What a kernel log line says that matters for DNS, or null: <c>conntrack-full</c> (<c>nf_conntrack: table full,
    /// dropping packet</c>), or <c>vxlan-bad-checksum</c>: <c>UDP: bad checksum. From A:PORT to B:8472 ulen 75</c>, a
    /// VXLAN packet (flannel's port 8472, the IANA port 4789 Calico and others use) dropped by the node receiving it
    /// because its UDP checksum is wrong (flannel-io/flannel#1279).
    /// </summary>
    public static string? KernelLineKind(string line)
    {
        var span = line.AsSpan();
        if (span.Contains("conntrack", StringComparison.Ordinal) && span.Contains("table full", StringComparison.Ordinal))
        {
            return Facts.NodeKernelLogKinds.ConntrackFull;
        }

        var bad = span.IndexOf("UDP: bad checksum.", StringComparison.Ordinal);
        if (bad < 0)
        {
            return null;
        }

        var rest = span[bad..];
        var to = rest.IndexOf(" to ", StringComparison.Ordinal);
        if (to < 0)
        {
            return null;
        }

        var destination = rest[(to + 4)..].TrimStart();
        var end = destination.IndexOf(' ');
        destination = end < 0 ? destination.TrimEnd() : destination[..end];
        return destination.EndsWith(":8472", StringComparison.Ordinal) || destination.EndsWith(":4789", StringComparison.Ordinal)
            ? Facts.NodeKernelLogKinds.VxlanBadChecksum
            : null;
    }

    /// <summary>
    /// The device and its <c>tx-checksum-ip-generic</c> setting from <c>ethtool -k DEVICE</c> (<c>--show-features</c>),
    /// whole or grepped to that line: "Features for flannel.1:" names the device (else <paramref name="device"/>, the
    /// command's), "tx-checksum-ip-generic: on" (or "on [fixed]") the setting. Null when the setting is not there.
    /// </summary>
    public static (string? Device, bool TxChecksumIpGeneric)? ParseEthtoolFeatures(string? text, string? device = null)
    {
        if (text is null)
        {
            return null;
        }

        bool? generic = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith("Features for ", StringComparison.Ordinal) && line.EndsWith(':'))
            {
                device = line["Features for ".Length..^1].Trim();
            }
            else if (line.StartsWith("tx-checksum-ip-generic:", StringComparison.Ordinal))
            {
                var value = line["tx-checksum-ip-generic:".Length..].TrimStart();
                generic = value.StartsWith("on", StringComparison.Ordinal) ? true : value.StartsWith("off", StringComparison.Ordinal) ? false : null;
            }
        }

        return generic is { } on ? (device, on) : null;
    }

    /// <summary>
    /// The ENA allowance counters from <c>ethtool -S DEVICE</c> (<c>--statistics</c>), whole or grepped to them:
    /// <c>linklocal_allowance_exceeded: N</c> and <c>pps_allowance_exceeded: N</c>. Null without a
    /// <c>linklocal_allowance_exceeded</c> line (another driver, or an ENA driver before 2.2.10 that does not count it).
    /// </summary>
    public static (long LinkLocalExceeded, long? PpsExceeded)? ParseEnaAllowances(string? text)
    {
        if (text is null)
        {
            return null;
        }

        long? linkLocal = null;
        long? pps = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0
                || !long.TryParse(line.AsSpan(colon + 1).Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value))
            {
                continue;
            }

            switch (line[..colon])
            {
                case "linklocal_allowance_exceeded":
                    linkLocal = value;
                    break;
                case "pps_allowance_exceeded":
                    pps = value;
                    break;
            }
        }

        return linkLocal is { } exceeded ? (exceeded, pps) : null;
    }
}
