using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Demo;

/// <summary>A demo login as printed at start.</summary>
public sealed record DemoLogin(string Email, string Role, string Description);

/// <summary>In demo mode, creates a small community. Idempotent: a second start adds nothing.</summary>
public sealed partial class DemoSeeder(
    UserManager<MarketUser> users,
    IDbContextFactory<MarketDbContext> dbFactory,
    ILogger<DemoSeeder> logger)
{
    public static readonly IReadOnlyList<(DemoLogin Login, string Name, long PvPeakW, long MaxImportW)> Community =
    [
        (new DemoLogin("anna@demo.energy", Roles.Prosumer, "household with 8 kW of rooftop PV, traded by hand (no agent)"), "Anna's house", 8_000, 12_000),
        (new DemoLogin("ben@demo.energy", Roles.Prosumer, "household with 3 kW of PV and an EV (mostly buys), traded by its autopilot (/autopilot)"), "Ben's flat", 3_000, 11_000),
        (new DemoLogin("manager@demo.energy", Roles.Manager, "community energy manager"), "", 0, 0),
        (new DemoLogin("operator@demo.energy", Roles.Operator, "market operator (jobs dashboard)"), "", 0, 0),
        (new DemoLogin("auditor@demo.energy", Roles.Auditor, "authorised auditor (every household's reconciliation openings)"), "", 0, 0),
        (new DemoLogin(DemoNetworkOperator.Email, Roles.NetworkOperator, "network operator: envelopes and feeder capacities (/api/grid/envelopes); the demo's own are simulated"), "", 0, 0),
    ];

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

    /// <summary>
    /// Creates the agent households that do not exist yet (by e-mail). Their users have no password, so nobody can
    /// sign in as them; Ben's login already exists from <see cref="SeedCommunityAsync"/>.
    /// </summary>
    /// <returns>The number of households created.</returns>
    public async Task<int> SeedAgentsAsync(IReadOnlyList<AgentProfile> agents, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(agents);
        HashSet<string> existing;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var normalized = agents.Select(a => a.Email.ToUpperInvariant()).ToList();
            existing = (await db.Users.AsNoTracking()
                .Where(u => normalized.Contains(u.NormalizedEmail!) && db.Households.Any(h => h.UserId == u.Id))
                .Select(u => u.Email!)
                .ToListAsync(cancellationToken)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        }

        var created = 0;
        foreach (var agent in agents.Where(a => !existing.Contains(a.Email)))
        {
            var user = await users.FindByEmailAsync(agent.Email);
            if (user is null)
            {
                user = new MarketUser { UserName = agent.Email, Email = agent.Email, EmailConfirmed = true, DisplayName = agent.Name };
                Check(await users.CreateAsync(user));
                Check(await users.AddToRoleAsync(user, Roles.Prosumer));
            }

            await EnsureHouseholdAsync(user.Id, agent.Name, agent.PvPeakW, agent.MaxImportW, cancellationToken);
            created++;
        }

        return created;
    }

    private async Task EnsureHouseholdAsync(string userId, string name, long pvPeakW, long maxImportW, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await db.Households.AnyAsync(h => h.UserId == userId, cancellationToken))
        {
            return;
        }

        var pseudonym = RandomNumberGenerator.GetBytes(16);
        db.Households.Add(new Household
        {
            UserId = userId,
            Name = name,
            Pseudonym = pseudonym,
            PvPeakW = pvPeakW,
            MaxImportW = maxImportW,
            MeterId = Household.DefaultMeterId(pseudonym),
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
