using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Market.Web.Notifications;
using Market.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Tests.Notifications;

/// <summary>E-mail and Web Push: only to allowed push services, signed and encrypted as the protocol says, once.</summary>
public sealed class NotificationDeliveryTests
{
    [Fact]
    public async Task DispatchDueAsync_FillWithPushOn_FakePushServiceReceivesVapidSignedEncryptedPush()
    {
        await using var push = new FakePushService();
        await using var app = PushApp();
        _ = app.Server;
        var anna = await app.HouseholdAsync("anna@demo.energy");
        var (key, auth) = DeviceKeys();
        (await app.Get<NotificationService>().SubscribeAsync(anna.Id, push.Endpoint("anna"), key, auth)).ShouldBeNull();
        await app.TradeAndClearAsync();
        await app.Get<NotificationGenerator>().GenerateDueAsync();

        await app.Get<NotificationDispatcher>().DispatchDueAsync();

        var received = push.Received.ShouldHaveSingleItem();
        received.Method.ShouldBe("POST");
        received.Path.ShouldBe("/push/anna");
        received.Authorization.ShouldNotBeNull();
        received.Authorization.ShouldStartWith("vapid t=");
        received.Authorization.ShouldContain("k=" + app.Get<VapidKeyStore>().Keys.PublicKey);
        received.ContentEncoding.ShouldBe("aes128gcm");
        received.Ttl.ShouldBe(WebPushSender.TimeToLiveSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        received.BodyLength.ShouldBeGreaterThan(86); // the aes128gcm header alone is 86 bytes
    }

    [Fact]
    public async Task DispatchDueAsync_RunTwice_EachNotificationPushedOnce()
    {
        await using var push = new FakePushService();
        await using var app = PushApp();
        _ = app.Server;
        var anna = await app.HouseholdAsync("anna@demo.energy");
        var (key, auth) = DeviceKeys();
        await app.Get<NotificationService>().SubscribeAsync(anna.Id, push.Endpoint("anna"), key, auth);
        await app.TradeAndClearAsync();
        await app.Get<NotificationGenerator>().GenerateDueAsync();
        var dispatcher = app.Get<NotificationDispatcher>();

        await dispatcher.DispatchDueAsync();
        await dispatcher.DispatchDueAsync();

        push.Received.Count.ShouldBe(1);
    }

    [Fact]
    public async Task DispatchDueAsync_PushServiceAnswersGone_SubscriptionDropped()
    {
        await using var push = new FakePushService { Status = HttpStatusCode.Gone };
        await using var app = PushApp();
        _ = app.Server;
        var anna = await app.HouseholdAsync("anna@demo.energy");
        var (key, auth) = DeviceKeys();
        await app.Get<NotificationService>().SubscribeAsync(anna.Id, push.Endpoint("anna"), key, auth);
        await app.TradeAndClearAsync();
        await app.Get<NotificationGenerator>().GenerateDueAsync();

        await app.Get<NotificationDispatcher>().DispatchDueAsync();

        push.Received.Count.ShouldBe(1);
        await using var db = app.CreateDb();
        (await db.PushSubscriptions.CountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task DispatchDueAsync_PushServiceFails_TriedABoundedNumberOfTimes()
    {
        await using var push = new FakePushService { Status = HttpStatusCode.InternalServerError };
        await using var app = PushApp();
        app.Settings["Notifications:PushAttempts"] = "2";
        _ = app.Server;
        var anna = await app.HouseholdAsync("anna@demo.energy");
        var (key, auth) = DeviceKeys();
        await app.Get<NotificationService>().SubscribeAsync(anna.Id, push.Endpoint("anna"), key, auth);
        await app.TradeAndClearAsync();
        await app.Get<NotificationGenerator>().GenerateDueAsync();

        await app.Get<NotificationDispatcher>().DispatchDueAsync();

        push.Received.Count.ShouldBe(2);
        await using var db = app.CreateDb();
        (await db.PushSubscriptions.CountAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task DispatchDueAsync_EmailOn_OutboxHasTheFillWithALinkToTheApp()
    {
        await using var app = new MarketFactory();
        app.Settings["Market:PublicBaseUrl"] = "https://market.example.org/";
        _ = app.Server;
        var anna = await app.HouseholdAsync("anna@demo.energy");
        await app.Get<NotificationService>().SavePreferencesAsync(anna.Id, new NotificationSettings(NotificationPreferenceEntity.AllKinds, true, false, null, null, false));
        await app.TradeAndClearAsync();
        await app.Get<NotificationGenerator>().GenerateDueAsync();

        await app.Get<NotificationDispatcher>().DispatchDueAsync();

        var mail = Directory.GetFiles(Path.Combine(app.DataDirectory, "outbox")).Select(File.ReadAllText).ShouldHaveSingleItem();
        mail.ShouldContain("To: anna@demo.energy");
        mail.ShouldContain("Subject: Offer filled");
        mail.ShouldContain("filled: 1.000 kWh for €");
        mail.ShouldContain("https://market.example.org/notifications");
    }

    [Fact]
    public async Task DispatchDueAsync_EmailOff_NothingInTheOutbox()
    {
        await using var app = new MarketFactory();
        _ = app.Server;
        await app.TradeAndClearAsync();
        await app.Get<NotificationGenerator>().GenerateDueAsync();

        await app.Get<NotificationDispatcher>().DispatchDueAsync();

        Directory.Exists(Path.Combine(app.DataDirectory, "outbox")).ShouldBeFalse();
    }

    [Fact]
    public async Task VapidKeys_FirstStart_GeneratedOwnerOnlyAndReadBackByAnotherNode()
    {
        await using var app = new MarketFactory();
        _ = app.Server;
        var keys = app.Get<VapidKeyStore>().Keys;
        var otherNode = new VapidKeyStore(app.Get<DataFolder>(), app.Get<Microsoft.Extensions.Options.IOptions<NotificationOptions>>(), Microsoft.Extensions.Logging.Abstractions.NullLogger<VapidKeyStore>.Instance);

        var again = otherNode.Keys;

        again.ShouldBe(keys);
        Base64Url.DecodeFromChars(keys.PublicKey).Length.ShouldBe(65);
        Base64Url.DecodeFromChars(keys.PrivateKey).Length.ShouldBe(32);
        var path = app.Get<VapidKeyStore>().Path;
        path.ShouldStartWith(app.DataDirectory);
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(path).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    private static MarketFactory PushApp()
    {
        var app = new MarketFactory();
        app.Settings["Notifications:PushServiceHosts:0"] = "127.0.0.1";
        app.Settings["Notifications:AllowHttpPushEndpoints"] = "true";
        return app;
    }

    /// <summary>A device's P-256 public key (uncompressed) and 16-byte secret, base64url, as a browser makes them.</summary>
    internal static (string Key, string Auth) DeviceKeys()
    {
        using var device = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var q = device.ExportParameters(false).Q;
        return (Base64Url.EncodeToString([0x04, .. q.X!, .. q.Y!]), Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)));
    }
}

/// <summary>Push subscriptions the app refuses: nothing is stored (one app for the class; no test here stores).</summary>
public sealed class PushSubscriptionRefusalTests(SharedMarket market) : IClassFixture<SharedMarket>
{
    public static TheoryData<string?, string?, string?> BadSubscriptions()
    {
        var (key, auth) = NotificationDeliveryTests.DeviceKeys();
        return new TheoryData<string?, string?, string?>
        {
            { "http://fcm.googleapis.com/fcm/send/abc", key, auth },
            { "https://169.254.169.254/latest/meta-data", key, auth },
            { "https://127.0.0.1:8080/push", key, auth },
            { "https://evil.example/push", key, auth },
            { "https://fcm.googleapis.com.evil.example/push", key, auth },
            { "https://user:pw@fcm.googleapis.com/fcm/send/abc", key, auth },
            { "file:///etc/passwd", key, auth },
            { "not a url", key, auth },
            { null, key, auth },
            { "https://fcm.googleapis.com/fcm/send/abc", "short", auth },
            { "https://fcm.googleapis.com/fcm/send/abc", key, null },
            { "https://fcm.googleapis.com/fcm/send/abc", key, key },
        };
    }

    [Theory]
    [MemberData(nameof(BadSubscriptions))]
    public async Task PostPushSubscription_EndpointOrKeysNotAllowed_400AndNothingStored(string? endpoint, string? p256dh, string? auth)
    {
        var app = market.App;
        using var client = await ApiClient.ForAsync(app, "anna@demo.energy");

        var response = await client.PostAsJsonAsync("/api/notifications/push-subscriptions", new { endpoint, keys = new { p256dh, auth } });

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        await using var db = app.CreateDb();
        (await db.PushSubscriptions.CountAsync()).ShouldBe(0);
    }
}

/// <summary>Push subscriptions to the browsers' push services are stored for the caller (one app; each its own endpoint).</summary>
public sealed class PushSubscriptionTests(SharedMarket market) : IClassFixture<SharedMarket>
{
    [Theory]
    [InlineData("https://fcm.googleapis.com/fcm/send/abc")]
    [InlineData("https://updates.push.services.mozilla.com/wpush/v2/abc")]
    [InlineData("https://db5p.notify.windows.com/w/?token=abc")]
    [InlineData("https://web.push.apple.com/QGx")]
    public async Task PostPushSubscription_KnownPushService_StoredForTheCaller(string endpoint)
    {
        var app = market.App;
        using var client = await ApiClient.ForAsync(app, "anna@demo.energy");
        var (key, auth) = NotificationDeliveryTests.DeviceKeys();

        var response = await client.PostAsJsonAsync("/api/notifications/push-subscriptions", new { endpoint, keys = new { p256dh = key, auth } });

        response.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var anna = await app.HouseholdAsync("anna@demo.energy");
        await using var db = app.CreateDb();
        var stored = await db.PushSubscriptions.SingleAsync(p => p.Endpoint == endpoint);
        stored.HouseholdId.ShouldBe(anna.Id);
        stored.Endpoint.ShouldBe(endpoint);
    }
}
