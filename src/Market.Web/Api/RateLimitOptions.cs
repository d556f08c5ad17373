using System.ComponentModel.DataAnnotations;

namespace Market.Web.Api;

/// <summary>Rate limits. Bound from the <c>RateLimits</c> section.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>Sign-in and registration form posts per client address per minute.</summary>
    [Range(1, 100_000)]
    public int SignInPerMinute { get; set; } = 20;

    /// <summary>
    /// Requests to <c>/api/ledger/*</c> per client address per minute. An auditor's full verification needs one or
    /// two (<c>market ledger verify</c> and <c>follow</c> fetch the export; the browser's verifier the checkpoint and
    /// the export), so only scrapers and floods come near it (ADR 18).
    /// </summary>
    [Range(1, 1_000_000)]
    public int LedgerPerMinute { get; set; } = 120;
}
