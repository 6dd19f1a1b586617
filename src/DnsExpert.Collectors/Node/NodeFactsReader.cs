using DnsExpert.Contract;
using DnsExpert.Readers.Parsing;

namespace DnsExpert.Collectors.Node;

/// <summary>What a node agent reports: the files only a node can see, in the snapshot's <c>files</c> shape.</summary>
public sealed record NodeReport(string Node, IReadOnlyList<FileArtifact> Files, IReadOnlyList<string> Missing);

/// <summary>
/// Reads the node facts the guide reads by hand (conntrack counters, the kernel log's conntrack-full and VXLAN bad-checksum lines, TCP counters,
/// load, kernel, OS, the node's resolv.conf) under a root directory: <c>/</c> on a host, <c>/host</c> in the agent's
/// container (hostPath mounts, read-only), a fixture tree in tests. Never writes, never runs a command.
/// </summary>
public sealed class NodeFactsReader(string root)
{
    /// <summary>Kernel log lines read from the end of the log files, at most.</summary>
    public const int KernelLogTailLines = 5_000;

    private static readonly string[] PlainFiles =
    [
        "/proc/sys/net/netfilter/nf_conntrack_count",
        "/proc/sys/net/netfilter/nf_conntrack_max",
        "/proc/net/snmp",
        "/proc/loadavg",
        "/proc/sys/kernel/osrelease",
        "/etc/os-release",
        "/etc/resolv.conf",
    ];

    private static readonly string[] KernelLogs = ["/var/log/kern.log", "/var/log/messages", "/var/log/dmesg"];

    public async Task<NodeReport> ReadAsync(string node, CancellationToken cancellationToken)
    {
        var files = new List<FileArtifact>();
        var missing = new List<string>();
        foreach (var path in PlainFiles)
        {
            var text = await ReadSmallAsync(path, cancellationToken);
            if (text is null)
            {
                missing.Add(path);
            }
            else
            {
                files.Add(new FileArtifact { Node = node, Path = path, Text = text });
            }
        }

        // The kernel log as the guide reads it with dmesg: only the lines that matter are kept.
        var kernel = new List<string>();
        foreach (var path in KernelLogs)
        {
            var full = Resolve(path);
            if (!File.Exists(full))
            {
                continue;
            }

            foreach (var line in Tail(full, KernelLogTailLines))
            {
                if (NodeFileParsers.KernelLineKind(line) is not null)
                {
                    kernel.Add(line);
                }
            }
        }

        var haveLog = KernelLogs.Any(p => File.Exists(Resolve(p)));
        if (!haveLog && KernelMessages.Read(Resolve("/dev/kmsg")) is { } ring)
        {
            // No kernel log file (a node without rsyslog): the ring buffer, as dmesg would print it.
            haveLog = true;
            kernel.AddRange(ring.Where(l => NodeFileParsers.KernelLineKind(l) is not null));
        }

        if (haveLog)
        {
            files.Add(new FileArtifact { Node = node, Path = "dmesg", Text = string.Join('\n', kernel.TakeLast(NodeFileParsers.MaxConntrackLines)) });
        }
        else
        {
            missing.Add("kernel log (/var/log/kern.log, /var/log/messages, /dev/kmsg)");
        }

        return new NodeReport(node, files, missing);
    }

    private string Resolve(string path) => Path.Combine(root, path.TrimStart('/'));

    private async Task<string?> ReadSmallAsync(string path, CancellationToken cancellationToken)
    {
        var full = Resolve(path);
        try
        {
            // /proc files report length 0: read up to a bound instead of trusting the size.
            await using var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 4096, useAsync: false);
            var buffer = new byte[64 * 1024];
            var read = 0;
            int n;
            while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken)) > 0)
            {
                read += n;
            }

            return System.Text.Encoding.UTF8.GetString(buffer, 0, read);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The last lines of a log without holding the whole file.</summary>
    private static Queue<string> Tail(string path, int lines)
    {
        var queue = new Queue<string>(lines);
        foreach (var line in File.ReadLines(path))
        {
            if (queue.Count == lines)
            {
                queue.Dequeue();
            }

            queue.Enqueue(line);
        }

        return queue;
    }
}

/// <summary>What an agent's node probes gave, and what it could not run.</summary>
public sealed record NodeProbeReport(string Node, IReadOnlyList<ProbeArtifact> Results, IReadOnlyList<string> Notes);
