using System.Globalization;
using System.Text;
using System.Text.Json;
using Market.Web.Grid;

namespace Market.Web.Tests.Support;

/// <summary>The four households of <see cref="GridSetup.ImportTwoFeedersAsync"/>.</summary>
/// <param name="Anna">Anna, on feeder F1 (C-ANNA).</param>
/// <param name="Ben">Ben, on feeder F2 (C-BEN).</param>
/// <param name="Sol">Sol, a second seller on F1 (C-SOL).</param>
/// <param name="Nora">Nora, a buyer on F1 (C-NORA).</param>
public sealed record TwoFeeders(Household Anna, Household Ben, Household Sol, Household Nora);

/// <summary>
/// The grid the grid's tests clear on, imported and sent the way the operator and the network operator do: one
/// transformer T1 (250 kW each way), feeder F1 that exports at most 4 kW (1,000 Wh per 15 minutes) and F2 (40 kW),
/// every connection 10 kW out and 12 kW in.
/// </summary>
public static class GridSetup
{
    /// <summary>Creates Sol and Nora, and imports the network with Anna, Sol and Nora on F1 and Ben on F2.</summary>
    public static async Task<TwoFeeders> ImportTwoFeedersAsync(this MarketFactory app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var households = new TwoFeeders(
            await app.HouseholdAsync("anna@demo.energy"),
            await app.HouseholdAsync("ben@demo.energy"),
            await app.CreateHouseholdAsync("sol@grid.example"),
            await app.CreateHouseholdAsync("nora@grid.example"));
        await app.ImportNetworkAsync(
            "node_id,parent_id,kind,export_capacity_w,import_capacity_w,meter_id\n" +
            "ROOT,,community,,,\n" +
            "T1,ROOT,transformer,250000,250000,\n" +
            "F1,T1,feeder,4000,60000,\n" +
            "F2,T1,feeder,40000,60000,\n" +
            $"C-ANNA,F1,connection,10000,12000,{households.Anna.MeterId}\n" +
            $"C-SOL,F1,connection,10000,12000,{households.Sol.MeterId}\n" +
            $"C-NORA,F1,connection,10000,12000,{households.Nora.MeterId}\n" +
            $"C-BEN,F2,connection,10000,12000,{households.Ben.MeterId}\n");
        return households;
    }

    /// <summary>Imports a network given as CSV, as the operator does; it must parse.</summary>
    public static async Task ImportNetworkAsync(this MarketFactory app, string csv)
    {
        ArgumentNullException.ThrowIfNull(app);
        var parsed = await NetworkDefinitionParser.ParseCsvAsync(new StringReader(csv), CancellationToken.None);
        parsed.Succeeded.ShouldBeTrue(string.Join("; ", parsed.Errors));
        await app.Get<GridStore>().ImportNetworkAsync(parsed.Network!, "csv", "operator@demo.energy", CancellationToken.None);
    }

    /// <summary>Stores one envelope window of one interval from <c>dso@grid.example</c>, as its JSON upload would; it must be accepted.</summary>
    /// <returns>The upload's id.</returns>
    public static async Task<long> SendEnvelopeAsync(this MarketFactory app, string node, long start, long? exportW, long? importW = null, string eventId = "DOE-42")
    {
        ArgumentNullException.ThrowIfNull(app);
        static string Iso(long s) => DateTimeOffset.FromUnixTimeSeconds(s).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var end = app.Get<MarketClock>().Next(start);
        var bytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
        {
            envelopes = new[] { new { node, start = Iso(start), end = Iso(end), exportLimitW = exportW, importLimitW = importW, @event = eventId } },
        }));
        var parsed = EnvelopeParser.ParseJson(bytes);
        parsed.Errors.ShouldBeEmpty();
        var (stored, errors) = await app.Get<GridStore>().ImportEnvelopesAsync(parsed.Envelopes, "json", bytes, "dso@grid.example", CancellationToken.None);
        return stored.ShouldNotBeNull(string.Join("; ", errors.Select(e => e.Message))).Upload;
    }
}
