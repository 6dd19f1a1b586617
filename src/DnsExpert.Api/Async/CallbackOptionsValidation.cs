using Microsoft.Extensions.Options;

namespace DnsExpert.Api.Async;

/// <summary>
/// What data annotations cannot say about <see cref="CallbackOptions"/>: every range in <c>AllowedCidrs</c> and
/// <c>BlockedCidrs</c> is a CIDR range (a typo must not silently block nothing, or allow nothing).
/// </summary>
public sealed class CallbackOptionsValidation : IValidateOptions<CallbackOptions>
{
    public ValidateOptionsResult Validate(string? name, CallbackOptions options)
    {
        var failures = Unparsed(nameof(CallbackOptions.AllowedCidrs), options.AllowedCidrs)
            .Concat(Unparsed(nameof(CallbackOptions.BlockedCidrs), options.BlockedCidrs))
            .ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static IEnumerable<string> Unparsed(string key, List<string> ranges) =>
        ranges.Where(r => !System.Net.IPNetwork.TryParse(r, out _))
            .Select(r => $"{CallbackOptions.Section}:{key}: '{r}' is not a CIDR range such as 10.96.0.0/12");
}
