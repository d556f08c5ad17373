using System.ComponentModel.DataAnnotations;

namespace Market.Web.Demo;

/// <summary>
/// Demo mode: only where it is asked for, so a deployment never opens the published demo logins by accident.
/// Bound from <c>Demo</c>.
/// </summary>
public sealed class DemoOptions
{
    public const string Section = "Demo";

    /// <summary>The demo logins' password as the README publishes it.</summary>
    public const string PublishedPassword = "sunny-rooftops-2026";

    /// <summary>
    /// Seed the demo logins (and, with <see cref="Simulate"/>, the simulated community) and serve the demo's
    /// endpoints. When <c>Demo:Enabled</c> is not given, on in the Development environment only (what
    /// <c>dotnet run</c> starts in) and off everywhere else (<see cref="DemoExtensions.AddMarketDemo"/>).
    /// </summary>
    public bool Enabled { get; set; }

    /// <summary>The password of every demo login. Demo mode only; never used otherwise.</summary>
    public string Password { get; set; } = PublishedPassword;

    /// <summary>
    /// Whether <paramref name="password"/> is a demo password (the published one or the configured one): anyone
    /// who has read the README or this app's console knows it.
    /// </summary>
    public bool IsDemoPassword(string? password) =>
        !string.IsNullOrEmpty(password) && (password == PublishedPassword || password == Password);

    /// <summary>
    /// Run the agent households: a backfill of <see cref="BackfillDays"/> on the first start, then live orders for
    /// every interval. Needs <see cref="Enabled"/>.
    /// </summary>
    public bool Simulate { get; set; } = true;

    /// <summary>
    /// The simulated community lives on a network (<see cref="DemoNetwork"/>, imported on the first start) with a
    /// simulated network operator (<see cref="DemoNetworkOperator"/>), and, unless <c>Community:Mechanism</c> is
    /// given, clears under the grid's limits (<c>grid-zonal</c>) with the demo's network fees
    /// (<see cref="DemoNetwork.Fees"/>). Needs <see cref="Simulate"/>.
    /// </summary>
    public bool Grid { get; set; } = true;

    /// <summary>Whether the simulated community runs on its network: <see cref="Enabled"/>, <see cref="Simulate"/> and <see cref="Grid"/>.</summary>
    public bool SimulatesGrid => Enabled && Simulate && Grid;

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
