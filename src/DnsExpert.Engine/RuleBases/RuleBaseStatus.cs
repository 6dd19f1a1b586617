namespace DnsExpert.Engine.RuleBases;

/// <summary>The version of the rule base (1 at start-up, +1 per successful reload), when it was loaded, and the last reload error.</summary>
public sealed record RuleBaseStatus(int Version, DateTimeOffset LoadedAt, string? LastReloadError);
