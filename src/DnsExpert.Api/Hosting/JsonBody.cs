using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DnsExpert.Api.Hosting;

/// <summary>
/// Reads a JSON request body with a size and depth limit, turning every failure into a ProblemDetails that names
/// what is wrong and where: the JSON path, line and byte of a syntax or type error, or the size limit.
/// </summary>
public static class JsonBody
{
    private static readonly ConcurrentDictionary<int, JsonSerializerOptions> SerializerOptions = new();

    public static async Task<(T? Value, ProblemHttpResult? Problem)> ReadAsync<T>(HttpRequest request, DnsExpertOptions options, CancellationToken cancellationToken)
        where T : class
    {
        var limit = options.MaxRequestBodyBytes;
        if (request.ContentLength is { } length && length > limit)
        {
            return (null, TooLarge(limit));
        }

        if (request.ContentType is { } type && !type.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type",
                detail: $"Send the request as application/json, not {type}."));
        }

        var json = SerializerOptions.GetOrAdd(options.MaxJsonDepth, depth => new JsonSerializerOptions(JsonSerializerDefaults.Web) { MaxDepth = depth });
        try
        {
            await using var body = new LimitedStream(request.Body, limit);
            var value = await JsonSerializer.DeserializeAsync<T>(body, json, cancellationToken);
            return value is null
                ? (null, BadRequest("$", "the body is empty or null; send a JSON object"))
                : (value, null);
        }
        catch (BodyTooLargeException)
        {
            return (null, TooLarge(limit));
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge(limit));
        }
        catch (JsonException ex)
        {
            return (null, BadRequest(ex.Path ?? "$", Describe(ex)));
        }
    }

    private static ProblemHttpResult TooLarge(long limit) =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large",
            detail: $"The body is larger than {limit} bytes (DnsExpert:MaxRequestBodyBytes). Send fewer objects or shorter logs (for example --tail=500).");

    private static ProblemHttpResult BadRequest(string path, string message)
    {
        var field = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path == "$" ? "$" : path.TrimStart('$');
        return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed request body",
            detail: $"{field}: {message}",
            extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = [message] } });
    }

    /// <summary>A message for people: no .NET type names, the allowed values of an enum, the line and byte.</summary>
    private static string Describe(JsonException ex)
    {
        var where = ex.LineNumber is { } line ? $" (line {line + 1}, byte {ex.BytePositionInLine + 1})" : "";
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

        // Syntax errors: System.Text.Json's own message is precise ("'}' is invalid after a property name ...").
        var message = ex.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message) + where;
    }

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
