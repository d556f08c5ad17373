using System.Text.RegularExpressions;

namespace Market.Web.Tests.Support;

/// <summary>Signs a test HTTP client in through the real sign-in form (antiforgery token included).</summary>
public static partial class CookieSignIn
{
    /// <summary>The demo logins' password (<c>Demo:Password</c>).</summary>
    public const string DemoPassword = "sunny-rooftops-2026";

    /// <summary>The header <see cref="ClientAddressFromHeader"/> reads, to sign in "from" another address.</summary>
    public const string ClientAddressHeader = "X-Test-Client-Address";

    public static async Task SignInAsync(HttpClient client, string email, string password = DemoPassword)
    {
        var response = await PostAsync(client, email, password);
        if ((int)response.StatusCode is not (302 or 303))
        {
            throw new InvalidOperationException($"Sign-in as {email} failed: {(int)response.StatusCode}");
        }
    }

    /// <summary>Posts the sign-in form as a browser would and returns the answer (a redirect when signed in).</summary>
    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string email, string password, string? returnUrl = null, string? clientAddress = null)
    {
        var path = returnUrl is null ? "/account/login" : "/account/login?ReturnUrl=" + Uri.EscapeDataString(returnUrl);
        var token = await AntiforgeryTokenAsync(client, path);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative))
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = token,
                ["_handler"] = "login",
                ["Input.Email"] = email,
                ["Input.Password"] = password,
            }),
        };
        if (clientAddress is not null)
        {
            request.Headers.Add(ClientAddressHeader, clientAddress);
        }

        return await client.SendAsync(request);
    }

    /// <summary>The antiforgery token of the form on <paramref name="path"/>, for the client's current user.</summary>
    public static async Task<string> AntiforgeryTokenAsync(HttpClient client, string path)
    {
        var form = await client.GetStringAsync(new Uri(path, UriKind.Relative));
        return AntiforgeryField().Match(form).Groups[1].Value;
    }

    /// <summary>The antiforgery token in a page's form.</summary>
    public static string AntiforgeryToken(string html) => AntiforgeryField().Match(html).Groups[1].Value;

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
