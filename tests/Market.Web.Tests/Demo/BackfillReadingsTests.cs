using Market.Ledger;
using Market.Replay;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Tests.Demo;

/// <summary>The demo meters in the backfill: readings for every delivered interval, reconciled like live ones.</summary>
[Trait("Database", "Independent")]
public sealed partial class BackfillTests
{
    [Fact]
    public async Task Backfill_EveryDeliveredInterval_ReadingsOfEveryMeteredHouseholdAndOneSealedReconciliation()
    {
        var clock = App.Get<MarketClock>();
        // The agents and Anna's house, which is traded by hand but metered like the rest.
        var agents = App.Get<DemoCommunity>().Meters.Count;
        agents.ShouldBe(App.Get<DemoCommunity>().Agents.Count + 1);
        await using var db = App.CreateDb();

        var delivered = (await db.ClearedIntervals.AsNoTracking().Select(c => c.IntervalStart).ToListAsync())
            .Where(s => clock.Next(s) <= clock.NowSeconds).ToList();
        var readings = await db.MeterReadings.AsNoTracking().GroupBy(r => r.IntervalStart).Select(g => new { g.Key, Count = g.Count(), Households = g.Select(r => r.HouseholdId).Distinct().Count() }).ToDictionaryAsync(g => g.Key);
        var reconciliations = await db.Reconciliations.AsNoTracking().ToListAsync();
        var reconciliationBlocks = await db.Blocks.AsNoTracking().CountAsync(b => b.Kind == (byte)BlockKind.Reconciliation);

        delivered.Count.ShouldBeGreaterThanOrEqualTo((BackfilledMarket.Days * 96) - 4);
        delivered.ShouldAllBe(s => readings.ContainsKey(s) && readings[s].Count == agents && readings[s].Households == agents);
        readings.Keys.Order().ShouldBe(delivered.Order());
        reconciliations.Select(r => r.IntervalStart).Order().ShouldBe(delivered.Order());
        reconciliations.ShouldAllBe(r => r.Version == 1 && r.HouseholdCount == agents);
        reconciliationBlocks.ShouldBe(delivered.Count);
    }

    [Fact]
    public async Task Backfill_Readings_AreTheDeliveryModelsAndWithinItsBoundsAroundTheForecast()
    {
        var community = App.Get<DemoCommunity>();
        var clock = App.Get<MarketClock>();
        await using var db = App.CreateDb();
        var agents = await community.MeteredHouseholdsAsync(db, CancellationToken.None);
        var byHousehold = community.Meters.ToDictionary(a => agents[a.Email].Id);

        var readings = await db.MeterReadings.AsNoTracking().ToListAsync();

        readings.ShouldNotBeEmpty();
        readings.ShouldAllBe(r => r.Version == 1 && r.Source == DemoMeters.Source);
        foreach (var r in readings)
        {
            var agent = byHousehold[r.HouseholdId];
            var length = clock.LengthOf(r.IntervalStart);
            community.Reading(agent, r.IntervalStart, length).ShouldBe((r.ImportWh, r.ExportWh));
            var (load, pv) = agent.Energy(community.LocalTime(r.IntervalStart), length);
            var (loadForecast, pvForecast) = community.Strategy.Forecast(agent, r.IntervalStart, load, pv);
            var net = r.ExportWh - r.ImportWh;
            // Delivered PV is 60–104 % of the forecast, delivered load 95–105 % (integer division: 1 Wh each way).
            var lowest = (pvForecast * (1000 - DeliveryModel.CloudLossMaxPermille) / 1000) - (loadForecast * (1000 + DeliveryModel.LoadDeviationPermille) / 1000) - 1;
            var highest = (pvForecast * (1000 + DeliveryModel.PvUsualPermille) / 1000) - (loadForecast * (1000 - DeliveryModel.LoadDeviationPermille) / 1000) + 1;
            net.ShouldBeInRange(lowest, highest, $"household {r.HouseholdId}, interval {r.IntervalStart}");
        }
    }

    [Fact]
    public async Task Backfill_Imbalances_SomeHouseholdsShortSomeLongAndPostingsSumToZero()
    {
        await using var db = App.CreateDb();
        var readings = await db.MeterReadings.AsNoTracking().ToListAsync();
        var trades = await db.Trades.AsNoTracking().ToListAsync();
        var traded = trades.Select(t => t.IntervalStart).ToHashSet();
        var position = new Dictionary<(long, long), long>();
        foreach (var t in trades)
        {
            position[(t.SellerHouseholdId, t.IntervalStart)] = position.GetValueOrDefault((t.SellerHouseholdId, t.IntervalStart)) + t.EnergyWh;
            position[(t.BuyerHouseholdId, t.IntervalStart)] = position.GetValueOrDefault((t.BuyerHouseholdId, t.IntervalStart)) - t.EnergyWh;
        }

        // Deviation d = (export − import) − (sold − bought) of households in intervals that traded.
        var deviations = readings.Where(r => traded.Contains(r.IntervalStart))
            .Select(r => r.ExportWh - r.ImportWh - position.GetValueOrDefault((r.HouseholdId, r.IntervalStart)))
            .ToList();
        var postings = await db.ImbalancePostings.AsNoTracking().ToListAsync();

        deviations.Count(d => d < 0).ShouldBeGreaterThan(deviations.Count / 10);
        deviations.Count(d => d > 0).ShouldBeGreaterThan(deviations.Count / 10);
        postings.ShouldContain(p => p.Kind == (byte)Market.Matching.Settlement.PostingKind.NeighbourCover);
        postings.Sum(p => p.Amount).ShouldBe(0);
        postings.Sum(p => p.EnergyWh).ShouldBe(0);
        postings.GroupBy(p => p.IntervalStart).ShouldAllBe(g => g.Sum(p => p.Amount) == 0);
    }

    [Fact]
    public async Task Backfill_ExportWithEveryOpening_VerifiesEveryReconciliationInFullWithReplayAndTheStoredReadings()
    {
        await using var db = App.CreateDb();
        var readings = await StoredMeterReadings.LoadAsync(db, App.Get<MarketClock>(), CancellationToken.None);
        var reconciliations = await db.Reconciliations.CountAsync();
        var readingCount = await db.MeterReadings.CountAsync();
        var openings = await AllOpeningsAsync();
        using var export = await ExportAsync();

        // What `market ledger verify --openings` runs on the auditor's openings file.
        var result = ChainVerifier.VerifyExport(export, new MatchingReplayer(), options: new ChainVerifierOptions { MeterReadings = readings, Openings = openings });

        result.Failure.ShouldBeNull();
        result.ReplayPerformed.ShouldBeTrue();
        result.ReconciliationCount.ShouldBe(reconciliations);
        result.ReconciliationsFullyChecked.ShouldBe(reconciliations);
        result.OpeningsChecked.ShouldBe(result.HouseholdRecords);
        result.OpeningsUnmatched.ShouldBe(0);
        result.ReadingsChecked.ShouldBe(readingCount);
    }

    [Fact]
    public async Task Backfill_ExportWithoutOpenings_ValidWithThePublicChecksOnly()
    {
        await using var db = App.CreateDb();
        var reconciliations = await db.Reconciliations.CountAsync();
        using var export = await ExportAsync();

        var result = ChainVerifier.VerifyExport(export, new MatchingReplayer());

        result.Failure.ShouldBeNull();
        result.ReconciliationCount.ShouldBe(reconciliations);
        result.OpeningsChecked.ShouldBe(0);
        result.ReconciliationsFullyChecked.ShouldBe(0);
    }

    [Fact]
    public async Task Backfill_Export_NoHouseholdsMeteredValuesNorReadingHashesInThePublicRecords()
    {
        var clock = App.Get<MarketClock>();
        await using var db = App.CreateDb();
        var pseudonyms = await db.Households.AsNoTracking().ToDictionaryAsync(h => h.Id, h => PartyId.FromBytes(h.Pseudonym));
        var readings = await db.MeterReadings.AsNoTracking().ToListAsync();
        var readingHashes = readings
            .Select(r => Convert.ToHexStringLower(new MeterReading(pseudonyms[r.HouseholdId], r.IntervalStart, clock.Next(r.IntervalStart), r.Version, r.MeterId, r.ExportWh, r.ImportWh).Hash()))
            .ToList();
        var trades = await db.Trades.AsNoTracking().ToListAsync();
        var sold = trades.GroupBy(t => (pseudonyms[t.SellerHouseholdId], t.IntervalStart)).ToDictionary(g => g.Key, g => g.Sum(t => t.EnergyWh));
        var bought = trades.GroupBy(t => (pseudonyms[t.BuyerHouseholdId], t.IntervalStart)).ToDictionary(g => g.Key, g => g.Sum(t => t.EnergyWh));
        using var export = await ExportAsync();
        var text = System.Text.Encoding.UTF8.GetString(export.ToArray());
        var blocks = LedgerExport.Read(new MemoryStream(export.ToArray())).Blocks
            .Where(b => BlockHeader.Decode(b.HeaderBytes).Kind == BlockKind.Reconciliation).ToList();

        // A household's public record is its pseudonym, sold, bought and a 32-byte commitment, nothing else: its only
        // numbers must be its trades' energy (public anyway), never what its meter read.
        var leaks = new List<string>();
        foreach (var block in blocks)
        {
            var start = BlockHeader.Decode(block.HeaderBytes).IntervalStart;
            foreach (var leaf in block.Leaves.ToArrays().Skip(1))
            {
                HouseholdReconciliationLeaf.TryDecode(leaf, out var h, out var error).ShouldBeTrue(error);
                var key = (h!.Household, start);
                if (h.SoldWh != sold.GetValueOrDefault(key) || h.BoughtWh != bought.GetValueOrDefault(key))
                {
                    leaks.Add($"{h.Household} in interval {start}: sold {h.SoldWh}, bought {h.BoughtWh} are not its trades'");
                }

            }
        }

        blocks.Count.ShouldBe(await db.Reconciliations.CountAsync());
        blocks.SelectMany(b => b.Leaves.ToArrays().Skip(1)).ShouldAllBe(l => l.Length == HouseholdReconciliationLeaf.Size);
        leaks.ShouldBeEmpty();
        readingHashes.Count.ShouldBeGreaterThan(0);
        readingHashes.Where(text.Contains).ShouldBeEmpty();
    }

    private async Task<MemoryStream> ExportAsync()
    {
        var export = new MemoryStream();
        await App.Get<LedgerPublication>().WriteExportAsync(export);
        export.Position = 0;
        return export;
    }

    private async Task<IReadOnlyList<ReconciliationOpening>> AllOpeningsAsync()
    {
        using var file = new MemoryStream();
        await App.Get<OpeningQueries>().WriteAsync(file, null, long.MinValue, long.MaxValue, CancellationToken.None);
        file.Position = 0;
        return OpeningsFile.Read(file);
    }
}
