using DnsExpert.Readers.Parsing;

namespace DnsExpert.Readers.Tests;

/// <summary>kubectl flags as people type them, for every reader of a pasted command line (logs, tables).</summary>
public sealed class KubectlArgsTests
{
    [Theory]
    [InlineData("kubectl logs -n kube-system coredns-a", 2, "-n", "kube-system", 3)]
    [InlineData("kubectl logs --namespace=kube-system coredns-a", 2, "--namespace", "kube-system", 2)]
    [InlineData("kubectl logs -nkube-system coredns-a", 2, "-n", "kube-system", 2)]
    [InlineData("kubectl logs --tail=500 coredns-a", 2, "--tail", "500", 2)]
    [InlineData("kubectl logs coredns-a -n", 3, "-n", null, 3)]
    [InlineData("kubectl logs --namespace kube-system coredns-a", 2, "-n", null, 2)]
    [InlineData("kubectl logs -f coredns-a", 2, "-n", null, 2)]
    public void A_flags_value_is_read_in_each_spelling_and_only_its_own(string command, int at, string flag, string? value, int after)
    {
        var words = command.Split(' ');
        var i = at;

        Assert.Equal(value, KubectlArgs.Value(words, ref i, flag));
        Assert.Equal(after, i);
    }
}
