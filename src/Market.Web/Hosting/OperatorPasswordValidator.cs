using Microsoft.Extensions.Options;

namespace Market.Web.Hosting;

/// <summary>
/// Outside demo mode the configured operator may not use a demo password: it is published in the README and printed
/// by every demo start, so an operator account with it would be anyone's. A setting error naming
/// <c>Operator:Password</c>, checked with the other settings before the app writes anything.
/// </summary>
internal sealed class OperatorPasswordValidator(IOptions<DemoOptions> demo) : IValidateOptions<OperatorOptions>
{
    public ValidateOptionsResult Validate(string? name, OperatorOptions options)
    {
        var mode = demo.Value;
        return !mode.Enabled && mode.IsDemoPassword(options.Password)
            ? ValidateOptionsResult.Fail($"{OperatorOptions.Section}:{nameof(OperatorOptions.Password)}: the demo's published password opens nothing outside demo mode; choose another.")
            : ValidateOptionsResult.Success;
    }
}
