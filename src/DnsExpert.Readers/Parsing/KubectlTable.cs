using DnsExpert.Text;

namespace DnsExpert.Readers.Parsing;

/// <summary>
/// A table as <c>kubectl get</c> and <c>kubectl top</c> print it: a header of upper-case column names (<c>NAME READY
/// STATUS RESTARTS AGE IP NODE NOMINATED NODE READINESS GATES</c>) and one row per object, aligned by kubectl's tab
/// writer. Column names and values may hold single spaces (<c>NOMINATED NODE</c>, <c>3 (26m ago)</c>,
/// <c>Debian GNU/Linux 11 (bullseye)</c>, <c>+ 3 more...</c>); columns are at least two spaces (or a tab) apart.
/// </summary>
/// <remarks>
/// A row is cut at the header's column positions when it is aligned with the header (every column starts after a
/// blank); a row whose alignment was lost in pasting is split at runs of two or more blanks instead, and read only when
/// that gives one value per column. Values are text as printed, trimmed; <c>&lt;none&gt;</c> and
/// <c>&lt;unknown&gt;</c> stay as they are (<see cref="Value"/> reads them as absent); a row with an empty cell was cut
/// short and is not read. The tables of one text are read up to <c>maxRows</c> rows together and <see cref="MaxColumns"/> columns. Examples kept in <c>tests/fixtures/kubectl-tables/</c> with their sources.
/// </remarks>
public sealed class KubectlTable
{
    /// <summary>Rows read at most by default: a kube-system listing is tens of rows, a whole cluster's pods thousands.</summary>
    public const int DefaultMaxRows = 5000;

    /// <summary>Columns at most: kubectl's widest table (<c>get pods -o wide</c>) has ten; more is no kubectl table.</summary>
    public const int MaxColumns = 32;

    private KubectlTable(IReadOnlyList<string> columns, IReadOnlyList<IReadOnlyDictionary<string, string>> rows, int unreadable, int overCap)
    {
        Columns = columns;
        Rows = rows;
        Unreadable = unreadable;
        OverCap = overCap;
    }

    /// <summary>The column names, as printed (<c>NAME</c>, <c>CPU(cores)</c>, <c>NOMINATED NODE</c>).</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Each row's values by column name.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> Rows { get; }

    /// <summary>Rows whose values could not be told apart (misaligned, and not one value per column).</summary>
    public int Unreadable { get; }

    /// <summary>Rows left unread after the row cap.</summary>
    public int OverCap { get; }

    public bool Has(string column) => Columns.Contains(column, StringComparer.Ordinal);

    /// <summary>A row's value of <paramref name="column"/>, or null when the table has no such column or prints it as absent.</summary>
    public static string? Value(IReadOnlyDictionary<string, string> row, string column) =>
        row.TryGetValue(column, out var value) && value.Length > 0 && value is not ("<none>" or "<unknown>" or "<nil>" or "none") ? value : null;

    /// <summary>
    /// The first table in <paramref name="text"/>: its header is the first line whose first column is <c>NAME</c>,
    /// <c>NAMESPACE</c> or <c>POD</c> (<c>kubectl top pod --containers</c>); its rows run to the next blank line or header.
    /// Null when there is no such header.
    /// </summary>
    public static KubectlTable? Parse(string? text, int maxRows = DefaultMaxRows) => ParseAll(text, maxRows, maxTables: 1) is [var first] ? first : null;

    /// <summary>
    /// Every table in <paramref name="text"/>, up to <paramref name="maxTables"/> and <paramref name="maxRows"/> rows in all: the outputs of several commands are
    /// often pasted together (<c>kubectl get nodes</c>, then <c>kubectl get pods -A</c>). A table ends at a blank line or
    /// where the next header starts; a line that is no row of it just before the next header (the next command's prompt)
    /// is not counted as unreadable. A header kubectl would not print (repeated or too many columns) is skipped.
    /// </summary>
    public static IReadOnlyList<KubectlTable> ParseAll(string? text, int maxRows = DefaultMaxRows, int maxTables = 8)
    {
        var tables = new List<KubectlTable>();
        if (string.IsNullOrEmpty(text))
        {
            return tables;
        }

        var lines = TextLines.Of(text).ToArray();
        var read = 0;
        var headers = lines.Select(l => IsHeader(Cells(l))).ToArray();
        for (var at = Array.IndexOf(headers, true); at >= 0 && tables.Count < maxTables; at = Array.IndexOf(headers, true, at + 1))
        {
            var header = Cells(lines[at]);
            var columns = header.Select(c => c.Text).ToList();
            if (columns.Count > MaxColumns || columns.Distinct(StringComparer.Ordinal).Count() != columns.Count)
            {
                continue;
            }

            var rows = new List<IReadOnlyDictionary<string, string>>();
            int unreadable = 0, overCap = 0;
            for (var i = at + 1; i < lines.Length && !string.IsNullOrWhiteSpace(lines[i]) && !headers[i]; i++)
            {
                if (read >= maxRows)
                {
                    overCap++;
                }
                else if (Row(lines[i].TrimEnd(), header) is { } row)
                {
                    rows.Add(row);
                    read++;
                }
                else if (i + 1 >= lines.Length || !headers[i + 1])
                {
                    unreadable++;
                }
            }

            tables.Add(new KubectlTable(columns, rows, unreadable, overCap));
        }

        return tables;
    }

    /// <summary>
    /// A header: upper-case names (letters, digits, <c>-</c>, <c>%</c>, <c>(</c> <c>)</c>, a single space inside),
    /// at least two of them, the first <c>NAME</c>, <c>NAMESPACE</c> or <c>POD</c>.
    /// </summary>
    private static bool IsHeader(List<(string Text, int Start)> cells) =>
        cells.Count >= 2 && cells[0].Start == 0 && cells[0].Text is "NAME" or "NAMESPACE" or "POD"
        && cells.All(c => c.Text.All(ch => ch is (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '%' or '(' or ')' or ' ' or '/' or '_'
            || (ch is >= 'a' and <= 'z' && c.Text.Contains('(', StringComparison.Ordinal))));

    private static Dictionary<string, string>? Row(string line, List<(string Text, int Start)> header)
    {
        var row = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Aligned(line, header))
        {
            for (var c = 0; c < header.Count; c++)
            {
                var start = header[c].Start;
                var end = c + 1 < header.Count ? Math.Min(header[c + 1].Start, line.Length) : line.Length;
                row[header[c].Text] = start < line.Length ? line[start..end].Trim() : "";
            }

            // kubectl prints <none> for an absent value: an empty cell is a row cut short.
            return row.Values.All(v => v.Length > 0) ? row : null;
        }

        var cells = Cells(line);
        if (cells.Count != header.Count)
        {
            return null;
        }

        for (var c = 0; c < header.Count; c++)
        {
            row[header[c].Text] = cells[c].Text;
        }

        return row;
    }

    /// <summary>Does every column start, in this line, with a value right after a blank (or past its end), as kubectl's tab writer aligns them?</summary>
    private static bool Aligned(string line, List<(string Text, int Start)> header) =>
        !line.Contains('\t', StringComparison.Ordinal) && !char.IsWhiteSpace(line.FirstOrDefault(' '))
        && header.Skip(1).All(h => h.Start >= line.Length || (line[h.Start - 1] == ' ' && line[h.Start] != ' '));

    /// <summary>The line split at tabs and at runs of two or more spaces, each piece with where it starts.</summary>
    private static List<(string Text, int Start)> Cells(string line)
    {
        var cells = new List<(string, int)>();
        var i = 0;
        while (i < line.Length)
        {
            while (i < line.Length && char.IsWhiteSpace(line[i]))
            {
                i++;
            }

            if (i >= line.Length)
            {
                break;
            }

            var start = i;
            while (i < line.Length && line[i] != '\t' && !(line[i] == ' ' && (i + 1 >= line.Length || char.IsWhiteSpace(line[i + 1]))) && line[i] is not ('\r' or '\n'))
            {
                i++;
            }

            cells.Add((line[start..i], start));
        }

        return cells;
    }
}
