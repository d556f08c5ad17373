using Market.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Tests;

/// <summary>The ledger does not depend on the database engine: the same market on SQLite and PostgreSQL seals the same bytes.</summary>
[Trait("Database", "Independent")]
public sealed class ProviderParityTests
{
    [Fact]
    public async Task Ledger_SameScenarioOnSqliteAndPostgreSql_ByteIdenticalBlocksAndExport()
    {
        await using var keyFolder = new TestFolder("market-parity-");
        var keyPath = Path.Combine(keyFolder.Path, "signing-key.hex");

        // The households' simulated devices are the same in both runs too (their keys file, like the signing key).
        var sqlite = await RunScenarioAsync(MarketDatabase.Sqlite, keyPath, keyFolder.Path);
        var postgres = await RunScenarioAsync(MarketDatabase.PostgreSql, keyPath, keyFolder.Path);

        postgres.Blocks.Count.ShouldBeGreaterThan(10);
        postgres.Blocks.Count.ShouldBe(sqlite.Blocks.Count);
        for (var i = 0; i < sqlite.Blocks.Count; i++)
        {
            postgres.Blocks[i].ShouldBe(sqlite.Blocks[i], $"block row {i}");
        }

        postgres.Export.AsSpan().SequenceEqual(sqlite.Export).ShouldBeTrue("the exports differ");
    }

    private static async Task<(List<string> Blocks, byte[] Export)> RunScenarioAsync(MarketDatabase database, string keyPath, string devicesFolder)
    {
        await using var app = new MarketFactory(database: database);
        app.Settings["Market:SigningKeyPath"] = keyPath;
        var devices = Path.Combine(devicesFolder, "demo-device-keys.json");
        if (File.Exists(devices))
        {
            File.Copy(devices, Path.Combine(app.DataDirectory, "demo-device-keys.json"));
        }

        _ = app.Server;
        var anna = await app.HouseholdAsync("anna@demo.energy");
        var ben = await app.HouseholdAsync("ben@demo.energy");
        await using (var db = app.CreateDb())
        {
            // Pseudonyms are random at registration; fixed here so both engines seal the same parties.
            await db.Households.Where(h => h.Id == anna.Id).ExecuteUpdateAsync(s => s.SetProperty(h => h.Pseudonym, Enumerable.Repeat((byte)0xA1, 16).ToArray()));
            await db.Households.Where(h => h.Id == ben.Id).ExecuteUpdateAsync(s => s.SetProperty(h => h.Pseudonym, Enumerable.Repeat((byte)0xB2, 16).ToArray()));
        }

        anna = await app.HouseholdAsync("anna@demo.energy");
        ben = await app.HouseholdAsync("ben@demo.energy");

        var orders = app.Get<OrderService>();
        var start = app.Get<MarketClock>().FirstOpenInterval();
        for (var i = 0; i < 6; i++)
        {
            (await app.PlaceSignedAsync(anna, new PlaceOrder(OrderSide.Sell, 900 + (i * 37), 1100 + (i * 13), start))).Succeeded.ShouldBeTrue();
            (await app.PlaceSignedAsync(ben, new PlaceOrder(OrderSide.Buy, 700 + (i * 51), 2900 - (i * 17), start))).Succeeded.ShouldBeTrue();
            (await app.PlaceSignedAsync(ben, new PlaceOrder(OrderSide.Buy, 300, 1000 + (i * 100), start))).Succeeded.ShouldBeTrue();
            await app.CloseGateAndClearAsync(start);
            start = app.Get<MarketClock>().Next(start);
        }

        await using var read = app.CreateDb();
        var blocks = await read.Blocks.AsNoTracking().OrderBy(b => b.Height).ToListAsync();
        var leaves = await read.BlockLeaves.AsNoTracking().OrderBy(l => l.BlockHeight).ThenBy(l => l.Index).ToListAsync();
        var rows = blocks
            .Select(b => $"{b.Height} {b.Kind} {b.IntervalStart} {b.SealedAtMs} {Convert.ToHexString(b.Header)} {Convert.ToHexString(b.HeaderHash)} {Convert.ToHexString(b.Signature)} "
                + string.Join(',', leaves.Where(l => l.BlockHeight == b.Height).Select(l => Convert.ToHexString(l.Data))))
            .ToList();
        await using var export = new MemoryStream();
        await app.Get<LedgerPublication>().WriteExportAsync(export);
        if (!File.Exists(devices))
        {
            File.Copy(Path.Combine(app.DataDirectory, "demo-device-keys.json"), devices);
        }

        return (rows, export.ToArray());
    }
}
