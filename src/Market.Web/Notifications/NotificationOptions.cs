using System.ComponentModel.DataAnnotations;

namespace Market.Web.Notifications;

/// <summary>Personal notifications: Web Push and the daily summary. Bound from the <c>Notifications</c> section.</summary>
public sealed class NotificationOptions : IValidatableObject
{
    public const string Section = "Notifications";

    /// <summary>
    /// The push services the app sends to: an endpoint a browser registers must be <c>https</c> on one of these hosts
    /// (<c>*.example.com</c> for any subdomain). Anything else is refused when it is registered, so a hostile client
    /// cannot make the server send requests to an address of its choosing. Defaults: the browsers' push services.
    /// </summary>
    public List<string> PushServiceHosts { get; set; } = [];

    /// <summary>The default push service hosts (Chrome/Edge/Opera, Firefox, Windows, Safari), used when none are configured.</summary>
    public static readonly IReadOnlyList<string> DefaultPushServiceHosts =
        ["fcm.googleapis.com", "android.googleapis.com", "updates.push.services.mozilla.com", "*.notify.windows.com", "web.push.apple.com"];

    /// <summary>
    /// Only for tests with a fake push service on loopback: also allow <c>http</c> endpoints on the listed hosts.
    /// Never set in a deployment.
    /// </summary>
    public bool AllowHttpPushEndpoints { get; set; }

    /// <summary>Where the VAPID key pair is kept; by default <c>vapid-keys.json</c> in the data folder (mode 0600).</summary>
    public string? VapidKeyPath { get; set; }

    /// <summary>The contact push services see in the VAPID token (<c>mailto:</c> or <c>https:</c>).</summary>
    [Required]
    public string VapidSubject { get; set; } = "mailto:operator@market.invalid";

    /// <summary>The local hour (household's time zone) from which the day's summary is written.</summary>
    [Range(0, 23)]
    public int DailySummaryHour { get; set; } = 20;

    /// <summary>How often one push is tried before it is given up (logged).</summary>
    [Range(1, 10)]
    public int PushAttempts { get; set; } = 3;

    public IReadOnlyList<string> AllowedPushHosts => PushServiceHosts.Count > 0 ? PushServiceHosts : DefaultPushServiceHosts;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!VapidSubject.StartsWith("mailto:", StringComparison.Ordinal) && !VapidSubject.StartsWith("https://", StringComparison.Ordinal))
        {
            yield return new ValidationResult("must start with mailto: or https://", [nameof(VapidSubject)]);
        }

        foreach (var host in PushServiceHosts)
        {
            var name = host.StartsWith("*.", StringComparison.Ordinal) ? host[2..] : host;
            if (Uri.CheckHostName(name) == UriHostNameType.Unknown)
            {
                yield return new ValidationResult($"'{host}' is not a host name (e.g. fcm.googleapis.com or *.notify.windows.com)", [nameof(PushServiceHosts)]);
            }
        }
    }
}
