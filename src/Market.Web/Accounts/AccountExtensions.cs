using System.Security.Claims;
using Market.Web.Persistence;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Accounts;

public static class AccountExtensions
{
    /// <summary>ASP.NET Core Identity on EF Core, cookie sign-in, roles and lockout.</summary>
    public static WebApplicationBuilder AddMarketAccounts(this WebApplicationBuilder builder)
    {
        builder.Services.AddCascadingAuthenticationState();
        // Browsers sign in with the Identity cookie; agents send a personal access token. The policy scheme picks
        // by the Authorization header, so both reach HttpContext.User before rate limiting.
        builder.Services.AddAuthentication(o =>
            {
                o.DefaultScheme = "cookie-or-token";
                o.DefaultChallengeScheme = "cookie-or-token";
            })
            .AddPolicyScheme("cookie-or-token", "Cookie or token", o => o.ForwardDefaultSelector = http =>
                http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? Market.Web.Api.TokenAuthenticationHandler.SchemeName
                    : IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, Market.Web.Api.TokenAuthenticationHandler>(Market.Web.Api.TokenAuthenticationHandler.SchemeName, null)
            .AddIdentityCookies();
        builder.Services.AddSingleton<Market.Web.Api.ApiTokenService>();
        builder.Services.AddSingleton<Market.Web.Api.ApiTokenCache>();
        builder.Services.AddSingleton<HouseholdCache>();
        builder.Services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/account/login";
            o.LogoutPath = "/account/logout";
            o.AccessDeniedPath = "/account/denied";
            o.Cookie.Name = "market.auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.SlidingExpiration = true;
        });
        builder.Services.AddAuthorization();
        builder.Services.AddIdentityCore<MarketUser>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.SignIn.RequireConfirmedAccount = true;
                o.Password.RequiredLength = 10;
                o.Password.RequireNonAlphanumeric = false;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.Lockout.AllowedForNewUsers = true;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<MarketDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders();
        builder.Services.AddScoped<HouseholdAccessor>();
        builder.Services.AddScoped<AccountService>();
        builder.Services.AddSingleton<IEmailSender<MarketUser>, OutboxEmailSender>();
        return builder;
    }

    /// <summary>Sign-out is a POST with an antiforgery token, so no other site can sign a user out.</summary>
    public static IEndpointRouteBuilder MapMarketAccounts(this IEndpointRouteBuilder app)
    {
        app.MapPost("/account/logout", async (SignInManager<MarketUser> signIn) =>
        {
            await signIn.SignOutAsync();
            return Results.LocalRedirect("/");
        }).ExcludeFromDescription();

        // The statement as CSV, for the signed-in household (cookie): one line per trade.
        app.MapGet("/statement/{year:int}/{month:int}.csv", async (int year, int month, HttpContext http, HouseholdAccessor households, Market.Web.Trading.StatementService statements) =>
        {
            var household = await households.FindAsync(http.User);
            if (household is null)
            {
                return Results.Problem(statusCode: 403, title: "Not a household", detail: "Only households have statements.");
            }

            if (year is < 2000 or > 2200 || month is < 1 or > 12)
            {
                return Results.Problem(statusCode: 400, title: "No such month", detail: "Use a year and a month 1–12.");
            }

            var statement = await statements.MonthAsync(household, year, month);
            var csv = Market.Web.Trading.StatementService.ToCsv(statement, TimeZoneInfo.FindSystemTimeZoneById(household.TimeZone));
            return Results.File(System.Text.Encoding.UTF8.GetBytes(csv), "text/csv", $"statement-{year}-{month:00}.csv");
        }).RequireAuthorization(p => p.RequireRole(Roles.Prosumer)).ExcludeFromDescription();
        return app;
    }
}

/// <summary>Finds the household of the signed-in user.</summary>
public sealed class HouseholdAccessor(IDbContextFactory<MarketDbContext> dbFactory)
{
    public async Task<Household?> FindAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        var userId = user.FindFirstValue(ClaimTypes.NameIdentifier);
        if (userId is null)
        {
            return null;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Households.AsNoTracking().SingleOrDefaultAsync(h => h.UserId == userId, cancellationToken);
    }
}
