using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Accounts;

public static class AccountExtensions
{
    /// <summary>ASP.NET Core Identity on EF Core, cookie sign-in, roles, API tokens.</summary>
    public static WebApplicationBuilder AddMarketAccounts(this WebApplicationBuilder builder)
    {
        builder.Services.AddCascadingAuthenticationState();
        // Browsers sign in with the Identity cookie; agents send a personal access token. The scheme follows the
        // path, never what the request carries: tokens on the API and the metrics scrape only, the cookie
        // everywhere else (a token sent to a page is not looked at). Both reach HttpContext.User before rate limiting.
        builder.Services.AddAuthentication(o =>
            {
                o.DefaultScheme = "cookie-or-token";
                o.DefaultChallengeScheme = "cookie-or-token";
            })
            .AddPolicyScheme("cookie-or-token", "Cookie or token", o => o.ForwardDefaultSelector = http =>
                TokenPaths.Accepts(http.Request.Path) ? TokenAuthenticationHandler.SchemeName : IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthenticationHandler.SchemeName, null)
            .AddIdentityCookies();
        builder.Services.AddSingleton<ApiTokenService>();
        builder.Services.AddSingleton<ApiTokenCache>();
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
                // No account lock: anyone who knows an e-mail address could use it to keep the household out.
                // Failed sign-ins are throttled per account and client address instead (SignInThrottle).
                o.Lockout.AllowedForNewUsers = false;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<MarketDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders();
        builder.Services.AddSingleton<SignInThrottle>();
        builder.Services.AddSingleton<UnknownAccountHash>();
        builder.Services.AddScoped<PasswordSignIn>();
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
