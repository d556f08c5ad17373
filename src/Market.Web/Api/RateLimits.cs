using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;

namespace Market.Web.Api;

public static class RateLimits
{
    public const string SignIn = "sign-in";
    public const string Ledger = "ledger";

    /// <summary>
    /// Per token for the API, per client address for anonymous calls, sign-in and the public ledger; 429 with problem
    /// details and Retry-After.
    /// </summary>
    public static WebApplicationBuilder AddMarketRateLimits(this WebApplicationBuilder builder)
    {
        builder.AddSettings<RateLimitOptions>(RateLimitOptions.Section);
        var limits = builder.Configuration.ReadSettings<RateLimitOptions>(RateLimitOptions.Section);
        var signInPerMinute = limits.SignInPerMinute;
        builder.Services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (context, ct) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry))
                {
                    context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retry.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                }

                await context.HttpContext.Response.WriteAsJsonAsync(
                    new { type = "https://tools.ietf.org/html/rfc6585#section-4", title = "Too many requests", status = 429, detail = "Slow down and retry later." },
                    options: null, contentType: "application/problem+json", cancellationToken: ct);
            };
            o.AddPolicy(OrderApi.RateLimitPolicy, http =>
            {
                var token = http.User.FindFirst("token_id")?.Value;
                return token is not null
                    ? RateLimitPartition.GetTokenBucketLimiter("t:" + token, _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = 400,
                        TokensPerPeriod = 200,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                    })
                    : RateLimitPartition.GetTokenBucketLimiter(Client(http), _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = 120,
                        TokensPerPeriod = 60,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                    });
            });
            // Sign-in and registration: form posts per client address per minute (page views are not counted).
            o.AddPolicy(SignIn, http => HttpMethods.IsPost(http.Request.Method)
                ? RateLimitPartition.GetFixedWindowLimiter(Client(http), _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = signInPerMinute,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                })
                : RateLimitPartition.GetNoLimiter("get"));
            // The public ledger: per client address, whether or not the caller sends a token.
            o.AddPolicy(Ledger, http => RateLimitPartition.GetFixedWindowLimiter(Client(http), _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = limits.LedgerPerMinute,
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
            }));
        });
        return builder;
    }

    /// <summary>
    /// The client as per-address limits count it: the IPv4 address, or the /64 network of an IPv6 address (a single
    /// line is given a whole /64, so counting single IPv6 addresses would let one client rotate through billions).
    /// Behind a configured proxy (<c>Proxy:KnownProxies</c>) this is the client's address, not the proxy's.
    /// </summary>
    public static string Client(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var address = http.Connection.RemoteIpAddress;
        if (address is null)
        {
            return "ip:";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return "ip:" + address;
        }

        var bytes = address.GetAddressBytes();
        bytes.AsSpan(8).Clear();
        return "ip:" + new IPAddress(bytes) + "/64";
    }
}
