using DnsExpert.Engine.Results;

namespace DnsExpert.Engine.RuleFiles;

/// <summary>A rule as written in a file of <c>rules/</c>, before compilation. Every element knows its line.</summary>
public sealed record RuleDocument
{
    public required string File { get; init; }
    public required int Line { get; init; }
    public required string Id { get; init; }
    public required string Title { get; init; }
    public required FindingSeverity Severity { get; init; }
    public required string Description { get; init; }
    public string? Guide { get; init; }
    public int Priority { get; init; }

    /// <summary>Whether this finding explains a reported failure (info findings do not, by default).</summary>
    public required bool ExplainsFailure { get; init; }

    public RuleRouting Routing { get; init; } = RuleRouting.None;

    /// <summary>
    /// Rules whose findings this rule's finding explains (<c>explains: [coredns-pod-not-running]</c>): when both fire,
    /// this one ranks first and each says what it explains or is explained by. A case may say its own
    /// (<see cref="RuleCaseDocument.Explains"/>); only the cases that matched count.
    /// </summary>
    public IReadOnlyList<RuleReference> Explains { get; init; } = [];

    /// <summary>Every rule this one may explain, through any of its cases: the loader checks these for loops.</summary>
    public IEnumerable<RuleReference> AnyCaseExplains => Explains.Concat(Cases.SelectMany(c => c.Explains ?? []));

    /// <summary>
    /// Named numbers the rule's conditions and templates use by name (<c>Occurrences >= persistentMinFailures</c>), so
    /// that how strong the evidence must be is data in the rule file.
    /// </summary>
    public IReadOnlyList<RuleThreshold> Thresholds { get; init; } = [];

    /// <summary>Alternative proofs of the same cause; a rule with a plain <c>when</c> has one case.</summary>
    public required IReadOnlyList<RuleCaseDocument> Cases { get; init; }

    /// <summary>
    /// The commands that collect the facts this rule reads (<c>collect:</c>), for the hypotheses of a diagnosis that
    /// lacks them; their holes are filled from what is known (<c>{{ known.Namespace }}</c>).
    /// </summary>
    public IReadOnlyList<CollectDocument> Collect { get; init; } = [];

    /// <summary>What the finding says; a case may override the cause and add its own evidence.</summary>
    public required FindingTemplateDocument Finding { get; init; }
}

/// <summary>
/// One way to prove the cause: its patterns, and optionally its own cause and evidence templates, and a severity below
/// the rule's when this proof is weaker (a static reading of the configuration where another case sees it happen).
/// A case may open no ticket (<c>ticket: none</c>, a transient failure) or its own, and have its own remediation.
/// </summary>
public sealed record RuleCaseDocument(
    int Line, IReadOnlyList<PatternDocument> When, ExpressionTemplate? Cause, IReadOnlyList<EvidenceTemplateDocument> Evidence, FindingSeverity? Severity = null)
{
    public TicketTemplateDocument? Ticket { get; init; }

    /// <summary><c>ticket: none</c>: this proof is too weak for a support ticket, whatever the finding's says.</summary>
    public bool NoTicket { get; init; }

    /// <summary>Remediation of this case instead of the finding's, when the proof decides what to do.</summary>
    public IReadOnlyList<RemediationTemplateDocument>? Remediation { get; init; }

    /// <summary>
    /// What this proof explains instead of the rule's <c>explains:</c> (null: the rule's). <c>explains: []</c> says the
    /// proof explains nothing: a Corefile refused on reload leaves the running pod serving, so it explains no crash.
    /// </summary>
    public IReadOnlyList<RuleReference>? Explains { get; init; }
}

/// <summary>A named number of a rule file (<c>thresholds:</c>), and where it stands.</summary>
public sealed record RuleThreshold(string Name, double Value, int Line, int Column)
{
    /// <summary>The value as conditions see it: an int when it is whole, so that it compares with counts as written.</summary>
    public object Constant => Value == Math.Floor(Value) && Math.Abs(Value) < int.MaxValue ? (int)Value : Value;
}

/// <summary>A rule id named in another rule's file, and where, for error messages.</summary>
public sealed record RuleReference(string Id, int Line, int Column);

/// <summary>How a pattern takes part in the rule's condition.</summary>
public enum PatternMode
{
    /// <summary>The fact must be present; its name can be used by later patterns and by the finding.</summary>
    Match,

    /// <summary>No such fact may be present.</summary>
    Not,

    /// <summary>At least one such fact must be present (it fires the rule once).</summary>
    Exists,
}

public sealed record PatternDocument(PatternMode Mode, string FactType, string? Name, IReadOnlyList<ExpressionText> Conditions, int Line);

/// <summary>An expression from a rule file and where it stands, for error messages.</summary>
public sealed record ExpressionText(string Text, int Line, int Column, string Field);

/// <summary>Symptoms that make a cause more likely. They only change a finding's rank, never whether it fires.</summary>
public sealed record RuleRouting(IReadOnlyList<string> Frequency, IReadOnlyList<string> NameKind, IReadOnlyList<string> SymptomClass)
{
    public static RuleRouting None { get; } = new([], [], []);

    /// <summary>
    /// The rows of the guide's symptom table that list this cause (frequencies and name kinds, each also routed on):
    /// among the unverified hypotheses, those the guide lists under the reported row are checked first.
    /// </summary>
    public IReadOnlyList<string> ListedUnder { get; init; } = [];
}

public sealed record FindingTemplateDocument(
    ExpressionTemplate? Cause,
    IReadOnlyList<EvidenceTemplateDocument> Evidence,
    IReadOnlyList<RemediationTemplateDocument> Remediation,
    TicketTemplateDocument? Ticket);

public sealed record EvidenceTemplateDocument(ExpressionTemplate Source, ExpressionTemplate Detail);

public sealed record RemediationTemplateDocument(ExpressionTemplate Summary, ExpressionTemplate? Command, ExpressionTemplate? Snippet)
{
    /// <summary>A condition over the case's named patterns: the entry is given only when it holds (<c>cloud.Provider == "aws"</c>).</summary>
    public ExpressionText? When { get; init; }
}

public sealed record TicketTemplateDocument(ExpressionTemplate Name, ExpressionTemplate Rcode, ExpressionTemplate? Time, ExpressionTemplate? Pod);

/// <summary>A text with <c>{{ expression }}</c> holes, and where it stands.</summary>
public sealed record ExpressionTemplate(string Text, int Line, int Column, string Field);

/// <summary>
/// A command that collects facts a rule reads (<c>collect:</c>): its template over <c>known</c>, why to run it, how
/// cheap it is (1 cheapest, 9 the last resort) and the fact types its output gives (none listed: all of the rule's).
/// </summary>
public sealed record CollectDocument(ExpressionTemplate Command, string Why, int Cost, IReadOnlyList<string> Facts, int Line)
{
    /// <summary>The cost of a check that does not say: one read-only command.</summary>
    public const int DefaultCost = 2;

    /// <summary>
    /// Where the command runs when it is no kubectl command: <c>node</c> (the failing pod's node) or
    /// <c>coredns-node</c> (a node hosting CoreDNS). When that node is known the check is given ready to paste, as
    /// <c>kubectl debug node/NAME -it --image=busybox -- chroot /host COMMAND</c>.
    /// </summary>
    public string? On { get; init; }

    /// <summary>The tool the command runs in the failing pod's container (<c>dig</c>), which its image may not have.</summary>
    public string? Needs { get; init; }

    /// <summary>The command given instead when the pod's image is known to lack <see cref="Needs"/> (<c>nslookup</c> in busybox).</summary>
    public ExpressionTemplate? Otherwise { get; init; }

    /// <summary>
    /// The command leaves a file (a packet capture) that DnsExpert does not read: how to share it. Such a check is never
    /// offered for pasting.
    /// </summary>
    public string? Share { get; init; }

    /// <summary>The values of <see cref="On"/>.</summary>
    public static readonly IReadOnlySet<string> Places = new HashSet<string>(StringComparer.Ordinal) { "node", "coredns-node" };
}
