using System.ComponentModel.DataAnnotations;

namespace Market.Web.Observability;

/// <summary>Where metrics are sent. Bound from the <c>Observability</c> section.</summary>
public sealed class ObservabilityOptions : IValidatableObject
{
    public const string Section = "Observability";

    /// <summary>
    /// An OTLP collector (<c>http://collector:4317</c>); unset sends nothing by OTLP. The standard
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> variable is used when this is unset.
    /// </summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>The endpoint to export to, or <see langword="null"/>.</summary>
    public Uri? Endpoint => OtlpEndpoint is { Length: > 0 } e ? new Uri(e, UriKind.Absolute) : null;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (OtlpEndpoint is { Length: > 0 } e
            && (!Uri.TryCreate(e, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            yield return new ValidationResult($"'{e}' is not an http or https URL of an OTLP collector.", [nameof(OtlpEndpoint)]);
        }
    }
}
