using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Accounts;

/// <summary>A new household's sign-up.</summary>
public sealed record Registration(string Email, string Password, string HouseholdName, decimal PvPeakKw, decimal MaxImportKw, string TimeZone);

/// <summary>Outcome of a sign-up: the errors, or the confirmation link that was sent.</summary>
public sealed record RegistrationResult(IReadOnlyList<string> Errors, string? ConfirmationLink)
{
    public bool Succeeded => Errors.Count == 0;
}

/// <summary>Sign-up, e-mail confirmation and household profiles.</summary>
public sealed class AccountService(
    UserManager<MarketUser> users,
    IEmailSender<MarketUser> email,
    IDbContextFactory<MarketDbContext> dbFactory,
    HouseholdCache householdCache,
    PublicLinks links)
{
    public const decimal MaxSiteKw = 1000m;

    /// <summary>Creates the account and its household and mails a confirmation link under the app's public address.</summary>
    public async Task<RegistrationResult> RegisterAsync(Registration r, CancellationToken cancellationToken = default)
    {
        var errors = ValidateSite(r.HouseholdName, r.PvPeakKw, r.MaxImportKw, r.TimeZone);
        if (errors.Count > 0)
        {
            return new RegistrationResult(errors, null);
        }

        var user = new MarketUser { UserName = r.Email, Email = r.Email, DisplayName = r.HouseholdName.Trim() };
        var created = await users.CreateAsync(user, r.Password);
        if (!created.Succeeded)
        {
            return new RegistrationResult(created.Errors.Select(e => e.Description).ToList(), null);
        }

        await users.AddToRoleAsync(user, Roles.Prosumer);
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var pseudonym = RandomNumberGenerator.GetBytes(16);
            db.Households.Add(new Household
            {
                UserId = user.Id,
                Name = r.HouseholdName.Trim(),
                Pseudonym = pseudonym,
                MeterId = Household.DefaultMeterId(pseudonym),
                PvPeakW = (long)(r.PvPeakKw * 1000m),
                MaxImportW = (long)(r.MaxImportKw * 1000m),
                TimeZone = r.TimeZone,
            });
            await db.SaveChangesAsync(cancellationToken);
        }

        var code = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(await users.GenerateEmailConfirmationTokenAsync(user)));
        var link = links.To($"account/confirm?userId={Uri.EscapeDataString(user.Id)}&code={Uri.EscapeDataString(code)}");
        await email.SendConfirmationLinkAsync(user, r.Email, link);
        return new RegistrationResult([], link);
    }

    public async Task<bool> ConfirmAsync(string userId, string code)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return false;
        }

        try
        {
            var token = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(code));
            return (await users.ConfirmEmailAsync(user, token)).Succeeded;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>Updates a household's site and time zone; returns the problems, if any.</summary>
    public async Task<IReadOnlyList<string>> UpdateSiteAsync(long householdId, string name, decimal pvPeakKw, decimal maxImportKw, string timeZone, CancellationToken cancellationToken = default)
    {
        var errors = ValidateSite(name, pvPeakKw, maxImportKw, timeZone);
        if (errors.Count > 0)
        {
            return errors;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var household = await db.Households.SingleAsync(h => h.Id == householdId, cancellationToken);
        household.Name = name.Trim();
        household.PvPeakW = (long)(pvPeakKw * 1000m);
        household.MaxImportW = (long)(maxImportKw * 1000m);
        household.TimeZone = timeZone;
        await db.SaveChangesAsync(cancellationToken);
        // The API validates orders against the cached site: the new capacity applies to the next order.
        householdCache.Invalidate(household.UserId);
        return [];
    }

    private static List<string> ValidateSite(string name, decimal pvPeakKw, decimal maxImportKw, string timeZone)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(name) || name.Trim().Length > 100)
        {
            errors.Add("Give your household a name of 1 to 100 characters.");
        }

        if (pvPeakKw < 0 || pvPeakKw > MaxSiteKw || decimal.Round(pvPeakKw, 3) != pvPeakKw)
        {
            errors.Add($"PV peak must be between 0 and {MaxSiteKw} kW (at most 3 decimals).");
        }

        if (maxImportKw <= 0 || maxImportKw > MaxSiteKw || decimal.Round(maxImportKw, 3) != maxImportKw)
        {
            errors.Add($"Maximum import must be more than 0 and at most {MaxSiteKw} kW (at most 3 decimals).");
        }

        if (!TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _))
        {
            errors.Add("Choose a time zone from the list.");
        }

        return errors;
    }
}

/// <summary>Any other plain-text e-mail the app sends (personal notifications).</summary>
public interface IMarketMail
{
    Task SendAsync(string recipient, string subject, string body);
}

/// <summary>
/// Writes outgoing e-mail to the data folder's <c>outbox</c> (one file per message) and the log. A deployment
/// replaces it with a real mail transport; the app never needs one to run.
/// </summary>
public sealed partial class OutboxEmailSender(DataFolder folder, TimeProvider time, ILogger<OutboxEmailSender> logger) : IEmailSender<MarketUser>, IMarketMail
{
    public Task SendAsync(string recipient, string subject, string body) => WriteAsync(recipient, subject, body);

    public Task SendConfirmationLinkAsync(MarketUser user, string email, string confirmationLink) =>
        WriteAsync(email, "Confirm your e-mail", $"Welcome to the community energy market. Confirm your e-mail address: {confirmationLink}");

    public Task SendPasswordResetLinkAsync(MarketUser user, string email, string resetLink) =>
        WriteAsync(email, "Reset your password", $"Reset your password: {resetLink}");

    public Task SendPasswordResetCodeAsync(MarketUser user, string email, string resetCode) =>
        WriteAsync(email, "Reset your password", $"Your password reset code: {resetCode}");

    private async Task WriteAsync(string to, string subject, string body)
    {
        var outbox = Path.Combine(folder.Path, "outbox");
        Directory.CreateDirectory(outbox);
        var name = $"{time.GetUtcNow():yyyyMMddTHHmmssfff}-{Guid.NewGuid():N}.txt";
        await File.WriteAllTextAsync(Path.Combine(outbox, name), $"To: {to}\nSubject: {subject}\n\n{body}\n");
        LogQueued(logger, subject, name);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "E-mail '{Subject}' written to the outbox as {File}")]
    private static partial void LogQueued(ILogger logger, string subject, string file);
}
