namespace Market.Web.Demo;

/// <summary>
/// Ben's flat is traded by the household autopilot, as any household can be: the demo saves his limits once (the
/// backfill at the start of the simulated week, so his pages show a week of its history) and the autopilot's job,
/// or the backfill on its simulated clock, posts for him. The agents never post for Ben.
/// </summary>
public static class DemoAutopilot
{
    /// <summary>
    /// Ben's limits: sells above 10 ct/kWh, buys below 30 ct/kWh (his EV charges at night and pays retail without
    /// the market), at most 2 kWh per interval, all day.
    /// </summary>
    public static readonly AutopilotInput BensLimits = new(IsOn: true, Sell: true, Buy: true, MinSellPrice: 1000, MaxBuyPrice: 3000, MaxEnergyWh: 2000, FromHour: 0, ToHour: 24, Until: null);

    /// <summary>Saves Ben's autopilot unless he has one (a restart or his own changes are kept). Returns whether it saved.</summary>
    public static async Task<bool> EnsureBensAsync(AutopilotService autopilot, Household? ben, DemoDeviceKeys deviceKeys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(autopilot);
        if (ben is null || await autopilot.GetAsync(ben.Id, cancellationToken) is not null)
        {
            return false;
        }

        ArgumentNullException.ThrowIfNull(deviceKeys);
        var saved = await autopilot.SaveAsync(ben, BensLimits, "demo", deviceKeys.For(ben), cancellationToken);
        return saved.Succeeded ? true : throw new InvalidOperationException("Ben's autopilot limits were refused: " + string.Join("; ", saved.Errors.Select(e => e.Message)));
    }
}
