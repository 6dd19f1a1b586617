using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace DnsExpert.Collectors.Node;

/// <summary>
/// Reads the kernel's ring buffer from <c>/dev/kmsg</c> when no kernel log file is readable, without blocking: each
/// record (<c>PRIORITY,SEQ,MICROSECONDS,FLAGS;MESSAGE</c>) becomes a dmesg line <c>[SECONDS] MESSAGE</c>. A regular
/// file in the same format (a test fixture, a saved copy) reads the same way.
/// </summary>
public static partial class KernelMessages
{
    private const int ReadOnlyNonBlocking = 0x800;   // O_RDONLY | O_NONBLOCK on Linux
    private const int TryAgain = 11;                 // EAGAIN: no more records
    private const int BrokenPipe = 32;               // EPIPE: a record was overwritten while reading; go on
    private const int MaxRecords = 100_000;

    /// <summary>The records as dmesg lines; null when the device cannot be opened (absent, or not permitted).</summary>
    public static List<string>? Read(string path)
    {
        if (!OperatingSystem.IsLinux() || !File.Exists(path))
        {
            return null;
        }

        var fd = Open(path, ReadOnlyNonBlocking);
        if (fd < 0)
        {
            return null;
        }

        var text = new StringBuilder();
        var buffer = new byte[8192];
        try
        {
            for (var records = 0; records < MaxRecords; records++)
            {
                var count = ReadFd(fd, buffer, buffer.Length);
                if (count > 0)
                {
                    text.Append(Encoding.UTF8.GetString(buffer, 0, (int)count));
                    continue;
                }

                if (count < 0 && Marshal.GetLastPInvokeError() == BrokenPipe)
                {
                    continue;
                }

                break;   // 0: end of a regular file; EAGAIN: the ring buffer is drained
            }
        }
        finally
        {
            _ = Close(fd);
        }

        return Parse(text.ToString());
    }

    /// <summary>kmsg records to dmesg lines; continuation lines (key=value dictionaries, starting with a space) are dropped.</summary>
    public static List<string> Parse(string records)
    {
        var lines = new List<string>();
        foreach (var record in records.Split('\n'))
        {
            if (record.Length == 0 || record[0] == ' ')
            {
                continue;
            }

            var semicolon = record.IndexOf(';', StringComparison.Ordinal);
            if (semicolon < 0)
            {
                continue;
            }

            var fields = record[..semicolon].Split(',');
            var message = record[(semicolon + 1)..];
            lines.Add(fields.Length >= 3 && long.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var micros)
                ? $"[{micros / 1_000_000,5}.{micros % 1_000_000:D6}] {message}"
                : message);
        }

        return lines;
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint ReadFd(int fd, [Out] byte[] buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
