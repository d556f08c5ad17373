using System.Security.Cryptography;
using Market.Web.Accounts;
using Market.Web.Persistence;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Demo;

/// <summary>Demo mode: on by default so the first <c>dotnet run</c> shows a working community. Bound from <c>Demo</c>.</summary>
public sealed class DemoOptions
{
    public const string Section = "Demo";

    public bool Enabled { get; set; } = true;

    /// <summary>The password of every demo login. Demo mode only; never used otherwise.</summary>
    public string Password { get; set; } = "Sunshine2026";
}

/// <summary>A demo login as printed at start.</summary>
public sealed record DemoLogin(string Email, string Role, string Description);

/// <summary>Creates the roles and, in demo mode, a small community. Idempotent: a second start adds nothing.</summary>
public sealed partial class DemoSeeder(
    UserManager<MarketUser> users,
    RoleManager<IdentityRole> roles,
    IDbContextFactory<MarketDbContext> dbFactory,
    ILogger<DemoSeeder> logger)
{
    public static readonly IReadOnlyList<(DemoLogin Login, string Name, long PvPeakW, long MaxImportW)> Community =
    [
        (new DemoLogin("anna@demo.energy", Roles.Prosumer, "household with 8 kW of rooftop PV (sells at midday)"), "Anna's house", 8_000, 12_000),
        (new DemoLogin("ben@demo.energy", Roles.Prosumer, "household with 3 kW of PV and an EV (mostly buys)"), "Ben's flat", 3_000, 11_000),
        (new DemoLogin("manager@demo.energy", Roles.Manager, "community energy manager"), "", 0, 0),
        (new DemoLogin("operator@demo.energy", Roles.Operator, "market operator (jobs dashboard)"), "", 0, 0),
    ];

    public async Task EnsureRolesAsync()
    {
        foreach (var role in Roles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                Check(await roles.CreateAsync(new IdentityRole(role)));
            }
        }
    }

    /// <summary>
    /// The first operator comes from configuration (<c>Operator:Email</c>, <c>Operator:Password</c>), never from a
    /// built-in password outside demo mode. Creates it once; later starts leave it alone.
    /// </summary>
    public async Task EnsureConfiguredOperatorAsync(IConfiguration configuration)
    {
        var email = configuration["Operator:Email"];
        var password = configuration["Operator:Password"];
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrEmpty(password) || await users.FindByEmailAsync(email) is not null)
        {
            return;
        }

        var user = new MarketUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = "Operator" };
        Check(await users.CreateAsync(user, password));
        Check(await users.AddToRoleAsync(user, Roles.Operator));
        LogCreated(logger, email, Roles.Operator);
    }

    public async Task SeedCommunityAsync(string password, CancellationToken cancellationToken = default)
    {
        foreach (var (login, name, pv, import) in Community)
        {
            var user = await users.FindByEmailAsync(login.Email);
            if (user is null)
            {
                user = new MarketUser { UserName = login.Email, Email = login.Email, EmailConfirmed = true, DisplayName = name };
                Check(await users.CreateAsync(user, password));
                Check(await users.AddToRoleAsync(user, login.Role));
                LogCreated(logger, login.Email, login.Role);
            }

            if (login.Role == Roles.Prosumer)
            {
                await EnsureHouseholdAsync(user.Id, name, pv, import, cancellationToken);
            }
        }
    }

    private async Task EnsureHouseholdAsync(string userId, string name, long pvPeakW, long maxImportW, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await db.Households.AnyAsync(h => h.UserId == userId, cancellationToken))
        {
            return;
        }

        db.Households.Add(new Household
        {
            UserId = userId,
            Name = name,
            Pseudonym = RandomNumberGenerator.GetBytes(16),
            PvPeakW = pvPeakW,
            MaxImportW = maxImportW,
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("Seeding failed: " + string.Join("; ", result.Errors.Select(e => e.Description)));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created demo user {Email} ({Role})")]
    private static partial void LogCreated(ILogger logger, string email, string role);
}
