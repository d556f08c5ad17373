using Market.Ledger;
using Statement = Market.Ledger.Statement;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Components;

/// <summary>One statement as this browser signed it: its hash, an order's nonce, and the signature with its path.</summary>
public sealed record SignedItem(string StatementHash, string? Nonce, SignatureDto Signature);

/// <summary>This browser's key for a household, as the key store reports it (hex).</summary>
public sealed record DeviceKeyInfo(string KeyId, string PublicKey);

/// <summary>
/// The pages' side of the household's device key (docs/adr/0029): the market builds each statement's bytes, the
/// device (<see cref="IDeviceKeyStore"/>: the browser's non-extractable key) signs them as one submission, and the
/// market checks the signature like any other. Signing is part of posting (no extra step for the household).
/// </summary>
public sealed class DeviceSigner(IDeviceKeyStore store, LedgerIdentity identity, MarketClock clock, HouseholdStatements statements, IDbContextFactory<MarketDbContext> dbFactory)
{
    /// <summary>
    /// The page's device-key check (<c>DeviceKeyBanner</c>: the first key made, or this browser approved), when one
    /// runs: signing waits for it, so an order posted at once after sign-in is not refused for a key still being set up.
    /// </summary>
    public Task? Setup { get; set; }

    /// <summary>This browser's key for the household, or null.</summary>
    public Task<DeviceKeyInfo?> DeviceKeyAsync(Household household) => store.DeviceKeyAsync(Hex(Party(household)));

    /// <summary>Makes this browser's key for the household.</summary>
    public Task<DeviceKeyInfo> CreateDeviceKeyAsync(Household household) => store.CreateDeviceKeyAsync(Hex(Party(household)));

    /// <summary>The key ids this browser made or authorised (hex → how).</summary>
    public Task<IReadOnlyDictionary<string, string>> KnownKeysAsync() => store.KnownKeysAsync();

    /// <summary>Remembers a key id as authorised by this browser.</summary>
    public Task RememberAsync(string keyId, string how) => store.RememberAsync(keyId, how);

    /// <summary>A new recovery code (shown once, never stored).</summary>
    public Task<string> NewRecoveryCodeAsync() => store.NewRecoveryCodeAsync();

    /// <summary>The recovery code made on this device that the household has not yet confirmed writing down, or null.</summary>
    public Task<string?> PendingRecoveryCodeAsync(Household household) => store.PendingRecoveryCodeAsync(Hex(Party(household)));

    /// <summary>Keeps (or, with null, forgets) the household's pending recovery code on this device.</summary>
    public Task KeepRecoveryCodeAsync(Household household, string? code) => store.KeepRecoveryCodeAsync(Hex(Party(household)), code);

    /// <summary>The household's recovery key for a code.</summary>
    public async Task<HouseholdKey> RecoveryKeyAsync(Household household, string code) =>
        HouseholdKey.Create(HouseholdKeyAlgorithm.P256, Convert.FromHexString(await store.RecoveryPublicKeyAsync(Hex(Party(household)), code)));

    /// <summary>Signs statements (type and body, built by the market) as one submission with this device's key.</summary>
    /// <remarks>The device-key check itself signs with <paramref name="duringSetup"/> set: it must not wait for itself.</remarks>
    public async Task<IReadOnlyList<HouseholdSignature>> SignAsync(Household household, IReadOnlyList<(StatementType Type, byte[] Body)> items, string? recoveryCode = null, bool duringSetup = false)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (!duringSetup && Setup is { IsCompleted: false } setup)
        {
            await setup.WaitAsync(TimeSpan.FromSeconds(15));
        }

        var ledgerId = Hex(await identity.IdAsync());
        var signed = await store.SignAsync(ledgerId, Hex(Party(household)),
            items.Select(i => (object)new { type = "statement", statementType = (int)i.Type, body = Hex(i.Body) }).ToList(), recoveryCode);
        return signed.Select(s => s.Signature.ToSignature(out var error) ?? throw new InvalidOperationException($"the device answered an unreadable signature: {error}")).ToList();
    }

    /// <summary>A <see cref="StatementSigner"/> backed by this browser's key for the household.</summary>
    public StatementSigner For(Household household) => items => SignAsync(household, items);

    /// <summary>The signer the device-key check uses while it sets the key up.</summary>
    public StatementSigner ForSetup(Household household) => items => SignAsync(household, items, duringSetup: true);

    /// <summary>Signs orders (one submission, each with a fresh nonce) and returns them ready to place.</summary>
    public async Task<IReadOnlyList<PlaceOrder>> SignOrdersAsync(Household household, IReadOnlyList<PlaceOrder> orders)
    {
        ArgumentNullException.ThrowIfNull(orders);
        var nonces = orders.Select(_ => System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)).ToList();
        var items = orders.Select((o, i) => (StatementType.Order, Statement.OrderBody(o.IntervalStart, clock.Next(o.IntervalStart), o.Side, o.EnergyWh, o.LimitPrice, nonces[i]))).ToList();
        var signatures = await SignAsync(household, items);
        return orders.Select((o, i) => o with { Nonce = nonces[i], Authorization = new SignedOrder(signatures[i]) }).ToList();
    }

    /// <summary>Signs one statement of a kind other than an order and submits it; the result names what was refused.</summary>
    public async Task<StatementsResult> SubmitAsync(Household household, StatementType type, byte[] body, string? label = null)
    {
        ArgumentNullException.ThrowIfNull(household);
        var signature = (await SignAsync(household, [(type, body)]))[0];
        var result = await statements.SubmitAsync(household.Id, [new SignedStatement(type, body, signature, label)]);
        await KeepAsync(household, result);
        return result;
    }

    /// <summary>Keeps the receipts of accepted statements in the browser.</summary>
    public async Task KeepAsync(Household household, StatementsResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        foreach (var accepted in result.Accepted)
        {
            await KeepReceiptAsync(household, accepted.Receipt);
        }
    }

    /// <summary>Keeps an acceptance receipt in this browser (the household's own copy).</summary>
    public Task KeepReceiptAsync(Household household, AcceptanceReceipt receipt)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        return store.KeepReceiptAsync(Hex(Party(household)), receipt.ToJsonElement(), new { intervalStart = receipt.IntervalStart, sequence = receipt.Sequence });
    }

    /// <summary>The receipts this browser kept for the household, as JSON.</summary>
    public Task<IReadOnlyList<System.Text.Json.JsonElement>> ReceiptsAsync(Household household) => store.ReceiptsAsync(Hex(Party(household)));

    /// <summary>Checks the receipts this browser kept against the sealed books.</summary>
    public Task<IReadOnlyList<ReceiptCheck>> CheckReceiptsAsync(Household household) => store.CheckReceiptsAsync(Hex(Party(household)));

    /// <summary>Offers a file for download in the browser.</summary>
    public Task DownloadAsync(string content, string fileName) => store.DownloadAsync(content, fileName);

    /// <summary>Asks for this browser's key to be authorised by another device of the household.</summary>
    public async Task RequestApprovalAsync(Household household, DeviceKeyInfo key, string label)
    {
        ArgumentNullException.ThrowIfNull(household);
        ArgumentNullException.ThrowIfNull(key);
        await using var db = await dbFactory.CreateDbContextAsync();
        var keyId = Convert.FromHexString(key.KeyId);
        if (await db.DeviceRequests.AnyAsync(d => d.KeyId == keyId))
        {
            return;
        }

        db.DeviceRequests.Add(new DeviceRequestEntity
        {
            HouseholdId = household.Id,
            KeyId = keyId,
            PublicKey = Convert.FromHexString(key.PublicKey),
            Label = string.IsNullOrWhiteSpace(label) ? "New device" : label.Trim()[..Math.Min(60, label.Trim().Length)],
            CreatedAtMs = clock.Now.ToUnixTimeMilliseconds(),
        });
        await db.SaveChangesAsync();
    }

    private static byte[] Party(Household household)
    {
        ArgumentNullException.ThrowIfNull(household);
        return household.Pseudonym;
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
