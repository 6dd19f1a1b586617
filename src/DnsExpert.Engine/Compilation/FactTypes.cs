using System.Reflection;
using DnsExpert.Facts;

namespace DnsExpert.Engine.Compilation;

/// <summary>The fact types a rule file may name, by their class name.</summary>
public static class FactTypes
{
    private static readonly Dictionary<string, Type> ByName = Discover();

    /// <summary>Every fact type, by the name rule files use.</summary>
    public static IReadOnlyDictionary<string, Type> All => ByName;

    public static bool TryGet(string name, out Type type) => ByName.TryGetValue(name, out type!);

    /// <summary>The description shown in the rule catalogue.</summary>
    public static string Describe(Type type) =>
        type.GetCustomAttribute<FactDescriptionAttribute>()?.Description ?? type.Name;

    private static Dictionary<string, Type> Discover()
    {
        var types = typeof(Fact).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false, IsPublic: true } && t.IsSubclassOf(typeof(Fact)))
            .ToDictionary(t => t.Name, StringComparer.Ordinal);
        types[FindingFact.FactTypeName] = typeof(FindingFact);
        return types;
    }
}
