using Microsoft.Extensions.Options;

namespace DnsExpert.Collectors.Node;

/// <summary>
/// What data annotations cannot say about <see cref="AgentOptions"/>: every range is a CIDR written as meant and every
/// port a port. The check is <see cref="AgentScope.From"/>'s own, so start-up and the scope refuse the same values.
/// </summary>
public sealed class AgentOptionsValidation : IValidateOptions<AgentOptions>
{
    public ValidateOptionsResult Validate(string? name, AgentOptions options)
    {
        try
        {
            AgentScope.From(options);
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException ex)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }
    }
}
