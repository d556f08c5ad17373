using System.ComponentModel.DataAnnotations;

namespace Market.Web.Api;

/// <summary>Rate limits. Bound from the <c>RateLimits</c> section.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>Sign-in and registration form posts per client address per minute.</summary>
    [Range(1, 100_000)]
    public int SignInPerMinute { get; set; } = 20;
}
