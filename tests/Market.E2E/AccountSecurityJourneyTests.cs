using Market.Web.Accounts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Market.E2E;

/// <summary>
/// What a household's browser sees of the accounts' defences: a token drives no page, signing out on every device
/// reaches the other browser, and a weak password is refused with the reason.
/// </summary>
public sealed class AccountSecurityJourneyTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task TokenOnly_InTheBrowser_PagesAskForSignInAndNoTokenIsMade()
    {
        await using var db = fixture.App.CreateDb();
        var ben = await db.Users.SingleAsync(u => u.Email == "ben@demo.energy");
        var (_, token) = await fixture.App.Get<ApiTokenService>().CreateAsync(ben.Id, "agent");
        // Every request of this browser carries the token, Blazor's hub connection included.
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = fixture.BaseAddress.ToString(),
            ExtraHTTPHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + token },
        });
        var page = await context.NewPageAsync();

        foreach (var path in new[] { "account", "market", "statement" })
        {
            await page.GotoAsync(path);
            await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/login\\?returnurl=", System.Text.RegularExpressions.RegexOptions.IgnoreCase));
            await Assertions.Expect(page.GetByTestId("login-submit")).ToBeVisibleAsync();
        }

        (await db.ApiTokens.CountAsync(t => t.UserId == ben.Id)).ShouldBe(1);
    }

    [Fact]
    public async Task SignOutEverywhere_FromTheAccountPage_TheOtherBrowserIsSignedOutToo()
    {
        var laptop = await fixture.NewPageAsync();
        var phone = await fixture.NewPageAsync(390, 844);
        await BrowserFixture.SignInAsync(laptop, "anna@demo.energy");
        await BrowserFixture.SignInAsync(phone, "anna@demo.energy");
        await laptop.GotoAsync("account/password");
        await BrowserFixture.ScreenshotBothAsync(laptop, "82-change-password");
        await BrowserFixture.GotoLiveAsync(laptop, "account");
        await Assertions.Expect(laptop.GetByTestId("sign-out-everywhere")).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotBothAsync(laptop, "80-account-sign-out-everywhere");

        await laptop.GetByTestId("sign-out-everywhere").ClickAsync();

        await Assertions.Expect(laptop.GetByTestId("sign-in")).ToBeVisibleAsync();
        await phone.GotoAsync("account");
        await Assertions.Expect(phone).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/login"));
    }

    [Fact]
    public async Task Register_CommonShortPassword_RefusedSayingWhy()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("account/register");
        await page.Locator("#name").FillAsync("Jon's roof");
        await page.Locator("#email").FillAsync("jon@example.org");
        await page.Locator("#password").FillAsync("Password12");
        await page.Locator("#confirm").FillAsync("Password12");

        await page.GetByTestId("register-submit").ClickAsync();

        var error = page.GetByTestId("register-error");
        await Assertions.Expect(error).ToContainTextAsync($"Use at least {PasswordPolicy.MinLength} characters");
        await Assertions.Expect(error).ToContainTextAsync("most commonly used passwords");
        await BrowserFixture.ScreenshotAsync(page, "81-register-weak-password-wide");
        await BrowserFixture.AssertAccessibleAsync(page);
        await page.SetViewportSizeAsync(390, 844);
        await BrowserFixture.ScreenshotAsync(page, "81-register-weak-password-narrow");
        await BrowserFixture.AssertFitsWidthAsync(page);
    }
}
