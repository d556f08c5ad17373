using System.Globalization;

namespace Market.Web.Api;

/// <summary>
/// How a request that met a storage fault is answered: 503 with a plain reason and <c>Retry-After</c> (problem
/// details under <c>/api</c>, a short text elsewhere) instead of a 500, and the fault shown to
/// <see cref="StorageHealth"/>. Nothing of such a request was stored: every write is one transaction.
/// </summary>
public static class StorageFaultResponses
{
    /// <summary>Seconds a client should wait before trying again.</summary>
    public const int RetryAfterSeconds = 30;

    /// <summary>Answers requests whose handler failed with a storage fault; other failures pass on unchanged.</summary>
    public static IApplicationBuilder UseStorageFaultResponses(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        try
        {
            await next(context);
        }
        catch (Exception e) when (!context.Response.HasStarted && context.RequestServices.GetRequiredService<StorageHealth>().Observe(e) is { } fault)
        {
            context.Response.Clear();
            if (context.Request.Path.StartsWithSegments("/api"))
            {
                await Unavailable(context, fault).ExecuteAsync(context);
                return;
            }

            SetRetryAfter(context);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync(PlainMessage(fault) + Environment.NewLine, context.RequestAborted);
        }
    });

    /// <summary>503 problem details naming the fault, with <c>Retry-After</c>.</summary>
    public static IResult Unavailable(HttpContext http, StorageFault fault)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(fault);
        SetRetryAfter(http);
        return Results.Problem(
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "Nothing was stored",
            detail: PlainMessage(fault),
            extensions: new Dictionary<string, object?> { ["retryAfterSeconds"] = RetryAfterSeconds });
    }

    /// <summary>The sentence a person reads: what is wrong, that nothing was stored, and what to do.</summary>
    public static string PlainMessage(StorageFault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        return $"The market cannot store anything right now: {fault.Reason}. Nothing of what you sent was stored; please try again in a few minutes.";
    }

    private static void SetRetryAfter(HttpContext http) =>
        http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
}
