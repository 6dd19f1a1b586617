namespace DnsExpert.Engine.RuleFiles;

/// <summary>One problem in a rule file: which file, which line, and why.</summary>
public sealed record RuleFileError(string File, int Line, int Column, string Reason)
{
    public override string ToString() => Column > 0 ? $"{File}:{Line}:{Column}: {Reason}" : $"{File}:{Line}: {Reason}";
}

/// <summary>Thrown when a rule base cannot be loaded; carries every error found, not just the first.</summary>
public sealed class RuleFileException : Exception
{
    public RuleFileException(IReadOnlyList<RuleFileError> errors)
        : base(Describe(errors))
    {
        Errors = errors;
    }

    public RuleFileException()
        : this([])
    {
    }

    public RuleFileException(string message)
        : base(message)
    {
        Errors = [];
    }

    public RuleFileException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [];
    }

    public IReadOnlyList<RuleFileError> Errors { get; }

    private static string Describe(IReadOnlyList<RuleFileError> errors) =>
        errors.Count == 0
            ? "The rule base is invalid."
            : $"The rule base has {errors.Count} error(s):{Environment.NewLine}" + string.Join(Environment.NewLine, errors.Select(e => "  " + e));
}
