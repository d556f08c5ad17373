using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Market.Web.Hosting;

/// <summary>The roles, and the first operator from configuration. Idempotent: a second start adds nothing.</summary>
public sealed partial class StartupAccounts(
    UserManager<MarketUser> users,
    RoleManager<IdentityRole> roles,
    IOptions<OperatorOptions> configuredOperator,
    ILogger<StartupAccounts> logger)
{
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
    public async Task EnsureConfiguredOperatorAsync()
    {
        var o = configuredOperator.Value;
        if (!o.IsConfigured || await users.FindByEmailAsync(o.Email!) is not null)
        {
            return;
        }

        var user = new MarketUser { UserName = o.Email, Email = o.Email, EmailConfirmed = true, DisplayName = "Operator" };
        Check(await users.CreateAsync(user, o.Password!));
        Check(await users.AddToRoleAsync(user, Roles.Operator));
        LogCreated(logger, o.Email!);
    }

    /// <summary>
    /// Outside demo mode, refuses to start while an operator, manager, meter gateway or network operator still accepts a demo password:
    /// a data folder or database from a demo run would otherwise open the market to anyone who read the README.
    /// Households are not checked: anyone may register one, with any password the rules allow, and it opens only
    /// itself.
    /// </summary>
    public async Task RefuseDemoPasswordsAsync(DemoOptions demo)
    {
        ArgumentNullException.ThrowIfNull(demo);
        if (demo.Enabled)
        {
            return;
        }

        string[] passwords = [.. new[] { DemoOptions.PublishedPassword, demo.Password }.Distinct()];
        foreach (var role in new[] { Roles.Operator, Roles.Manager, Roles.MeterGateway, Roles.NetworkOperator })
        {
            foreach (var user in await users.GetUsersInRoleAsync(role))
            {
                foreach (var password in passwords)
                {
                    if (await users.CheckPasswordAsync(user, password))
                    {
                        throw new InvalidOperationException(
                            $"The account {user.Email} ({role}) still has the demo's published password, and demo mode is off (Demo:Enabled): " +
                            "outside demo mode it would let anyone in. Start from a new data folder or database, or start once in demo mode and change its password first.");
                    }
                }
            }
        }
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            // At start, before anything is served: the message names the setting to fix.
            throw new InvalidOperationException("The configured operator (Operator:Email, Operator:Password) could not be created: " + string.Join("; ", result.Errors.Select(e => e.Description)));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the configured operator {Email}")]
    private static partial void LogCreated(ILogger logger, string email);
}
