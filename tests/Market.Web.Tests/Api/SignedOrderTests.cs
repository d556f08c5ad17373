using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Market.Ledger;
using Market.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Tests.Api;

/// <summary>
/// No order enters the market unless its household signed it (docs/ledger-format.md §3.1): what an API client or a
/// dishonest operator could try, and what each gets.
/// </summary>
public sealed class SignedOrderTests : IAsyncLifetime
{
    private readonly MarketFactory _app = new();
    private long _interval;

    public Task InitializeAsync()
    {
        _ = _app.Server;
        _interval = _app.Get<MarketClock>().FirstOpenInterval();
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => _app.DisposeAsync().AsTask();

    [Fact]
    public async Task PostOrder_Unsigned_422NamingTheSignatureAndNothingStored()
    {
        using var anna = await ApiClient.ForAsync(_app, "anna@demo.energy");

        var response = await anna.PostOrderAsync(ApiClient.Order("sell", 1000, 1200, _interval), sign: false);

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("signature", out _).ShouldBeTrue();
        (await ApiClient.OrderCountAsync(_app)).ShouldBe(0);
    }

    [Fact]
    public async Task PostOrder_SignedButAnotherEnergy_422AndNothingStored()
    {
        using var anna = await ApiClient.ForAsync(_app, "anna@demo.energy");
        var signed = JsonSerializer.SerializeToElement(await SignedOrders.SignBodyAsync(anna, ApiClient.Order("sell", 1000, 1200, _interval)), Market.Web.Api.ApiInput.Json);
        var changed = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(signed.GetRawText())!;
        changed["energyWh"] = JsonSerializer.SerializeToElement(1500);

        var response = await anna.PostOrderAsync(changed, sign: false);

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!.ShouldContain("does not match");
        (await ApiClient.OrderCountAsync(_app)).ShouldBe(0);
    }

    [Fact]
    public async Task PostOrder_SignedWithAnotherHouseholdsKey_422()
    {
        using var anna = await ApiClient.ForAsync(_app, "anna@demo.energy");
        using var ben = await ApiClient.ForAsync(_app, "ben@demo.energy");
        // Ben's device signs an order; Anna's token sends it as hers.
        var bens = await SignedOrders.SignBodyAsync(ben, ApiClient.Order("sell", 1000, 1200, _interval));

        var response = await anna.PostOrderAsync(bens, sign: false);

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await ApiClient.OrderCountAsync(_app)).ShouldBe(0);
    }

    [Fact]
    public async Task PostOrder_Signed_201WithAReceiptThatVerifiesAndNamesTheStatement()
    {
        using var anna = await ApiClient.ForAsync(_app, "anna@demo.energy");

        var response = await anna.PostOrderAsync(ApiClient.Order("sell", 1000, 1200, _interval));

        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        var receipt = AcceptanceReceipt.FromJson(json.GetProperty("receipt").GetRawText());
        receipt.Verify([_app.Get<LedgerWriter>().Key.KeyId]).ShouldBeNull();
        receipt.Sequence.ShouldBe(json.GetProperty("id").GetInt64());
        receipt.IntervalStart.ShouldBe(_interval);
        await using var db = _app.CreateDb();
        receipt.StatementHash().ShouldBe((await db.Orders.SingleAsync()).StatementHash);
    }

    [Fact]
    public async Task PostOrder_ByARevokedKey_422AndItsOpenOrdersWereCancelled()
    {
        using var anna = await ApiClient.ForAsync(_app, "anna@demo.energy");
        (await anna.PostOrderAsync(ApiClient.Order("sell", 1000, 1200, _interval))).StatusCode.ShouldBe(HttpStatusCode.Created);
        var household = await _app.HouseholdAsync("anna@demo.energy");
        byte[] keyId;
        await using (var db = _app.CreateDb())
        {
            keyId = (await db.HouseholdKeys.SingleAsync(k => k.HouseholdId == household.Id)).KeyId;
        }

        // The key revokes itself (a lost device's key, revoked by the household).
        var revoked = await _app.Get<HouseholdStatements>().SignAndSubmitAsync(household.Id, _app.SignerFor(household), [(StatementType.KeyRevocation, keyId)]);
        revoked.Succeeded.ShouldBeTrue(revoked.Error);
        _app.Get<HouseholdKeyRing>().Forget(household.Id);

        var response = await anna.PostOrderAsync(ApiClient.Order("sell", 900, 1200, _interval));

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!.ShouldContain("revoked");
        await using var check = _app.CreateDb();
        (await check.Orders.SingleAsync()).Status.ShouldBe(OrderStatus.Cancelled);
    }

    [Fact]
    public async Task Enrolment_SelfSignedSecondFirstKey_RefusedAndNothingStored()
    {
        var anna = await _app.HouseholdAsync("anna@demo.energy");
        await _app.Get<DemoDeviceKeys>().EnsureEnrolledAsync([anna]);
        using var other = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var q = other.ExportParameters(false).Q;
        var key = HouseholdKey.Create(HouseholdKeyAlgorithm.P256, [0x04, .. q.X!, .. q.Y!]);
        var body = Market.Ledger.Statement.KeyEnrolmentBody(HouseholdKeyRole.Device, key);
        var ledgerId = await _app.Get<LedgerIdentity>().IdAsync();
        var hash = Market.Ledger.Statement.Hash(Market.Ledger.Statement.Encode(ledgerId, PartyId.FromBytes(anna.Pseudonym), StatementType.KeyEnrolment, body));
        var root = HouseholdSignature.SubmissionRoot([hash]);
        var value = other.SignData(HouseholdSignature.SignedMessage(root), System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var before = await CountKeysAsync();

        // What an operator with the database could try: a "first key" of its own for a household that has one.
        var result = await _app.Get<HouseholdStatements>().SubmitAsync(anna.Id, [new SignedStatement(StatementType.KeyEnrolment, body, HouseholdSignature.ForSubmission([hash], key.KeyId, value)[0])]);

        result.Succeeded.ShouldBeFalse();
        result.Field.ShouldBe("signature");
        (await CountKeysAsync()).ShouldBe(before);
    }

    private async Task<int> CountKeysAsync()
    {
        await using var db = _app.CreateDb();
        return await db.HouseholdKeys.CountAsync();
    }
}
