using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using DnsExpert.Contract;
using DnsExpert.Diagnosis.FactBuilding;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DnsExpert.Api.Hosting;

/// <summary>
/// Reads a JSON request body with a size and depth limit, turning every failure into a ProblemDetails that names
/// what is wrong and where: the JSON path, line and byte of a syntax or type error, or the size limit.
/// </summary>
public static partial class JsonBody
{
    private static readonly ConcurrentDictionary<(int Depth, RequestLimits Limits), JsonSerializerOptions> SerializerOptions = new();

    public static Task<(T? Value, BodyProblem<T>? Problem)> ReadAsync<T>(
        HttpRequest request, DnsExpertOptions options, BodyServices services, CancellationToken cancellationToken)
        where T : class =>
        ReadAsync<T>(request, options, services, storedBytes: 0, cancellationToken);

    /// <summary>
    /// Reads a body that adds to a stored request of <paramref name="storedBytes"/>: the body may take what the stored
    /// request leaves of <see cref="DnsExpertOptions.MaxRequestBodyBytes"/>, and its admission counts both, since the
    /// stored request is read back and diagnosed again with it.
    /// </summary>
    public static async Task<(T? Value, BodyProblem<T>? Problem)> ReadAsync<T>(
        HttpRequest request, DnsExpertOptions options, BodyServices services, long storedBytes, CancellationToken cancellationToken)
        where T : class
    {
        var (value, problem) = await ReadOrRefuseAsync<T>(request, options, services, storedBytes, cancellationToken);
        return (value, problem is null ? null : new BodyProblem<T>(problem));
    }

    private static async Task<(T? Value, ProblemHttpResult? Problem)> ReadOrRefuseAsync<T>(
        HttpRequest request, DnsExpertOptions options, BodyServices services, long storedBytes, CancellationToken cancellationToken)
        where T : class
    {
        var limit = options.MaxRequestBodyBytes - storedBytes;
        if (limit <= 0 || (request.ContentLength is { } length && length > limit))
        {
            return (null, TooLarge(options.MaxRequestBodyBytes, storedBytes));
        }

        if (request.ContentType is not { } type || !IsJson(type))
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type",
                detail: UnsupportedMediaType(request.ContentType)));
        }

        if (services.Admission is { } admission
            && await admission.AdmitAsync(request, storedBytes, cancellationToken) is null)
        {
            request.HttpContext.Response.Headers.RetryAfter = "5";
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Too many large requests at once",
                detail: $"The bodies being diagnosed (and the stored requests evidence was added to) already take DnsExpert:MaxBodiesInFlightBytes ({options.MaxBodiesInFlightBytes} bytes); retry shortly."));
        }

        // What the body may expand to once read (pasted output: a 0.6 MB table is 5,000 objects) is admitted before it is
        // read too, from its size: a request waiting for that room holds no parsed body.
        if (services.Pasted is { } pasted
            && request.HttpContext.Features.Get<AdmittedBody>() is { } admitted
            && !await pasted.AdmitAsync(admitted, PastedOutputAdmission.Items(request.ContentLength ?? options.MaxRequestBodyBytes, storedBytes), cancellationToken))
        {
            request.HttpContext.Response.Headers.RetryAfter = "5";
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Too many large requests at once",
                detail: $"The requests being diagnosed may already expand to DnsExpert:MaxPastedItemsInFlight ({options.MaxPastedItemsInFlight}) objects, probes and files; retry shortly."));
        }

        // One set of options per configuration: System.Text.Json caches its contracts on the options instance.
        var json = SerializerOptions.GetOrAdd((options.MaxJsonDepth, options.Limits), key => RequestJson.CreateOptions(key.Limits, key.Depth));
        try
        {
            await using var body = new LimitedStream(request.Body, limit);

            // A body whose length is known and holds no long log is read whole and parsed in one pass; any other streams.
            var value = request.ContentLength is { } known && known <= LogText.RetainedLimit
                ? await ReadWholeAsync<T>(body, (int)known, json, options.Limits, cancellationToken)
                : await services.Scans.ReadAsync<T>(body, json, options.Limits, cancellationToken);
            return value is null
                ? (null, BadRequest("$", "the body is empty or null; send a JSON object"))
                : (value, null);
        }
        catch (BodyTooLargeException)
        {
            return (null, TooLarge(options.MaxRequestBodyBytes, storedBytes));
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge(options.MaxRequestBodyBytes, storedBytes));
        }
        catch (RequestLimitException ex)
        {
            return (null, TypedResults.Problem(Problem.Unprocessable(new Dictionary<string, string[]> { [ex.Field] = [ex.Message] }, "The request carries more than this service accepts").ProblemDetails));
        }
        catch (JsonException ex)
        {
            return (null, BadRequest(ex.Path ?? "$", Describe(ex, json)));
        }
    }

    /// <summary>
    /// Reads a body of <paramref name="length"/> bytes (its Content-Length) into a pooled buffer, then parses it at once
    /// (<see cref="RequestJson.Read{T}"/>). A body that ends early is parsed as far as it came, as the streaming read does.
    /// </summary>
    private static async Task<T?> ReadWholeAsync<T>(Stream body, int length, JsonSerializerOptions json, RequestLimits limits, CancellationToken cancellationToken)
        where T : class
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            var read = 0;
            while (read < length && await body.ReadAsync(buffer.AsMemory(read, length - read), cancellationToken) is var n and > 0)
            {
                read += n;
            }

            return RequestJson.Read<T>(buffer.AsSpan(0, read), json, limits);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>What a 415 says: the body must be JSON, and the header that says so (the media type sent is not echoed: it is caller text).</summary>
    public static string UnsupportedMediaType(string? contentType) => contentType is null
        ? "The request has no Content-Type header: send the JSON body with 'Content-Type: application/json' (curl: -H 'Content-Type: application/json'; curl --data alone sends a form)."
        : "The body must be JSON sent with 'Content-Type: application/json' (curl --data without -H sends application/x-www-form-urlencoded).";

    /// <summary><c>application/json</c>, <c>application/*+json</c>, with or without parameters.</summary>
    private static bool IsJson(string contentType) =>
        Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media)
        && (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (media.Type.Equals("application", StringComparison.OrdinalIgnoreCase) && media.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase)));

    private static ProblemHttpResult TooLarge(long limit, long storedBytes) =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large",
            detail: storedBytes == 0
                ? $"The body is larger than {limit} bytes (DnsExpert:MaxRequestBodyBytes). Send fewer objects or shorter logs (for example --tail=500)."
                : $"The evidence and the stored request it adds to ({storedBytes} bytes) are larger than {limit} bytes together (DnsExpert:MaxRequestBodyBytes). "
                    + "Send less output (for example --tail=500), or start a new diagnosis with POST /api/v1/diagnoses.");

    private static ProblemHttpResult BadRequest(string path, string message)
    {
        var field = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path == "$" ? "$" : path.TrimStart('$');
        return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed request body",
            detail: $"{field}: {message}",
            extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = [message] } });
    }

    /// <summary>A message for people: no .NET type names, the allowed values of an enum, the line and byte.</summary>
    private static string Describe(JsonException ex, JsonSerializerOptions json)
    {
        var where = ex.LineNumber is { } line ? $" (line {line + 1}, byte {ex.BytePositionInLine + 1})" : "";
        if (UnmappedProperty().Match(ex.Message) is { Success: true } unmapped)
        {
            var type = typeof(DiagnosisRequest).Assembly.GetType(unmapped.Groups["type"].Value);
            var known = type is null ? "" : "; allowed here: " + string.Join(", ", json.GetTypeInfo(type).Properties.Select(p => p.Name));
            return $"unknown property '{Shorten(unmapped.Groups["name"].Value)}'{known}";
        }

        if (DuplicateProperty().Match(ex.Message) is { Success: true } duplicate)
        {
            return $"duplicate property '{Shorten(duplicate.Groups["name"].Value)}': give each property once";
        }

        var inner = ex.InnerException?.Message ?? ex.Message;
        var path = ex.Path ?? "";
        string? allowed = path switch
        {
            _ when path.EndsWith(".frequency", StringComparison.Ordinal) => "always, peak, often, rarely, scaling",
            _ when path.EndsWith(".outcome", StringComparison.Ordinal) => "answered, timeout, refused, unreachable",
            _ when path.EndsWith(".kind", StringComparison.Ordinal) && path.Contains("probes", StringComparison.Ordinal) => "dns, ping, tcp",
            _ when path.EndsWith(".transport", StringComparison.Ordinal) => "udp, tcp",
            _ => null,
        };
        if (allowed is not null)
        {
            return $"not an allowed value; expected one of: {allowed}{where}";
        }

        if (ex.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal))
        {
            return $"wrong type for this field{where}";
        }

        if (inner.Contains("maximum configured depth", StringComparison.Ordinal) || ex.Message.Contains("maximum configured depth", StringComparison.Ordinal))
        {
            return $"JSON nested too deeply{where}";
        }

        return Syntax(ex.Message) + where;
    }

    /// <summary>
    /// A JSON syntax error in the caller's terms: what is wrong and what to send instead, from System.Text.Json's message,
    /// whose wording speaks of readers, tokens and final blocks. An error this does not know is "not valid JSON here".
    /// </summary>
    internal static string Syntax(string message)
    {
        bool Says(string part) => message.Contains(part, StringComparison.Ordinal);
        var character = message.Length > 2 && message[0] == '\'' && message.IndexOf('\'', 1) is var close and > 1 && close <= 8 ? message[..(close + 1)] : "this character";
        return true switch
        {
            _ when Says("does not contain any JSON tokens") => "the body is empty: send a JSON object, for example {\"symptom\":{\"errorMessage\":\"...\"}}",
            _ when Says("trailing comma") => "a comma before a closing } or ]: JSON allows no comma after the last item; remove it",
            _ when Says("comments") || Says("'/' is an invalid start") => "JSON has no comments: remove the // or /* */ text",
            _ when Says("invalid start of a property name") => $"{character} where a property name was expected: property names are in double quotes (\"symptom\"), and no comma follows the last property",
            _ when Says("invalid after a property name") => $"{character} after a property name: a ':' and the value come next",
            _ when Says("invalid after a single JSON value") => "more text after the JSON object: send one object (a second object, or text after the closing }, is not read)",
            _ when Says("invalid after a value") => $"{character} after a value: a ',' and the next item, or the closing }} or ], come next",
            _ when Says("invalid start of a value") => $"{character} where a value was expected: strings are in double quotes; other values are numbers, true, false, null (lower case), {{...}} or [...]",
            _ when Says("within a JSON string") || Says("escap") => "a string holds a line break, tab or other control character, or a backslash escape JSON does not know: write \\n, \\t, \\\\ or \\uXXXX",
            _ when Says("Expected depth to be zero") || Says("end of data") || Says("incomplete") || Says("should be closed") => "the body ends inside an object, array or string: a closing }, ] or \" is missing, or the body was cut off",
            _ when Says("UTF-8") || Says("transcode") => "the body is not valid UTF-8 text: send it as UTF-8",
            _ when Says("number") || Says("digit") => "not a valid JSON number: digits, an optional '-', '.' and exponent; no leading zeros, no NaN or Infinity",
            _ when Says("literal") => "not a JSON literal: true, false and null are lower case, strings are in double quotes",
            _ => "not valid JSON here",
        };
    }

    [GeneratedRegex(@"^The JSON property '(?<name>.*)' could not be mapped to any \.NET member contained in type '(?<type>[\w.]+)'\.$", RegexOptions.Singleline | RegexOptions.NonBacktracking)]
    private static partial Regex UnmappedProperty();

    [GeneratedRegex(@"^Duplicate property '(?<name>.*)' encountered during deserialization", RegexOptions.Singleline | RegexOptions.NonBacktracking)]
    private static partial Regex DuplicateProperty();

    private static string Shorten(string name) => name.Length <= 64 ? name : name[..64] + "…";

    private sealed class BodyTooLargeException : IOException
    {
        public BodyTooLargeException()
            : base("request body too large")
        {
        }
    }

    /// <summary>Counts what is read and stops past the limit, also for chunked bodies without Content-Length.</summary>
    private sealed class LimitedStream(Stream inner, long limit) : Stream
    {
        private long _read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private int Count(int n)
        {
            _read += n;
            return _read > limit ? throw new BodyTooLargeException() : n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
