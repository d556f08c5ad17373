using System.Net;
using Market.Web.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Market.Web.Tests.Accounts;

/// <summary>
/// Password sign-in against someone who knows a household's e-mail address: guesses are slowed per account and
/// address, never by locking the household out, and nothing tells an unknown address from a wrong password.
/// </summary>
[Trait("Database", "Independent")]
public sealed class SignInTests : IAsyncLifetime
{
    private const string Attacker = "203.0.113.7";
    private const string Home = "198.51.100.20";

    private readonly MarketFactory _market = new();
    private readonly CountingPasswordHasher _hasher = new();
    private WebApplicationFactory<Program> _app = default!;

    public Task InitializeAsync()
    {
        _app = _market.WithWebHostBuilder(b => b.ConfigureServices(s =>
        {
            s.AddSingleton<IStartupFilter, ClientAddressFromHeader>();
            s.AddSingleton<IPasswordHasher<MarketUser>>(_hasher);
        }));
        _ = _app.Server;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _market.DisposeAsync();
    }

    [Fact]
    public async Task SignIn_FiveWrongPasswordsFromOneAddress_ThatAddressWaitsEvenWithTheRightPassword()
    {
        using var attacker = Browser();
        await FailAsync(attacker, "anna@demo.energy", SignInThrottle.FailuresAllowed, Attacker);

        var sixth = await CookieSignIn.PostAsync(attacker, "anna@demo.energy", CookieSignIn.DemoPassword, clientAddress: Attacker);

        sixth.StatusCode.ShouldBe(HttpStatusCode.OK, "no redirect: not signed in");
        (await sixth.Content.ReadAsStringAsync()).ShouldContain("Too many failed sign-ins for this account from your network. Try again in 15 minutes.");
    }

    [Fact]
    public async Task SignIn_AttackerAddressThrottled_HouseholdSignsInFromItsOwnAddress()
    {
        using var attacker = Browser();
        await FailAsync(attacker, "anna@demo.energy", SignInThrottle.FailuresAllowed + 3, Attacker);
        using var household = Browser();

        var signIn = await CookieSignIn.PostAsync(household, "anna@demo.energy", CookieSignIn.DemoPassword, clientAddress: Home);

        signIn.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await household.GetAsync(new Uri("/account", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task SignIn_ManyWrongPasswords_TheHouseholdsTokensKeepWorking()
    {
        using var attacker = Browser();
        await FailAsync(attacker, "anna@demo.energy", 2 * SignInThrottle.FailuresAllowed, Attacker);
        await FailAsync(attacker, "anna@demo.energy", 2 * SignInThrottle.FailuresAllowed, "203.0.113.8");

        // A token used for the first time now: it is read from the database, not from a cache of earlier requests.
        using var agent = await ApiClient.ForAsync(_market, "anna@demo.energy");
        var orders = await agent.GetAsync(new Uri("/api/orders", UriKind.Relative));

        orders.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task SignIn_ThrottleWindowOver_TheAddressMayTryAgain()
    {
        using var attacker = Browser();
        await FailAsync(attacker, "ben@demo.energy", SignInThrottle.FailuresAllowed, Attacker);
        _market.Clock.Advance(SignInThrottle.Window);

        var later = await CookieSignIn.PostAsync(attacker, "ben@demo.energy", CookieSignIn.DemoPassword, clientAddress: Attacker);

        later.StatusCode.ShouldBe(HttpStatusCode.Redirect);
    }

    [Fact]
    public async Task SignIn_UnknownAccount_SamePasswordHashingAndAnswerAsAWrongPassword()
    {
        using var client = Browser();
        var before = _hasher.Verifications;

        var unknown = await CookieSignIn.PostAsync(client, "nobody@example.org", "a-wrong-password-here", clientAddress: "192.0.2.2");
        var afterUnknown = _hasher.Verifications;
        var wrong = await CookieSignIn.PostAsync(client, "anna@demo.energy", "a-wrong-password-here", clientAddress: "192.0.2.3");
        var afterWrong = _hasher.Verifications;

        (afterUnknown - before).ShouldBe(1, "an unknown account checks one (dummy) hash");
        (afterWrong - afterUnknown).ShouldBe(1, "a wrong password checks one hash");
        unknown.StatusCode.ShouldBe(wrong.StatusCode);
        Error(await unknown.Content.ReadAsStringAsync()).ShouldBe(Error(await wrong.Content.ReadAsStringAsync()));
        Error(await wrong.Content.ReadAsStringAsync()).ShouldBe("E-mail or password is not right.");
    }

    [Fact]
    public async Task SignIn_UnknownAccountRepeatedly_ThrottledLikeAnAccountThatExists()
    {
        using var client = Browser();
        await FailAsync(client, "nobody@example.org", SignInThrottle.FailuresAllowed, Attacker);

        var next = await CookieSignIn.PostAsync(client, "nobody@example.org", "a-wrong-password-here", clientAddress: Attacker);

        Error(await next.Content.ReadAsStringAsync()).ShouldStartWith("Too many failed sign-ins");
    }

    [Fact]
    public async Task SignIn_UnconfirmedAccountWrongPassword_SameAnswerAsAnyWrongPassword()
    {
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            var accounts = scope.ServiceProvider.GetRequiredService<AccountService>();
            (await accounts.RegisterAsync(new Registration("fay@example.org", "Fay's long solar passphrase 1", "Fay's", 4m, 11m, "Europe/Berlin"))).Succeeded.ShouldBeTrue();
        }

        using var client = Browser();

        var wrong = await CookieSignIn.PostAsync(client, "fay@example.org", "a-wrong-password-here", clientAddress: Home);
        var right = await CookieSignIn.PostAsync(client, "fay@example.org", "Fay's long solar passphrase 1", clientAddress: Home);

        Error(await wrong.Content.ReadAsStringAsync()).ShouldBe("E-mail or password is not right.");
        Error(await right.Content.ReadAsStringAsync()).ShouldBe("Confirm your e-mail address first: open the link we sent you.");
    }

    [Theory]
    [InlineData("/märkt", "/m%C3%A4rkt")]
    [InlineData("/statement?month=März", "/statement?month=M%C3%A4rz")]
    [InlineData("/ledger/日本", "/ledger/%E6%97%A5%E6%9C%AC")]
    public async Task SignIn_NonAsciiReturnUrl_SignedInAndSentThereEncoded(string returnUrl, string expected)
    {
        using var client = Browser();

        var response = await CookieSignIn.PostAsync(client, "anna@demo.energy", CookieSignIn.DemoPassword, returnUrl, Home);

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.OriginalString.ShouldEndWith(expected);
        (await client.GetAsync(new Uri("/account", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData(null, "/")]
    [InlineData("", "/")]
    [InlineData("https://evil.example/", "/")]
    [InlineData("//evil.example/", "/")]
    [InlineData("/\\evil.example/", "/")]
    [InlineData("/market", "/market")]
    [InlineData("/\t/evil.example", "/%09/evil.example")]
    [InlineData("/a b\r\nSet-Cookie: x=1", "/a%20b%0D%0ASet-Cookie:%20x=1")]
    [InlineData("/😀", "/%F0%9F%98%80")]
    public void ReturnUrls_Local_LocalPathsOnlyEveryOtherCharacterEncoded(string? url, string expected)
    {
        var local = ReturnUrls.Local(url);

        local.ShouldBe(expected);
    }

    private HttpClient Browser() => _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    private static async Task FailAsync(HttpClient client, string email, int times, string address)
    {
        for (var i = 0; i < times; i++)
        {
            var response = await CookieSignIn.PostAsync(client, email, "wrong-password-" + i, clientAddress: address);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, "a refused sign-in shows the form again");
        }
    }

    private static string Error(string html)
    {
        var match = System.Text.RegularExpressions.Regex.Match(html, "data-testid=\"login-error\">([^<]*)<");
        return match.Success ? System.Net.WebUtility.HtmlDecode(match.Groups[1].Value) : "(no error shown)";
    }

    /// <summary>The app's hasher, counting how often a password is checked against a hash.</summary>
    private sealed class CountingPasswordHasher : IPasswordHasher<MarketUser>
    {
        private readonly PasswordHasher<MarketUser> _inner = new();
        private int _verifications;

        public int Verifications => Volatile.Read(ref _verifications);

        public string HashPassword(MarketUser user, string password) => _inner.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(MarketUser user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref _verifications);
            return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}
