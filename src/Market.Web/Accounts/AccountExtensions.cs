using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Accounts;

public static class AccountExtensions
{
    /// <summary>ASP.NET Core Identity on EF Core, cookie sign-in with server-side sessions, roles, API tokens.</summary>
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
        builder.Services.AddSingleton<SessionStore>();
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
        builder.Services.AddOptions<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme)
            .Configure<SessionStore>((o, sessions) => o.SessionStore = sessions);
        builder.Services.AddScoped<AuthenticationStateProvider, SessionRevalidation>();
        builder.Services.AddAuthorization();
        builder.Services.AddIdentityCore<MarketUser>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.SignIn.RequireConfirmedAccount = true;
                // PasswordPolicy decides (length, common passwords); no composition rules, no second length rule.
                o.Password.RequiredLength = 1;
                o.Password.RequiredUniqueChars = 1;
                o.Password.RequireDigit = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireNonAlphanumeric = false;
                // No account lock: anyone who knows an e-mail address could use it to keep the household out.
                // Failed sign-ins are throttled per account and client address instead (SignInThrottle).
                o.Lockout.AllowedForNewUsers = false;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<MarketDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders()
            .AddPasswordValidator<PasswordPolicy>();
        builder.Services.AddSingleton(CommonPasswords.BuiltIn);
        builder.Services.AddSingleton<SignInThrottle>();
        builder.Services.AddSingleton<UnknownAccountHash>();
        builder.Services.AddScoped<PasswordSignIn>();
        builder.AddSettings<PublicLinkOptions>(PublicLinkOptions.Section);
        builder.Services.AddSingleton<PublicLinks>();
        builder.Services.AddScoped<HouseholdAccessor>();
        builder.Services.AddScoped<AccountService>();
        builder.Services.AddSingleton<OutboxEmailSender>();
        builder.Services.AddSingleton<IEmailSender<MarketUser>>(sp => sp.GetRequiredService<OutboxEmailSender>());
        builder.Services.AddSingleton<IMarketMail>(sp => sp.GetRequiredService<OutboxEmailSender>());
        return builder;
    }

    /// <summary>
    /// Sign-out is a POST with the form's antiforgery token, so no other page can sign a user out; it ends the
    /// session on the server (<see cref="SessionStore"/>), and with <c>scope=everywhere</c> every session of the user.
    /// </summary>
    public static IEndpointRouteBuilder MapMarketAccounts(this IEndpointRouteBuilder app)
    {
        app.MapPost("/account/logout", async (HttpContext http, IAntiforgery antiforgery, SignInManager<MarketUser> signIn, SessionStore sessions) =>
        {
            var signedIn = http.User.Identity?.IsAuthenticated == true;
            if (!await antiforgery.IsRequestValidAsync(http))
            {
                // Without a session there is nothing to end (a page left open after signing out elsewhere).
                return signedIn
                    ? Results.Problem(statusCode: 400, title: "Sign-out refused", detail: "Sign out with the button on the app's own pages: this request carried no valid antiforgery token.")
                    : Results.LocalRedirect("/");
            }

            if (signedIn && http.Request.HasFormContentType && http.Request.Form["scope"] == "everywhere"
                && http.User.FindFirstValue(ClaimTypes.NameIdentifier) is { } userId)
            {
                await sessions.EndAllAsync(userId);
            }

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
