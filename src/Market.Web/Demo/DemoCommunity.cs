using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Market.Web.Demo;

/// <summary>
/// The simulated community: the real profiles, the agent households built from them and their strategy. The
/// profiles are read once, on first use; everything here is immutable afterwards and holds no per-user state.
/// </summary>
public sealed class DemoCommunity
{
    private readonly Lazy<IReadOnlyList<AgentProfile>> _agents;
    private readonly Lazy<IReadOnlyList<AgentProfile>> _meters;
    private readonly Lazy<DemoProfiles> _profiles;
    private readonly TimeZoneInfo _zone;

    public DemoCommunity(IOptions<DemoOptions> demo, IOptions<CommunityOptions> community, IWebHostEnvironment environment)
    {
        var options = demo.Value;
        _zone = TimeZoneInfo.FindSystemTimeZoneById(community.Value.TimeZone);
        HouseholdsDirectory = Path.Combine(options.ResolveDataDirectory(environment.ContentRootPath), "households");
        _profiles = new Lazy<DemoProfiles>(() => DemoProfiles.Load(HouseholdsDirectory));
        var ben = DemoSeeder.Community.Single(c => c.Login.Email == DemoRoster.BenEmail);
        var anna = DemoSeeder.Community.Single(c => c.Login.Email == DemoRoster.AnnaEmail);
        _agents = new Lazy<IReadOnlyList<AgentProfile>>(() => DemoRoster.Build(_profiles.Value, options.Households, ben.PvPeakW, ben.MaxImportW));
        _meters = new Lazy<IReadOnlyList<AgentProfile>>(() => [.. _agents.Value, DemoRoster.Anna(_profiles.Value, anna.PvPeakW, anna.MaxImportW)]);
        Strategy = new AgentStrategy(options.Seed);
        Delivery = new DeliveryModel(options.Seed);
    }

    public string HouseholdsDirectory { get; }

    /// <summary>True when the profile files are there.</summary>
    public bool IsAvailable => DemoProfiles.Exist(HouseholdsDirectory);

    public DemoProfiles Profiles => _profiles.Value;

    /// <summary>Every agent household: the generated ones, then Ben's.</summary>
    public IReadOnlyList<AgentProfile> Agents => _agents.Value;

    /// <summary>
    /// Every household with a demo meter: the agents, then Anna's house, which is traded by hand but metered like the
    /// rest, so what she trades is reconciled without an operator's upload.
    /// </summary>
    public IReadOnlyList<AgentProfile> Meters => _meters.Value;

    public AgentStrategy Strategy { get; }

    /// <summary>How delivery deviates from the households' forecasts (the demo meters).</summary>
    public DeliveryModel Delivery { get; }

    /// <summary>The local time in the community's zone; profiles are looked up by local date and time of day.</summary>
    public DateTime LocalTime(long unixSeconds) => TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeSeconds(unixSeconds), _zone).DateTime;

    /// <summary>The community's PV output in the interval according to the profiles (no forecast error), Wh.</summary>
    public long CommunityPvWh(long intervalStart, long intervalSeconds)
    {
        var local = LocalTime(intervalStart);
        return Agents.Sum(a => a.Energy(local, intervalSeconds).PvWh);
    }

    /// <summary>The community's total PV peak over one interval, Wh.</summary>
    public long CommunityPvCapacityWh(long intervalSeconds) => Agents.Sum(a => a.PvPeakW) * intervalSeconds / 3600;

    /// <summary>
    /// The orders the agents post for one interval, in a per-interval shuffled order. <paramref name="households"/>
    /// maps an agent's e-mail to its household; agents without one are left out.
    /// </summary>
    public IReadOnlyList<BatchOrder> Plan(IReadOnlyDictionary<string, Household> households, long intervalStart, long intervalSeconds, PriceBand band, OrderService orders)
    {
        ArgumentNullException.ThrowIfNull(households);
        ArgumentNullException.ThrowIfNull(orders);
        var local = LocalTime(intervalStart);
        var energies = Agents.Select(a => (Agent: a, Energy: a.Energy(local, intervalSeconds))).ToList();
        // The public solar forecast everyone sees: the community's expected PV output against its PV peak.
        var sun = AgentStrategy.SunPermille(energies.Sum(e => e.Energy.PvWh), CommunityPvCapacityWh(intervalSeconds));
        var planned = new List<(ulong Priority, BatchOrder Order)>();
        foreach (var (agent, (load, pv)) in energies)
        {
            if (!households.TryGetValue(agent.Email, out var household))
            {
                continue;
            }

            var order = Strategy.Decide(agent, intervalStart, load, pv, sun, band, orders.MaxEnergyWh(household, OrderSide.Sell), orders.MaxEnergyWh(household, OrderSide.Buy));
            if (order is not null)
            {
                planned.Add((Strategy.Priority(agent, intervalStart), new BatchOrder(household.Id, order)));
            }
        }

        return planned.OrderBy(p => p.Priority).Select(p => p.Order).ToList();
    }

    /// <summary>
    /// What <paramref name="agent"/>'s meter reads for one interval, Wh: its profile, with the forecast the agent
    /// traded on, deviating from that forecast as <see cref="Delivery"/> says, netted like one bidirectional meter.
    /// </summary>
    public (long ImportWh, long ExportWh) Reading(AgentProfile agent, long intervalStart, long intervalSeconds)
    {
        ArgumentNullException.ThrowIfNull(agent);
        var (load, pv) = agent.Energy(LocalTime(intervalStart), intervalSeconds);
        var (loadForecast, pvForecast) = Strategy.Forecast(agent, intervalStart, load, pv);
        var (loadDelivered, pvDelivered) = Delivery.Delivered(agent, intervalStart, loadForecast, pvForecast);
        return DeliveryModel.Meter(loadDelivered, pvDelivered);
    }

    /// <summary>
    /// The households the agents post for, by e-mail: the generated agents. Anna's house is traded by hand and Ben's
    /// flat by its autopilot (<see cref="DemoAutopilot"/>); both are metered, and Ben's PV still counts in the
    /// community's solar forecast.
    /// </summary>
    public Task<Dictionary<string, Household>> HouseholdsAsync(MarketDbContext db, CancellationToken cancellationToken) =>
        HouseholdsAsync(db, Agents.Where(a => a.Email != DemoRoster.BenEmail).ToList(), cancellationToken);

    /// <summary>Ben's household; null before it is seeded.</summary>
    public async Task<Household?> BenAsync(MarketDbContext db, CancellationToken cancellationToken) =>
        (await HouseholdsAsync(db, Agents.Where(a => a.Email == DemoRoster.BenEmail).ToList(), cancellationToken)).GetValueOrDefault(DemoRoster.BenEmail);

    /// <summary>The households with a demo meter (the agents and Anna's house), by e-mail.</summary>
    public Task<Dictionary<string, Household>> MeteredHouseholdsAsync(MarketDbContext db, CancellationToken cancellationToken) =>
        HouseholdsAsync(db, Meters, cancellationToken);

    private static async Task<Dictionary<string, Household>> HouseholdsAsync(MarketDbContext db, IReadOnlyList<AgentProfile> profiles, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var emails = profiles.Select(a => a.Email.ToUpperInvariant()).ToList();
        var rows = await db.Users.AsNoTracking()
            .Where(u => emails.Contains(u.NormalizedEmail!))
            .Join(db.Households.AsNoTracking(), u => u.Id, h => h.UserId, (u, h) => new { u.Email, Household = h })
            .ToListAsync(cancellationToken);
        return rows.ToDictionary(r => r.Email!, r => r.Household, StringComparer.OrdinalIgnoreCase);
    }
}
