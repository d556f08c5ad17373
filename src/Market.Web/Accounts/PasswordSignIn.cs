using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;

namespace Market.Web.Accounts;

/// <summary>What a password sign-in came to.</summary>
public enum SignInOutcome
{
    SignedIn,

    /// <summary>Unknown e-mail or wrong password: one answer for both.</summary>
    Refused,

    /// <summary>The right password for an account whose e-mail is not confirmed yet.</summary>
    NotConfirmed,

    /// <summary>Too many failures for this account from this address; <see cref="PasswordSignInResult.RetryAfter"/>.</summary>
    Throttled,
}

public sealed record PasswordSignInResult(SignInOutcome Outcome, TimeSpan RetryAfter = default);

/// <summary>
/// Signs a household in with its password. An unknown e-mail address costs the same as a wrong password (one
/// password hash is checked either way, against <see cref="UnknownAccountHash"/> when there is no account) and gets
/// the same answer; whether an account waits for its e-mail confirmation is told only to someone who knows its
/// password. Failures are throttled per account and client address (<see cref="SignInThrottle"/>), never by locking
/// the account: a stranger's guesses cannot keep the household out, nor stop its API tokens.
/// </summary>
public sealed class PasswordSignIn(
    SignInManager<MarketUser> signIn,
    UserManager<MarketUser> users,
    IPasswordHasher<MarketUser> hasher,
    UnknownAccountHash unknown,
    SignInThrottle throttle)
{
    public async Task<PasswordSignInResult> SignInAsync(string email, string password, bool remember, IPAddress? client)
    {
        var key = SignInThrottle.Key(email, client);
        if (throttle.RetryAfter(key) is { } wait)
        {
            return new PasswordSignInResult(SignInOutcome.Throttled, wait);
        }

        // Users sign in by e-mail, which is also their user name (Identity's own sign-in looks up the name).
        var user = await users.FindByNameAsync(email.Trim());
        bool correct;
        if (user?.PasswordHash is null)
        {
            // No account, or one without a password (agents): the same hashing work as a wrong password, then no.
            hasher.VerifyHashedPassword(user ?? new MarketUser(), unknown.Get(hasher), password);
            correct = false;
        }
        else
        {
            correct = await users.CheckPasswordAsync(user, password);
        }

        if (!correct)
        {
            throttle.Failed(key);
            return new PasswordSignInResult(SignInOutcome.Refused);
        }

        throttle.Succeeded(key);
        if (!await signIn.CanSignInAsync(user!))
        {
            return new PasswordSignInResult(SignInOutcome.NotConfirmed);
        }

        await signIn.SignInAsync(user!, remember);
        return new PasswordSignInResult(SignInOutcome.SignedIn);
    }
}

/// <summary>
/// A hash of a random password nobody knows, made once by the app's own hasher, that a sign-in for an unknown
/// account is checked against: the same work as for a real account, so timing does not tell which e-mail addresses
/// have one.
/// </summary>
public sealed class UnknownAccountHash
{
    private string? _hash;

    public string Get(IPasswordHasher<MarketUser> hasher) =>
        _hash ??= hasher.HashPassword(new MarketUser(), Convert.ToHexString(RandomNumberGenerator.GetBytes(32)));
}
