namespace Market.Web.Jobs;

/// <summary>Whether this node runs jobs. Bound from the <c>Market</c> section (<c>Market:RunJobs</c>).</summary>
public sealed class JobsOptions
{
    public const string Section = "Market";

    /// <summary>Whether this node runs a Hangfire server (clearing, reconciliation, the demo agents).</summary>
    public bool RunJobs { get; set; } = true;
}
