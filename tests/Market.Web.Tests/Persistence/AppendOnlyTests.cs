using System.Data.Common;
using Market.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Tests.Persistence;

// Raw SQL on purpose (it is what a careless script would run); table and column names come from LedgerColumns only.
#pragma warning disable EF1002

/// <summary>
/// The ledger's tables reject UPDATE and DELETE on the engine under test (SQLite or PostgreSQL). The tests share a
/// market with one cleared trade: they only try to change it, and every attempt must fail.
/// </summary>
public sealed class AppendOnlyTests(ClearedMarket market) : IClassFixture<ClearedMarket>
{
    public static TheoryData<string, string> LedgerColumns => new()
    {
        { "Trades", "Price" },
        { "Blocks", "LeafCount" },
        { "BlockLeaves", "Data" },
        { "Postings", "Amount" },
    };

    [Theory]
    [MemberData(nameof(LedgerColumns))]
    public async Task Update_LedgerTable_RejectedAndRowUnchanged(string table, string column)
    {
        await using var db = market.App.CreateDb();
        var before = await CountAsync(db, table);

        var e = await Should.ThrowAsync<DbException>(() => db.Database.ExecuteSqlRawAsync($"UPDATE \"{table}\" SET \"{column}\" = \"{column}\""));

        e.Message.ShouldContain("append-only");
        before.ShouldBeGreaterThan(0);
    }

    [Theory]
    [MemberData(nameof(LedgerColumns))]
    public async Task Delete_LedgerTable_RejectedAndRowsKept(string table, string column)
    {
        _ = column;
        await using var db = market.App.CreateDb();
        var before = await CountAsync(db, table);

        var e = await Should.ThrowAsync<DbException>(() => db.Database.ExecuteSqlRawAsync($"DELETE FROM \"{table}\""));

        e.Message.ShouldContain("append-only");
        (await CountAsync(db, table)).ShouldBe(before);
    }

    [Fact]
    public async Task Migrations_EngineUnderTest_MatchTheModel()
    {
        await using var db = market.App.CreateDb();

        var pending = db.Database.HasPendingModelChanges();

        pending.ShouldBeFalse();
        (await db.Database.GetPendingMigrationsAsync()).ShouldBeEmpty();
        (db is PostgresMarketDbContext).ShouldBe(market.App.Database == MarketDatabase.PostgreSql);
    }

    private static async Task<long> CountAsync(MarketDbContext db, string table) =>
        await db.Database.SqlQueryRaw<long>($"SELECT COUNT(*) AS \"Value\" FROM \"{table}\"").SingleAsync();
}
