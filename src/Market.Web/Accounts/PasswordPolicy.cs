using System.Text.Json;
using Microsoft.AspNetCore.Identity;

namespace Market.Web.Accounts;

/// <summary>
/// Passwords as NIST SP 800-63B (revision 4) asks of a password that is the only factor: length over composition.
/// At least <see cref="MinLength"/> characters (Unicode code points, spaces allowed) and at most
/// <see cref="MaxLength"/>, so long passphrases fit; no rules about digits, cases or symbols; and refused when
/// attackers try it first: a commonly used password (<see cref="CommonPasswords"/>, case-insensitively), one short
/// piece repeated or a run like <c>123456…</c>, or the account's own e-mail address. Each refusal says why (ADR 17).
/// </summary>
public sealed class PasswordPolicy(CommonPasswords common) : IPasswordValidator<MarketUser>
{
    public const int MinLength = 15;

    public const int MaxLength = 256;

    /// <summary>What the sign-up and password forms say about the rule.</summary>
    public const string Hint = "at least 15 characters; a few unrelated words make a good passphrase";

    public Task<IdentityResult> ValidateAsync(UserManager<MarketUser> manager, MarketUser user, string? password)
    {
        ArgumentNullException.ThrowIfNull(user);
        var problems = Problems(password ?? "", user.Email ?? user.UserName);
        return Task.FromResult(problems.Count == 0
            ? IdentityResult.Success
            : IdentityResult.Failed([.. problems.Select(p => new IdentityError { Code = p.Code, Description = p.Description })]));
    }

    /// <summary>Why <paramref name="password"/> is refused for the account <paramref name="email"/>; empty when it is fine.</summary>
    public IReadOnlyList<IdentityError> Problems(string password, string? email)
    {
        ArgumentNullException.ThrowIfNull(password);
        var problems = new List<IdentityError>();
        var length = password.EnumerateRunes().Count();
        if (length < MinLength)
        {
            problems.Add(Error("PasswordTooShort", $"Use at least {MinLength} characters (this one has {length}). A few unrelated words with spaces make a good passphrase."));
        }
        else if (length > MaxLength)
        {
            problems.Add(Error("PasswordTooLong", $"Use at most {MaxLength} characters."));
        }

        if (common.Contains(password))
        {
            problems.Add(Error("PasswordCommon", "This is one of the most commonly used passwords, which attackers try first. Choose another."));
        }
        else if (IsRepetitive(password))
        {
            problems.Add(Error("PasswordRepetitive", "This password is one short piece repeated or a run like 123456 or abcdef, which attackers try first. Choose another."));
        }

        if (email is { Length: > 0 } && (password.Contains(email, StringComparison.OrdinalIgnoreCase)
            || string.Equals(password, email.Split('@')[0], StringComparison.OrdinalIgnoreCase)))
        {
            problems.Add(Error("PasswordContainsEmail", "The password must not be or contain your e-mail address."));
        }

        return problems;
    }

    /// <summary>"aaaa…", "abcabc…", "passwordpassword", "123456789012…", "zyxw…".</summary>
    private static bool IsRepetitive(string password)
    {
        var p = password.ToLowerInvariant();
        if (p.Length < 2)
        {
            return false;
        }

        for (var unit = 1; unit <= p.Length / 2; unit++)
        {
            if (p.Length % unit == 0 && string.Concat(Enumerable.Repeat(p[..unit], p.Length / unit)) == p)
            {
                return true;
            }
        }

        return IsRun(p, 1) || IsRun(p, -1);
    }

    private static bool IsRun(string p, int step)
    {
        for (var i = 1; i < p.Length; i++)
        {
            var next = p[i - 1] + step;
            // Digits wrap: 7890123 and 3210987 are runs too.
            var wrapped = step > 0 ? p[i - 1] == '9' && p[i] == '0' : p[i - 1] == '0' && p[i] == '9';
            if (p[i] != next && !wrapped)
            {
                return false;
            }
        }

        return true;
    }

    private static IdentityError Error(string code, string description) => new() { Code = code, Description = description };
}

/// <summary>
/// The commonly used passwords that no account may have: <c>data/passwords/common-passwords.json</c> (49,233
/// passwords, from the npm package <c>@zxcvbn-ts/language-common</c>, MIT; origin and licence in
/// <c>data/README.md</c>), built into the app and read once when it starts. Compared case-insensitively.
/// </summary>
public sealed class CommonPasswords
{
    private readonly HashSet<string> _passwords;

    public CommonPasswords(IEnumerable<string> passwords) => _passwords = new HashSet<string>(passwords, StringComparer.OrdinalIgnoreCase);

    /// <summary>The list built into the app; immutable, so one copy serves every app in the process.</summary>
    public static CommonPasswords BuiltIn { get; } = Load();

    public int Count => _passwords.Count;

    public bool Contains(string password) => _passwords.Contains(password);

    private static CommonPasswords Load()
    {
        using var stream = typeof(CommonPasswords).Assembly.GetManifestResourceStream("Market.Web.common-passwords.json")
            ?? throw new InvalidOperationException("The list of common passwords is missing from the build (data/passwords/common-passwords.json).");
        return new CommonPasswords(JsonSerializer.Deserialize<string[]>(stream) ?? []);
    }
}
