using Market.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Market.Web.Tests.Accounts;

/// <summary>Length over composition, common passwords refused, each refusal saying why (NIST SP 800-63B).</summary>
[Trait("Database", "Independent")]
public sealed class PasswordPolicyTests
{
    private readonly PasswordPolicy _policy = new(CommonPasswords.BuiltIn);

    [Theory]
    [InlineData("Password12", "PasswordTooShort")]
    [InlineData("Sunshine2026", "PasswordTooShort")]
    [InlineData("PasswordPassword", "PasswordCommon")]
    [InlineData("1QAZ2WSX3EDC4RFV", "PasswordCommon")]
    [InlineData("qwertyuiop12345", "PasswordCommon")]
    [InlineData("aaaaaaaaaaaaaaaa", "PasswordRepetitive")]
    [InlineData("solarsolarsolar!solarsolarsolar!", "PasswordRepetitive")]
    [InlineData("7890123456789012", "PasswordRepetitive")]
    [InlineData("zyxwvutsrqponmlk", "PasswordRepetitive")]
    [InlineData("dora@example.org-2026", "PasswordContainsEmail")]
    [InlineData("DORA@EXAMPLE.ORG!!!", "PasswordContainsEmail")]
    public void Problems_WeakPassword_RefusedNamingWhy(string password, string code)
    {
        var problems = _policy.Problems(password, "dora@example.org");

        problems.Select(p => p.Code).ShouldContain(code);
        problems.ShouldAllBe(p => p.Description.Length > 20);
    }

    [Theory]
    [InlineData("correct horse battery staple")]
    [InlineData("sunny-rooftops-2026")]
    [InlineData("Lösungsmittel über dem Dach")]
    [InlineData("屋根の上の太陽光発電パネル十五")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456789 a really long passphrase that a password manager could make up for you and much longer than most")]
    public void Problems_LongPassphraseWithoutCompositionRules_Accepted(string password)
    {
        var problems = _policy.Problems(password, "dora@example.org");

        problems.ShouldBeEmpty(string.Join("; ", problems.Select(p => p.Description)));
    }

    [Fact]
    public void Problems_FifteenCodePointsSomeOutsideTheBasicPlane_CountedAsFifteen()
    {
        var password = string.Concat(Enumerable.Repeat("☀🌞", 7)) + "x";

        _policy.Problems(password, null).Select(p => p.Code).ShouldNotContain("PasswordTooShort");
        _policy.Problems(password[..^1], null).Select(p => p.Code).ShouldContain("PasswordTooShort");
    }

    [Fact]
    public void Problems_LongerThanTheMaximum_Refused()
    {
        var problems = _policy.Problems(new string('x', PasswordPolicy.MaxLength) + " and more words", null);

        problems.Select(p => p.Code).ShouldContain("PasswordTooLong");
    }

    [Fact]
    public void CommonPasswords_BuiltIn_TheWholeListReadCaseInsensitively()
    {
        var list = CommonPasswords.BuiltIn;

        list.Count.ShouldBe(49_233);
        list.Contains("password12").ShouldBeTrue();
        list.Contains("PaSsWoRd12").ShouldBeTrue();
        list.Contains("sunny-rooftops-2026").ShouldBeFalse();
    }

    [Fact]
    public async Task Register_Password12_RefusedSayingWhyAndNoUserCreated()
    {
        await using var app = new MarketFactory();
        await using var scope = app.Services.CreateAsyncScope();

        var result = await scope.ServiceProvider.GetRequiredService<AccountService>()
            .RegisterAsync(new Registration("gus@example.org", "Password12", "Gus's", 4m, 11m, "Europe/Berlin"));

        result.Succeeded.ShouldBeFalse();
        result.Errors.ShouldContain(e => e.Contains("at least 15 characters", StringComparison.Ordinal));
        result.Errors.ShouldContain(e => e.Contains("commonly used", StringComparison.Ordinal));
        await using var db = app.CreateDb();
        db.Users.Any(u => u.Email == "gus@example.org").ShouldBeFalse();
    }

    [Fact]
    public void DemoPassword_Default_SatisfiesThePolicy()
    {
        var password = new DemoOptions().Password;

        password.ShouldBe(CookieSignIn.DemoPassword);
        _policy.Problems(password, "anna@demo.energy").ShouldBeEmpty();
    }

    [Fact]
    public async Task Start_ConfiguredOperatorWithAWeakPassword_FailsNamingTheSettingAndWhy()
    {
        await using var app = new MarketFactory();
        app.Settings["Operator:Email"] = "ops@example.org";
        app.Settings["Operator:Password"] = "Password12";

        var failure = Should.Throw<InvalidOperationException>(() => app.Services);

        failure.Message.ShouldContain("Operator:Password");
        failure.Message.ShouldContain("at least 15 characters");
    }
}
