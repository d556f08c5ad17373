using System.Globalization;
using System.Text;
using Market.Ledger;
using Market.Replay;
using Market.Web.Tests.Support;

namespace Market.Web.Tests.Metering;

/// <summary>
/// Anna sells 1,000 Wh to Ben in one interval; the clock then moves three intervals past the end of the interval
/// after it, and those are cleared too (empty), so readings can name them. A class fixture for tests that change
/// nothing, or started per test (<see cref="StartAsync"/>) by tests that upload readings.
/// </summary>
public sealed class DeliveredTrade : IAsyncLifetime, IAsyncDisposable
{
    public DeliveredTrade()
        : this(new MarketFactory())
    {
    }

    private DeliveredTrade(MarketFactory app) => App = app;

    public MarketFactory App { get; }

    public long Interval { get; private set; }

    public long Next { get; private set; }

    public string AnnaMeter { get; private set; } = "";

    public string BenMeter { get; private set; } = "";

    /// <summary>A scenario of its own for one test, which disposes it (<c>await using</c>).</summary>
    /// <param name="settings">Settings the app starts with.</param>
    /// <param name="dataDirectory">A data folder to start in (e.g. to restart on it); a new one when null.</param>
    public static async Task<DeliveredTrade> StartAsync(Dictionary<string, string?>? settings = null, string? dataDirectory = null)
    {
        var app = new MarketFactory(dataDirectory);
        foreach (var (key, value) in settings ?? [])
        {
            app.Settings[key] = value;
        }

        var scenario = new DeliveredTrade(app);
        try
        {
            await scenario.InitializeAsync();
            return scenario;
        }
        catch
        {
            await scenario.DisposeAsync();
            throw;
        }
    }

    public async Task InitializeAsync()
    {
        AnnaMeter = (await App.HouseholdAsync("anna@demo.energy")).MeterId!;
        BenMeter = (await App.HouseholdAsync("ben@demo.energy")).MeterId!;
        Interval = await App.TradeAndClearAsync();
        Next = App.Get<MarketClock>().Next(Interval);
        await App.DeliverAsync(Interval, intervalsAfter: 3);
    }

    public Task DisposeAsync() => App.DisposeAsync().AsTask();

    ValueTask IAsyncDisposable.DisposeAsync() => App.DisposeAsync();

    public static string Iso(long start) => DateTimeOffset.FromUnixTimeSeconds(start).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Csv(params (string Meter, long Start, long ImportWh, long ExportWh)[] rows) =>
        ReadingParser.Header + "\n" + string.Join("\n", rows.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Meter},{Iso(r.Start)},{r.ImportWh},{r.ExportWh}")));

    public async Task<HttpResponseMessage> UploadAsync(string csv, string sender = "operator@demo.energy")
    {
        using var client = await ApiClient.ForAsync(App, sender);
        using var content = new StringContent(csv, Encoding.UTF8, "text/csv");
        return await client.PostAsync(new Uri("/api/meter-readings", UriKind.Relative), content);
    }

    /// <summary>Anna exported 800 of the 1,000 Wh she sold; Ben imported the 1,000 he bought.</summary>
    public string ValidCsv() => Csv((AnnaMeter, Interval, 0, 800), (BenMeter, Interval, 1000, 0));

    public async Task<StoredMeterReadings> ReadingsAsync()
    {
        await using var db = App.CreateDb();
        return await StoredMeterReadings.LoadAsync(db, App.Get<MarketClock>(), CancellationToken.None);
    }

    /// <summary>Every household's openings, as an auditor gets them.</summary>
    public async Task<IReadOnlyList<ReconciliationOpening>> OpeningsAsync()
    {
        using var file = new MemoryStream();
        await App.Get<OpeningQueries>().WriteAsync(file, null, long.MinValue, long.MaxValue, CancellationToken.None);
        file.Position = 0;
        return OpeningsFile.Read(file);
    }

    public async Task<VerificationResult> VerifyExportAsync(IMeterReadingSource? readings)
    {
        using var export = new MemoryStream();
        await App.Get<LedgerPublication>().WriteExportAsync(export);
        export.Position = 0;
        return ChainVerifier.VerifyExport(export, new MatchingReplayer(), options: new ChainVerifierOptions { MeterReadings = readings, Openings = await OpeningsAsync() });
    }
}
