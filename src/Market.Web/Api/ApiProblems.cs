using Microsoft.AspNetCore.Diagnostics;

namespace Market.Web.Api;

/// <summary>
/// Every error under <c>/api</c> is RFC 7807 problem details (<c>application/problem+json</c>), whatever produced
/// it: an endpoint's own problem, a route, query or header value it could not read (400 naming it), an unknown path
/// (404), a wrong method (405), a failure on our side (500). The pages keep their own error and not-found pages; the
/// API reference (<c>/api/docs</c>) is a page.
/// </summary>
public static partial class ApiProblems
{
    /// <summary>Whether <paramref name="path"/> is the API's.</summary>
    public static bool IsApi(PathString path) =>
        path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase) && !path.StartsWithSegments("/api/docs", StringComparison.OrdinalIgnoreCase);

    public static WebApplicationBuilder AddApiProblems(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // Minimal APIs answer a value they cannot bind (limit=abc) with an empty 400 unless they throw; the
        // exception names the parameter and the value, and the handler below turns it into problem details.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddExceptionHandler<ApiExceptionHandler>();
        return builder;
    }

    /// <summary>
    /// An error status without a body under <c>/api</c> (404, 405, …) gets problem details. Goes inside the pages'
    /// status-code handler, which it silences for the API.
    /// </summary>
    public static IApplicationBuilder UseApiStatusProblems(this IApplicationBuilder app) =>
        app.UseWhen(c => IsApi(c.Request.Path), api => api
            .Use((context, next) =>
            {
                context.Features.Get<IStatusCodePagesFeature>()?.Enabled = false;
                return next(context);
            })
            .UseStatusCodePages(c => WriteAsync(c.HttpContext, c.HttpContext.Response.StatusCode, null)));

    /// <summary>Problem details with <paramref name="status"/>'s standard title and type.</summary>
    public static Task WriteAsync(HttpContext http, int status, string? detail)
    {
        ArgumentNullException.ThrowIfNull(http);
        return TypedResults.Problem(statusCode: status, detail: detail).ExecuteAsync(http);
    }

    /// <summary>
    /// Turns exceptions into answers in production (Development shows its exception page): a request the endpoint
    /// could not read gets its 4xx with the reason, on every endpoint (CSV downloads included); any other failure
    /// under <c>/api</c> a logged 500 problem. Elsewhere the error page shows.
    /// </summary>
    private sealed partial class ApiExceptionHandler(ILogger<ApiExceptionHandler> logger) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
        {
            // The middleware has already pointed the request at the error page; the feature keeps where it went.
            var path = httpContext.Features.Get<IExceptionHandlerPathFeature>()?.Path ?? httpContext.Request.Path.Value;
            if (exception is BadHttpRequestException bad)
            {
                LogBadRequest(logger, bad.StatusCode, path, bad.Message);
                httpContext.Response.StatusCode = bad.StatusCode;
                await WriteAsync(httpContext, bad.StatusCode, bad.Message);
                return true;
            }

            if (!IsApi(new PathString(path)))
            {
                return false;
            }

            LogFailed(logger, exception, path);
            await WriteAsync(httpContext, StatusCodes.Status500InternalServerError, "Something went wrong on our side; try again later.");
            return true;
        }

        [LoggerMessage(Level = LogLevel.Debug, Message = "Refused {Status} for {Path}: {Reason}")]
        private static partial void LogBadRequest(ILogger logger, int status, string? path, string reason);

        [LoggerMessage(Level = LogLevel.Error, Message = "The API request to {Path} failed")]
        private static partial void LogFailed(ILogger logger, Exception exception, string? path);
    }
}
