using DnsExpert.Engine.Compilation;
using DnsExpert.Engine.RuleFiles;

namespace DnsExpert.Engine.Diagnosis;

/// <summary>Hands out the current compiled rule base.</summary>
public interface IRuleBaseProvider
{
    RuleBase Current { get; }
}

/// <summary>Compiles <c>rules/</c> once, at construction; a broken rule file throws <see cref="RuleFileException"/> and stops start-up.</summary>
public sealed class DirectoryRuleBaseProvider : IRuleBaseProvider
{
    public DirectoryRuleBaseProvider(string directory)
    {
        Directory = directory;
        Current = RuleBaseLoader.Load(directory);
    }

    public string Directory { get; }

    public RuleBase Current { get; }
}
