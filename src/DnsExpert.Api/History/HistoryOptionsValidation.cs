using DnsExpert.History;
using Microsoft.Extensions.Options;

namespace DnsExpert.Api.History;

/// <summary>What data annotations cannot say about <see cref="HistoryOptions"/>: PostgreSQL needs a connection string.</summary>
public sealed class HistoryOptionsValidation : IValidateOptions<HistoryOptions>
{
    public ValidateOptionsResult Validate(string? name, HistoryOptions options) =>
        options.Provider == HistoryProvider.Postgres && string.IsNullOrWhiteSpace(options.ConnectionString)
            ? ValidateOptionsResult.Fail($"{HistoryOptions.Section}:ConnectionString is required when {HistoryOptions.Section}:Provider is postgres")
            : ValidateOptionsResult.Success;
}
