namespace Market.Web.Tests.Support;

/// <summary>
/// One started app for a whole test class (<c>IClassFixture</c>), for tests that leave it as they found it: they
/// only read, or try something that must be refused. A class whose tests change what another of them reads starts
/// an app per test instead.
/// </summary>
public class SharedMarket : IAsyncLifetime
{
    public MarketFactory App { get; } = new();

    public virtual Task InitializeAsync()
    {
        _ = App.Server;
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => App.DisposeAsync().AsTask();
}

/// <summary>A <see cref="SharedMarket"/> with one cleared trade: Anna sold 1,000 Wh to Ben in <see cref="Interval"/>.</summary>
public sealed class ClearedMarket : SharedMarket
{
    public long Interval { get; private set; }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Interval = await App.TradeAndClearAsync();
    }
}
