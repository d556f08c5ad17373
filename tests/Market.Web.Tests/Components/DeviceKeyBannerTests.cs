using Market.Web.Api;
using Market.Web.Components.Shared;

namespace Market.Web.Tests.Components;

/// <summary>Which of the household's keys a device raises the alarm for (docs/adr/0030).</summary>
[Trait("Database", "Independent")]
public sealed class DeviceKeyBannerTests
{
    private static HouseholdKeyDto Key(string id, string enrolledBy, bool revoked = false) =>
        new(id, "P-256", "device", id, "", enrolledBy, DateTimeOffset.UnixEpoch, revoked, 3);

    [Fact]
    public void Unauthorised_KeysFromBeforeThisDeviceAndOnesItApproved_NoAlarm()
    {
        IReadOnlyList<HouseholdKeyDto> keys = [Key("a", "a"), Key("r", "a"), Key("phone", "a"), Key("tablet", "phone")];

        DeviceKeyBanner.Unauthorised(keys, "phone", new Dictionary<string, string>()).ShouldBeEmpty();
    }

    [Fact]
    public void Unauthorised_AKeyAddedAfterThisDeviceByAnotherOne_Alarm()
    {
        // The first device's key (perhaps stolen) enrols a new key after this device joined: this device did not.
        IReadOnlyList<HouseholdKeyDto> keys = [Key("a", "a"), Key("phone", "a"), Key("intruder", "a")];

        DeviceKeyBanner.Unauthorised(keys, "phone", new Dictionary<string, string>()).Select(k => k.KeyId).ShouldBe(["intruder"]);
    }

    [Fact]
    public void Unauthorised_KeyThisDeviceApprovedOrARevokedOne_NoAlarm()
    {
        IReadOnlyList<HouseholdKeyDto> keys = [Key("a", "a"), Key("phone", "a"), Key("tablet", "a"), Key("old", "a", revoked: true)];

        DeviceKeyBanner.Unauthorised(keys, "phone", new Dictionary<string, string> { ["tablet"] = "approved here" }).ShouldBeEmpty();
    }
}
