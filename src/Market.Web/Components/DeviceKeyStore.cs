using System.Text.Json;
using Microsoft.JSInterop;

namespace Market.Web.Components;

/// <summary>
/// Where a household's device key lives and signs: the browser's key store (wwwroot/js/household-keys.js, a
/// non-extractable WebCrypto key in IndexedDB). Households, keys and statements are hex; each item to sign is a
/// statement type and body the market built (<c>{ type: "statement", statementType, body }</c>).
/// </summary>
public interface IDeviceKeyStore
{
    Task<DeviceKeyInfo?> DeviceKeyAsync(string household);

    Task<DeviceKeyInfo> CreateDeviceKeyAsync(string household);

    Task<IReadOnlyDictionary<string, string>> KnownKeysAsync();

    Task RememberAsync(string keyId, string how);

    Task<string> NewRecoveryCodeAsync();

    /// <summary>
    /// The recovery code this device made for the household and the household has not yet confirmed writing down,
    /// or null. Kept on the device (next to its key) only until then, so leaving the page does not lose it.
    /// </summary>
    Task<string?> PendingRecoveryCodeAsync(string household);

    /// <summary>Keeps <paramref name="code"/> as the household's pending recovery code; null forgets it.</summary>
    Task KeepRecoveryCodeAsync(string household, string? code);

    /// <summary>The recovery key's public key (hex) for the household's code; fails on a malformed code.</summary>
    Task<string> RecoveryPublicKeyAsync(string household, string code);

    /// <summary>Signs the items as one submission with this device's key, or with the recovery key when a code is given.</summary>
    Task<IReadOnlyList<SignedItem>> SignAsync(string ledgerId, string household, IReadOnlyList<object> items, string? recoveryCode = null);

    Task KeepReceiptAsync(string household, JsonElement receipt, object extra);

    Task<IReadOnlyList<JsonElement>> ReceiptsAsync(string household);

    /// <summary>Checks the kept order receipts against their sealed books (see <see cref="ReceiptCheck"/>).</summary>
    Task<IReadOnlyList<ReceiptCheck>> CheckReceiptsAsync(string household);

    /// <summary>Offers a file for download.</summary>
    Task DownloadAsync(string content, string fileName);
}

/// <summary>
/// One kept order receipt against its interval's sealed book: <c>included</c>, <c>waiting</c> (no sealed book yet),
/// <c>missing</c> or <c>changed</c> (then <see cref="Proof"/> is a proof of omission), or <c>unchecked</c>.
/// </summary>
public sealed record ReceiptCheck(string StatementHash, long IntervalStart, long Sequence, string Status, string? Reason, string? Proof);

/// <summary>The browser's key store, through JS interop.</summary>
public sealed class BrowserDeviceKeyStore(IJSRuntime js) : IDeviceKeyStore, IAsyncDisposable
{
    private Task<IJSObjectReference>? _module;

    private Task<IJSObjectReference> Module => _module ??= js.InvokeAsync<IJSObjectReference>("import", "./js/household-keys.js").AsTask();

    public async Task<DeviceKeyInfo?> DeviceKeyAsync(string household) => await (await Module).InvokeAsync<DeviceKeyInfo?>("deviceKey", household);

    public async Task<DeviceKeyInfo> CreateDeviceKeyAsync(string household) => await (await Module).InvokeAsync<DeviceKeyInfo>("createDeviceKey", household);

    public async Task<IReadOnlyDictionary<string, string>> KnownKeysAsync() => await (await Module).InvokeAsync<Dictionary<string, string>>("knownKeys");

    public async Task RememberAsync(string keyId, string how) => await (await Module).InvokeVoidAsync("remember", keyId, how);

    public async Task<string> NewRecoveryCodeAsync() => await (await Module).InvokeAsync<string>("newRecoveryCode");

    public async Task<string?> PendingRecoveryCodeAsync(string household) => await (await Module).InvokeAsync<string?>("pendingRecoveryCode", household);

    public async Task KeepRecoveryCodeAsync(string household, string? code) => await (await Module).InvokeVoidAsync("keepRecoveryCode", household, code);

    public async Task<string> RecoveryPublicKeyAsync(string household, string code) =>
        (await (await Module).InvokeAsync<JsonElement>("recoveryEnrolment", household, code)).GetProperty("publicKey").GetString()!;

    public async Task<IReadOnlyList<SignedItem>> SignAsync(string ledgerId, string household, IReadOnlyList<object> items, string? recoveryCode = null) =>
        recoveryCode is null
            ? await (await Module).InvokeAsync<SignedItem[]>("signStatements", ledgerId, household, items)
            : await (await Module).InvokeAsync<SignedItem[]>("signWithRecoveryCode", ledgerId, household, recoveryCode, items);

    public async Task KeepReceiptAsync(string household, JsonElement receipt, object extra) => await (await Module).InvokeVoidAsync("keepReceipt", household, receipt, extra);

    public async Task<IReadOnlyList<JsonElement>> ReceiptsAsync(string household) => await (await Module).InvokeAsync<JsonElement[]>("receipts", household);

    public async Task<IReadOnlyList<ReceiptCheck>> CheckReceiptsAsync(string household) => await (await Module).InvokeAsync<ReceiptCheck[]>("checkReceipts", household, "");

    public async Task DownloadAsync(string content, string fileName) => await (await Module).InvokeVoidAsync("downloadProof", content, fileName);

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
}
