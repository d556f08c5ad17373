using Market.Matching;
using Market.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Tests;

public sealed class RulesChangeTests : IAsyncLifetime
{
    private readonly MarketFactory _app = new();

    public Task InitializeAsync()
    {
        _ = _app.Server;
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => _app.DisposeAsync().AsTask();

    [Fact]
    public async Task Change_ToTheGridsMechanismWithFees_SealsRulesVersionTwoWithTheFees()
    {
        var rules = _app.Get<RulesService>();
        var from = rules.EarliestEffectiveFrom();

        var error = await rules.ChangeAsync("manager-id", "m", new RulesChange(15, 5, 786, 3970, Mechanism.GridZonal, from, 50, 100, 200));

        error.ShouldBeNull();
        var inForce = _app.Get<RulesBook>().At(from);
        inForce.Mechanism.ShouldBe((byte)Mechanism.GridZonal);
        (inForce.SameFeederFee, inForce.SameTransformerFee, inForce.AcrossTransformersFee).ShouldBe((50L, 100L, 200L));
        var sealedRules = (await rules.HistoryAsync())[0].Rules;
        sealedRules.SameTransformerFee.ShouldBe(100);
        (await _app.Get<LedgerReader>().VerifyAsync()).IsValid.ShouldBeTrue();
    }

    [Theory]
    [InlineData((byte)Mechanism.UniformPrice, 0L, 50L, 50L)] // fees without the grid's mechanism
    [InlineData((byte)Mechanism.GridZonal, 100L, 50L, 200L)] // a longer way cheaper
    [InlineData((byte)Mechanism.GridZonal, -1L, 50L, 200L)] // negative
    public async Task Change_BadFees_RefusedAndNothingSealed(byte mechanism, long feeder, long transformer, long across)
    {
        var rules = _app.Get<RulesService>();
        var before = (await rules.HistoryAsync()).Count;

        var error = await rules.ChangeAsync("manager-id", "m", new RulesChange(15, 5, 786, 3970, (Mechanism)mechanism, rules.EarliestEffectiveFrom(), feeder, transformer, across));

        error.ShouldNotBeNull();
        error.ShouldContain("fee");
        (await rules.HistoryAsync()).Count.ShouldBe(before);
    }

    [Fact]
    public async Task Change_FromAFutureHour_CurrentIntervalsKeepOldRulesLaterOnesUseNewAndChainVerifies()
    {
        var rules = _app.Get<RulesService>();
        var from = rules.EarliestEffectiveFrom();
        var current = _app.Get<MarketClock>().FirstOpenInterval();

        var error = await rules.ChangeAsync("manager-id", "manager@demo.energy", new RulesChange(30, 10, 1000, 3500, Mechanism.PayAsBid, from));

        error.ShouldBeNull();
        var book = _app.Get<RulesBook>();
        book.At(current).IntervalLengthSeconds.ShouldBe(900);
        book.At(current).PriceFloor.ShouldBe(786);
        book.At(from).IntervalLengthSeconds.ShouldBe(1800);
        book.At(from).Mechanism.ShouldBe((byte)Mechanism.PayAsBid);
        (await rules.HistoryAsync())[0].ChangedBy.ShouldBe("manager@demo.energy");

        // Clear across the change: intervals before it are 15 minutes, from it on 30 minutes, pay-as-bid.
        var anna = await _app.HouseholdAsync("anna@demo.energy");
        _app.Clock.SetUtcNow(DateTimeOffset.FromUnixTimeSeconds(from - (3 * 3600)));
        var orders = _app.Get<OrderService>();
        await _app.AnnaSellsToBenAsync(from, sellPrice: 1100, buyPrice: 3000);
        (await _app.PlaceSignedAsync(anna, new PlaceOrder(OrderSide.Sell, 1000, 800, from))).Error!.ShouldContain("10.00 ct/kWh");
        (await _app.PlaceSignedAsync(anna, new PlaceOrder(OrderSide.Sell, 1000, 1100, from + 900))).Error!.ShouldContain("30-minute");
        await _app.CloseGateAndClearAsync(from);
        await using var db = _app.CreateDb();
        var trade = await db.Trades.SingleAsync();
        trade.Price.ShouldBe(3000);   // pay-as-bid: the bid's limit
        (await db.ClearedIntervals.SingleAsync(c => c.IntervalStart == from)).IntervalEnd.ShouldBe(from + 1800);
        var report = await _app.Get<LedgerReader>().VerifyAsync();
        report.IsValid.ShouldBeTrue(report.Message);
    }

    [Fact]
    public async Task Change_InsideTheOrderHorizon_RejectedAndNothingSealed()
    {
        var rules = _app.Get<RulesService>();
        var tooSoon = _app.Get<MarketClock>().AlignDown(_app.Get<MarketClock>().NowSeconds) + 3600 - (_app.Get<MarketClock>().NowSeconds % 3600) + 3600;
        await using var before = _app.CreateDb();
        var blocks = await before.Blocks.CountAsync();

        var error = await rules.ChangeAsync("manager-id", "m", new RulesChange(15, 5, 786, 3970, Mechanism.UniformPrice, tooSoon));

        error!.ShouldContain("beyond the order horizon");
        await using var after = _app.CreateDb();
        (await after.Blocks.CountAsync()).ShouldBe(blocks);
    }

    [Theory]
    [InlineData(20, 5, 786, 3970)]
    [InlineData(15, -1, 786, 3970)]
    [InlineData(15, 5, 4000, 3970)]
    [InlineData(15, 5, -1, 3970)]
    [InlineData(15, 5, 786, 100_000_001)] // beyond what settlement takes (Reconciliation.MaxPrice)
    public async Task Change_InvalidRules_RejectedWithMessage(int minutes, int gate, long floor, long ceiling)
    {
        var rules = _app.Get<RulesService>();

        var error = await rules.ChangeAsync("manager-id", "m", new RulesChange(minutes, gate, floor, ceiling, Mechanism.UniformPrice, rules.EarliestEffectiveFrom()));

        error.ShouldNotBeNull();
        (await rules.HistoryAsync()).Count.ShouldBe(1);
    }

    [Fact]
    public async Task Change_SameRulesAsInForce_RefusedAndNothingAppendedToTheLedger()
    {
        var rules = _app.Get<RulesService>();
        await using var before = _app.CreateDb();
        var blocks = await before.Blocks.CountAsync();
        var leaves = await before.BlockLeaves.CountAsync();

        var error = await rules.ChangeAsync("manager-id", "m", new RulesChange(15, 5, 786, 3970, Mechanism.UniformPrice, rules.EarliestEffectiveFrom()));

        error.ShouldBe(RulesService.NothingChanged);
        await using var after = _app.CreateDb();
        (await after.Blocks.CountAsync()).ShouldBe(blocks);
        (await after.BlockLeaves.CountAsync()).ShouldBe(leaves);
        (await after.RulesChanges.CountAsync()).ShouldBe(0);
        _app.Get<RulesBook>().Latest.RulesVersion.ShouldBe(1);
    }

    [Fact]
    public async Task Change_SameAsTheScheduledChangeFromALaterHour_Refused()
    {
        var rules = _app.Get<RulesService>();
        var from = rules.EarliestEffectiveFrom();
        (await rules.ChangeAsync("manager-id", "m", new RulesChange(15, 5, 786, 3500, Mechanism.UniformPrice, from))).ShouldBeNull();

        var error = await rules.ChangeAsync("manager-id", "m", new RulesChange(15, 5, 786, 3500, Mechanism.UniformPrice, rules.EarliestEffectiveFrom() + 3600));

        error.ShouldBe(RulesService.NothingChanged);
        (await rules.HistoryAsync()).Count.ShouldBe(2);
    }

    [Fact]
    public void Differences_OnlyTheCeilingChanged_ListsOnlyTheCeiling()
    {
        var inForce = _app.Get<RulesBook>().Latest;

        var differences = RulesService.Differences(inForce, new RulesChange(15, 5, 786, 3500, Mechanism.UniformPrice, 0));

        differences.ShouldHaveSingleItem().ShouldBe(new RuleDifference(RuleField.PriceCeiling, 3970, 3500));
    }
}
