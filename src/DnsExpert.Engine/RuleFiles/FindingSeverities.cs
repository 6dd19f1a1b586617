namespace DnsExpert.Engine.RuleFiles;

/// <summary>A finding's severity as rule files write it: the <c>Finding</c> fact's <c>Severity</c>, a rule's or a case's <c>severity</c>.</summary>
public static class FindingSeverities
{
    public const string Critical = "critical";
    public const string Warning = "warning";
    public const string Info = "info";
}
