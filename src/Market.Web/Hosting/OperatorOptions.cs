using System.ComponentModel.DataAnnotations;

namespace Market.Web.Hosting;

/// <summary>
/// The first operator account, created at start when it does not exist: outside demo mode the only way to get one.
/// Bound from the <c>Operator</c> section; both settings or neither.
/// </summary>
public sealed class OperatorOptions : IValidatableObject
{
    public const string Section = "Operator";

    /// <summary>The operator's sign-in e-mail.</summary>
    [EmailAddress]
    public string? Email { get; set; }

    /// <summary>The operator's first password (change it after the first sign-in).</summary>
    public string? Password { get; set; }

    /// <summary>Whether an operator is configured.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(Email) && !string.IsNullOrEmpty(Password);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(Email) != string.IsNullOrEmpty(Password))
        {
            yield return new ValidationResult("Set both Operator:Email and Operator:Password, or neither.", [nameof(Email), nameof(Password)]);
        }
    }
}
