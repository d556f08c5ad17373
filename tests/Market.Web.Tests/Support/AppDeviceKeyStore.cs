using System.Text.Json;
using Bunit;
using Market.Ledger;
using Market.Web.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Market.Web.Tests.Support;

/// <summary>
/// For component tests over a whole app: the household's device is the app's simulated one
/// (<see cref="DemoDeviceKeys"/>), so what a page signs is checked against the key the household already has.
/// </summary>
public sealed class AppDeviceKeyStore(MarketFactory app) : IDeviceKeyStore
{
    public async Task<DeviceKeyInfo?> DeviceKeyAsync(string household)
    {
        await using var db = app.CreateDb();
        var pseudonym = Convert.FromHexString(household);
        var key = await db.HouseholdKeys.AsNoTracking().Where(k => k.Label == DemoDeviceKeys.Label)
            .Join(db.Households.Where(h => h.Pseudonym == pseudonym), k => k.HouseholdId, h => h.Id, (k, _) => k).FirstOrDefaultAsync();
        return key is null ? null : new DeviceKeyInfo(Convert.ToHexStringLower(key.KeyId), Convert.ToHexStringLower(key.PublicKey));
    }

    public Task<DeviceKeyInfo> CreateDeviceKeyAsync(string household) => throw new NotSupportedException("the app's simulated device already has its key");

    public Task<IReadOnlyDictionary<string, string>> KnownKeysAsync() => Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>());

    public Task RememberAsync(string keyId, string how) => Task.CompletedTask;

    public Task<string> NewRecoveryCodeAsync() => throw new NotSupportedException();

    public Task<string?> PendingRecoveryCodeAsync(string household) => Task.FromResult<string?>(null);

    public Task KeepRecoveryCodeAsync(string household, string? code) => throw new NotSupportedException();

    public Task<string> RecoveryPublicKeyAsync(string household, string code) => throw new NotSupportedException();

    public async Task<IReadOnlyList<SignedItem>> SignAsync(string ledgerId, string household, IReadOnlyList<object> items, string? recoveryCode = null)
    {
        Household owner;
        await using (var db = app.CreateDb())
        {
            var pseudonym = Convert.FromHexString(household);
            owner = await db.Households.AsNoTracking().SingleAsync(h => h.Pseudonym == pseudonym);
        }

        var statements = items.Select(item =>
        {
            var json = JsonSerializer.SerializeToElement(item);
            return ((StatementType)json.GetProperty("statementType").GetInt32(), Convert.FromHexString(json.GetProperty("body").GetString()!));
        }).ToList();
        var signatures = await app.Get<DemoDeviceKeys>().For(owner)(statements);
        return signatures.Select(s => new SignedItem("", null, new Market.Web.Api.SignatureDto(
            Convert.ToHexStringLower(s.KeyId), Convert.ToHexStringLower(s.Signature), s.SubmissionSize, s.Index, s.Path.Select(Convert.ToHexStringLower).ToList()))).ToList();
    }

    public Task KeepReceiptAsync(string household, JsonElement receipt, object extra) => Task.CompletedTask;

    public Task<IReadOnlyList<JsonElement>> ReceiptsAsync(string household) => Task.FromResult<IReadOnlyList<JsonElement>>([]);

    public Task<IReadOnlyList<ReceiptCheck>> CheckReceiptsAsync(string household) => Task.FromResult<IReadOnlyList<ReceiptCheck>>([]);

    public Task DownloadAsync(string content, string fileName) => Task.CompletedTask;
}

/// <summary>Registers what the pages sign with, backed by the app's simulated devices.</summary>
public static class AppDeviceSigning
{
    public static void AddDeviceSigning(this BunitContext context, MarketFactory app)
    {
        context.Services.AddSingleton<IDeviceKeyStore>(new AppDeviceKeyStore(app));
        context.Services.AddSingleton(app.Get<LedgerIdentity>());
        context.Services.AddSingleton(app.Get<HouseholdStatements>());
        context.Services.AddSingleton(app.Get<ReceiptIssuer>());
        context.Services.AddSingleton(app.Get<IDbContextFactory<MarketDbContext>>());
        context.Services.AddScoped<DeviceSigner>();
    }
}
