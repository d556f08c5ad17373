using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Market.Web.Accounts;

/// <summary>The address the app is reached at, for links it sends out. Bound from the <c>Market</c> section.</summary>
public sealed class PublicLinkOptions : IValidatableObject
{
    public const string Section = "Market";

    /// <summary>
    /// The public address of the app (<c>https://market.example.org/</c>, a path allowed), used in every link the app
    /// e-mails. Never the request's <c>Host</c> header, which any client sets.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>
    /// Whether links may use the app's own listening address while <see cref="PublicBaseUrl"/> is unset: set by the
    /// host for Development and demo mode, never from configuration.
    /// </summary>
    public bool MayUseServerAddress { get; internal set; } = true;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(PublicBaseUrl))
        {
            if (!MayUseServerAddress)
            {
                yield return new ValidationResult(
                    "required in Production outside demo mode: the address households reach the app at (https://market.example.org/); the links the app e-mails use it.",
                    [nameof(PublicBaseUrl)]);
            }

            yield break;
        }

        if (!Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")
            || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
        {
            yield return new ValidationResult(
                $"'{PublicBaseUrl}' is not an absolute http(s) address without user, query or fragment (e.g. https://market.example.org/).",
                [nameof(PublicBaseUrl)]);
        }
    }
}

/// <summary>Builds the absolute links the app sends out (e-mail confirmation) from its configured public address.</summary>
public sealed class PublicLinks(IOptions<PublicLinkOptions> options, IServer server)
{
    /// <summary>The app's public address, ending in <c>/</c>.</summary>
    public Uri BaseUrl
    {
        get
        {
            var configured = options.Value.PublicBaseUrl;
            var address = string.IsNullOrWhiteSpace(configured) ? ServerAddress() : configured;
            return new Uri(address.EndsWith('/') ? address : address + "/");
        }
    }

    /// <summary>The absolute link to <paramref name="relative"/> (a path and query under the app, without a leading <c>/</c>).</summary>
    public string To(string relative) => new Uri(BaseUrl, relative.TrimStart('/')).AbsoluteUri;

    // Development and demo mode: the first address Kestrel listens on, a wildcard host read as localhost.
    private string ServerAddress()
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        if (address is null)
        {
            return "http://localhost/";
        }

        var uri = new UriBuilder(address.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal));
        if (uri.Host is "0.0.0.0" or "[::]" or "::")
        {
            uri.Host = "localhost";
        }

        return uri.Uri.AbsoluteUri;
    }
}
