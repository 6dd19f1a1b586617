namespace DnsExpert.Readers.Parsing;

/// <summary>Something a parser did not understand, and where. Parsers report these instead of throwing.</summary>
public sealed record ParseDiagnostic(int Line, string Message);
