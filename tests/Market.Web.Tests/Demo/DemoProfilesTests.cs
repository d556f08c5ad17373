using System.Text.Json;

namespace Market.Web.Tests.Demo;

[Trait("Database", "Independent")]
public sealed class DemoProfilesTests
{
    [Fact]
    public void Load_RepositoryData_SeventeenCityLearnHomesAndAusgridWithFlaggedHomesLeftOut()
    {
        var profiles = DemoData.Profiles;

        profiles.All.Count.ShouldBe(18);
        profiles.Usable.Select(s => s.Id).ShouldNotContain("citylearn-14");
        profiles.Usable.Select(s => s.Id).ShouldNotContain("citylearn-15");
        profiles.Usable.Count.ShouldBe(16);
    }

    [Fact]
    public void Load_CityLearnHour_SplitEvenlyIntoFourQuarterHoursAndLabelledSo()
    {
        // Row 1 of the file: home 1, 1 August 00:00–01:00, 0.8512 kWh = 851 Wh.
        var home1 = DemoData.Profiles["citylearn-1"];
        var firstAugust = ProfileSource.DayOfYear(8, 1);

        var slots = Enumerable.Range(0, 4).Select(s => home1.LoadWh(firstAugust, s)).ToArray();

        slots.ShouldBe([213, 213, 213, 212]);
        home1.Resolution.ShouldBe(ProfileResolution.HourlySplitInto15Minutes);
        home1.Description.ShouldContain("hourly data split into 15-minute intervals");
    }

    [Fact]
    public void Load_AusgridHalfHour_SplitIntoTwoQuarterHours()
    {
        // 2011-07-01 00:00: GC 0.392 kW mean over half an hour = 196 Wh.
        var ausgrid = DemoData.Profiles["ausgrid-12"];

        var slots = new[] { ausgrid.LoadWh(ProfileSource.DayOfYear(7, 1), 0), ausgrid.LoadWh(ProfileSource.DayOfYear(7, 1), 1) };

        slots.ShouldBe([98, 98]);
        ausgrid.Resolution.ShouldBe(ProfileResolution.HalfHourlySplitInto15Minutes);
        ausgrid.PvNominalW.ShouldBe(1000);
    }

    [Fact]
    public void Load_CityLearnNominalPower_ComesFromTheSchemaAndCoversMeasuredOutput()
    {
        var profiles = DemoData.Profiles;

        var nominal = profiles.All.Where(s => s.Id.StartsWith("citylearn-", StringComparison.Ordinal)).Select(s => s.PvNominalW).Distinct().Order();

        nominal.ShouldBe([4000L, 5000L]);
        profiles.All.ShouldAllBe(s => s.PeakPvW <= s.PvNominalW);
    }

    [Fact]
    public void Build_TwentyFourAgents_NoTwoIdenticalAndNoFlaggedHome()
    {
        var agents = DemoRoster.Build(DemoData.Profiles, 24, 3000, 11000);

        agents.Count.ShouldBe(25);
        agents.Select(a => (a.Source.Id, a.DayShift, a.LoadPermille, a.PvPermille)).Distinct().Count().ShouldBe(25);
        agents.Select(a => a.Email).Distinct().Count().ShouldBe(25);
        agents.ShouldAllBe(a => a.Source.Id != "citylearn-14" && a.Source.Id != "citylearn-15");
    }

    [Fact]
    public void Build_SameSourceTwice_DaysShiftedApart()
    {
        var agents = DemoRoster.Build(DemoData.Profiles, 40, 3000, 11000).Where(a => a.Number > 0);

        var repeats = agents.GroupBy(a => a.Source.Id).Where(g => g.Count() > 1);

        repeats.ShouldNotBeEmpty();
        repeats.ShouldAllBe(g => g.Select(a => a.DayShift).Distinct().Count() == g.Count());
    }

    [Fact]
    public void Build_EveryAgent_DeclaredSiteCoversItsScaledData()
    {
        var agents = DemoRoster.Build(DemoData.Profiles, 24, 3000, 11000);

        agents.ShouldAllBe(a => a.PvPeakW >= a.Source.PeakPvW * a.PvPermille / 1000 && a.PvPeakW > 0);
        agents.ShouldAllBe(a => a.MaxImportW >= a.Source.PeakLoadW * a.LoadPermille / 1000);
    }

    [Fact]
    public void Ben_Profile_ScaledToHisDeclaredThreeKilowattSite()
    {
        var ben = DemoRoster.Ben(DemoData.Profiles, 3000, 11000);

        ben.Source.Id.ShouldBe("citylearn-17");
        ben.PvPermille.ShouldBe(600);
        (ben.Source.PeakLoadW * ben.LoadPermille / 1000).ShouldBeLessThanOrEqualTo(ben.MaxImportW);
    }

    [Fact]
    public void CommunityOptions_DefaultBand_IsTheGermanTariffPairInDataTariffs()
    {
        using var tariffs = JsonDocument.Parse(File.ReadAllText(Path.Combine(DemoData.DataDirectory, "tariffs.json")));
        var germany = tariffs.RootElement.GetProperty("suggested_demo_bounds_per_kWh").GetProperty("DE_EUR");

        var defaults = new CommunityOptions();

        // Prices are stored in 1/10,000 EUR per kWh.
        defaults.PriceFloor.ShouldBe((long)(germany.GetProperty("floor").GetDecimal() * 10_000m));
        defaults.PriceCeiling.ShouldBe((long)(germany.GetProperty("ceiling").GetDecimal() * 10_000m));
        defaults.Currency.ShouldBe("EUR");
    }
}
