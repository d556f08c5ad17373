using Market.Web.Tests.Support;
using Microsoft.Extensions.Options;

namespace Market.Web.Tests.Hosting;

/// <summary>Every setting is checked when the app starts, with a message naming it.</summary>
[Trait("Database", "Independent")]
public sealed class SettingsTests
{
    [Theory]
    [InlineData("RateLimits:SignInPerMinute", "0", "RateLimits:SignInPerMinute")]
    [InlineData("RateLimits:SignInPerMinute", "many", "RateLimits:SignInPerMinute")]
    [InlineData("Market:RunJobs", "maybe", "Market:RunJobs")]
    [InlineData("Observability:OtlpEndpoint", "collector:4317", "Observability:OtlpEndpoint")]
    [InlineData("Operator:Email", "ops@example.org", "Operator:Password")]
    [InlineData("Operator:Email", "not an address", "Operator:Email")]
    [InlineData("Community:IntervalMinutes", "7", "Community:IntervalMinutes")]
    [InlineData("Demo:Households", "-1", "Demo:Households")]
    [InlineData("Market:Database", "Oracle", "Market:Database")]
    [InlineData("Market:SqliteSynchronous", "OFF", "Market:SqliteSynchronous")]
    [InlineData("Testing:ClockStart", "yesterday", "Testing:ClockStart")]
    [InlineData("RateLimits:LedgerPerMinute", "0", "RateLimits:LedgerPerMinute")]
    [InlineData("Proxy:KnownProxies:0", "10.0.0.300", "Proxy:KnownProxies")]
    [InlineData("Proxy:KnownNetworks:0", "10.0.0.0/33", "Proxy:KnownNetworks")]
    [InlineData("ForwardedHeaders_Enabled", "true", "Proxy:KnownProxies")]
    [InlineData("Metering:ReadingTolerancePercent", "-5", "Metering:ReadingTolerancePercent")]
    [InlineData("Metering:ConfirmCorrectionsAbove", "-1", "Metering:ConfirmCorrectionsAbove")]
    [InlineData("Witnessing:Witnesses:0:Key", "not-a-key", "Witnessing:Witnesses:0:Key")]
    [InlineData("Witnessing:Witnesses:0:Key", "market.example/ledger+0badc0de+AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "Witnessing:Witnesses:0")]
    [InlineData("Witnessing:Threshold", "4", "Witnessing:Threshold")]
    [InlineData("Witnessing:Origin", "two words", "Witnessing:Origin")]
    [InlineData("Witnessing:RetrySeconds", "0", "Witnessing:RetrySeconds")]
    public async Task Start_ASettingTheAppCannotUse_FailsNamingTheSetting(string key, string value, string named)
    {
        await using var app = new MarketFactory();
        app.Settings[key] = value;

        var failure = Should.Throw<Exception>(() => app.Services);

        Describe(failure).ShouldContain(named);
    }

    [Fact]
    public async Task Start_OperatorConfigured_TheOperatorCanBeFound()
    {
        await using var app = new MarketFactory();
        app.Settings["Operator:Email"] = "ops@example.org";
        app.Settings["Operator:Password"] = "Long-Operator-Passw0rd";

        _ = app.Services;

        app.Get<IOptions<OperatorOptions>>().Value.IsConfigured.ShouldBeTrue();
        await using var db = app.CreateDb();
        db.Users.Count(u => u.Email == "ops@example.org").ShouldBe(1);
    }

    // The binder names the key in its message; the validators name "Section:Member".
    internal static string Describe(Exception e) => e is AggregateException a
        ? string.Join(" | ", a.InnerExceptions.Select(Describe))
        : e.Message + (e.InnerException is { } inner ? " | " + Describe(inner) : "");
}
