using System.Security.Cryptography;
using Market.Web.Grid;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace Market.Web.Tests.Demo;

/// <summary>The demo's network and its simulated network operator, on the demo's real profiles (no app).</summary>
[Trait("Database", "Independent")]
public sealed class DemoNetworkTests
{
    private const long Quarter = 900;

    private static readonly Lazy<DemoCommunity> LazyCommunity = new(() => new DemoCommunity(
        Options.Create(new DemoOptions { Enabled = true, DataDirectory = DemoData.DataDirectory }),
        Options.Create(new CommunityOptions()),
        new DataFolderEnvironment()));

    private static readonly Lazy<(NetworkDefinition Network, Dictionary<string, AgentProfile> ByMeter)> LazyNetwork = new(() =>
    {
        var households = Community.Meters.Select(m => (Profile: m, Household: Site(m))).ToList();
        return (DemoNetwork.Build(households), households.ToDictionary(h => h.Household.MeterId!, h => h.Profile, StringComparer.Ordinal));
    });

    private static DemoCommunity Community => LazyCommunity.Value;

    private static NetworkDefinition Network => LazyNetwork.Value.Network;

    private static Dictionary<string, AgentProfile> ByMeter => LazyNetwork.Value.ByMeter;

    private static DemoNetworkOperator Operator => new(null!, Community, Microsoft.Extensions.Logging.Abstractions.NullLogger<DemoNetworkOperator>.Instance);

    [Fact]
    public void Build_DemoCommunity_OneTransformerThreeFeedersAndEveryHouseholdAtOneConnection()
    {
        var nodes = Network.Nodes;

        nodes.Count(n => n.Kind == NetworkNodeKind.Transformer).ShouldBe(1);
        nodes.Where(n => n.Kind == NetworkNodeKind.Feeder).Select(n => n.Id).ShouldBe(DemoNetwork.FeederIds);
        var meters = nodes.Where(n => n.Kind == NetworkNodeKind.Connection).Select(n => n.MeterId!).ToList();
        meters.Count.ShouldBe(Community.Meters.Count);
        meters.ShouldBeUnique();
        meters.ShouldBe(ByMeter.Keys, ignoreOrder: true);
    }

    [Fact]
    public void Assign_DemoCommunity_UnevenWithThePvFeederExportingMostAtMidday()
    {
        var feeders = DemoNetwork.Assign(Community.Meters);

        var counts = DemoNetwork.FeederIds.Select(f => feeders[f].Count).ToList();
        counts.Sum().ShouldBe(Community.Meters.Count);
        counts.Distinct().Count().ShouldBeGreaterThan(1);
        var export = DemoNetwork.FeederIds.ToDictionary(f => f, f => feeders[f].Sum(DemoNetwork.MiddayExportWh));
        export[DemoNetwork.PvFeederId].ShouldBeGreaterThan(export.Values.Sum() / 2);
        feeders[DemoNetwork.PvFeederId].ShouldContain(h => h.Email == DemoRoster.AnnaEmail);
    }

    [Fact]
    public void Plan_SunnyMiddayInJune_LowersThePvFeedersExportAndCapsItsLargestPvSystems()
    {
        var noon = Local(2026, 6, 15, 12, 0);

        var envelopes = Operator.Plan(Network, ByMeter, [noon], Quarter);

        var feeder = envelopes.Where(e => e.NodeId == DemoNetwork.PvFeederId).ShouldHaveSingleItem();
        feeder.ExportLimitW.ShouldBe(DemoNetworkOperator.FeederExportLimitW);
        feeder.ExportLimitW!.Value.ShouldBeLessThan(DemoNetwork.PvFeederExportCapacityW);
        feeder.EventId.ShouldBe("DOE-2026-06-15-noon");
        var capped = envelopes.Where(e => e.NodeId != DemoNetwork.PvFeederId).ToList();
        capped.ShouldNotBeEmpty();
        capped.ShouldAllBe(e => e.NodeId.StartsWith(DemoNetwork.PvFeederId + "-", StringComparison.Ordinal)
            && e.ExportLimitW == DemoNetworkOperator.ConnectionExportLimitW && e.ImportLimitW == null && e.EventId == feeder.EventId);
        capped.ShouldAllBe(e => Network.Nodes.Single(n => n.Id == e.NodeId).ExportCapacityW >= DemoNetworkOperator.LargePvPeakW);
    }

    [Fact]
    public void Plan_SunnyMiddayInJune_TheCappedSystemsForecastMoreExportThanTheirEnvelope()
    {
        var noon = Local(2026, 6, 15, 12, 0);

        var capped = Operator.Plan(Network, ByMeter, [noon], Quarter).Where(e => e.NodeId != DemoNetwork.PvFeederId).ToList();

        // What binds: at least one capped household's surplus (its offer, before forecast error) is above its envelope.
        var surplus = capped.Select(e => ByMeter[Network.Nodes.Single(n => n.Id == e.NodeId).MeterId!].Energy(Community.LocalTime(noon), Quarter))
            .Select(x => x.PvWh - x.LoadWh).ToList();
        surplus.ShouldContain(wh => wh > NetworkDefinition.ToWattHours(DemoNetworkOperator.ConnectionExportLimitW, (int)Quarter));
    }

    [Theory]
    [InlineData(2026, 6, 15, 23, 0)]
    [InlineData(2026, 6, 15, 3, 0)]
    [InlineData(2026, 12, 4, 18, 0)]
    public void Plan_Night_SendsNothing(int year, int month, int day, int hour, int minute)
    {
        var night = Local(year, month, day, hour, minute);

        Operator.Plan(Network, ByMeter, [night, night + Quarter, night + (2 * Quarter)], Quarter).ShouldBeEmpty();
    }

    [Fact]
    public void Plan_AWholeDayInJune_OneMiddayWindowPerNodeWithTheDaysEventId()
    {
        var midnight = Local(2026, 6, 15, 0, 0);
        var day = Enumerable.Range(0, 96).Select(i => midnight + (i * Quarter)).ToList();

        var envelopes = Operator.Plan(Network, ByMeter, day, Quarter);

        envelopes.GroupBy(e => e.NodeId).ShouldAllBe(g => g.Count() == 1);
        envelopes.Select(e => e.EventId).Distinct().ShouldBe(["DOE-2026-06-15-noon"]);
        var window = envelopes.Single(e => e.NodeId == DemoNetwork.PvFeederId);
        Community.LocalTime(window.Start.ToUnixTimeSeconds()).Hour.ShouldBeInRange(8, 12);
        Community.LocalTime(window.End.ToUnixTimeSeconds()).Hour.ShouldBeInRange(12, 17);
        EnvelopeValidator.Validate(Network, (int)Quarter, envelopes).Succeeded.ShouldBeTrue();
    }

    [Fact]
    public void Plan_TheLastWeekOfNovember_SomeMiddaysSunnyAndNoEnvelopeAtNight()
    {
        var start = Local(2026, 11, 26, 0, 0);
        var week = Enumerable.Range(0, 7 * 96).Select(i => start + (i * Quarter)).ToList();

        var envelopes = Operator.Plan(Network, ByMeter, week, Quarter).Where(e => e.NodeId == DemoNetwork.PvFeederId).ToList();

        envelopes.Count.ShouldBeGreaterThanOrEqualTo(2);
        envelopes.ShouldAllBe(e => Community.LocalTime(e.Start.ToUnixTimeSeconds()).Hour >= 9 && Community.LocalTime(e.End.ToUnixTimeSeconds() - 1).Hour < 16);
    }

    private static long Local(int year, int month, int day, int hour, int minute)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(new CommunityOptions().TimeZone);
        var local = new DateTime(year, month, day, hour, minute, 0, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUnixTimeSeconds();
    }

    private static Household Site(AgentProfile profile)
    {
        var pseudonym = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(profile.Email))[..16];
        return new Household { Name = profile.Name, Pseudonym = pseudonym, PvPeakW = profile.PvPeakW, MaxImportW = profile.MaxImportW, MeterId = Household.DefaultMeterId(pseudonym) };
    }

    private sealed class DataFolderEnvironment : IWebHostEnvironment
    {
        public string WebRootPath { get; set; } = "";

        public IFileProvider WebRootFileProvider { get; set; } = new NullFileProvider();

        public string ApplicationName { get; set; } = "Market.Web";

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();

        public string ContentRootPath { get; set; } = DemoData.DataDirectory;

        public string EnvironmentName { get; set; } = "Testing";
    }
}
