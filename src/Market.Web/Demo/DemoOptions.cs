using System.ComponentModel.DataAnnotations;

namespace Market.Web.Demo;

/// <summary>
/// Demo mode: on by default so the first <c>dotnet run</c> shows a working community. Bound from <c>Demo</c>.
/// </summary>
public sealed class DemoOptions
{
    public const string Section = "Demo";

    /// <summary>Seed the demo logins (and, with <see cref="Simulate"/>, the simulated community).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The password of every demo login. Demo mode only; never used otherwise.</summary>
    public string Password { get; set; } = "sunny-rooftops-2026";

    /// <summary>
    /// Run the agent households: a backfill of <see cref="BackfillDays"/> on the first start, then live orders for
    /// every interval. Needs <see cref="Enabled"/>.
    /// </summary>
    public bool Simulate { get; set; } = true;

    /// <summary>Agent households generated from the profiles (Ben's household is an agent on top of these).</summary>
    [Range(0, 500)]
    public int Households { get; set; } = 24;

    /// <summary>Days of history simulated on the first start (0 = none).</summary>
    [Range(0, 31)]
    public int BackfillDays { get; set; } = 7;

    /// <summary>
    /// Folder with the profile files (<c>households/</c>); relative paths are under the content root. Unset: the copy
    /// that the build and publish put next to the app's binaries (<c>demo-data/</c>).
    /// </summary>
    public string? DataDirectory { get; set; }

    /// <summary>The profile folder to read.</summary>
    public string ResolveDataDirectory(string contentRoot) => DataDirectory is { Length: > 0 } configured
        ? Path.GetFullPath(Path.IsPathRooted(configured) ? configured : Path.Combine(contentRoot, configured))
        : Path.Combine(AppContext.BaseDirectory, "demo-data");

    /// <summary>Agents post an interval's orders once its gate closes within this many minutes.</summary>
    [Range(1, 720)]
    public int AgentLeadMinutes { get; set; } = 60;

    /// <summary>Seed of the agents' deterministic variation (days shifted, scaling, forecast noise, prices).</summary>
    public int Seed { get; set; } = 2026;
}
