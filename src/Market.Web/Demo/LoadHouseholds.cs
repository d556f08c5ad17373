using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Market.Web.Demo;

/// <summary>What <c>market load</c> needs to drive the API: one token per household, an open interval, the band.</summary>
public sealed record LoadHouseholdsResponse(IReadOnlyList<LoadHousehold> Households, DateTimeOffset IntervalStart, long PriceFloor, long PriceCeiling, long MaxEnergyWh)
{
    /// <summary>The ledger id (hex) every statement names; the load generator's agents sign their orders with it.</summary>
    public string LedgerId { get; init; } = "";

    /// <summary>The interval's end (its statement names both ends).</summary>
    public DateTimeOffset IntervalEnd { get; init; }
}

public sealed record LoadHousehold(string Email, string Token)
{
    /// <summary>The household's pseudonym (hex): what its agent's statements name.</summary>
    public string Pseudonym { get; init; } = "";
}

/// <summary>
/// Demo mode only: households for load tests (<c>load-NNNN@demo.energy</c>, no password), each with a fresh API token.
/// Demo mode publishes its passwords anyway, so this opens nothing a demo does not already open.
/// </summary>
public static class LoadHouseholds
{
    public const int MaxCount = 1000;

    public static IEndpointRouteBuilder MapDemoEndpoints(this IEndpointRouteBuilder app)
    {
        var demo = app.ServiceProvider.GetRequiredService<IOptions<DemoOptions>>().Value;
        if (!demo.Enabled)
        {
            return app;
        }

        app.MapPost("/api/demo/load-households", async (int count, UserManager<MarketUser> users, IDbContextFactory<MarketDbContext> dbFactory, ApiTokenService tokens, MarketClock clock, RulesBook rules, LedgerIdentity identity, DemoNetwork network, GridStore grid, CancellationToken ct) =>
        {
            if (count is < 1 or > MaxCount)
            {
                return Results.Problem(statusCode: 400, title: "Bad count", detail: $"Ask for 1 to {MaxCount} households.");
            }

            var list = new List<LoadHousehold>(count);
            for (var i = 1; i <= count; i++)
            {
                var email = $"load-{i:0000}@demo.energy";
                var user = await users.FindByEmailAsync(email);
                if (user is null)
                {
                    user = new MarketUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = $"Load test {i}" };
                    var created = await users.CreateAsync(user);
                    if (!created.Succeeded)
                    {
                        return Results.Problem(statusCode: 500, title: "Could not create load households", detail: string.Join("; ", created.Errors.Select(e => e.Description)));
                    }

                    await users.AddToRoleAsync(user, Roles.Prosumer);
                    await using var db = await dbFactory.CreateDbContextAsync(ct);
                    var pseudonym = RandomNumberGenerator.GetBytes(16);
                    db.Households.Add(new Household { UserId = user.Id, Name = $"Load test {i}", Pseudonym = pseudonym, PvPeakW = 20_000, MaxImportW = 20_000, MeterId = Household.DefaultMeterId(pseudonym) });
                    await db.SaveChangesAsync(ct);
                }

                var (_, secret) = await tokens.CreateAsync(user.Id, "load test", ct);
                await using var read = await dbFactory.CreateDbContextAsync(ct);
                var own = await read.Households.AsNoTracking().Where(h => h.UserId == user.Id).Select(h => h.Pseudonym).SingleAsync(ct);
                list.Add(new LoadHousehold(email, secret) { Pseudonym = Convert.ToHexStringLower(own) });
            }

            // Under the grid's limits a household trades only at a connection of the network.
            if (demo.SimulatesGrid)
            {
                await network.EnsureConnectedAsync(grid, ct);
            }

            // An interval about an hour ahead: open for the whole run, not cleared while it lasts.
            var interval = clock.FirstOpenInterval();
            for (var k = 0; k < 4; k++)
            {
                interval = clock.Next(interval);
            }

            var inEffect = rules.At(interval);
            return Results.Ok(new LoadHouseholdsResponse(list, DateTimeOffset.FromUnixTimeSeconds(interval), inEffect.PriceFloor, inEffect.PriceCeiling, OrderService.MaxEnergyWh(new Household { PvPeakW = 20_000, MaxImportW = 20_000 }, OrderSide.Sell, inEffect.IntervalLengthSeconds))
            {
                LedgerId = Convert.ToHexStringLower(await identity.IdAsync(ct)),
                IntervalEnd = DateTimeOffset.FromUnixTimeSeconds(clock.Next(interval)),
            });
        }).WithTags("Demo").WithSummary("Demo mode only: households with API tokens for `market load`");
        return app;
    }
}
