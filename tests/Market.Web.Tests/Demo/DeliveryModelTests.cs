
namespace Market.Web.Tests.Demo;

[Trait("Database", "Independent")]
public sealed class DeliveryModelTests
{
    private static readonly IReadOnlyList<AgentProfile> Agents = DemoRoster.Build(DemoData.Profiles, 24, 3_000, 11_000);

    private static readonly DeliveryModel Model = new(2026);

    private static IEnumerable<(AgentProfile Agent, long Start)> Draws() =>
        Agents.SelectMany(a => Enumerable.Range(0, 1000).Select(i => (a, 1_781_000_000L + (i * 900L))));

    [Fact]
    public void PvDeviation_ManyIntervals_WithinBoundsAndCloudyAboutOneInEight()
    {
        var deviations = Draws().Select(d => Model.PvDeviation(d.Agent, d.Start)).ToList();

        deviations.ShouldAllBe(p => (p >= -DeliveryModel.PvUsualPermille && p <= DeliveryModel.PvUsualPermille)
            || (p >= -DeliveryModel.CloudLossMaxPermille && p <= -DeliveryModel.CloudLossMinPermille));
        var cloudy = deviations.Count(p => p <= -DeliveryModel.CloudLossMinPermille) * 1000 / deviations.Count;
        cloudy.ShouldBeInRange(DeliveryModel.CloudChancePermille - 15, DeliveryModel.CloudChancePermille + 15);
    }

    [Fact]
    public void LoadDeviation_ManyIntervals_WithinBoundsBothWays()
    {
        var deviations = Draws().Select(d => Model.LoadDeviation(d.Agent, d.Start)).ToList();

        deviations.ShouldAllBe(p => p >= -DeliveryModel.LoadDeviationPermille && p <= DeliveryModel.LoadDeviationPermille);
        deviations.ShouldContain(p => p < -40);
        deviations.ShouldContain(p => p > 40);
    }

    [Fact]
    public void Delivered_SameHouseholdAndIntervalTwice_SameEnergy()
    {
        var first = Model.Delivered(Agents[5], 1_781_000_900, 400, 900);

        var second = new DeliveryModel(2026).Delivered(Agents[5], 1_781_000_900, 400, 900);

        second.ShouldBe(first);
    }

    [Theory]
    [InlineData(300, 1000, 0, 700)]
    [InlineData(1000, 300, 700, 0)]
    [InlineData(500, 500, 0, 0)]
    [InlineData(200, 0, 200, 0)]
    public void Meter_LoadAndPv_NettedLikeOneBidirectionalMeter(long load, long pv, long expectedImport, long expectedExport)
    {
        var reading = DeliveryModel.Meter(load, pv);

        reading.ShouldBe((expectedImport, expectedExport));
    }
}
