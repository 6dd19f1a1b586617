using System.ComponentModel.DataAnnotations;

namespace DnsExpert.Api.Hosting;

/// <summary>Rule hot reload (configuration section <c>DnsExpert:RuleReload</c>).</summary>
public sealed class RuleReloadOptions
{
    public const string Section = "DnsExpert:RuleReload";

    /// <summary>Recompile the rule base when files in the rules directory change.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the rule files are checked (their names and contents, through ConfigMap symlinks).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    [Display(Name = $"{Section}:{nameof(Interval)}")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(2);
}
