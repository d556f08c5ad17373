using System.Globalization;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Demo;

/// <summary>
/// The demo community's network: the community at the root, one transformer, three feeders and one connection per
/// demo household, spread unevenly: feeder F1 carries the households that export the most around midday (a street
/// of big roofs over small loads), F2 and F3 share the rest. Imported once, on the first start, through <see cref="GridStore.ImportNetworkAsync"/>
/// like an operator's upload, which seals it as a network block.
/// </summary>
public sealed partial class DemoNetwork(IDbContextFactory<MarketDbContext> dbFactory, DemoCommunity community, ILogger<DemoNetwork> logger)
{
    /// <summary>The root's id.</summary>
    public const string RootId = "community";

    /// <summary>The transformer's id.</summary>
    public const string TransformerId = "T1";

    /// <summary>The PV-heavy feeder, where the simulated network operator's events apply.</summary>
    public const string PvFeederId = "F1";

    /// <summary>The feeders in network order.</summary>
    public static readonly IReadOnlyList<string> FeederIds = [PvFeederId, "F2", "F3"];

    /// <summary>
    /// The transformer's capacity each way, in watts: a 100 kVA pole-mounted transformer, the usual size for a street
    /// of two dozen houses. The demo's local trading never comes near it.
    /// </summary>
    public const long TransformerCapacityW = 100_000;

    /// <summary>
    /// The PV-heavy feeder's export capacity, in watts: its hosting capacity, limited by voltage rise at the far end
    /// rather than by the cable.
    /// </summary>
    public const long PvFeederExportCapacityW = 30_000;

    /// <summary>The other feeders' export capacity, in watts.</summary>
    public const long FeederExportCapacityW = 40_000;

    /// <summary>Every feeder's import capacity, in watts (the cable's thermal limit after diversity).</summary>
    public const long FeederImportCapacityW = 60_000;

    /// <summary>
    /// The share of households, the largest exporters first, that are connected to the PV-heavy feeder, in permille.
    /// </summary>
    public const int PvFeederSharePermille = 400;

    /// <summary>The fees the demo community's rules carry (1/10,000 of the currency per kWh): 0.5, 1.0 and 2.0 ct.</summary>
    public static readonly NetworkFees Fees = new(SameFeeder: 50, SameTransformer: 100, AcrossTransformers: 200);

    /// <summary>Who the demo's import is recorded as having been made by.</summary>
    public const string ImportedBy = "demo";

    /// <summary>
    /// What a household's profile exports around midday over a year, in Wh: its surplus (PV less load, when
    /// positive) in every quarter hour from 10:00 to 15:00 local time on one day a week. A big roof over a small
    /// load exports much; a big roof over a house with a heat pump or an EV less.
    /// </summary>
    public static long MiddayExportWh(AgentProfile household)
    {
        ArgumentNullException.ThrowIfNull(household);
        long total = 0;
        // Any year will do: profiles are looked up by day of year and time of day.
        var firstDay = new DateTime(2026, 1, 1, 10, 0, 0, DateTimeKind.Unspecified);
        for (var week = 0; week < 52; week++)
        {
            for (var quarter = 0; quarter < 20; quarter++)
            {
                var (load, pv) = household.Energy(firstDay.AddDays(7 * week).AddMinutes(15 * quarter), 900);
                total += Math.Max(pv - load, 0);
            }
        }

        return total;
    }

    /// <summary>
    /// Which feeder each household is on: sorted by <see cref="MiddayExportWh"/>, largest first (then by e-mail),
    /// the first <see cref="PvFeederSharePermille"/> (rounded up) go to F1, the rest alternately to F2 and F3.
    /// </summary>
    /// <param name="households">The demo households with a meter.</param>
    /// <returns>Per feeder id, its households in connection order.</returns>
    public static IReadOnlyDictionary<string, IReadOnlyList<AgentProfile>> Assign(IReadOnlyList<AgentProfile> households)
    {
        ArgumentNullException.ThrowIfNull(households);
        var ordered = households.Select(h => (Household: h, Export: MiddayExportWh(h)))
            .OrderByDescending(h => h.Export).ThenBy(h => h.Household.Email, StringComparer.Ordinal)
            .Select(h => h.Household)
            .ToList();
        var onPvFeeder = (int)(((ordered.Count * (long)PvFeederSharePermille) + 999) / 1000);
        var feeders = FeederIds.ToDictionary(f => f, _ => new List<AgentProfile>(), StringComparer.Ordinal);
        for (var i = 0; i < ordered.Count; i++)
        {
            var feeder = i < onPvFeeder ? PvFeederId : FeederIds[1 + ((i - onPvFeeder) % 2)];
            feeders[feeder].Add(ordered[i]);
        }

        return feeders.ToDictionary(f => f.Key, f => (IReadOnlyList<AgentProfile>)f.Value, StringComparer.Ordinal);
    }

    /// <summary>The id of the <paramref name="index"/>-th (0-based) connection on a feeder: <c>F1-01</c>, <c>F1-02</c>, …</summary>
    public static string ConnectionId(string feederId, int index) =>
        string.Create(CultureInfo.InvariantCulture, $"{feederId}-{index + 1:00}");

    /// <summary>
    /// The network for the given households: every household's connection may export its PV peak and import its
    /// maximum import (its connection agreement, which the order service's bounds already follow).
    /// </summary>
    /// <param name="households">The demo households with a meter, each with its profile.</param>
    /// <returns>The network, validated by <see cref="NetworkDefinitionParser"/>.</returns>
    public static NetworkDefinition Build(IReadOnlyList<(AgentProfile Profile, Household Household)> households)
    {
        ArgumentNullException.ThrowIfNull(households);
        var sites = households.ToDictionary(h => h.Profile.Email, h => h.Household, StringComparer.OrdinalIgnoreCase);
        var nodes = new List<NetworkNodeDefinition>
        {
            new(RootId, null, NetworkNodeKind.Community, null, null, null),
            new(TransformerId, RootId, NetworkNodeKind.Transformer, TransformerCapacityW, TransformerCapacityW, null),
        };
        foreach (var (feeder, members) in Assign([.. households.Select(h => h.Profile)]))
        {
            var export = feeder == PvFeederId ? PvFeederExportCapacityW : FeederExportCapacityW;
            nodes.Add(new NetworkNodeDefinition(feeder, TransformerId, NetworkNodeKind.Feeder, export, FeederImportCapacityW, null));
            for (var i = 0; i < members.Count; i++)
            {
                var site = sites[members[i].Email];
                nodes.Add(new NetworkNodeDefinition(ConnectionId(feeder, i), feeder, NetworkNodeKind.Connection, site.PvPeakW, site.MaxImportW, site.MeterId));
            }
        }

        var parsed = NetworkDefinitionParser.FromNodes(nodes);
        return parsed.Network ?? throw new InvalidOperationException("The demo network is not valid: " + parsed.Errors[0].Message);
    }

    /// <summary>
    /// Imports the demo network when the community has none yet, with every demo household that exists at a
    /// connection; a network already there (the demo's from an earlier start, or one an operator imported) is left
    /// as it is.
    /// </summary>
    /// <param name="grid">The store, on the clock the network block is sealed by (the backfill's simulated one).</param>
    /// <param name="cancellationToken">Cancels the import.</param>
    /// <returns>What was imported, or null when there was a network already or no demo household yet.</returns>
    public async Task<NetworkImportResult?> EnsureImportedAsync(GridStore grid, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grid);
        if (await grid.CurrentAsync(cancellationToken) is not null)
        {
            return null;
        }

        Dictionary<string, Household> households;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            households = await community.MeteredHouseholdsAsync(db, cancellationToken);
        }

        var metered = community.Meters
            .Where(m => households.TryGetValue(m.Email, out var h) && h.MeterId is not null)
            .Select(m => (m, households[m.Email]))
            .ToList();
        if (metered.Count == 0)
        {
            return null;
        }

        var result = await grid.ImportNetworkAsync(Build(metered), "json", ImportedBy, cancellationToken);
        LogImported(logger, result.Version, result.Connections, FeederIds.Count, result.BlockHeight);
        return result;
    }

    /// <summary>
    /// Connects the households that joined after the demo network was imported (a registration, the load test's
    /// households) with a new version of it: each gets a connection on F2 or F3, whichever has fewer, with its site
    /// as its limits, so it can trade under the grid's limits. A network an operator imported is theirs and left as
    /// it is; so is one where every household is connected.
    /// </summary>
    /// <param name="grid">The store.</param>
    /// <param name="cancellationToken">Cancels the import.</param>
    /// <returns>What was imported, or null when nothing was.</returns>
    public async Task<NetworkImportResult?> EnsureConnectedAsync(GridStore grid, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grid);
        var current = await grid.CurrentAsync(cancellationToken);
        if (current is null)
        {
            return null;
        }

        List<Household> unconnected;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var importedBy = await db.NetworkVersions.AsNoTracking().Where(v => v.Id == current.Version).Select(v => v.ImportedBy).SingleAsync(cancellationToken);
            if (importedBy != ImportedBy || await db.Households.CountAsync(h => h.MeterId != null, cancellationToken) == current.Definition.ConnectionCount)
            {
                return null;
            }

            unconnected = [.. (await db.Households.AsNoTracking().Where(h => h.MeterId != null).OrderBy(h => h.Id).ToListAsync(cancellationToken))
                .Where(h => !current.Definition.TryGetConnectionByMeter(h.MeterId!, out _))];
        }

        if (unconnected.Count == 0)
        {
            return null;
        }

        var nodes = current.Definition.Nodes.ToList();
        var counts = FeederIds.ToDictionary(f => f, f => nodes.Count(n => n.ParentId == f), StringComparer.Ordinal);
        foreach (var household in unconnected)
        {
            var feeder = FeederIds.Skip(1).Where(counts.ContainsKey).MinBy(f => counts[f]) ?? PvFeederId;
            nodes.Add(new NetworkNodeDefinition(ConnectionId(feeder, counts[feeder]++), feeder, NetworkNodeKind.Connection, household.PvPeakW, household.MaxImportW, household.MeterId));
        }

        var parsed = NetworkDefinitionParser.FromNodes(nodes);
        if (parsed.Network is null)
        {
            LogNotConnected(logger, unconnected.Count, parsed.Errors[0].Message);
            return null;
        }

        var result = await grid.ImportNetworkAsync(parsed.Network, "json", ImportedBy, cancellationToken);
        LogConnected(logger, unconnected.Count, result.Version, result.BlockHeight);
        return result;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected {Count} new households to the demo network (version {Version}, sealed in block {Height})")]
    private static partial void LogConnected(ILogger logger, int count, long version, long height);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} new households could not be connected to the demo network: {Error}")]
    private static partial void LogNotConnected(ILogger logger, int count, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Imported the demo network (version {Version}): {Connections} connections on {Feeders} feeders under one transformer, sealed in block {Height}")]
    private static partial void LogImported(ILogger logger, long version, int connections, int feeders, long height);
}
