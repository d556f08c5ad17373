using Market.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Tests.Hosting;

/// <summary>Demo mode is on only where it is asked for, and its published passwords open nothing outside it.</summary>
[Trait("Database", "Independent")]
public sealed class DemoModeTests
{
    [Fact]
    public async Task Start_ProductionWithTheDefaultConfiguration_NoDemoLoginsNoDemoEndpointNoHint()
    {
        await using var app = Unset(Production(new MarketFactory()));
        using var client = app.CreateClient();

        using var load = await client.PostAsync(new Uri("/api/demo/load-households?count=1", UriKind.Relative), null);
        var login = await client.GetStringAsync(new Uri("/account/login", UriKind.Relative));

        load.IsSuccessStatusCode.ShouldBeFalse();
        app.Get<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints.OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .ShouldNotContain(e => (e.RoutePattern.RawText ?? "").StartsWith("/api/demo", StringComparison.Ordinal));
        login.ShouldNotContain("demo-hint");
        login.ShouldNotContain(DemoOptions.PublishedPassword);
        await using var db = app.CreateDb();
        (await db.Users.CountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task Start_DevelopmentWithTheDefaultConfiguration_DemoCommunitySeeded()
    {
        await using var app = Unset(new MarketFactory { EnvironmentName = "Development" });

        _ = app.Server;

        await using var db = app.CreateDb();
        (await db.Users.CountAsync(u => u.Email == "operator@demo.energy")).ShouldBe(1);
    }

    /// <summary>
    /// The README's first command, <c>dotnet run --project src/Market.Web</c>, runs the demo community: it starts in
    /// the environment launchSettings.json names, and the test above shows Development is demo mode.
    /// </summary>
    [Fact]
    public void Readme_DotnetRun_StartsInDevelopmentWhereDemoModeIsOn()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Market.sln")))
        {
            root = root.Parent;
        }

        root.ShouldNotBeNull("the tests run inside the repository");
        var readme = File.ReadAllText(Path.Combine(root.FullName, "README.md"));
        using var launch = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(root.FullName, "src", "Market.Web", "Properties", "launchSettings.json")));

        readme.ShouldContain("dotnet run --project src/Market.Web\n");
        var profile = launch.RootElement.GetProperty("profiles").EnumerateObject().First().Value;
        profile.GetProperty("environmentVariables").GetProperty("ASPNETCORE_ENVIRONMENT").GetString().ShouldBe("Development");
        profile.GetProperty("environmentVariables").EnumerateObject().ShouldNotContain(v => v.Name.StartsWith("Demo", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Start_DemoEnabledGivenInProduction_DemoCommunitySeeded()
    {
        await using var app = Production(new MarketFactory());

        _ = app.Server;

        await using var db = app.CreateDb();
        (await db.Users.CountAsync(u => u.Email == "anna@demo.energy")).ShouldBe(1);
    }

    [Theory]
    [InlineData(DemoOptions.PublishedPassword, null)]
    [InlineData("Moonlight-2027", "Moonlight-2027")]
    public async Task Start_OperatorWithADemoPasswordOutsideDemoMode_FailsNamingOperatorPassword(string password, string? demoPassword)
    {
        await using var app = Unset(Production(new MarketFactory()));
        app.Settings["Operator:Email"] = "ops@example.org";
        app.Settings["Operator:Password"] = password;
        app.Settings["Demo:Password"] = demoPassword;

        var failure = Should.Throw<Exception>(() => app.Services);

        SettingsTests.Describe(failure).ShouldContain("Operator:Password");
    }

    [Fact]
    public async Task Start_OperatorWithTheDemoPasswordInDemoMode_Starts()
    {
        await using var app = new MarketFactory();
        app.Settings["Operator:Email"] = "ops@example.org";
        app.Settings["Operator:Password"] = DemoOptions.PublishedPassword;

        _ = app.Server;

        await using var db = app.CreateDb();
        (await db.Users.CountAsync(u => u.Email == "ops@example.org")).ShouldBe(1);
    }

    [Fact]
    public async Task Start_DataFromADemoRunOutsideDemoMode_RefusedNamingTheDemoOperator()
    {
        await using var demo = new MarketFactory();
        _ = demo.Server;
        await using var production = Production(new MarketFactory(demo.DataDirectory));
        production.Settings["Demo:Enabled"] = "false";

        var failure = Should.Throw<Exception>(() => production.Services);

        SettingsTests.Describe(failure).ShouldContain("operator@demo.energy");
    }

    /// <summary>The test factory asks for demo mode; these tests leave the setting unset, as a default deployment does.</summary>
    /// <summary>The Production environment with the one setting it requires outside demo mode (the public address).</summary>
    private static MarketFactory Production(MarketFactory app)
    {
        app.EnvironmentName = "Production";
        app.Settings["Market:PublicBaseUrl"] = "https://market.example.org/";
        return app;
    }

    private static MarketFactory Unset(MarketFactory app)
    {
        app.Settings["Demo:Enabled"] = null;
        return app;
    }
}
