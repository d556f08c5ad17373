using Market.Matching;
using Market.Web.Tests.Support;

namespace Market.Web.Tests;

/// <summary>Two nodes on one database: rules sealed on one reach the other before they can matter.</summary>
public sealed class SharedRulesTests
{
    [Fact]
    public async Task RulesChange_SealedOnOneNode_TheOtherClearsAndValidatesWithItAfterItsNextRun()
    {
        await using var a = new MarketFactory();
        _ = a.Server;
        await using var b = new MarketFactory(a.DataDirectory);
        _ = b.Server;
        var from = a.Get<RulesService>().EarliestEffectiveFrom();
        (await a.Get<RulesService>().ChangeAsync("manager-id", "manager@demo.energy", new RulesChange(30, 10, 1000, 3500, Mechanism.PayAsBid, from))).ShouldBeNull();
        b.Get<RulesBook>().At(from).IntervalLengthSeconds.ShouldBe(900);

        await b.Get<ClearingJob>().RunAsync(CancellationToken.None);

        var rules = b.Get<RulesBook>().At(from);
        rules.IntervalLengthSeconds.ShouldBe(1800);
        rules.PriceFloor.ShouldBe(1000);
        rules.Mechanism.ShouldBe((byte)Mechanism.PayAsBid);
    }
}
