using DnsExpert.Contract;
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace DnsExpert.Readers.Parsing;

/// <summary>
/// Lines of one kind that say the same thing (same name, type and rcode; or the same signature), with the first as
/// evidence. For a failed query, <see cref="Answers"/> counts every answer to the same name and type.
/// </summary>
public sealed record CoreDnsLogGroup(CoreDnsLogRecord First, int Occurrences, DateTimeOffset? LastTimestamp, int LastLineNumber)
{
    public QueryAnswers? Answers { get; init; }

    /// <summary>For a failed query: how long its lines took to answer; null for an event, or when no line gave a duration.</summary>
    public AnswerDurations? Durations { get; init; }
}

/// <summary>
/// How long the lines of a failed-query group took: how many gave a duration, how many of those were answered in less
/// than <see cref="CachedBelowSeconds"/> (from CoreDNS's cache, not an upstream round trip), the fastest and the slowest.
/// </summary>
public sealed record AnswerDurations(int Timed, int Fast, double FastestSeconds, double SlowestSeconds)
{
    /// <summary>
    /// An answer faster than this came from CoreDNS's memory, not over the network. In coredns/coredns#3927 (CoreDNS
    /// 1.6.7 on AWS) the SERVFAIL the cache served took 35 to 55 µs and those from the VPC resolver 1.87 to 2.25 ms;
    /// the kubernetes plugin's NXDOMAIN in the query logs of this repository's fixtures take about 150 µs. Half a
    /// millisecond leaves the cache ten times its usual time under load and stays under an upstream in the same VPC.
    /// </summary>
    public const double CachedBelowSeconds = 0.0005;

    /// <summary>Every timed line was answered that fast: nothing here went upstream.</summary>
    public bool AllFast => Timed > 0 && Fast == Timed;
}

/// <summary>
/// Every answer a log gives to clients' queries for one name and type, whatever the rcode: how many, how many were not
/// NOERROR, the first and last time, and the last answer's rcode and line (is the name still failing at the end?).
/// </summary>
public sealed record QueryAnswers(int Count, int Failed, DateTimeOffset? FirstTimestamp, DateTimeOffset? LastTimestamp, int LastLineNumber, string LastRcode)
{
    /// <summary>The line of the first NOERROR answer; null when none was.</summary>
    public int? FirstNoErrorLine { get; init; }

    /// <summary>The time of the first NOERROR answer, when the log has timestamps.</summary>
    public DateTimeOffset? FirstNoErrorTimestamp { get; init; }
}

/// <summary>
/// What a CoreDNS log says, independent of the cluster around it: failed queries and error signatures grouped, and the
/// parallel A/AAAA pairs. The fact builder adds the context (cluster domain, search list, failing name) afterwards, so a
/// log can be scanned the moment it arrives, before the rest of the snapshot is read.
/// </summary>
public sealed class CoreDnsLogScan
{
    public required int Lines { get; init; }

    /// <summary>The characters of log text scanned.</summary>
    public required long Characters { get; init; }

    /// <summary>
    /// Clients' queries (<see cref="CoreDnsQuery.IsClientQuery"/>) answered with anything but NOERROR, grouped by name,
    /// type and rcode, in order of first appearance.
    /// </summary>
    public required IReadOnlyList<CoreDnsLogGroup> FailedQueries { get; init; }

    /// <summary>Error signatures, reloads and panics, grouped by what they say, in order of first appearance.</summary>
    public required IReadOnlyList<CoreDnsLogGroup> Events { get; init; }

    public required IReadOnlyList<ParallelQueryPair> ParallelPairs { get; init; }

    /// <summary>Lines not examined because the log had more than <see cref="CoreDnsLogScanner.MaxGroups"/> distinct failures.</summary>
    public required int DroppedLines { get; init; }

    /// <summary>Every answer to clients' queries for one name and type, NOERROR included.</summary>
    internal Func<string, string, QueryAnswers?>? AnswerLookup { get; init; }

    /// <summary>
    /// The answers the log gives clients for <paramref name="name"/> (any case, with or without its trailing dot) and
    /// <paramref name="type"/>, whatever the rcode: what a name answered NOERROR, which no failed-query group holds.
    /// Null when the log has none (or past <see cref="CoreDnsLogScanner.MaxCountedNames"/> names, a NOERROR-only name).
    /// </summary>
    public QueryAnswers? AnswersTo(string name, string type) => AnswerLookup?.Invoke(name, type);
}

/// <summary>
/// Scans a CoreDNS log in one pass, fed in pieces of any size (streamed: it keeps only the unfinished line). A query
/// answered NOERROR, nearly every line of a query log, is read in place without allocating; anything else goes through
/// <see cref="CoreDnsLogParser"/>. Not thread-safe: one scanner per log.
/// </summary>
public sealed class CoreDnsLogScanner
{
    /// <summary>At most this many distinct failed queries and as many distinct events per log: enough evidence, bounded facts.</summary>
    public const int MaxGroups = 2_000;

    /// <summary>
    /// At most this many distinct names and types have their answers counted from their first line on; past it, only the
    /// failing ones are, from their first failure (a log with more distinct names is rare and its counts are lower bounds).
    /// </summary>
    public const int MaxCountedNames = 50_000;

    /// <summary>At most this many texts of lines read by the parser are remembered (<see cref="TrySeenText"/>), each at most this long.</summary>
    private const int MaxRememberedTexts = 1_024;

    private const int MaxRememberedTextLength = 512;

    /// <summary>A remembered text the parser read as no kind of line.</summary>
    private const int OtherText = -1;

    /// <summary>Bytes of a line decoded at most: enough for the line's bound in characters (see <see cref="DecodedLine"/>).</summary>
    private const int DecodedBytes = 3 * (CoreDnsLogParser.MaxLineLength + 2);

    /// <summary>
    /// Characters of text narrowed to bytes at a time (<see cref="Feed"/>): a line's bound and more, and few enough that
    /// the bytes are still in the cache when their lines are read (16K read a 1 M line log a little faster than 64K).
    /// </summary>
    private const int NarrowedChars = 1 << 14;

    private static readonly SearchValues<byte> AsciiWhiteSpace = SearchValues.Create("\t\n\v\f\r "u8);

    /// <summary>"name|type|rcode" keys longer than this are not grouped (a DNS name has at most 253 characters).</summary>
    private const int MaxQueryKeyLength = 300;

    private readonly ParallelQueryDetector _parallel = new();
    private readonly TextTable _queryIndex = new();
    private readonly Dictionary<EventKey, int> _eventIndex = [];
    private readonly List<Accumulator> _queries = [];
    private readonly List<Accumulator> _events = [];
    private readonly TextTable _answerIndex = new();
    private readonly char[] _answerKey = new char[MaxQueryKeyLength];
    private readonly List<AnswerCount> _answers = [];
    private readonly TextTable _seenTexts = new();
    private readonly char[] _stampPrefix = new char[19];
    private readonly byte[] _stampPrefixBytes = new byte[19];
    private DateTimeOffset _stampBase;
    private bool _stampCached;
    private char[] _carry = [];

    /// <summary>A byte line's characters, for what only reads characters (the parser, remembered texts); rented by a scan.</summary>
    private char[] _wide = [];

    /// <summary>Text narrowed to its ASCII bytes (<see cref="Feed"/>), a piece at a time; rented by a scan of text.</summary>
    private byte[] _narrow = [];
    private int _carryLength;
    private int _lines;
    private long _characters;
    private int _dropped;

    public static CoreDnsLogScan Scan(ReadOnlySpan<char> text)
    {
        var scanner = new CoreDnsLogScanner();
        scanner.Feed(text);
        return scanner.Complete();
    }

    public static CoreDnsLogScan Scan(TextReader reader)
    {
        var scanner = new CoreDnsLogScanner();
        // Larger than a StreamReader's usual buffer: one reading into a buffer at least its size decodes straight into
        // it instead of into its own and copying (a StreamReader of 64K bytes can decode 65,537 characters at once).
        var buffer = ArrayPool<char>.Shared.Rent(1 << 18);
        try
        {
            int read;
            while ((read = reader.Read(buffer, 0, buffer.Length)) > 0)
            {
                scanner.Feed(buffer.AsSpan(0, read));
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }

        return scanner.Complete();
    }

    /// <summary>
    /// A whole UTF-8 log, read as bytes: an ASCII line (nearly every line of a log) is read where it lies, without
    /// decoding it; another is decoded on its own. The same scan as of its decoded text.
    /// </summary>
    public static CoreDnsLogScan Scan(ReadOnlySpan<byte> utf8)
    {
        var scanner = new CoreDnsLogScanner();
        scanner._wide = ArrayPool<char>.Shared.Rent(DecodedBytes);
        try
        {
            scanner.FeedWhole(utf8);
        }
        finally
        {
            scanner.ReturnBuffers();
        }

        return scanner.Complete();
    }

    /// <summary>
    /// A whole log kept as its JSON string's validated escaped bytes, unescaped where they lie line by line as it is
    /// scanned (<see cref="EscapedLines"/>): the same scan as <see cref="Scan(ReadOnlySpan{byte})"/> of the unescaped
    /// text, without a pass to unescape it all and another to find its lines. The bytes are overwritten.
    /// </summary>
    /// <exception cref="FormatException">An unpaired surrogate escape, or the bytes end inside an escape.</exception>
    public static CoreDnsLogScan ScanEscaped(Span<byte> escaped)
    {
        var scanner = new CoreDnsLogScanner();
        scanner._wide = ArrayPool<char>.Shared.Rent(DecodedBytes);
        try
        {
            var lines = new LineFeed(scanner);
            EscapedLines.Unescape(escaped, ref lines);
        }
        finally
        {
            scanner.ReturnBuffers();
        }

        return scanner.Complete();
    }

    /// <summary>The lines of a whole log, from its text (<see cref="FeedWhole"/>) or its escaped bytes (<see cref="ScanEscaped"/>).</summary>
    private readonly ref struct LineFeed(CoreDnsLogScanner scanner) : IUtf8Lines
    {
        public void Line(ReadOnlySpan<byte> line)
        {
            scanner.Utf8Line(line);
            scanner._characters++;
        }

        public void Last(ReadOnlySpan<byte> rest)
        {
            if (!rest.IsEmpty)
            {
                scanner.Utf8Line(rest);
            }
        }
    }

    /// <summary>The whole log as UTF-8: no line continues in a later piece, so none is carried.</summary>
    // Runs per line or per byte of a long log: optimised at its first call, with no ReadyToRun or instrumented code in
    // between (BENCHMARKS.md, "The read's hot loops optimised at their first call").
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void FeedWhole(ReadOnlySpan<byte> utf8)
    {
        var lines = new LineFeed(this);
        while (true)
        {
            var newline = utf8.IndexOf((byte)'\n');
            if (newline < 0)
            {
                lines.Last(utf8);
                return;
            }

            lines.Line(utf8[..newline]);
            utf8 = utf8[(newline + 1)..];
        }
    }

    /// <summary>
    /// Scans the next piece of the log; a line may span pieces. The text is narrowed to bytes a piece at a time (a
    /// vectorised copy) and its ASCII lines, nearly every line of a log, are read as a log of bytes is
    /// (<see cref="AsciiLines"/>); a line with other characters in it is read on its own (<see cref="Line"/>).
    /// </summary>
    // Per piece of a log read as text: optimised at its first call, as its bytes twin is (it never sees a profile: TieredPGO is off).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Feed(ReadOnlySpan<char> text)
    {
        _characters += text.Length;
        if (_narrow.Length == 0)
        {
            _narrow = ArrayPool<byte>.Shared.Rent(NarrowedChars);
            _wide = _wide.Length > 0 ? _wide : ArrayPool<char>.Shared.Rent(DecodedBytes);
        }

        if (_carryLength > 0)
        {
            // The line began in an earlier piece.
            var newline = text.IndexOf('\n');
            if (newline < 0)
            {
                Carry(text);
                return;
            }

            Carry(text[..newline]);
            Line(_carry.AsSpan(0, _carryLength));
            _carryLength = 0;
            text = text[(newline + 1)..];
        }

        while (true)
        {
            // Each round starts at a line's start: the ASCII run from there narrowed, and its whole lines read as bytes.
            var piece = text[..Math.Min(text.Length, NarrowedChars)];
            var whole = piece.Length == text.Length;
            Ascii.FromUtf16(piece, _narrow, out var ascii);
            var end = _narrow.AsSpan(0, ascii).LastIndexOf((byte)'\n');
            if (end >= 0)
            {
                AsciiLines(_narrow.AsSpan(0, end + 1));
                text = text[(end + 1)..];
            }

            if (ascii == piece.Length && whole)
            {
                // The rest is an unfinished ASCII line, which the next piece may continue.
                Carry(text);
                return;
            }

            if (ascii == piece.Length && end >= 0)
            {
                // More text past this piece, from a line's start.
                continue;
            }

            // The next line has other than ASCII in it (at `from`), or is longer than a piece (ASCII up to `from`): read
            // on its own, as characters when its bound is not all ASCII.
            var from = ascii - (end + 1);
            var next = text[from..].IndexOf('\n');
            if (next < 0)
            {
                Carry(text);
                return;
            }

            next += from;
            if (ascii < piece.Length && from <= CoreDnsLogParser.MaxLineLength)
            {
                CharLine(text[..next]);
            }
            else
            {
                Line(text[..next]);
            }

            text = text[(next + 1)..];
        }
    }

    /// <summary>Whole lines of narrowed text, each ended by its newline: read as a log's ASCII bytes are, each up to its bound.</summary>
    // Runs per line of a long log read as text: optimised at its first call (BENCHMARKS.md, "The read's hot loops optimised at their first call").
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AsciiLines(ReadOnlySpan<byte> lines)
    {
        while (true)
        {
            var newline = lines.IndexOf((byte)'\n');
            if (newline < 0)
            {
                return;
            }

            var line = lines[..newline];
            AsciiLine(line.Length > CoreDnsLogParser.MaxLineLength + 1 ? line[..(CoreDnsLogParser.MaxLineLength + 1)] : line);
            lines = lines[(newline + 1)..];
        }
    }

    /// <summary>The buffers a scan rented, given back (a scanner fed text rents them at its first piece).</summary>
    private void ReturnBuffers()
    {
        if (_wide.Length > 0)
        {
            ArrayPool<char>.Shared.Return(_wide);
            _wide = [];
        }

        if (_narrow.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_narrow);
            _narrow = [];
        }
    }

    public CoreDnsLogScan Complete()
    {
        if (_carryLength > 0)
        {
            Line(_carry.AsSpan(0, _carryLength));
            _carryLength = 0;
        }

        ReturnBuffers();
        return new CoreDnsLogScan
        {
            Lines = _lines,
            Characters = _characters,
            FailedQueries = _queries.Select(a => a.ToGroup() with { Answers = AnswersFor(a.First.Query!), Durations = a.Durations }).ToList(),
            Events = _events.Select(a => a.ToGroup()).ToList(),
            ParallelPairs = _parallel.Pairs(),
            DroppedLines = _dropped,
            AnswerLookup = AnswerTable(),
        };
    }

    /// <summary>Keeps the unfinished line; past the parser's line limit the rest of that line is not kept.</summary>
    private void Carry(ReadOnlySpan<char> text)
    {
        var room = CoreDnsLogParser.MaxLineLength + 1 - _carryLength;
        if (text.Length > room)
        {
            text = text[..Math.Max(0, room)];
        }

        if (_carryLength + text.Length > _carry.Length)
        {
            Array.Resize(ref _carry, Math.Max(256, Math.Min(CoreDnsLogParser.MaxLineLength + 1, (_carryLength + text.Length) * 2)));
        }

        text.CopyTo(_carry.AsSpan(_carryLength));
        _carryLength += text.Length;
    }

    /// <summary>
    /// A line of text read on its own (one carried over pieces, or with other than ASCII in it): an ASCII one (up to its
    /// bound, as <see cref="Utf8Line"/> looks at bytes) narrowed and read as bytes, any other as characters.
    /// </summary>
    private void Line(ReadOnlySpan<char> line)
    {
        var head = line.Length > CoreDnsLogParser.MaxLineLength + 1 ? line[..(CoreDnsLogParser.MaxLineLength + 1)] : line;
        if (Ascii.FromUtf16(head, _narrow, out _) == OperationStatus.Done)
        {
            AsciiLine(_narrow.AsSpan(0, head.Length));
            return;
        }

        CharLine(line);
    }

    /// <summary>A line with other than ASCII in its bound, read as characters.</summary>
    // Per line of text with other than ASCII in it (text of ASCII is narrowed and read as bytes): optimised at its first
    // call, as its bytes twin is (it never sees a profile: TieredPGO is off).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void CharLine(ReadOnlySpan<char> line)
    {
        _lines++;
        if (line.IsWhiteSpace())
        {
            return;
        }

        if (line.Length > CoreDnsLogParser.MaxLineLength)
        {
            line = line[..CoreDnsLogParser.MaxLineLength];
        }

        line = line.TrimEnd('\r');

        var split = SplitStamp(line, out var text, out var timestamp);
        if (split && TryAnsweredQuery(text, timestamp))
        {
            return;
        }

        Slow(line, text, timestamp, split);
    }

    /// <summary>
    /// One line of a UTF-8 log: an ASCII one read as bytes as <see cref="Line"/> reads characters, with the same bound
    /// (only its first <see cref="CoreDnsLogParser.MaxLineLength"/> + 1 are looked at, as <see cref="Carry"/> keeps them);
    /// any other decoded on its own, which decodes it as the whole text would (a newline ends every UTF-8 sequence).
    /// </summary>
    // Runs per line or per byte of a long log: optimised at its first call, with no ReadyToRun or instrumented code in
    // between (BENCHMARKS.md, "The read's hot loops optimised at their first call").
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Utf8Line(ReadOnlySpan<byte> line)
    {
        var head = line.Length > CoreDnsLogParser.MaxLineLength + 1 ? line[..(CoreDnsLogParser.MaxLineLength + 1)] : line;
        if (!Ascii.IsValid(head))
        {
            // Its characters as the decoder counts them (a byte of no UTF-8 sequence is one U+FFFD).
            _characters += Encoding.UTF8.GetCharCount(line);
            DecodedLine(line);
            return;
        }

        // A byte a character, and past the bound (after an ASCII byte, so no sequence is cut) as decoded.
        _characters += head.Length + (line.Length > head.Length ? Encoding.UTF8.GetCharCount(line[head.Length..]) : 0);
        AsciiLine(head);
    }

    /// <summary>
    /// An ASCII line's first <see cref="CoreDnsLogParser.MaxLineLength"/> + 1 bytes (or all of a shorter one), of a log
    /// of bytes or of narrowed text: read where they lie, and what the fast reading does not take as characters.
    /// </summary>
    // Runs per line of a long log: optimised at its first call, with no ReadyToRun or instrumented code in between
    // (BENCHMARKS.md, "The read's hot loops optimised at their first call").
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AsciiLine(ReadOnlySpan<byte> head)
    {
        _lines++;
        if (IsWhiteSpace(head))
        {
            return;
        }

        var line = head.Length > CoreDnsLogParser.MaxLineLength ? head[..CoreDnsLogParser.MaxLineLength] : head;
        line = AsciiText.TrimEnd(line, (byte)'\r');
        var split = SplitStamp(line, out var text, out var timestamp);
        if (split && TryAnsweredQuery(text, timestamp))
        {
            return;
        }

        // The rest as characters: the bytes are ASCII, so each is its character.
        var chars = _wide.AsSpan(0, line.Length);
        Ascii.ToUtf16(line, chars, out _);
        Slow(chars, chars[(line.Length - text.Length)..], timestamp, split);
    }

    /// <summary>
    /// The timestamp split off as the parser splits it: <paramref name="text"/> is the rest. False for a line that starts
    /// like a stamp this does not read (the parser then reads it).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool SplitStamp<T>(ReadOnlySpan<T> line, out ReadOnlySpan<T> text, out DateTimeOffset? timestamp)
        where T : unmanaged
    {
        text = line;
        timestamp = null;
        if (line.Length < 20 || !QueryScanner.IsDigit(line[0]) || QueryScanner.Code(line[4]) != '-' || QueryScanner.Code(line[10]) != 'T')
        {
            return true;
        }

        var space = typeof(T) == typeof(byte) ? MemoryMarshal.Cast<T, byte>(line).IndexOf((byte)' ') : MemoryMarshal.Cast<T, char>(line).IndexOf(' ');
        if (space < 0 || Timestamp(line[..space]) is not { } t)
        {
            return false;
        }

        timestamp = t;
        text = line[(space + 1)..];
        return true;
    }

    /// <summary>A line with other than ASCII in it, decoded on its own; only as much as the line's bound needs.</summary>
    private void DecodedLine(ReadOnlySpan<byte> line)
    {
        // At most 3 bytes make a character (a 4-byte sequence makes 2, an invalid byte one U+FFFD), so this many bytes
        // make more characters than the bound and the cut cannot reach into them.
        var bytes = line[..Math.Min(line.Length, DecodedBytes)];
        var status = System.Text.Unicode.Utf8.ToUtf16(bytes, _wide, out _, out var written, replaceInvalidSequences: true, isFinalBlock: true);
        System.Diagnostics.Debug.Assert(status == OperationStatus.Done, "the buffer holds a character per byte");
        CharLine(_wide.AsSpan(0, Math.Min(written, CoreDnsLogParser.MaxLineLength + 1)));
    }

    /// <summary>
    /// Every byte is ASCII white space, as <see cref="MemoryExtensions.IsWhiteSpace"/> reads characters. The first byte is
    /// tested in line (a line's usual answer): the framework's <c>SearchValues&lt;byte&gt;.Contains</c> has no precompiled
    /// code and ran unoptimised on every line of a process's first long log.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsWhiteSpace(ReadOnlySpan<byte> ascii) => ascii.IsEmpty || (IsWhiteSpace(ascii[0]) && !ascii.ContainsAnyExcept(AsciiWhiteSpace));

    /// <summary>Tab, line feed, vertical tab, form feed, carriage return or space.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsWhiteSpace(byte b) => b == (byte)' ' || (uint)(b - '\t') <= '\r' - '\t';

    /// <summary>A line the fast reading did not take: a text read before, or the parser.</summary>
    private void Slow(ReadOnlySpan<char> line, ReadOnlySpan<char> text, DateTimeOffset? timestamp, bool split)
    {
        if (split && TrySeenText(text, timestamp))
        {
            return;
        }

        var record = CoreDnsLogParser.ParseLine(line.ToString(), _lines);
        if (record.Kind == CoreDnsLogKind.Query && record.Query is { } q)
        {
            _parallel.Observe(q.Client, q.ClientPort, q.Name, q.Type, q.Transport, record.Timestamp, record.LineNumber);
            Span<char> key = stackalloc char[MaxQueryKeyLength];
            if (q.IsClientQuery)
            {
                CountAnswer(q.Name, q.Type, q.Rcode, record.Timestamp, always: q.Rcode != "NOERROR");
            }

            if (q.Rcode != "NOERROR" && q.IsClientQuery && QueryKey(q.Name, q.Type, q.Rcode, key) is var length and > 0)
            {
                GroupQuery(new QueryText(key[..length], length - q.Type.Length - q.Rcode.Length - 2, q.Type.Length), record, q.DurationSeconds);
            }
        }
        else if (record.Kind is not (CoreDnsLogKind.Other or CoreDnsLogKind.Query))
        {
            var key = new EventKey(record.Kind, record.Cause, record.Directive, record.Property, record.Plugin, record.OnReload, record.CorefileLine, record.Endpoint, record.Resource, record.Subject, record.Error, record.QueryName, record.QueryType, record.Zone);
            Group(_events, _eventIndex, key, record, null);
            if (split && _eventIndex.TryGetValue(key, out var i))
            {
                RememberText(text, i);
            }
        }
        else if (split && record.Kind == CoreDnsLogKind.Other)
        {
            RememberText(text, OtherText);
        }
    }

    /// <summary>
    /// A line whose text (after its timestamp) an earlier line had, read again from what that one was read into: an
    /// event's group gets another line, and a line of no kind is nothing again. What the parser reads from a line depends
    /// on its text alone, the timestamp and line number aside, so this is what it would read; a repeated error
    /// signature costs the parser's regexes once instead of on each line.
    /// </summary>
    private bool TrySeenText(ReadOnlySpan<char> text, DateTimeOffset? timestamp)
    {
        if (_seenTexts.Count == 0 || text.Length > MaxRememberedTextLength || !_seenTexts.TryGetValue(new PlainText(text), out var i))
        {
            return false;
        }

        if (i != OtherText)
        {
            CollectionsMarshal.AsSpan(_events)[i].Add(timestamp, _lines, null);
        }

        return true;
    }

    /// <summary>Remembers what a text was read as (an event's group, or <see cref="OtherText"/>), for the first few short ones.</summary>
    private void RememberText(ReadOnlySpan<char> text, int read)
    {
        if (text.Length <= MaxRememberedTextLength && _seenTexts.Count < MaxRememberedTexts)
        {
            _seenTexts.Add(new PlainText(text), read);
        }
    }

    /// <summary>
    /// A query line answered NOERROR, or one no client asked (the loop plugin's probe), read where it lies. It proves
    /// nothing wrong by itself; only the parallel-query detector sees it. Anything it cannot read exactly as
    /// <see cref="CoreDnsLogParser"/> would goes the slow way.
    /// </summary>
    // Per line of text with other than ASCII in it (text of ASCII is narrowed and read as bytes): optimised at its first
    // call, as its bytes twin is (it never sees a profile: TieredPGO is off).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryAnsweredQuery(ReadOnlySpan<char> text, DateTimeOffset? timestamp)
    {
        // The parser's cheap pre-checks (a '" ' and a ' - ' in the line) hold for every line TryScan accepts.
        if (!QueryScanner.TryScan(text, out var f))
        {
            return false;
        }

        var client = QueryScanner.IsClientQuery(f.Client, f.Type);
        if (f.Rcode is not "NOERROR" && client)
        {
            // A failure seen before only counts; the first of its kind is read in full below.
            Span<char> key = stackalloc char[MaxQueryKeyLength];
            var length = QueryKey(f.Name, f.Type, f.Rcode, key);
            if (length == 0 || !_queryIndex.TryGetValue(new QueryText(key[..length], length - f.Type.Length - f.Rcode.Length - 2, f.Type.Length), out var i))
            {
                return false;
            }

            CollectionsMarshal.AsSpan(_queries)[i].Add(timestamp, _lines, f.DurationSeconds);
        }

        if (client)
        {
            CountAnswer(f.Name, f.Type, f.Rcode, timestamp, always: false);
        }

        _parallel.Observe(f.Client, f.ClientPort, f.Name, f.Type, f.Transport, timestamp, _lines);
        return true;
    }

    /// <summary>
    /// <see cref="TryAnsweredQuery(ReadOnlySpan{char}, DateTimeOffset?)"/> of an ASCII line's bytes: the counts and the
    /// parallel-query detector read the fields as bytes, with the same hashes as of their characters; only a failure's
    /// key is made of characters.
    /// </summary>
    // Runs per line or per byte of a long log: optimised at its first call, with no ReadyToRun or instrumented code in
    // between (BENCHMARKS.md, "The read's hot loops optimised at their first call").
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryAnsweredQuery(ReadOnlySpan<byte> text, DateTimeOffset? timestamp)
    {
        if (!QueryScanner.TryScanAscii(text, out var f))
        {
            return false;
        }

        var client = QueryScanner.IsClientQuery(f.Client, f.Type);
        if (client && !f.Rcode.SequenceEqual("NOERROR"u8) && !CountFailure(f.Name, f.Type, f.Rcode, timestamp, f.DurationSeconds))
        {
            return false;
        }

        if (client)
        {
            CountAnswer(f.Name, f.Type, f.Rcode, timestamp);
        }

        _parallel.Observe(f.Client, f.ClientPort, f.Name, f.Type, f.Transport, timestamp, _lines);
        return true;
    }

    /// <summary>
    /// A failure of an ASCII line counted in its group when one of its kind was read before (its key compared in place
    /// with the group's, whatever the name's case); false for the first of its kind, which the parser reads in full.
    /// </summary>
    // Runs on each failed query's line: optimised at its first call (BENCHMARKS.md, "The scanner's tables").
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private bool CountFailure(ReadOnlySpan<byte> name, ReadOnlySpan<byte> type, ReadOnlySpan<byte> rcode, DateTimeOffset? timestamp, double duration)
    {
        name = AsciiText.TrimEnd(name, (byte)'.');
        if (name.Length + type.Length + rcode.Length + 2 > MaxQueryKeyLength || !_queryIndex.TryGetValue(new AsciiQuery(name, type, rcode), out var i))
        {
            return false;
        }

        CollectionsMarshal.AsSpan(_queries)[i].Add(timestamp, _lines, duration);
        return true;
    }

    /// <summary>ASCII bytes as characters at the start of <paramref name="room"/>.</summary>
    private static ReadOnlySpan<char> Widen(ReadOnlySpan<byte> ascii, Span<char> room)
    {
        Ascii.ToUtf16(ascii, room, out var written);
        return room[..written];
    }

    /// <summary>
    /// <see cref="CoreDnsLogParser.FastUtc"/> with the last second remembered: consecutive lines share it, so only the
    /// fraction is read. The same stamps are accepted.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private DateTimeOffset? Timestamp<T>(ReadOnlySpan<T> stamp)
        where T : unmanaged
    {
        const int Second = 19;
        if (_stampCached && stamp.Length >= 20 && QueryScanner.Code(stamp[^1]) == 'Z' && SameSecond(stamp[..Second]))
        {
            if (stamp.Length == 20)
            {
                return _stampBase;
            }

            var fraction = stamp[(Second + 1)..^1];
            if (QueryScanner.Code(stamp[Second]) != '.' || fraction.IsEmpty || fraction.Length > 9)
            {
                return null;
            }

            long value = 0;
            foreach (var c in fraction)
            {
                if (!QueryScanner.IsDigit(c))
                {
                    return null;
                }

                value = (value * 10) + (QueryScanner.Code(c) - '0');
            }

            // To 100 ns ticks: pad or cut to 7 digits.
            for (var i = fraction.Length; i < 7; i++)
            {
                value *= 10;
            }

            for (var i = fraction.Length; i > 7; i--)
            {
                value /= 10;
            }

            return _stampBase.AddTicks(value);
        }

        return NewSecond(stamp);
    }

    /// <summary>A new second (or no stamp): read by the parser's own reading, of characters, and remembered.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private DateTimeOffset? NewSecond<T>(ReadOnlySpan<T> stamp)
        where T : unmanaged
    {
        const int Second = 19;

        // A stamp has at most 30 characters (nine digits of fraction).
        if (stamp.Length > 30)
        {
            return null;
        }

        Span<char> chars = stackalloc char[stamp.Length];
        for (var i = 0; i < stamp.Length; i++)
        {
            chars[i] = (char)QueryScanner.Code(stamp[i]);
        }

        if (CoreDnsLogParser.FastUtc(chars) is not { } t)
        {
            return null;
        }

        // Its first 19 characters are digits and separators (FastUtc read them), so each is also its byte.
        for (var i = 0; i < Second; i++)
        {
            _stampPrefix[i] = chars[i];
            _stampPrefixBytes[i] = (byte)chars[i];
        }

        _stampBase = new DateTimeOffset(t.Ticks - (t.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        _stampCached = true;
        return t;
    }

    /// <summary>Is this the remembered second (its first 19 characters)?</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool SameSecond<T>(ReadOnlySpan<T> second)
        where T : unmanaged => typeof(T) == typeof(byte)
            ? MemoryMarshal.Cast<T, byte>(second).SequenceEqual(_stampPrefixBytes)
            : MemoryMarshal.Cast<T, char>(second).SequenceEqual(_stampPrefix);

    /// <summary>
    /// Counts a client's answered query for its name and type. A name seen for the first time is added while fewer than
    /// <see cref="MaxCountedNames"/> are counted, or <paramref name="always"/> (a failure, which the rules will ask about).
    /// </summary>
    // Per line of text with other than ASCII in it (text of ASCII is narrowed and read as bytes): optimised at its first
    // call, as its bytes twin is (it never sees a profile: TieredPGO is off).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void CountAnswer(ReadOnlySpan<char> name, ReadOnlySpan<char> type, ReadOnlySpan<char> rcode, DateTimeOffset? timestamp, bool always)
    {
        // Nearly every line of a log: an ASCII name is looked up as it lies, case folded by the comparer, without
        // copying it; anything else, and a new name, through its lower-case "name|type" key.
        name = name.TrimEnd('.');
        int i;
        var found = Ascii.IsValid(name) && name.Length + type.Length + 2 <= MaxQueryKeyLength
            ? _answerIndex.TryGetValue(new NameAndType(name, type), out i)
            : TryGetAnswer(_answerIndex, _answerKey, AnswerKey(name, type, _answerKey), type.Length, out i);
        if (!found)
        {
            var length = AnswerKey(name, type, _answerKey);
            if (length == 0 || (!always && _answers.Count >= MaxCountedNames))
            {
                return;
            }

            i = _answers.Count;
            _answerIndex.Add(new AnswerText(_answerKey.AsSpan(0, length), length - type.Length - 1), i);
            _answers.Add(new AnswerCount(timestamp));
        }

        CollectionsMarshal.AsSpan(_answers)[i].Add(rcode, timestamp, _lines);
    }

    /// <summary>
    /// <see cref="CountAnswer(ReadOnlySpan{char}, ReadOnlySpan{char}, ReadOnlySpan{char}, DateTimeOffset?, bool)"/> of an ASCII
    /// line's fields: a name counted before is looked up as its bytes lie (the comparer hashes them as their characters);
    /// a new one, and a failure's rcode, go the way of characters.
    /// </summary>
    // Runs per line or per byte of a long log: optimised at its first call, with no ReadyToRun or instrumented code in
    // between (BENCHMARKS.md, "The read's hot loops optimised at their first call").
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void CountAnswer(ReadOnlySpan<byte> name, ReadOnlySpan<byte> type, ReadOnlySpan<byte> rcode, DateTimeOffset? timestamp)
    {
        name = AsciiText.TrimEnd(name, (byte)'.');
        if (name.Length + type.Length + 2 > MaxQueryKeyLength || rcode.Length > MaxQueryKeyLength)
        {
            // No key that long is counted (AnswerKey makes none).
            return;
        }

        if (!_answerIndex.TryGetValue(new AsciiNameAndType(name, type), out var i) && !NewAnswer(name, type, timestamp, out i))
        {
            return;
        }

        ref var count = ref CollectionsMarshal.AsSpan(_answers)[i];
        if (rcode.SequenceEqual("NOERROR"u8))
        {
            count.Add("NOERROR", timestamp, _lines);
        }
        else
        {
            count.AddFailure(rcode, timestamp, _lines);
        }
    }

    /// <summary>
    /// A name and type not counted before, of an ASCII line: its count added, with the key <see cref="AnswerKey"/>
    /// makes of their characters (made here of the bytes); false past <see cref="MaxCountedNames"/>. Kept out of the
    /// usual line's way. The caller checked that the key fits.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool NewAnswer(ReadOnlySpan<byte> name, ReadOnlySpan<byte> type, DateTimeOffset? timestamp, out int i)
    {
        i = _answers.Count;
        if (i >= MaxCountedNames)
        {
            return false;
        }

        // ASCII lower-cased as ToLowerInvariant lower-cases it: only A to Z change.
        Ascii.ToLower(name, _answerKey, out _);
        _answerKey[name.Length] = '|';
        Ascii.ToUtf16(type, _answerKey.AsSpan(name.Length + 1), out _);
        _answerIndex.Add(new AnswerText(_answerKey.AsSpan(0, name.Length + type.Length + 1), name.Length), i);
        _answers.Add(new AnswerCount(timestamp));
        return true;
    }

    private QueryAnswers? AnswersFor(CoreDnsQuery query) => AnswersFor(_answerIndex, _answers, query.Name, query.Type);

    /// <summary>The answer counts alone, for the scan to keep: not the scanner's other state (its carry, the parallel-query detector).</summary>
    private Func<string, string, QueryAnswers?> AnswerTable()
    {
        var (index, answers) = (_answerIndex, _answers);
        return (name, type) => AnswersFor(index, answers, name, type);
    }

    private static QueryAnswers? AnswersFor(TextTable index, List<AnswerCount> answers, string name, string type)
    {
        Span<char> key = stackalloc char[MaxQueryKeyLength];
        return TryGetAnswer(index, key, AnswerKey(name, type, key), type.Length, out var i) ? answers[i].ToAnswers() : null;
    }

    /// <summary>An answer's count by its key as made (<paramref name="length"/> characters of <paramref name="key"/>; 0 for none).</summary>
    private static bool TryGetAnswer(TextTable index, Span<char> key, int length, int typeLength, out int i)
    {
        i = 0;
        return length > 0 && index.TryGetValue(new AnswerText(key[..length], length - typeLength - 1), out i);
    }

    /// <summary>"name|type", the name lower-case without its trailing dot; 0 when it does not fit.</summary>
    private static int AnswerKey(ReadOnlySpan<char> name, ReadOnlySpan<char> type, Span<char> key) => Math.Max(0, QueryKey(name, type, [], key) - 1);

    /// <summary>"name|type|rcode", the name lower-case without its trailing dot; 0 when it does not fit.</summary>
    private static int QueryKey(ReadOnlySpan<char> name, ReadOnlySpan<char> type, ReadOnlySpan<char> rcode, Span<char> key)
    {
        name = name.TrimEnd('.');
        var length = name.Length + type.Length + rcode.Length + 2;
        if (length > key.Length)
        {
            return 0;
        }

        name.ToLowerInvariant(key);
        key[name.Length] = '|';
        type.CopyTo(key[(name.Length + 1)..]);
        key[name.Length + 1 + type.Length] = '|';
        rcode.CopyTo(key[(name.Length + type.Length + 2)..]);
        return length;
    }

    private void Group<TKey>(List<Accumulator> groups, Dictionary<TKey, int> index, TKey key, CoreDnsLogRecord record, double? duration)
        where TKey : notnull
    {
        if (index.TryGetValue(key, out var i))
        {
            CollectionsMarshal.AsSpan(groups)[i].Add(record.Timestamp, record.LineNumber, duration);
        }
        else if (NewGroup(groups, record, duration))
        {
            index[key] = groups.Count - 1;
        }
    }

    /// <summary><see cref="Group{TKey}"/> of a failed query's line, by its key in <see cref="_queryIndex"/>.</summary>
    private void GroupQuery(QueryText key, CoreDnsLogRecord record, double? duration)
    {
        if (_queryIndex.TryGetValue(key, out var i))
        {
            CollectionsMarshal.AsSpan(_queries)[i].Add(record.Timestamp, record.LineNumber, duration);
        }
        else if (NewGroup(_queries, record, duration))
        {
            _queryIndex.Add(key, _queries.Count - 1);
        }
    }

    /// <summary>A group begun by this line; false (the line dropped) when there are <see cref="MaxGroups"/> already.</summary>
    private bool NewGroup(List<Accumulator> groups, CoreDnsLogRecord record, double? duration)
    {
        if (groups.Count >= MaxGroups)
        {
            _dropped++;
            return false;
        }

        var added = new Accumulator(record);
        added.Time(duration);
        groups.Add(added);
        return true;
    }

    private struct Accumulator(CoreDnsLogRecord first)
    {
        private int _count = 1;
        private DateTimeOffset? _last = first.Timestamp;
        private int _lastLine = first.LineNumber;
        private int _timed;
        private int _fast;
        private double _fastest = double.MaxValue;
        private double _slowest;

        public readonly CoreDnsLogRecord First => first;

        public readonly AnswerDurations? Durations => _timed == 0 ? null : new(_timed, _fast, _fastest, _slowest);

        public void Add(DateTimeOffset? timestamp, int line, double? duration)
        {
            _count++;
            _last = timestamp;
            _lastLine = line;
            Time(duration);
        }

        /// <summary>Counts a line's duration (a query's; none for an event).</summary>
        public void Time(double? duration)
        {
            if (duration is not { } d)
            {
                return;
            }

            _timed++;
            _fast += d < AnswerDurations.CachedBelowSeconds ? 1 : 0;
            _fastest = Math.Min(_fastest, d);
            _slowest = Math.Max(_slowest, d);
        }

        public readonly CoreDnsLogGroup ToGroup() => new(first, _count, _last, _lastLine);
    }

    /// <summary>The answers to one name and type so far; the rcode of the last is interned (a handful of values).</summary>
    private struct AnswerCount(DateTimeOffset? first)
    {
        private int _count;
        private int _failed;
        private DateTimeOffset? _last;
        private int _lastLine;
        private string? _lastRcode;
        private int _firstNoErrorLine;
        private DateTimeOffset? _firstNoErrorTime;

        public void Add(ReadOnlySpan<char> rcode, DateTimeOffset? timestamp, int line)
        {
            _count++;
            _last = timestamp;
            _lastLine = line;
            if (rcode is "NOERROR")
            {
                // Nearly every answer: no comparison with the last one's, which is then the interned "NOERROR".
                _lastRcode = "NOERROR";
                if (_firstNoErrorLine == 0)
                {
                    _firstNoErrorLine = line;
                    _firstNoErrorTime = timestamp;
                }

                return;
            }

            _failed++;
            if (_lastRcode is null || !rcode.SequenceEqual(_lastRcode))
            {
                _lastRcode = QueryScanner.Intern(rcode);
            }
        }

        /// <summary><see cref="Add"/> of a failure's rcode, as ASCII bytes of a line.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void AddFailure(ReadOnlySpan<byte> rcode, DateTimeOffset? timestamp, int line)
        {
            _count++;
            _last = timestamp;
            _lastLine = line;
            _failed++;
            if (_lastRcode is null || !Ascii.Equals(rcode, _lastRcode))
            {
                _lastRcode = Interned(rcode);
            }
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static string Interned(ReadOnlySpan<byte> rcode)
        {
            Span<char> chars = stackalloc char[rcode.Length];
            return QueryScanner.Intern(Widen(rcode, chars));
        }

        public readonly QueryAnswers ToAnswers() => new(_count, _failed, first, _last, _lastLine, _lastRcode ?? "")
        {
            FirstNoErrorLine = _firstNoErrorLine > 0 ? _firstNoErrorLine : null,
            FirstNoErrorTimestamp = _firstNoErrorTime,
        };
    }

    /// <summary>
    /// An answer's key "name|type" (the name lower-case, without its trailing dot) as made: compared ordinally, hashed by
    /// its parts as <see cref="NameAndType"/> hashes them.
    /// </summary>
    internal readonly ref struct AnswerText(ReadOnlySpan<char> key, int nameLength) : ITextKey
    {
        private readonly ReadOnlySpan<char> _key = key;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ulong Hash() => TextHash.Finish(TextHash.Hash(_key[(nameLength + 1)..], TextHash.Hash(_key[..nameLength], TextHash.Seed)));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Is(string stored) => _key.SequenceEqual(stored);

        public string Text() => _key.ToString();
    }

    /// <summary>
    /// A name (without its trailing dot) and a type as they lie in a line: the key of its answers, not copied. For an
    /// ASCII name: the same key whatever the name's case.
    /// </summary>
    internal readonly ref struct NameAndType(ReadOnlySpan<char> name, ReadOnlySpan<char> type) : ITextKey
    {
        public ReadOnlySpan<char> Name { get; } = name;

        public ReadOnlySpan<char> Type { get; } = type;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ulong Hash() => TextHash.Finish(TextHash.Hash(Type, TextHash.Hash(Name, TextHash.Seed)));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Is(string stored) =>
            stored.Length == Name.Length + Type.Length + 1
            && stored[Name.Length] == '|'
            && stored.AsSpan(Name.Length + 1).SequenceEqual(Type)
            && Ascii.EqualsIgnoreCase(Name, stored.AsSpan(0, Name.Length));

        public string Text() => throw new NotSupportedException("answer keys are added as made (AnswerText)");
    }

    /// <summary>A name (without its trailing dot) and a type as ASCII bytes of a line: the key of its answers, not copied.</summary>
    internal readonly ref struct AsciiNameAndType(ReadOnlySpan<byte> name, ReadOnlySpan<byte> type) : ITextKey
    {
        public ReadOnlySpan<byte> Name { get; } = name;

        public ReadOnlySpan<byte> Type { get; } = type;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ulong Hash() => TextHash.Finish(TextHash.CaseFoldedHash(Type, TextHash.CaseFoldedHash(Name, TextHash.Seed)));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Is(string stored) =>
            stored.Length == Name.Length + Type.Length + 1
            && stored[Name.Length] == '|'
            && Ascii.Equals(Type, stored.AsSpan(Name.Length + 1))
            && Ascii.EqualsIgnoreCase(Name, stored.AsSpan(0, Name.Length));

        public string Text() => throw new NotSupportedException("answer keys are added as made (AnswerText)");
    }

    /// <summary>
    /// A failed query's key "name|type|rcode" as made (<see cref="QueryKey"/>, the name lower-case): compared ordinally,
    /// hashed by its parts as <see cref="AsciiQuery"/> hashes them.
    /// </summary>
    internal readonly ref struct QueryText(ReadOnlySpan<char> key, int nameLength, int typeLength) : ITextKey
    {
        private readonly ReadOnlySpan<char> _key = key;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ulong Hash() => TextHash.Finish(TextHash.Hash(
            _key[(nameLength + typeLength + 2)..], TextHash.Hash(_key.Slice(nameLength + 1, typeLength), TextHash.Hash(_key[..nameLength], TextHash.Seed))));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Is(string stored) => _key.SequenceEqual(stored);

        public string Text() => _key.ToString();
    }

    /// <summary>
    /// A failed query's name (without its trailing dot), type and rcode as ASCII bytes of a line: its key whatever the
    /// name's case, not copied.
    /// </summary>
    internal readonly ref struct AsciiQuery(ReadOnlySpan<byte> name, ReadOnlySpan<byte> type, ReadOnlySpan<byte> rcode) : ITextKey
    {
        private readonly ReadOnlySpan<byte> _name = name;
        private readonly ReadOnlySpan<byte> _type = type;
        private readonly ReadOnlySpan<byte> _rcode = rcode;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ulong Hash() => TextHash.Finish(TextHash.CaseFoldedHash(_rcode, TextHash.CaseFoldedHash(_type, TextHash.CaseFoldedHash(_name, TextHash.Seed))));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Is(string stored) =>
            stored.Length == _name.Length + _type.Length + _rcode.Length + 2
            && stored[_name.Length] == '|'
            && stored[_name.Length + _type.Length + 1] == '|'
            && Ascii.Equals(_type, stored.AsSpan(_name.Length + 1, _type.Length))
            && Ascii.Equals(_rcode, stored.AsSpan(_name.Length + _type.Length + 2))
            && Ascii.EqualsIgnoreCase(_name, stored.AsSpan(0, _name.Length));

        public string Text() => throw new NotSupportedException("query keys are added as made (QueryText)");
    }

    /// <summary>A line's text, compared ordinally: the key of what it was read as (<see cref="TrySeenText"/>).</summary>
    private readonly ref struct PlainText(ReadOnlySpan<char> text) : ITextKey
    {
        private readonly ReadOnlySpan<char> _text = text;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ulong Hash() => TextHash.Finish(TextHash.Hash(_text, TextHash.Seed));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Is(string stored) => _text.SequenceEqual(stored);

        public string Text() => _text.ToString();
    }

    /// <summary>Every field a signature is read into: two lines are the same event when all of them agree.</summary>
    private readonly record struct EventKey(
        CoreDnsLogKind Kind, string? Cause, string? Directive, string? Property, string? Plugin, bool OnReload, int? CorefileLine, string? Endpoint, string? Resource,
        string? Subject, string? Error, string? QueryName, string? QueryType, string? Zone);
}
