namespace DnsExpert.Contract;

/// <summary>The wire names of the contract's enums, for renderers and facts (the same strings as the JSON).</summary>
public static class ContractNames
{
    public static string Name(this SymptomClass symptomClass) => symptomClass switch
    {
        SymptomClass.NameNotFound => "name-not-found",
        SymptomClass.ServerUnreachable => "server-unreachable",
        SymptomClass.Ambiguous => "ambiguous",
        _ => "unknown",
    };
}
