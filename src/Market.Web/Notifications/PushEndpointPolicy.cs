using System.Buffers.Text;
using Microsoft.Extensions.Options;

namespace Market.Web.Notifications;

/// <summary>
/// Which push subscription a browser may register: an absolute <c>https</c> URL on an allowed push service host, with
/// the device's P-256 key (65 bytes) and authentication secret (16 bytes) in base64url. The server later sends to the
/// endpoint, so anything else (an internal address, a port scan, a metadata service) is refused up front.
/// </summary>
public sealed class PushEndpointPolicy(IOptions<NotificationOptions> options)
{
    public const int MaxEndpointLength = 1024;

    /// <summary>Null when the subscription may be stored; otherwise why not, for the household to read.</summary>
    public string? Check(string? endpoint, string? p256dh, string? auth)
    {
        if (string.IsNullOrWhiteSpace(endpoint) || endpoint.Length > MaxEndpointLength
            || !Uri.TryCreate(endpoint, UriKind.Absolute, out var uri))
        {
            return "The push endpoint must be an absolute URL of at most 1024 characters.";
        }

        var o = options.Value;
        if (!(uri.Scheme == Uri.UriSchemeHttps || (o.AllowHttpPushEndpoints && uri.Scheme == Uri.UriSchemeHttp))
            || uri.UserInfo.Length > 0 || uri.Fragment.Length > 0)
        {
            return "The push endpoint must be an https URL without user name or fragment.";
        }

        if (!IsAllowedHost(uri.IdnHost, o.AllowedPushHosts))
        {
            return $"'{uri.Host}' is not a push service this market sends to.";
        }

        if (!IsBase64Url(p256dh, 65))
        {
            return "keys.p256dh must be the device's 65-byte P-256 public key in base64url.";
        }

        return IsBase64Url(auth, 16) ? null : "keys.auth must be the device's 16-byte secret in base64url.";
    }

    private static bool IsAllowedHost(string host, IReadOnlyList<string> allowed)
    {
        foreach (var entry in allowed)
        {
            if (entry.StartsWith("*.", StringComparison.Ordinal)
                ? host.EndsWith(entry[1..], StringComparison.OrdinalIgnoreCase) && host.Length > entry.Length - 1
                : string.Equals(host, entry, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsBase64Url(string? value, int bytes)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 128)
        {
            return false;
        }

        try
        {
            return Base64Url.DecodeFromChars(value.TrimEnd('=')).Length == bytes;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
