using DnsExpert.Contract;
using DnsExpert.Readers.Building;

namespace DnsExpert.Readers.Tests;

/// <summary>
/// Every command form of every <see cref="EvidenceSources"/> entry, pasted from where the entry says it runs, reaches the
/// reader of <see cref="PastedOutputs"/> its entry names (its <c>collection</c> note says which), so no source the
/// registry promises is left unread by the paste loop.
/// </summary>
public sealed class EvidenceSourceDispatchTests
{
    public static TheoryData<string, int, string> Forms()
    {
        var data = new TheoryData<string, int, string>();
        foreach (var source in EvidenceSources.All)
        {
            for (var i = 0; i < source.Forms.Count; i++)
            {
                foreach (var site in source.Sites)
                {
                    data.Add(source.Name, i, site.ToString());
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public void A_pasted_command_of_each_form_reaches_its_sources_reader(string name, int index, string site)
    {
        var source = EvidenceSources.All.Single(s => s.Name == name);
        var form = source.Forms[index];
        var words = new List<string> { form.Tool };
        words.AddRange(form.Words);
        if (form.Resources is { } resources)
        {
            words.Add(resources[0]);
        }

        var (text, note) = Expected(source.Reader, form, words);
        var from = Enum.Parse<EvidenceSite>(site) switch
        {
            EvidenceSite.Node => "node/cn-hangzhou.192.168.0.199",
            EvidenceSite.Pod => "default/web-7d4b9c-x2k4q",
            _ => null,
        };
        var command = string.Join(' ', words);
        Assert.Same(source, EvidenceSources.Of(command, from));

        var (_, notes) = PastedOutputs.Expand(new DiagnosisRequest { Snapshot = new Snapshot { Outputs = [new CommandOutput { Command = command, From = from, Text = text }] } });

        var read = Assert.Single(notes);
        Assert.True(read.Detail?.Contains(note, StringComparison.Ordinal) == true, $"`{command}` from {from ?? "nowhere named"} ({source.Name}, read by {source.Reader}): {read.Status} {read.Detail}");
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public void A_command_run_by_its_path_is_its_tools_form_and_another_tool_of_the_same_ending_is_not(string name, int index, string site)
    {
        var source = EvidenceSources.All.Single(s => s.Name == name);
        var form = source.Forms[index];
        var rest = form.Words.Concat(form.Resources is { } resources ? [resources[0]] : []).Concat(form.WordEnding is { } ending ? ["http://10.0.0.10:9153" + ending] : []).ToList();
        string[] Words(string tool) => [tool, .. rest];
        var at = Enum.Parse<EvidenceSite>(site);

        Assert.Same(source, EvidenceSources.Of(Words(form.Tool), at));
        Assert.Same(source, EvidenceSources.Of(Words($"/usr/local/bin/{form.Tool}"), at));
        Assert.DoesNotContain(source, EvidenceSources.Matching(Words($"/usr/bin/x{form.Tool}"), at));
        Assert.DoesNotContain(source, EvidenceSources.Matching(Words($"{form.Tool}/"), at));
    }

    /// <summary>A paste for the reader, and what its note says when that reader took it.</summary>
    private static (string Text, string Note) Expected(EvidenceReader reader, CommandForm form, List<string> words)
    {
        if (reader == EvidenceReader.DnsLookups)
        {
            return ("", "no lookup result found");
        }

        if (reader == EvidenceReader.Ping)
        {
            return ("", "no ping run found");
        }

        if (reader == EvidenceReader.TcpConnections)
        {
            return ("", "no connection result found");
        }

        if (reader == EvidenceReader.KubernetesObjects)
        {
            words.AddRange(["-o", "json"]);
            return ("""{"apiVersion": "v1", "kind": "List", "items": []}""", "read as Kubernetes objects");
        }

        if (reader == EvidenceReader.KubectlTop)
        {
            return ("No resources found in default namespace.", "kubectl found no such objects");
        }

        if (reader == EvidenceReader.PodLogs)
        {
            words.AddRange(["-n", "kube-system", "coredns-5d78c9869d-abcde"]);
            return ("", form.Words.Contains("--previous")
                ? "read as the log of pod kube-system/coredns-5d78c9869d-abcde's previous container (the run before its last restart)"
                : "read as the log of pod kube-system/coredns-5d78c9869d-abcde");
        }

        if (reader == EvidenceReader.PrometheusMetrics)
        {
            // The pod proxy names the pod; curl a pod IP, found among the snapshot's pods when facts are built.
            words.Add(form.Tool == "kubectl" ? "/api/v1/namespaces/kube-system/pods/coredns-5d78c9869d-abcde:9153/proxy/metrics" : "http://10.244.0.5:9153/metrics");
            return ("# TYPE coredns_panics_total counter\ncoredns_panics_total 0\n", form.Tool == "kubectl"
                ? "read as the metrics of pod kube-system/coredns-5d78c9869d-abcde" : "read as the metrics of the pod at 10.244.0.5");
        }

        if (reader == EvidenceReader.KubectlVersion)
        {
            return ("Client Version: v1.29.4\nServer Version: v1.29.3-eks-adc7111\n", "read as the API server's version, v1.29.3-eks-adc7111");
        }

        if (reader == EvidenceReader.NotRead)
        {
            // Anywhere, so from nowhere named: kept by nothing (a capture is a file to open, not a paste).
            return ("x", "not read");
        }

        // A file is kept as that file, any other command's output as that command's, for its reader to read.
        return ("x", form.Tool == "cat" ? $"read as {form.Words[0]} of" : "kept as the output of a command run on");
    }
}
