namespace DnsExpert.Engine.Results;

/// <summary>
/// How urgent a finding is, as a rule or a case gives it (<see cref="RuleFiles.FindingSeverities"/> are its names in rule files)
/// and as <see cref="Sessions.Explanations"/> lifts or caps it; ordered, so the higher is the more urgent.
/// </summary>
public enum FindingSeverity
{
    Info = 0,
    Warning = 1,
    Critical = 2,
}
