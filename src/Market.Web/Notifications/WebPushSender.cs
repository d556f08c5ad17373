using System.Net;
using System.Text.Json;
using Lib.Net.Http.WebPush;
using Lib.Net.Http.WebPush.Authentication;
using Microsoft.Extensions.Options;

namespace Market.Web.Notifications;

/// <summary>How one push ended: delivered, gone (the push service no longer knows the device: 404/410), or failed.</summary>
public enum PushOutcome
{
    Delivered,
    Gone,
    Failed,
}

/// <summary>
/// Sends Web Push messages (RFC 8030, encrypted with aes128gcm as RFC 8291 says, signed with the market's VAPID key as
/// RFC 8292 says) through <see cref="PushServiceClient"/>. A failure is tried again a bounded number of times
/// (<see cref="NotificationOptions.PushAttempts"/>) and then logged; it never throws to its caller.
/// </summary>
public sealed partial class WebPushSender : IDisposable
{
    /// <summary>How long a push service keeps a message for a device that is offline: a notification is stale after it.</summary>
    public const int TimeToLiveSeconds = 6 * 3600;

    private readonly HttpClient _http;
    private readonly PushServiceClient _client;
    private readonly VapidKeyStore _keys;
    private readonly NotificationOptions _options;
    private readonly ILogger<WebPushSender> _logger;

    public WebPushSender(VapidKeyStore keys, IOptions<NotificationOptions> options, ILogger<WebPushSender> logger)
    {
        _keys = keys;
        _options = options.Value;
        _logger = logger;
        // No redirects: the endpoint was checked against the allowed push services, a redirect would leave them.
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(15) };
        _client = new PushServiceClient(_http) { DefaultTimeToLive = TimeToLiveSeconds };
    }

    /// <summary>Sends <paramref name="title"/>, <paramref name="body"/> and the link <paramref name="url"/> to one device.</summary>
    public async Task<PushOutcome> SendAsync(PushSubscriptionEntity device, string title, string body, string url, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        var keys = _keys.Keys;
        var authentication = new VapidAuthentication(keys.PublicKey, keys.PrivateKey) { Subject = _options.VapidSubject };
        var subscription = new PushSubscription { Endpoint = device.Endpoint };
        subscription.SetKey(PushEncryptionKeyName.P256DH, device.P256dh);
        subscription.SetKey(PushEncryptionKeyName.Auth, device.Auth);
        var payload = JsonSerializer.Serialize(new { title, body, url });
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var message = new PushMessage(payload) { TimeToLive = TimeToLiveSeconds, Urgency = PushMessageUrgency.Normal };
                await _client.RequestPushMessageDeliveryAsync(subscription, message, authentication, VapidAuthenticationScheme.Vapid, cancellationToken);
                return PushOutcome.Delivered;
            }
            catch (PushServiceClientException e) when (e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
            {
                return PushOutcome.Gone;
            }
            catch (Exception e) when ((e is PushServiceClientException or HttpRequestException or TaskCanceledException) && !cancellationToken.IsCancellationRequested)
            {
                if (attempt >= _options.PushAttempts)
                {
                    LogFailed(_logger, new Uri(device.Endpoint).Host, attempt, e);
                    return PushOutcome.Failed;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(250 * attempt), cancellationToken);
            }
        }
    }

    public void Dispose()
    {
        _http.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A push to {Host} failed {Attempts} times; given up")]
    private static partial void LogFailed(ILogger logger, string host, int attempts, Exception exception);
}
