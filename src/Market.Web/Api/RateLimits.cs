using System.Globalization;
using System.Threading.RateLimiting;

namespace Market.Web.Api;

public static class RateLimits
{
    public const string SignIn = "sign-in";

    /// <summary>Per token for the API, per client address for anonymous calls and sign-in; 429 with problem details.</summary>
    public static WebApplicationBuilder AddMarketRateLimits(this WebApplicationBuilder builder)
    {
        builder.AddSettings<RateLimitOptions>(RateLimitOptions.Section);
        var signInPerMinute = builder.Configuration.ReadSettings<RateLimitOptions>(RateLimitOptions.Section).SignInPerMinute;
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
                    : RateLimitPartition.GetTokenBucketLimiter("ip:" + http.Connection.RemoteIpAddress, _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = 120,
                        TokensPerPeriod = 60,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                    });
            });
            // Sign-in and registration: form posts per client address per minute (page views are not counted).
            o.AddPolicy(SignIn, http => HttpMethods.IsPost(http.Request.Method)
                ? RateLimitPartition.GetFixedWindowLimiter("ip:" + http.Connection.RemoteIpAddress, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = signInPerMinute,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                })
                : RateLimitPartition.GetNoLimiter("get"));
        });
        return builder;
    }
}
