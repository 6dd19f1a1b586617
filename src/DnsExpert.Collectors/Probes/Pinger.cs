using System.Diagnostics;
using System.Net;
using System.Net.NetworkInformation;
using DnsExpert.Contract;
using DnsExpert.Text.Telemetry;
using Microsoft.Extensions.Options;
using Tracing = DnsExpert.Text.Telemetry.Tracing;

namespace DnsExpert.Collectors.Probes;

/// <summary>
/// The guide's <c>ping</c>: one ICMP echo per target under the probe timeout. Needs ICMP sockets (the node's
/// <c>net.ipv4.ping_group_range</c>) or <c>CAP_NET_RAW</c>; without either the probe says so instead of guessing.
/// </summary>
public sealed class Pinger(IOptions<ProbeOptions> options, TimeProvider time)
{
    public async Task<ProbeArtifact> PingAsync(string from, string target, CancellationToken cancellationToken)
    {
        var result = new ProbeArtifact { From = from, Kind = ProbeKind.Ping, Target = target, Time = time.GetUtcNow() };
        using var activity = Tracing.Source.StartActivity("probe ping");
        activity?.SetTag("server.address", target);
        if (!IPAddress.TryParse(target, out var address))
        {
            result.Outcome = ProbeOutcome.Unreachable;
            return result;
        }

        var started = time.GetTimestamp();
        try
        {
            using var ping = new Ping();
            var reply = await ping.SendPingAsync(address, options.Value.Timeout, new byte[32], new PingOptions(64, dontFragment: true), cancellationToken);
            result.Outcome = reply.Status switch
            {
                IPStatus.Success => ProbeOutcome.Answered,
                IPStatus.TimedOut or IPStatus.TimeExceeded or IPStatus.TtlExpired => ProbeOutcome.Timeout,
                _ => ProbeOutcome.Unreachable,
            };
            if (reply.Status == IPStatus.Success)
            {
                result.LatencyMs = Math.Round(reply.RoundtripTime > 0 ? reply.RoundtripTime : time.GetElapsedTime(started).TotalMilliseconds, 2);
            }
        }
        catch (PingException ex)
        {
            // No ICMP socket and no raw-socket permission: the ping did not happen.
            result.Outcome = ProbeOutcome.Unreachable;
            activity.Fail(ex.InnerException?.Message ?? ex.Message);
            throw new UnauthorizedAccessException("ICMP is not permitted here (needs net.ipv4.ping_group_range or CAP_NET_RAW)", ex);
        }

        activity?.SetTag("dnsexpert.probe.outcome", result.Outcome?.ToString().ToLowerInvariant());
        return result;
    }

    /// <summary>Pings every target concurrently.</summary>
    public async Task<IReadOnlyList<ProbeArtifact>> PingAllAsync(string from, IReadOnlyList<string> targets, CancellationToken cancellationToken) =>
        await Task.WhenAll(targets.Select(t => PingAsync(from, t, cancellationToken)));
}
