using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.Unicode;

namespace DnsExpert.Contract;

/// <summary>
/// Where the log texts of a request type lie in its JSON: the properties (by their JSON names) and array elements that
/// lead from the root to a <see cref="LogText"/> property, derived from the serializer's own contract of the type so
/// that it cannot drift from what the serializer reads. Anything the contract does not make plain (a custom converter,
/// a dictionary, polymorphism, a recursive type) leads nowhere: strings there are left to the serializer.
/// </summary>
internal sealed class LogPath
{
    private LogPath(bool isLog, bool isArray, LogPath? element, (byte[] Name, LogPath Child)[] properties)
    {
        IsLog = isLog;
        IsArray = isArray;
        Element = element;
        Properties = properties;
    }

    /// <summary>A <see cref="LogText"/> property's value.</summary>
    public bool IsLog { get; }

    /// <summary>An array whose elements are <see cref="Element"/>; else an object with <see cref="Properties"/>.</summary>
    public bool IsArray { get; }

    public LogPath? Element { get; }

    /// <summary>The properties that lead to a log, by their JSON names in ASCII.</summary>
    public (byte[] Name, LogPath Child)[] Properties { get; }

    private static readonly LogPath Log = new(isLog: true, isArray: false, null, []);

    /// <summary>The property of this object named by <paramref name="key"/> (its raw bytes, without escapes) that leads to a log.</summary>
    public LogPath? Find(ReadOnlySpan<byte> key, bool ignoreCase)
    {
        foreach (var (name, child) in Properties)
        {
            if (ignoreCase ? Ascii.EqualsIgnoreCase(name, key) : name.AsSpan().SequenceEqual(key))
            {
                return child;
            }
        }

        return null;
    }

    /// <summary>The paths to logs from <paramref name="type"/> as <paramref name="options"/> read it, or null when it holds none.</summary>
    public static LogPath? For(JsonSerializerOptions options, Type type) => Build(options, type, []);

    private static LogPath? Build(JsonSerializerOptions options, Type type, Dictionary<Type, LogPath?> built)
    {
        if (built.TryGetValue(type, out var known))
        {
            return known; // null while it is being built: a recursive type leads nowhere
        }

        built[type] = null;
        var info = options.GetTypeInfo(type);
        LogPath? path = null;
        if (info.PolymorphismOptions is null && info.Kind == JsonTypeInfoKind.Object)
        {
            var properties = new List<(byte[], LogPath)>();
            foreach (var property in info.Properties)
            {
                if (property.IsExtensionData || property.Set is null || property.CustomConverter is not null || !Ascii.IsValid(property.Name))
                {
                    continue;
                }

                var child = property.PropertyType == typeof(LogText) ? Log : Build(options, property.PropertyType, built);
                if (child is not null)
                {
                    properties.Add((Encoding.ASCII.GetBytes(property.Name), child));
                }
            }

            path = properties.Count == 0 ? null : new LogPath(isLog: false, isArray: false, null, [.. properties]);
        }
        else if (info.PolymorphismOptions is null && info.Kind == JsonTypeInfoKind.Enumerable && info.ElementType is { } elementType
            && Build(options, elementType, built) is { IsLog: false } element)
        {
            path = new LogPath(isLog: false, isArray: true, element, []);
        }

        built[type] = path;
        return path;
    }
}

/// <summary>
/// Checks the escaped bytes of a JSON string as they come, piece by piece, at least as strictly as the serializer's
/// reader: no byte below 0x20, only the escapes JSON knows, <c>\u</c> with four hex digits, and surrogate escapes only
/// as a high one followed at once by a low one (the reader lets an unpaired one through, but unescaping it fails). UTF-8
/// validity is checked on the copy (<see cref="Utf8.IsValid"/>). A string it refuses is left to the serializer, which
/// refuses it as it always has.
/// </summary>
internal struct JsonStringValidator
{
    private const int Plain = 0, AfterBackslash = 1, Hex = 2;

    private int _state;
    private int _digits;
    private int _unit;
    private bool _highSurrogate;

    /// <summary>The result of <see cref="Scan"/> for bytes that are not valid in a JSON string (or not surely).</summary>
    public const int Invalid = -2;

    /// <summary>The result of <see cref="Scan"/> when the string goes on past <c>span</c>.</summary>
    public const int Open = -1;

    /// <summary>Checks the next piece of the string: the index of its closing quote, <see cref="Open"/> or <see cref="Invalid"/>.</summary>
    // Runs per line or per byte of a long log: optimised at its first call, with no ReadyToRun or instrumented code in
    // between (BENCHMARKS.md, "The read's hot loops optimised at their first call").
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Scan(ReadOnlySpan<byte> span)
    {
        var i = 0;
        while (i < span.Length)
        {
            if (_state == Plain && !_highSurrogate)
            {
                // Where plain bytes and whole escapes stop: the closing quote, an escape to read here, or a control character.
                var stop = JsonStrings.SkipPlain(span, i);
                if (stop < 0)
                {
                    return Open;
                }

                i = stop;
                switch (span[i])
                {
                    case (byte)'"':
                        return i;
                    case (byte)'\\':
                        _state = AfterBackslash;
                        i++;
                        continue;
                    default:
                        return Invalid;
                }
            }

            var c = span[i++];
            switch (_state)
            {
                case Plain: // after a high surrogate escape: its low one must follow at once
                    if (c != (byte)'\\')
                    {
                        return Invalid;
                    }

                    _state = AfterBackslash;
                    break;
                case AfterBackslash when c == (byte)'u':
                    (_state, _digits, _unit) = (Hex, 0, 0);
                    break;
                case AfterBackslash when !_highSurrogate && c is (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t':
                    _state = Plain;
                    break;
                case AfterBackslash:
                    return Invalid;
                default:
                    var digit = JsonStrings.HexDigit(c);
                    if (digit < 0)
                    {
                        return Invalid;
                    }

                    _unit = (_unit << 4) | digit;
                    if (++_digits < 4)
                    {
                        break;
                    }

                    _state = Plain;
                    if (_highSurrogate != char.IsLowSurrogate((char)_unit))
                    {
                        return Invalid;
                    }

                    _highSurrogate = !_highSurrogate && char.IsHighSurrogate((char)_unit);
                    break;
            }
        }

        return Open;
    }
}

/// <summary>
/// The long logs taken out of one body before the serializer read it (<see cref="LongLogExtractingStream"/>): each
/// in the body's place of its string is a number only this read knows (a random base plus the log's sequence number), which
/// <see cref="LogText.LogTextJsonConverter"/> trades for the log. Also where each replacement shortened its line, to
/// give a syntax error's byte position in the body as sent.
/// </summary>
internal sealed class LongLogs
{
    // Added to by the extraction (RequestJson's ReadAhead) while the serializer takes from it on another thread; the
    // rest is read once the extraction has stopped.
    private readonly System.Collections.Concurrent.ConcurrentQueue<StreamedLog> _waiting = new();
    private readonly List<(long Line, long Column, long Shortened)> _shifts = [];

    /// <summary>The placeholder of the first log; a hostile body cannot guess it.</summary>
    private readonly long _base = RandomNumberGenerator.GetInt32(1, int.MaxValue) * 1_000_000L;

    public int Made { get; private set; }

    public int Taken { get; private set; }

    /// <summary>Keeps a log read out of the body at <paramref name="line"/> and <paramref name="column"/>; the bytes that stand for it.</summary>
    public byte[] Add(StreamedLog log, long line, long column, long bytes)
    {
        var placeholder = Encoding.ASCII.GetBytes((_base + Made).ToString(System.Globalization.CultureInfo.InvariantCulture));
        _waiting.Enqueue(log);
        _shifts.Add((line, column, bytes - placeholder.Length));
        Made++;
        return placeholder;
    }

    /// <summary>The log the number token at <paramref name="reader"/> stands for, if it is the next one's placeholder.</summary>
    public StreamedLog? TryTake(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var number) || number != _base + Taken || !_waiting.TryDequeue(out var log))
        {
            return null;
        }

        Taken++;
        return log;
    }

    /// <summary>
    /// The error as it would be without the replacements: a position in the line after a replaced log moves by the
    /// bytes the replacement saved (the replaced strings held no line feed).
    /// </summary>
    public JsonException InBody(JsonException error)
    {
        if (error.LineNumber is not { } line || error.BytePositionInLine is not { } position)
        {
            return error;
        }

        var original = position;
        foreach (var shift in _shifts)
        {
            if (shift.Line == line && shift.Column < position)
            {
                original += shift.Shortened;
            }
        }

        if (original == position)
        {
            return error;
        }

        var message = error.Message.Replace($"BytePositionInLine: {position}.", $"BytePositionInLine: {original}.", StringComparison.Ordinal);
        return new JsonException(message, error.Path, line, original, error.InnerException);
    }
}

/// <summary>
/// The body as the serializer sees it when long logs go to a sink: the string of each log longer than
/// <see cref="LogText.RetainedLimit"/> bytes, found where the request type's contract puts log texts
/// (<see cref="LogPath"/>), is checked as it is searched for its closing quote, copied as it lies into a buffer of the
/// sink and replaced by a number (<see cref="LongLogs"/>). The serializer then never validates or unescapes those
/// megabytes byte by byte; the scan unescapes them on another core. Everything else passes unchanged: strings outside
/// log paths, logs under the limit, and whatever this does not surely understand (the serializer refuses invalid JSON
/// and invalid strings exactly as before, because they are not replaced).
/// </summary>
internal sealed class LongLogExtractingStream(PipeReader inner, LogPath root, bool ignoreCase, ILogScanSink sink, LongLogs logs) : Stream
{
    // Searched as a list of bytes, not a SearchValues: the framework's precompiled code searches for up to five bytes,
    // and has no SearchValues searcher for these (see JsonStrings.IndexOfStringStop).
    private static ReadOnlySpan<byte> Brackets => "\"{}[]"u8;

    /// <summary>Nesting kept exactly; deeper than this (far deeper than any log path) nothing more is replaced.</summary>
    private const int MaxFrames = 32;

    private const int MaxKey = 64;

    private readonly Frame[] _frames = new Frame[MaxFrames];
    private readonly byte[] _key = new byte[MaxKey];
    private int _depth;
    private bool _lost;
    private bool _started;

    // Inside a string (a key being collected, or a value skipped), a number or literal, or a container off every log path.
    private bool _inString;
    private bool _escaped;
    private bool _isKey;
    private int _keyLength;
    private bool _inScalar;
    private int _skipDepth;

    // A log path's string at the start of the inner buffer: how far it was checked, and whether it is left as it is.
    private bool _atLog;
    private JsonStringValidator _validator;
    private long _checked;
    private long _closedAt = -1;

    private byte[]? _pending;
    private int _pendingOffset;

    private long _line;
    private long _column;
    private long _buffered;

    private enum State : byte
    {
        KeyOrEnd,
        Key,
        Colon,
        ValueOrEnd,
        Value,
        AfterValue,
        Done,
    }

    private struct Frame
    {
        public LogPath? Path;
        public LogPath? Child;
        public bool IsArray;
        public bool IsRoot;
        public State State;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Read asynchronously.");

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (destination.IsEmpty)
        {
            return 0;
        }

        if (!_started)
        {
            _started = true;
            _frames[0] = new Frame { Child = root, IsRoot = true, State = State.Value };
            _depth = 1;
        }

        if (_pending is not null)
        {
            return Pending(destination.Span);
        }

        while (true)
        {
            // A log's string waits whole in the body's pipe: asked for as at least all of it so far and one byte more,
            // the pipe reads it into segments of the size asked for (rented from the shared pool and kept there for the
            // next log) rather than into hundreds of 64 KiB ones, most of which the pool would drop again: 15 MB of
            // new arrays per log.
            var result = _atLog && _buffered > 0
                ? await inner.ReadAtLeastAsync((int)Math.Min(int.MaxValue, _buffered + 1), cancellationToken)
                : await inner.ReadAsync(cancellationToken);
            _buffered = 0;
            if (result.IsCanceled)
            {
                throw new OperationCanceledException(cancellationToken);
            }

            var buffer = result.Buffer;
            if (_atLog)
            {
                switch (await ResolveAsync(buffer, result.IsCompleted, cancellationToken))
                {
                    case null:
                        inner.AdvanceTo(buffer.Start, buffer.End);
                        _buffered = buffer.Length;
                        continue;
                    case true:
                        return Pending(destination.Span);
                }

                // Left as it is: the serializer reads the string (and refuses it if it is not valid).
                (_inString, _isKey, _escaped) = (true, false, false);
                inner.AdvanceTo(buffer.GetPosition(1));
                Output(destination.Span[..1], "\""u8);
                return 1;
            }

            if (buffer.IsEmpty)
            {
                inner.AdvanceTo(buffer.End);
                if (result.IsCompleted)
                {
                    return 0;
                }

                continue;
            }

            var span = buffer.FirstSpan;
            if (span.Length > destination.Length)
            {
                span = span[..destination.Length];
            }

            var walked = _lost ? span.Length : Walk(span);
            Output(destination.Span, span[..walked]);
            inner.AdvanceTo(buffer.GetPosition(walked), walked == 0 ? buffer.Start : buffer.GetPosition(walked));
            if (walked > 0)
            {
                return walked;
            }
        }
    }

    private int Pending(Span<byte> destination)
    {
        var count = Math.Min(destination.Length, _pending!.Length - _pendingOffset);
        Output(destination, _pending.AsSpan(_pendingOffset, count));
        _pendingOffset += count;
        if (_pendingOffset == _pending.Length)
        {
            _pending = null;
        }

        return count;
    }

    /// <summary>Hands bytes to the serializer, counting lines as its reader does (for <see cref="LongLogs.InBody"/>).</summary>
    private void Output(Span<byte> destination, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(destination);
        var lastFeed = bytes.LastIndexOf((byte)'\n');
        if (lastFeed < 0)
        {
            _column += bytes.Length;
            return;
        }

        _line += bytes.Count((byte)'\n');
        _column = bytes.Length - lastFeed - 1;
    }

    /// <summary>
    /// The string of a log path at the start of <paramref name="buffer"/>: replaced (true), left as it is (false), or
    /// null when more of the body is needed to tell.
    /// </summary>
    private async ValueTask<bool?> ResolveAsync(ReadOnlySequence<byte> buffer, bool completed, CancellationToken cancellationToken)
    {
        if (_closedAt < 0)
        {
            foreach (var segment in buffer.Slice(1 + _checked))
            {
                var close = _validator.Scan(segment.Span);
                if (close == JsonStringValidator.Invalid)
                {
                    return Leave();
                }

                if (close >= 0)
                {
                    _closedAt = _checked + close;
                    break;
                }

                _checked += segment.Length;
            }

            if (_closedAt < 0)
            {
                return completed ? Leave() : null;
            }

            if (_closedAt <= LogText.RetainedLimit)
            {
                return Leave();
            }
        }

        // A number ends where a string's closing quote did only before whitespace, a comma or the object's end: other
        // bytes would be refused with another message after a number than after a string.
        var after = buffer.Slice(_closedAt + 2);
        if (after.IsEmpty)
        {
            return completed ? Leave() : null;
        }

        if (after.FirstSpan[0] is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or (byte)',' or (byte)'}'))
        {
            return Leave();
        }

        var length = checked((int)_closedAt);
        await sink.WaitForRoomAsync(cancellationToken);
        var bytes = sink.Rent(length);
        buffer.Slice(1, length).CopyTo(bytes);
        if (!Utf8.IsValid(bytes.AsSpan(0, length)))
        {
            sink.Return(bytes);
            return Leave();
        }

        _pending = logs.Add(sink.AcceptEscaped(bytes, length), _line, _column, length + 2L);
        _pendingOffset = 0;
        inner.AdvanceTo(buffer.GetPosition(length + 2L));
        Reset();
        ValueDone();
        return true;
    }

    private bool Leave()
    {
        Reset();
        return false;
    }

    private void Reset() => (_atLog, _validator, _checked, _closedAt) = (false, default, 0, -1);

    /// <summary>
    /// Follows the JSON structure over <paramref name="span"/>: how many of its bytes pass as they are (all of them, or
    /// those before the opening quote of a log path's string).
    /// </summary>
    // Runs per line or per byte of a long log: optimised at its first call, with no ReadyToRun or instrumented code in
    // between (BENCHMARKS.md, "The read's hot loops optimised at their first call").
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Walk(ReadOnlySpan<byte> span)
    {
        var i = 0;
        while (i < span.Length)
        {
            if (_inString)
            {
                if (_escaped)
                {
                    (_escaped, _keyLength) = (false, MaxKey + 1); // a key with an escape leads to no log
                    i++;
                    continue;
                }

                var stop = span[i..].IndexOfAny((byte)'"', (byte)'\\');
                var end = stop < 0 ? span.Length : i + stop;
                if (_isKey && _keyLength <= MaxKey)
                {
                    var run = span[i..end];
                    if (_keyLength + run.Length <= MaxKey)
                    {
                        run.CopyTo(_key.AsSpan(_keyLength));
                    }

                    _keyLength += run.Length;
                }

                i = end;
                if (stop < 0)
                {
                    break;
                }

                i++;
                if (span[end] == (byte)'\\')
                {
                    _escaped = true;
                    continue;
                }

                _inString = false;
                if (_skipDepth > 0)
                {
                    continue;
                }

                ref var frame = ref _frames[_depth - 1];
                if (_isKey)
                {
                    frame.Child = _keyLength <= MaxKey ? frame.Path!.Find(_key.AsSpan(0, _keyLength), ignoreCase) : null;
                    frame.State = State.Colon;
                }
                else
                {
                    ValueDone();
                }

                continue;
            }

            if (_inScalar)
            {
                if (span[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or (byte)',' or (byte)'}' or (byte)']' or (byte)':' or (byte)'{' or (byte)'[' or (byte)'"')
                {
                    _inScalar = false;
                    if (_skipDepth == 0)
                    {
                        ValueDone();
                    }
                }
                else
                {
                    i++;
                }

                continue;
            }

            if (_skipDepth > 0)
            {
                var stop = span[i..].IndexOfAny(Brackets);
                if (stop < 0)
                {
                    break;
                }

                i += stop;
                switch (span[i++])
                {
                    case (byte)'"':
                        (_inString, _isKey) = (true, false);
                        break;
                    case (byte)'{' or (byte)'[':
                        _skipDepth++;
                        break;
                    default:
                        if (--_skipDepth == 0)
                        {
                            ValueDone();
                        }

                        break;
                }

                continue;
            }

            var b = span[i];
            if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                i++;
                continue;
            }

            ref var top = ref _frames[_depth - 1];
            switch (top.State)
            {
                case State.KeyOrEnd or State.Key when b == (byte)'"':
                    (_inString, _isKey, _keyLength) = (true, true, 0);
                    break;
                case State.KeyOrEnd or State.ValueOrEnd when b == (top.IsArray ? (byte)']' : (byte)'}'):
                case State.AfterValue when b == (top.IsArray ? (byte)']' : (byte)'}'):
                    _depth--;
                    ValueDone();
                    break;
                case State.Colon when b == (byte)':':
                    top.State = State.Value;
                    break;
                case State.AfterValue when b == (byte)',':
                    top.State = top.IsArray ? State.Value : State.Key;
                    break;
                case State.Value or State.ValueOrEnd:
                    var child = top.IsArray ? top.Path!.Element : top.Child;
                    if (b == (byte)'"')
                    {
                        if (child is { IsLog: true })
                        {
                            _atLog = true;
                            return i;
                        }

                        (_inString, _isKey) = (true, false);
                    }
                    else if (b is (byte)'{' or (byte)'[')
                    {
                        var isArray = b == (byte)'[';
                        if (child is { IsLog: false } && child.IsArray == isArray && _depth < MaxFrames)
                        {
                            _frames[_depth++] = new Frame { Path = child, IsArray = isArray, State = isArray ? State.ValueOrEnd : State.KeyOrEnd };
                        }
                        else
                        {
                            _skipDepth = 1;
                        }
                    }
                    else if (b == (byte)'-' || char.IsAsciiLetterOrDigit((char)b))
                    {
                        _inScalar = true;
                    }
                    else
                    {
                        return Lose(span);
                    }

                    break;
                default:
                    return Lose(span);
            }

            i++;
        }

        return span.Length;
    }

    /// <summary>Not JSON as this follows it: the serializer refuses it at or before this byte, and nothing after is replaced.</summary>
    private int Lose(ReadOnlySpan<byte> span)
    {
        _lost = true;
        return span.Length;
    }

    /// <summary>The value of the innermost frame ended.</summary>
    private void ValueDone()
    {
        ref var frame = ref _frames[_depth - 1];
        frame.State = frame.IsRoot ? State.Done : State.AfterValue;
    }
}
