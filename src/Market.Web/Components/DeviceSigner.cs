using Market.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.JSInterop;

namespace Market.Web.Components;

/// <summary>One statement as this browser signed it: its hash, an order's nonce, and the signature with its path.</summary>
public sealed record SignedItem(string StatementHash, string? Nonce, SignatureDto Signature);

/// <summary>This browser's key for a household, as the key store reports it (hex).</summary>
public sealed record DeviceKeyInfo(string KeyId, string PublicKey);

/// <summary>
/// The pages' side of the household's device key (wwwroot/js/household-keys.js, docs/adr/0029): the browser builds
/// and signs the statements with its non-extractable key, the market checks them like any other. Signing is part of
/// posting (no extra step); what the browser signs is built from the same fields the market then checks, so a
/// signature over anything else is refused.
/// </summary>
public sealed class DeviceSigner(IJSRuntime js, LedgerIdentity identity, MarketClock clock, HouseholdStatements statements, IDbContextFactory<MarketDbContext> dbFactory) : IAsyncDisposable
{
    private Task<IJSObjectReference>? _module;

    private Task<IJSObjectReference> Module => _module ??= js.InvokeAsync<IJSObjectReference>("import", "./js/household-keys.js").AsTask();

    /// <summary>This browser's key for the household, or null.</summary>
    public async Task<DeviceKeyInfo?> DeviceKeyAsync(Household household)
    {
        ArgumentNullException.ThrowIfNull(household);
        return await (await Module).InvokeAsync<DeviceKeyInfo?>("deviceKey", Hex(household.Pseudonym));
    }

    /// <summary>Makes this browser's key for the household.</summary>
    public async Task<DeviceKeyInfo> CreateDeviceKeyAsync(Household household)
    {
        ArgumentNullException.ThrowIfNull(household);
        return await (await Module).InvokeAsync<DeviceKeyInfo>("createDeviceKey", Hex(household.Pseudonym));
    }

    /// <summary>The key ids this browser made or authorised (hex → how).</summary>
    public async Task<IReadOnlyDictionary<string, string>> KnownKeysAsync() =>
        await (await Module).InvokeAsync<Dictionary<string, string>>("knownKeys");

    /// <summary>Remembers a key id as authorised by this browser.</summary>
    public async Task RememberAsync(string keyId, string how) => await (await Module).InvokeVoidAsync("remember", keyId, how);

    /// <summary>A new recovery code (shown once, never stored).</summary>
    public async Task<string> NewRecoveryCodeAsync() => await (await Module).InvokeAsync<string>("newRecoveryCode");

    /// <summary>Signs the statements as one submission with this browser's key.</summary>
    public async Task<IReadOnlyList<SignedItem>> SignAsync(Household household, IReadOnlyList<object> items)
    {
        ArgumentNullException.ThrowIfNull(household);
        var ledgerId = Hex(await identity.IdAsync());
        return await (await Module).InvokeAsync<SignedItem[]>("signStatements", ledgerId, Hex(household.Pseudonym), items);
    }

    /// <summary>Signs with the key derived from the household's recovery code.</summary>
    public async Task<IReadOnlyList<SignedItem>> SignWithRecoveryCodeAsync(Household household, string code, IReadOnlyList<object> items)
    {
        ArgumentNullException.ThrowIfNull(household);
        var ledgerId = Hex(await identity.IdAsync());
        return await (await Module).InvokeAsync<SignedItem[]>("signWithRecoveryCode", ledgerId, Hex(household.Pseudonym), code, items);
    }

    /// <summary>The recovery key's enrolment item for this household's code.</summary>
    public async Task<object> RecoveryEnrolmentAsync(Household household, string code)
    {
        ArgumentNullException.ThrowIfNull(household);
        return await (await Module).InvokeAsync<System.Text.Json.JsonElement>("recoveryEnrolment", Hex(household.Pseudonym), code);
    }

    /// <summary>A <see cref="StatementSigner"/> backed by this browser's key for the household.</summary>
    public StatementSigner For(Household household) => async items =>
    {
        var signed = await SignAsync(household, items.Select(i => (object)new { type = "statement", statementType = (int)i.Type, body = Convert.ToHexStringLower(i.Body) }).ToList());
        return signed.Select(s => s.Signature.ToSignature(out _)!).ToList();
    };

    /// <summary>Signs orders (one submission) and returns them ready to place.</summary>
    public async Task<IReadOnlyList<PlaceOrder>> SignOrdersAsync(Household household, IReadOnlyList<PlaceOrder> orders)
    {
        ArgumentNullException.ThrowIfNull(orders);
        var items = orders.Select(o => (object)new
        {
            type = "order",
            intervalStart = o.IntervalStart,
            intervalEnd = clock.Next(o.IntervalStart),
            side = o.Side == OrderSide.Buy ? "buy" : "sell",
            energy = o.EnergyWh,
            limitPrice = o.LimitPrice,
        }).ToList();
        var signed = await SignAsync(household, items);
        return orders.Select((o, i) => o with
        {
            Nonce = Convert.FromHexString(signed[i].Nonce!),
            Authorization = new SignedOrder(signed[i].Signature.ToSignature(out _)!),
        }).ToList();
    }

    /// <summary>Signs one statement of a kind other than an order and submits it; the result names what was refused.</summary>
    public async Task<StatementsResult> SubmitAsync(Household household, object item, StatementType type, byte[] body, string? label = null)
    {
        ArgumentNullException.ThrowIfNull(household);
        var signed = await SignAsync(household, [item]);
        var result = await statements.SubmitAsync(household.Id, [new SignedStatement(type, body, signed[0].Signature.ToSignature(out _)!, label)]);
        await KeepAsync(household, result);
        return result;
    }

    /// <summary>Keeps the receipts of accepted statements in the browser.</summary>
    public async Task KeepAsync(Household household, StatementsResult result)
    {
        ArgumentNullException.ThrowIfNull(household);
        ArgumentNullException.ThrowIfNull(result);
        foreach (var accepted in result.Accepted)
        {
            await KeepReceiptAsync(household, accepted.Receipt);
        }
    }

    /// <summary>Keeps an acceptance receipt in this browser (the household's own copy).</summary>
    public async Task KeepReceiptAsync(Household household, AcceptanceReceipt receipt)
    {
        ArgumentNullException.ThrowIfNull(household);
        ArgumentNullException.ThrowIfNull(receipt);
        await (await Module).InvokeVoidAsync("keepReceipt", Hex(household.Pseudonym), receipt.ToJsonElement(), new { intervalStart = receipt.IntervalStart, sequence = receipt.Sequence });
    }

    /// <summary>The receipts this browser kept for the household, as JSON.</summary>
    public async Task<IReadOnlyList<System.Text.Json.JsonElement>> ReceiptsAsync(Household household)
    {
        ArgumentNullException.ThrowIfNull(household);
        return await (await Module).InvokeAsync<System.Text.Json.JsonElement[]>("receipts", Hex(household.Pseudonym));
    }

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

    public async ValueTask DisposeAsync()
    {
        if (_module is { IsCompletedSuccessfully: true } loaded)
        {
            try
            {
                await loaded.Result.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
                // The circuit is gone; so is the module.
            }
        }
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
