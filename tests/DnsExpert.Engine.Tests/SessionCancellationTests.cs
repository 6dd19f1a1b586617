using DnsExpert.Engine.Compilation;
using DnsExpert.Engine.Sessions;
using DnsExpert.Facts;
using DnsExpert.Testing;

namespace DnsExpert.Engine.Tests;

public sealed class SessionCancellationTests
{
    private static readonly Lazy<Compilation.RuleBase> Rules = new(() => RuleBaseLoader.Load(RepoPaths.Rules));

    private static readonly CoreDnsPod PendingPod = new()
    {
        Source = "Pod kube-system/coredns-7d4b9c-x2k4q",
        Namespace = "kube-system",
        Name = "coredns-7d4b9c-x2k4q",
        Phase = "Pending",
    };

    [Fact]
    public void A_cancelled_token_stops_the_session_with_OperationCanceledException()
    {
        // The same facts fire a rule when nobody cancels, so the session had work to stop.
        Assert.Contains(RuleSessionRunner.Run(Rules.Value, [PendingPod]).Findings, f => f.RuleId == "coredns-pod-not-running");

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => RuleSessionRunner.Run(Rules.Value, [PendingPod], cancelled.Token));
    }
}
