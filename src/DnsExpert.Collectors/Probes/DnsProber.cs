using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using DnsClient;
using DnsExpert.Contract;
using DnsExpert.Facts;
using DnsExpert.Text.Telemetry;
using Microsoft.Extensions.Options;
using Tracing = DnsExpert.Text.Telemetry.Tracing;

namespace DnsExpert.Collectors.Probes;

/// <summary>One DNS question to ask one server, as dig would: <c>dig NAME TYPE @SERVER -p PORT [+tcp]</c>.</summary>
public sealed record DnsProbe(string From, string Server, int Port, string Name, string Type, ProbeTransport Transport);

/// <summary>One TCP connection to try: <c>telnet TARGET PORT</c>.</summary>
public sealed record TcpProbe(string From, string Target, int Port);

/// <summary>
/// Runs probes concurrently (bounded), each under its own timeout, and records what a person reading dig's output would:
/// outcome, response code, the TC flag, answer count and latency. Queries are sent like a pod's resolver sends them:
/// no EDNS (so 512-byte UDP limits show), no cache, no retries, and no silent TCP fallback.
/// </summary>
public sealed class DnsProber(IOptions<ProbeOptions> options, TimeProvider time)
{
    public async Task<IReadOnlyList<ProbeArtifact>> RunAsync(IReadOnlyList<DnsProbe> dns, IReadOnlyList<TcpProbe> tcp, CancellationToken cancellationToken)
    {
        var results = new ProbeArtifact[dns.Count + tcp.Count];
        var work = dns.Select((p, i) => (Index: i, Run: (Func<CancellationToken, Task<ProbeArtifact>>)(ct => QueryAsync(p, ct))))
            .Concat(tcp.Select((p, i) => (Index: dns.Count + i, Run: (Func<CancellationToken, Task<ProbeArtifact>>)(ct => ConnectAsync(p, ct)))));
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = options.Value.MaxParallel, CancellationToken = cancellationToken },
            async (item, ct) => results[item.Index] = await item.Run(ct));
        return results;
    }

    public async Task<ProbeArtifact> QueryAsync(DnsProbe probe, CancellationToken cancellationToken)
    {
        var result = new ProbeArtifact
        {
            From = probe.From, Kind = ProbeKind.Dns, Server = probe.Server, Port = probe.Port, Name = probe.Name,
            Type = probe.Type, Transport = probe.Transport, Time = time.GetUtcNow(),
        };
        if (!IPAddress.TryParse(probe.Server, out var address) || !Enum.TryParse<QueryType>(probe.Type, ignoreCase: true, out var type))
        {
            result.Outcome = ProbeOutcome.Unreachable;
            return result;
        }

        var client = Client(address, probe);
        var started = time.GetTimestamp();
        using var activity = StartActivity(probe);
        try
        {
            Read(await client.QueryAsync(probe.Name, type, QueryClass.IN, cancellationToken), probe.Name, type, result);
        }
        catch (DnsResponseException ex) when (ex.Message.Contains("truncated", StringComparison.OrdinalIgnoreCase))
        {
            // DnsClient never hands back a truncated message: with TCP fallback off it throws. The server did answer, with
            // the TC flag set; its response code is not known from here.
            result.Outcome = ProbeOutcome.Answered;
            result.Truncated = true;
        }
        catch (DnsResponseException ex)
        {
            result.Outcome = ex.Code == DnsResponseCode.ConnectionTimeout ? ProbeOutcome.Timeout : Failure(ex);
        }
        catch (SocketException ex)
        {
            result.Outcome = Failure(ex);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            result.Outcome = ProbeOutcome.Timeout;
        }
        catch (Exception ex) when (ex is ArgumentException or IndexOutOfRangeException or FormatException or InvalidOperationException or DnsResponseParseException)
        {
            // A reply DnsClient cannot parse (not DNS, or mangled on the way): no usable answer.
            result.Outcome = ProbeOutcome.Unreachable;
            activity.Fail("malformed reply: " + ex.GetType().Name);
        }

        result.LatencyMs = Math.Round(time.GetElapsedTime(started).TotalMilliseconds, 2);
        activity?.SetTag("dnsexpert.probe.outcome", result.Outcome?.ToString().ToLowerInvariant());
        activity?.SetTag("dns.response.code", result.Rcode);
        return result;
    }

    /// <summary>A resolver asking <paramref name="address"/> only, once, over the probe's transport, nothing cached or retried.</summary>
    private LookupClient Client(IPAddress address, DnsProbe probe) =>
        new(new LookupClientOptions(new NameServer(address, probe.Port))
        {
            UseCache = false,
            Retries = 0,
            Timeout = options.Value.Timeout,
            UseTcpFallback = false,
            UseTcpOnly = probe.Transport == ProbeTransport.Tcp,
            ThrowDnsErrors = false,
            ContinueOnDnsError = false,
            ContinueOnEmptyResponse = false,
            ExtendedDnsBufferSize = 512,
            RequestDnsSecRecords = false,
        });

    /// <summary>The probe's span, with the question and the server asked.</summary>
    private static Activity? StartActivity(DnsProbe probe)
    {
        var activity = Tracing.Source.StartActivity("probe dns");
        activity?.SetTag("dns.question.name", probe.Name);
        activity?.SetTag("dns.question.type", probe.Type);
        activity?.SetTag("server.address", probe.Server);
        activity?.SetTag("server.port", probe.Port);
        activity?.SetTag("network.transport", probe.Transport == ProbeTransport.Tcp ? "tcp" : "udp");
        return activity;
    }

    /// <summary>A reply read into the result: answered (its rcode, TC flag and answers) when it answers the question asked, else no usable reply.</summary>
    private static void Read(IDnsQueryResponse response, string name, QueryType type, ProbeArtifact result)
    {
        var question = response.Questions.Count == 1 ? response.Questions[0] : null;
        if (question is null || question.QuestionType != type
            || !string.Equals(question.QueryName.Value.TrimEnd('.'), name.TrimEnd('.'), StringComparison.OrdinalIgnoreCase))
        {
            // Not an answer to this question (a broken middlebox or a non-DNS service on the port): no usable reply.
            result.Outcome = ProbeOutcome.Unreachable;
        }
        else
        {
            result.Outcome = ProbeOutcome.Answered;
            result.Rcode = Rcode(response.Header.ResponseCode);
            result.Truncated = response.Header.ResultTruncated;
            result.AnswerCount = response.Answers.Count;
        }
    }

    public async Task<ProbeArtifact> ConnectAsync(TcpProbe probe, CancellationToken cancellationToken)
    {
        var result = new ProbeArtifact { From = probe.From, Kind = ProbeKind.Tcp, Target = probe.Target, Port = probe.Port, Time = time.GetUtcNow() };
        var started = time.GetTimestamp();
        using var activity = Tracing.Source.StartActivity("probe tcp");
        activity?.SetTag("server.address", probe.Target);
        activity?.SetTag("server.port", probe.Port);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.Timeout);
        try
        {
            using var socket = new TcpClient();
            await socket.ConnectAsync(IPAddress.Parse(probe.Target), probe.Port, timeout.Token);
            result.Outcome = ProbeOutcome.Answered;
        }
        catch (SocketException ex)
        {
            result.Outcome = Failure(ex);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            result.Outcome = ProbeOutcome.Timeout;
        }
        catch (FormatException)
        {
            result.Outcome = ProbeOutcome.Unreachable;
        }

        result.LatencyMs = Math.Round(time.GetElapsedTime(started).TotalMilliseconds, 2);
        return result;
    }

    private static ProbeOutcome Failure(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is SocketException socket)
            {
                return socket.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused or SocketError.ConnectionReset => ProbeOutcome.Refused,
                    SocketError.TimedOut => ProbeOutcome.Timeout,
                    _ => ProbeOutcome.Unreachable,
                };
            }
        }

        return ProbeOutcome.Unreachable;
    }

    /// <summary>The rcode's mnemonic as dig prints it (RFC 1035, 2136; IANA DNS parameters); an unassigned one as <c>RESERVEDn</c>, as dig does (no rule matches it).</summary>
    internal static string Rcode(DnsHeaderResponseCode code) => code switch
    {
        DnsHeaderResponseCode.NoError => DnsRcodes.NoError,
        DnsHeaderResponseCode.FormatError => DnsRcodes.FormErr,
        DnsHeaderResponseCode.ServerFailure => DnsRcodes.ServFail,
        DnsHeaderResponseCode.NotExistentDomain => DnsRcodes.NxDomain,
        DnsHeaderResponseCode.NotImplemented => DnsRcodes.NotImp,
        DnsHeaderResponseCode.Refused => DnsRcodes.Refused,
        DnsHeaderResponseCode.ExistingDomain => DnsRcodes.YxDomain,
        DnsHeaderResponseCode.ExistingResourceRecordSet => DnsRcodes.YxRrset,
        DnsHeaderResponseCode.MissingResourceRecordSet => DnsRcodes.NxRrset,
        DnsHeaderResponseCode.NotAuthorized => DnsRcodes.NotAuth,
        DnsHeaderResponseCode.NotZone => DnsRcodes.NotZone,
        _ => string.Create(CultureInfo.InvariantCulture, $"RESERVED{(int)code}"),
    };
}
