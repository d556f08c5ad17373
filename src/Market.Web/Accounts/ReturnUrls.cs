using System.Text;

namespace Market.Web.Accounts;

/// <summary>Where the sign-in page sends the user afterwards.</summary>
public static class ReturnUrls
{
    /// <summary>
    /// <paramref name="url"/> when it is a path on this site, otherwise <c>/</c>: an open redirect would let a phishing
    /// link bounce through our sign-in page. Every character outside printable ASCII is percent-encoded (UTF-8), so
    /// any path is safe in a <c>Location</c> header (a raw <c>ä</c> there failed the response) and no tab or line
    /// break survives for a browser to drop and turn <c>/\t/host</c> into <c>//host</c>.
    /// </summary>
    public static string Local(string? url)
    {
        if (url is not { Length: > 0 } || url[0] != '/' || url.StartsWith("//", StringComparison.Ordinal) || url.StartsWith("/\\", StringComparison.Ordinal))
        {
            return "/";
        }

        var safe = new StringBuilder(url.Length);
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in url.EnumerateRunes())
        {
            if (rune.Value is > 0x20 and < 0x7F)
            {
                safe.Append((char)rune.Value);
                continue;
            }

            var length = rune.EncodeToUtf8(utf8);
            foreach (var b in utf8[..length])
            {
                safe.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return safe.ToString();
    }
}
