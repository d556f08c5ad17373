using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Market.Web.Notifications;
using Market.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Tests.Notifications;

/// <summary>The notifications API answers each household with its own notifications and devices only.</summary>
public sealed class NotificationApiTests
{
    [Fact]
    public async Task GetNotifications_EachHouseholdsToken_OnlyItsOwnWithIntegerAmounts()
    {
        await using var app = new MarketFactory();
        _ = app.Server;
        await app.TradeAndClearAsync();
        await app.Get<NotificationGenerator>().GenerateDueAsync();
        using var anna = await ApiClient.ForAsync(app, "anna@demo.energy");
        using var ben = await ApiClient.ForAsync(app, "ben@demo.energy");

        var annas = await anna.GetFromJsonAsync<JsonElement>("/api/notifications");
        var bens = await ben.GetFromJsonAsync<JsonElement>("/api/notifications");

        annas.GetProperty("total").GetInt32().ShouldBe(1);
        bens.GetProperty("total").GetInt32().ShouldBe(1);
        var annasItem = annas.GetProperty("items")[0];
        var bensItem = bens.GetProperty("items")[0];
        annasItem.GetProperty("text").GetString().ShouldStartWith("Your offer for");
        bensItem.GetProperty("text").GetString().ShouldStartWith("Your bid for");
        annasItem.GetProperty("id").GetInt64().ShouldNotBe(bensItem.GetProperty("id").GetInt64());
        annasItem.GetProperty("energyWh").GetInt64().ShouldBe(1000);
        annasItem.GetProperty("kind").GetString().ShouldBe("Filled");
    }

    [Fact]
    public async Task DeletePushSubscription_AnotherHouseholdsDevice_404AndTheDeviceKept()
    {
        await using var app = new MarketFactory();
        _ = app.Server;
        var anna = await app.HouseholdAsync("anna@demo.energy");
        const string endpoint = "https://fcm.googleapis.com/fcm/send/annas-phone";
        using var device = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var q = device.ExportParameters(false).Q;
        (await app.Get<NotificationService>().SubscribeAsync(anna.Id, endpoint, Base64Url.EncodeToString([0x04, .. q.X!, .. q.Y!]), Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)))).ShouldBeNull();
        using var ben = await ApiClient.ForAsync(app, "ben@demo.energy");

        var response = await ben.DeleteAsync(new Uri("/api/notifications/push-subscriptions?endpoint=" + Uri.EscapeDataString(endpoint), UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        await using var db = app.CreateDb();
        (await db.PushSubscriptions.SingleAsync()).HouseholdId.ShouldBe(anna.Id);
    }
}
