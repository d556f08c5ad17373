
namespace Market.Web.Tests.Demo;

[Trait("Database", "Independent")]
public sealed class AgentStrategyTests
{
    private static readonly CommunityOptions Rules = new();
    private static readonly AgentStrategy Strategy = new(seed: 7);
    private static readonly PriceBand Band = new(Rules.PriceFloor, Rules.PriceCeiling);
    private static readonly IReadOnlyList<AgentProfile> Agents = DemoRoster.Build(DemoData.Profiles, 24, 3000, 11000);
    private const long Start = 1_781_517_600;

    [Fact]
    public void Decide_AnySunLevel_EveryAskAtOrBelowEveryBid()
    {
        var asks = new List<long>();
        var bids = new List<long>();

        for (var sun = 0; sun <= 1000; sun += 50)
        {
            asks.Clear();
            bids.Clear();
            foreach (var agent in Agents)
            {
                for (var i = 0; i < 40; i++)
                {
                    asks.Add(Strategy.Decide(agent, Start + (i * 900), 0, 2000, sun, Band, 1000, 3000)!.LimitPrice);
                    bids.Add(Strategy.Decide(agent, Start + (i * 900), 2000, 0, sun, Band, 1000, 3000)!.LimitPrice);
                }
            }

            asks.Max().ShouldBeLessThanOrEqualTo(bids.Min(), $"sun {sun}");
        }
    }

    [Fact]
    public void Decide_ManyIntervals_PricesInsideTheBand()
    {
        var prices = Agents.SelectMany(a => Enumerable.Range(0, 200).SelectMany(i => new[]
        {
            Strategy.Decide(a, Start + (i * 900), 0, 800, i * 5, Band, 2000, 3000)!.LimitPrice,
            Strategy.Decide(a, Start + (i * 900), 800, 0, i * 5, Band, 2000, 3000)!.LimitPrice,
        })).ToList();

        prices.ShouldAllBe(p => p >= Rules.PriceFloor && p <= Rules.PriceCeiling);
    }

    [Fact]
    public void Decide_FullSun_AsksCheaperThanAtDawn()
    {
        var noon = Agents.Select(a => Strategy.Decide(a, Start, 0, 800, 1000, Band, 2000, 3000)!.LimitPrice).Average();

        var dawn = Agents.Select(a => Strategy.Decide(a, Start, 0, 800, 100, Band, 2000, 3000)!.LimitPrice).Average();

        noon.ShouldBeLessThan(dawn);
    }

    [Fact]
    public void Decide_NoPv_NeverOffers()
    {
        var orders = Agents.SelectMany(a => Enumerable.Range(0, 96).Select(i => Strategy.Decide(a, Start + (i * 900), 300, 0, 0, Band, 1000, 3000))).ToList();

        orders.ShouldAllBe(o => o == null || o.Side == OrderSide.Buy);
    }

    [Fact]
    public void Decide_SurplusAndDeficitBeyondTheSite_CappedAtItsCapacity()
    {
        var agent = Agents[0];

        var offer = Strategy.Decide(agent, Start, 0, 50_000, 800, Band, 1_250, 3_000);
        var bid = Strategy.Decide(agent, Start, 50_000, 0, 800, Band, 1_250, 3_000);

        offer!.EnergyWh.ShouldBe(1_250);
        bid!.EnergyWh.ShouldBe(3_000);
    }

    [Fact]
    public void Decide_SameInputsTwice_SameOrder()
    {
        var agent = Agents[3];

        var first = Strategy.Decide(agent, Start, 400, 900, 600, Band, 1_250, 3_000);
        var second = Strategy.Decide(agent, Start, 400, 900, 600, Band, 1_250, 3_000);

        second.ShouldBe(first);
    }

    [Fact]
    public void Decide_TinyImbalance_NoOrder()
    {
        var order = Strategy.Decide(Agents[0], Start, 5, 5, 500, Band, 1_250, 3_000);

        order.ShouldBeNull();
    }
}
