using System.Security.Claims;

namespace Market.Web.Notifications;

public static class NotificationsExtensions
{
    public const string PushSubscriptionsPath = "/api/notifications/push-subscriptions";

    /// <summary>Personal notifications: generation, the household's list and settings, e-mail and Web Push.</summary>
    public static WebApplicationBuilder AddMarketNotifications(this WebApplicationBuilder builder)
    {
        builder.AddSettings<NotificationOptions>(NotificationOptions.Section);
        builder.Services.AddSingleton<NotificationEvents>();
        builder.Services.AddSingleton<NotificationGenerator>();
        builder.Services.AddSingleton<NotificationService>();
        builder.Services.AddScoped<NotificationCircuit>();
        builder.Services.AddSingleton<PushEndpointPolicy>();
        builder.Services.AddSingleton<VapidKeyStore>();
        builder.Services.AddSingleton<WebPushSender>();
        builder.Services.AddSingleton<NotificationDispatcher>();
        builder.Services.AddHostedService<ClearedIntervalListener>();
        return builder;
    }

    /// <summary>
    /// The API for a household's notifications (personal access token): its list, and its devices' push
    /// subscriptions. The app's own page uses the same service through its circuit.
    /// </summary>
    public static IEndpointRouteBuilder MapMarketNotifications(this IEndpointRouteBuilder app)
    {
        var mine = app.MapGroup("/api/notifications").WithTags("Notifications")
            .RequireRateLimiting(OrderApi.RateLimitPolicy)
            .RequireAuthorization(p => p.AddAuthenticationSchemes(TokenAuthenticationHandler.SchemeName).RequireRole(Roles.Prosumer));

        mine.MapGet("", async (HttpContext http, HouseholdCache households, NotificationService notices, MarketClock clock, Microsoft.Extensions.Options.IOptions<CommunityOptions> community, int? page, int? size, CancellationToken ct) =>
        {
            if (await HouseholdOf(http.User, households, ct) is not { } household)
            {
                return NoHousehold();
            }

            var result = await notices.PageAsync(household.Id, page ?? 0, size ?? 50, ct);
            var culture = System.Globalization.CultureInfo.InvariantCulture;
            return Results.Ok(new
            {
                result.Total,
                result.Unread,
                Items = result.Items.Select(n => new
                {
                    n.Id,
                    Kind = n.Kind.ToString(),
                    n.IntervalStart,
                    OrderId = n.OrderId == 0 ? (long?)null : n.OrderId,
                    n.EnergyWh,
                    n.OrderEnergyWh,
                    n.Amount,
                    n.Price,
                    n.GridGain,
                    CreatedAt = n.CreatedAtMs / 1000,
                    Read = n.ReadAtMs is not null,
                    Text = NotificationText.Describe(n, clock, community.Value.Currency, culture).Body,
                }),
            });
        }).WithSummary("My notifications, newest first (page from 0, size 1-100, default 50); energy in Wh, money and prices in 1/10,000 of the currency");

        mine.MapPost("/push-subscriptions", async (HttpContext http, HouseholdCache households, NotificationService notices, CancellationToken ct) =>
        {
            if (await HouseholdOf(http.User, households, ct) is not { } household)
            {
                return NoHousehold();
            }

            PushSubscriptionRequest? body;
            try
            {
                body = await http.Request.ReadFromJsonAsync<PushSubscriptionRequest>(ct);
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
            {
                return Results.Problem(statusCode: 400, title: "Invalid subscription", detail: "Send the browser's PushSubscription as JSON: {\"endpoint\": …, \"keys\": {\"p256dh\": …, \"auth\": …}}.");
            }

            var error = await notices.SubscribeAsync(household.Id, body?.Endpoint, body?.Keys?.P256dh, body?.Keys?.Auth, ct);
            return error is null
                ? Results.NoContent()
                : Results.Problem(statusCode: 400, title: "Invalid subscription", detail: error);
        }).WithSummary("Turn on Web Push for a device: the browser's PushSubscription (endpoint on a known push service, keys p256dh and auth)")
            .Accepts<PushSubscriptionRequest>("application/json");

        mine.MapDelete("/push-subscriptions", async (HttpContext http, HouseholdCache households, NotificationService notices, string endpoint, CancellationToken ct) =>
        {
            if (await HouseholdOf(http.User, households, ct) is not { } household)
            {
                return NoHousehold();
            }

            return await notices.UnsubscribeAsync(household.Id, endpoint, ct)
                ? Results.NoContent()
                : Results.Problem(statusCode: 404, title: "No such subscription", detail: "None of your devices has this endpoint.");
        }).WithSummary("Turn off Web Push for a device (by its endpoint)");
        return app;
    }

    private static Task<Household?> HouseholdOf(ClaimsPrincipal user, HouseholdCache households, CancellationToken ct) =>
        user.FindFirstValue(ClaimTypes.NameIdentifier) is { } userId ? households.FindAsync(userId, ct) : Task.FromResult<Household?>(null);

    private static IResult NoHousehold() =>
        Results.Problem(statusCode: 403, title: "No household", detail: "Notifications belong to a household; this account has none.");
}

/// <summary>A browser's <c>PushSubscription.toJSON()</c>.</summary>
public sealed record PushSubscriptionRequest(string? Endpoint, PushSubscriptionKeys? Keys);

/// <summary>The device's keys, base64url.</summary>
public sealed record PushSubscriptionKeys(string? P256dh, string? Auth);

/// <summary>
/// At start, makes the VAPID key pair (first start) so every node serves the same public key from the beginning. Then
/// writes an interval's notifications as soon as it is cleared on this node; the recurring notification job catches
/// up what a crash (or another node's clearing) left, so this listener is for speed, not for durability.
/// </summary>
public sealed class ClearedIntervalListener(MarketEvents market, NotificationGenerator generator, VapidKeyStore vapid) : IHostedService
{
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = vapid.Keys;
        _subscription = market.IntervalCleared.Subscribe(e => generator.GenerateForIntervalAsync(e.IntervalStart));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        return Task.CompletedTask;
    }
}
