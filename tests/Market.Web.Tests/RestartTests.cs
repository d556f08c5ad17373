using Market.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Tests;

public sealed class RestartTests
{
    [Fact]
    public async Task Start_TwiceOnSameDataFolder_ChainStaysValidAndNoDuplicateSeed()
    {
        await using var folder = new TestFolder("market-restart-");
        int users, households;
        byte[] keyId;
        await using (var first = new MarketFactory(folder.Path))
        {
            _ = first.Server;
            var interval = first.Get<MarketClock>().FirstOpenInterval();
            await first.AnnaSellsToBenAsync(interval);
            await first.CloseGateAndClearAsync(interval);
            await using var db = first.CreateDb();
            users = await db.Users.CountAsync();
            households = await db.Households.CountAsync();
            keyId = first.Get<SigningKeyStore>().Key.KeyId.ToArray();
        }

        await using var second = new MarketFactory(folder.Path, MarketFactory.DefaultStart.AddHours(1));
        _ = second.Server;
        await second.Get<ClearingJob>().RunAsync(CancellationToken.None);

        await using var db2 = second.CreateDb();
        (await db2.Users.CountAsync()).ShouldBe(users);
        (await db2.Households.CountAsync()).ShouldBe(households);
        (await db2.Blocks.CountAsync(b => b.Height == 0)).ShouldBe(1);
        second.Get<SigningKeyStore>().Key.KeyId.ToArray().ShouldBe(keyId);
        (await db2.Trades.CountAsync()).ShouldBe(1);
        var report = await second.Get<LedgerReader>().VerifyAsync();
        report.IsValid.ShouldBeTrue(report.Message);
        report.BlockCount.ShouldBeGreaterThan(3);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Start_FirstTime_SigningKeyFileIsOwnerReadWriteOnly()
    {
        await using var app = new MarketFactory();

        _ = app.Server;

        var path = app.Get<SigningKeyStore>().Path;
        File.Exists(path).ShouldBeTrue();
        File.GetUnixFileMode(path).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }
}
