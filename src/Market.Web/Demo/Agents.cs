using System.Globalization;

namespace Market.Web.Demo;

/// <summary>
/// One agent household: a real profile shifted by whole days and scaled, so no two households are the same, with a
/// PV peak and a maximum import that match the scaled data.
/// </summary>
/// <param name="Number">1-based; 0 for Ben's household.</param>
/// <param name="Email">The household's user (agents have no password and cannot sign in, except Ben's login).</param>
/// <param name="Name">The household's name (never in the ledger, which only knows pseudonyms).</param>
/// <param name="Source">The real profile it is built from.</param>
/// <param name="DayShift">Days added to the calendar day before the profile lookup.</param>
/// <param name="LoadPermille">Load scaling, 1000 = as measured.</param>
/// <param name="PvPermille">PV scaling, 1000 = as measured.</param>
/// <param name="PvPeakW">Declared PV peak: at least the scaled source's nominal power.</param>
/// <param name="MaxImportW">Declared maximum import: above the scaled source's highest load.</param>
public sealed record AgentProfile(
    int Number,
    string Email,
    string Name,
    ProfileSource Source,
    int DayShift,
    int LoadPermille,
    int PvPermille,
    long PvPeakW,
    long MaxImportW)
{
    /// <summary>The scaled profile's energy over <c>[localStart, localStart + lengthSeconds)</c>, in Wh (no forecast error).</summary>
    public (long LoadWh, long PvWh) Energy(DateTime localStart, long lengthSeconds)
    {
        long load = 0;
        long pv = 0;
        // Each slot contributes the share of it the interval covers (intervals of 5 minutes take a third of a slot).
        for (long offset = 0; offset < lengthSeconds; offset += ProfileSource.SlotSeconds)
        {
            var at = localStart.AddSeconds(offset);
            var day = ProfileSource.DayOfYear(at.Month, at.Day) + Source.SeasonShiftDays + DayShift;
            var slot = ((at.Hour * 60) + at.Minute) / 15;
            var covered = Math.Min(ProfileSource.SlotSeconds, lengthSeconds - offset);
            load = checked(load + (Source.LoadWh(day, slot) * covered / ProfileSource.SlotSeconds));
            pv = checked(pv + (Source.PvWh(day, slot) * covered / ProfileSource.SlotSeconds));
        }

        return (load * LoadPermille / 1000, pv * PvPermille / 1000);
    }
}

/// <summary>Builds the agent households from the profiles; the same inputs always give the same community.</summary>
public static class DemoRoster
{
    public const string BenEmail = "ben@demo.energy";

    public const string AnnaEmail = "anna@demo.energy";

    /// <summary>The number of Anna's meter in the deterministic draws (agents are 1…n, Ben 0).</summary>
    public const int AnnaNumber = -1;

    /// <summary>The e-mail address of agent household <paramref name="number"/> (1-based).</summary>
    public static string AgentEmail(int number) => $"agent-{number.ToString("00", CultureInfo.InvariantCulture)}@demo.energy";

    /// <summary>
    /// <paramref name="count"/> generated agents, then Ben. Agent n uses source <c>(n − 1) mod k</c> of the k usable
    /// sources; each further round over the sources shifts its days by another 11 (so a source never repeats with
    /// the same days) and every agent gets its own load and PV scaling.
    /// </summary>
    public static IReadOnlyList<AgentProfile> Build(DemoProfiles profiles, int count, long benPvPeakW, long benMaxImportW)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        var sources = profiles.Usable;
        var agents = new List<AgentProfile>(count + 1);
        for (var i = 0; i < count; i++)
        {
            var source = sources[i % sources.Count];
            var round = i / sources.Count;
            var dayShift = (round * 11) + ((i * 7) % 9) - 4;
            var loadPermille = 850 + ((i * 131) % 301);
            var pvPermille = 800 + ((i * 197) % 401);
            var pvPeakW = CeilingTo(source.PvNominalW * pvPermille / 1000, 100);
            // A connection a quarter above the highest load the scaled data ever shows, in whole kW.
            var maxImportW = CeilingTo(source.PeakLoadW * loadPermille / 1000 * 5 / 4, 1000);
            var number = i + 1;
            agents.Add(new AgentProfile(number, AgentEmail(number), $"Agent {number:00} ({Short(source)})", source, dayShift, loadPermille, pvPermille, pvPeakW, maxImportW));
        }

        agents.Add(Ben(profiles, benPvPeakW, benMaxImportW));
        return agents;
    }

    /// <summary>
    /// Ben's household ("3 kW of PV and an EV") is CityLearn home 17, the home with the highest consumption, with its
    /// PV scaled down to Ben's declared peak.
    /// </summary>
    public static AgentProfile Ben(DemoProfiles profiles, long pvPeakW, long maxImportW)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        var source = profiles["citylearn-17"];
        var pvPermille = checked((int)(pvPeakW * 1000 / source.PvNominalW));
        return new AgentProfile(0, BenEmail, "Ben's flat", source, 0, 1000, pvPermille, pvPeakW, maxImportW);
    }

    /// <summary>
    /// Anna's house ("8 kW of rooftop PV, traded by hand") has no agent, but it has a meter: the usable profile with
    /// the largest PV system other than Ben's, its PV scaled to Anna's declared peak and its days shifted by 5, so it
    /// never repeats the agent built on the same source. What she trades by hand is settled against what it reads.
    /// </summary>
    public static AgentProfile Anna(DemoProfiles profiles, long pvPeakW, long maxImportW)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        var source = profiles.Usable.Where(s => s.Id != "citylearn-17" && s.PvNominalW > 0)
            .OrderByDescending(s => s.PvNominalW).ThenBy(s => s.Id, StringComparer.Ordinal).First();
        var pvPermille = checked((int)(pvPeakW * 1000 / source.PvNominalW));
        return new AgentProfile(AnnaNumber, AnnaEmail, "Anna's house", source, 5, 1000, pvPermille, pvPeakW, maxImportW);
    }

    private static string Short(ProfileSource source) => source.Id.StartsWith("citylearn-", StringComparison.Ordinal)
        ? "CityLearn home " + source.Id["citylearn-".Length..]
        : "Ausgrid customer 12";

    private static long CeilingTo(long value, long step) => (value + step - 1) / step * step;
}

/// <summary>The community's price band in 1/10,000 currency per kWh: the feed-in tariff and the retail price.</summary>
public readonly record struct PriceBand(long Floor, long Ceiling);

/// <summary>
/// The agents' bidding strategy, a zero-intelligence-constrained trader (Gode and Sunder, 1993) whose price range
/// follows the community's solar forecast. Everything is integer arithmetic and deterministic: the same interval
/// always gives the same orders, so a re-run or a restart repeats the same decisions.
/// </summary>
public sealed class AgentStrategy(int seed)
{
    /// <summary>Surpluses and deficits below this are not worth an order.</summary>
    public const long MinOrderWh = 10;

    /// <summary>Forecast error of the load, ± permille (uniform).</summary>
    public const int LoadNoisePermille = 100;

    /// <summary>Forecast error of the PV output, ± permille (uniform).</summary>
    public const int PvNoisePermille = 150;

    /// <summary>
    /// Sun factor 0–1000: the community's forecast PV output over its total PV peak, where 75 % of the peak (a clear
    /// midday) counts as full sun.
    /// </summary>
    public static int SunPermille(long communityPvWh, long communityPvCapacityWh) =>
        communityPvCapacityWh <= 0 ? 0 : (int)Math.Min(1000, communityPvWh * 4000 / (3 * communityPvCapacityWh));

    /// <summary>
    /// Where asks end and bids begin, in permille of the band above the floor: 60 % with no sun, 15 % in full sun.
    /// Every ask is at or below it and every bid at or above it, so any interval with an offer and a bid trades.
    /// </summary>
    public static int SplitPermille(int sunPermille) => 150 + (450 * (1000 - sunPermille) / 1000);

    /// <summary>
    /// The order of one household for one interval, or null. Limit prices stay inside <paramref name="band"/>;
    /// <paramref name="maxSellWh"/> and <paramref name="maxBuyWh"/> are the site's capacity per interval, which orders
    /// never exceed.
    /// </summary>
    public PlaceOrder? Decide(AgentProfile agent, long intervalStart, long loadWh, long pvWh, int sunPermille, PriceBand band, long maxSellWh, long maxBuyWh)
    {
        ArgumentNullException.ThrowIfNull(agent);
        var (loadForecast, pvForecast) = Forecast(agent, intervalStart, loadWh, pvWh);
        var net = pvForecast - loadForecast;
        var split = SplitPermille(sunPermille);
        var width = band.Ceiling - band.Floor;
        if (net >= MinOrderWh && maxSellWh >= MinOrderWh)
        {
            // Sellers ask between just above the feed-in tariff and the split.
            var ask = band.Floor + (width * Draw(agent, intervalStart, 3, 20, split) / 1000);
            return new PlaceOrder(OrderSide.Sell, Math.Min(net, maxSellWh), ask, intervalStart);
        }

        if (-net >= MinOrderWh && maxBuyWh >= MinOrderWh)
        {
            // Buyers bid between the split and just below the retail price.
            var bid = band.Floor + (width * Draw(agent, intervalStart, 4, split, 950) / 1000);
            return new PlaceOrder(OrderSide.Buy, Math.Min(-net, maxBuyWh), bid, intervalStart);
        }

        return null;
    }

    /// <summary>
    /// The household's own forecast of its load and PV for the interval, Wh: the profile's <paramref name="loadWh"/>
    /// and <paramref name="pvWh"/> with the forecast error (±<see cref="LoadNoisePermille"/> and
    /// ±<see cref="PvNoisePermille"/> permille, drawn per household and interval). The orders follow it, and the
    /// demo meters deviate from it (<see cref="DeliveryModel"/>).
    /// </summary>
    public (long LoadWh, long PvWh) Forecast(AgentProfile agent, long intervalStart, long loadWh, long pvWh)
    {
        ArgumentNullException.ThrowIfNull(agent);
        return (loadWh * (1000 + Noise(agent, intervalStart, 1, LoadNoisePermille)) / 1000,
            pvWh * (1000 + Noise(agent, intervalStart, 2, PvNoisePermille)) / 1000);
    }

    /// <summary>Tie-break among agents posting in the same batch: a per-interval shuffle, so no agent is always first.</summary>
    public ulong Priority(AgentProfile agent, long intervalStart) => Hash(agent, intervalStart, 5);

    private int Noise(AgentProfile agent, long intervalStart, int salt, int range) => Draw(agent, intervalStart, salt, -range, range);

    private int Draw(AgentProfile agent, long intervalStart, int salt, int low, int high) =>
        low + (int)(Hash(agent, intervalStart, salt) % (ulong)(high - low + 1));

    private ulong Hash(AgentProfile agent, long intervalStart, int salt) => DemoRandom.Hash(seed, agent.Number, intervalStart, salt);
}

/// <summary>The demo's one source of variation: a stateless hash, so every draw can be repeated on its own.</summary>
public static class DemoRandom
{
    /// <summary>A well-mixed 64-bit draw for (seed, household number, interval start, purpose); no shared state.</summary>
    public static ulong Hash(int seed, int household, long intervalStart, int salt)
    {
        // SplitMix64 finaliser over the inputs: a stateless, well-mixed draw per (agent, interval, purpose).
        var x = unchecked(((ulong)seed * 0x9E3779B97F4A7C15UL) ^ ((ulong)household * 0xBF58476D1CE4E5B9UL) ^ ((ulong)intervalStart * 0x94D049BB133111EBUL) ^ (ulong)salt);
        for (var round = 0; round < 2; round++)
        {
            x = unchecked(x + 0x9E3779B97F4A7C15UL);
            x = unchecked((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL);
            x = unchecked((x ^ (x >> 27)) * 0x94D049BB133111EBUL);
            x ^= x >> 31;
        }

        return x;
    }

    /// <summary>A uniform integer in <c>[low, high]</c> from <see cref="Hash"/>.</summary>
    public static int Draw(int seed, int household, long intervalStart, int salt, int low, int high) =>
        low + (int)(Hash(seed, household, intervalStart, salt) % (ulong)(high - low + 1));
}
