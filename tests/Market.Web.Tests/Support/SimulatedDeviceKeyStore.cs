using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Market.Ledger;
using Market.Web.Components;
using Statement = Market.Ledger.Statement;

namespace Market.Web.Tests.Support;

/// <summary>
/// A device's key store in C#, for component tests that have no browser: it holds a P-256 key per household and
/// signs the market-built statements exactly as the browser's store does (one submission, RFC 9162 paths).
/// </summary>
public sealed class SimulatedDeviceKeyStore : IDeviceKeyStore, IDisposable
{
    private readonly ConcurrentDictionary<string, ECDsa> _keys = new();
    private readonly ConcurrentDictionary<string, string> _known = new();

    /// <summary>When set, the device refuses to sign (as a browser without a key would).</summary>
    public bool Refuse { get; set; }

    public Task<DeviceKeyInfo?> DeviceKeyAsync(string household) =>
        Task.FromResult(_keys.TryGetValue(household, out var key) ? Info(key) : null);

    public Task<DeviceKeyInfo> CreateDeviceKeyAsync(string household)
    {
        var key = _keys.GetOrAdd(household, _ => ECDsa.Create(ECCurve.NamedCurves.nistP256));
        var info = Info(key);
        _known[info.KeyId] = "this device";
        return Task.FromResult(info);
    }

    public Task<IReadOnlyDictionary<string, string>> KnownKeysAsync() => Task.FromResult<IReadOnlyDictionary<string, string>>(_known.ToDictionary());

    public Task RememberAsync(string keyId, string how)
    {
        _known[keyId] = how;
        return Task.CompletedTask;
    }

    public Task<string> NewRecoveryCodeAsync() => Task.FromResult("TEST0-RECOV-ERYC0-DE000-00000-0");

    private readonly ConcurrentDictionary<string, string> _pendingCodes = new();

    public Task<string?> PendingRecoveryCodeAsync(string household) => Task.FromResult(_pendingCodes.TryGetValue(household, out var code) ? code : null);

    public Task KeepRecoveryCodeAsync(string household, string? code)
    {
        if (code is null)
        {
            _pendingCodes.TryRemove(household, out _);
        }
        else
        {
            _pendingCodes[household] = code;
        }

        return Task.CompletedTask;
    }

    public Task<string> RecoveryPublicKeyAsync(string household, string code) => Task.FromResult(Info(Recovery(household, code)).PublicKey);

    public Task<IReadOnlyList<SignedItem>> SignAsync(string ledgerId, string household, IReadOnlyList<object> items, string? recoveryCode = null)
    {
        if (Refuse || (recoveryCode is null && !_keys.ContainsKey(household)))
        {
            throw new Microsoft.JSInterop.JSException("This device has no key for the household yet.");
        }

        var key = recoveryCode is null ? _keys[household] : Recovery(household, recoveryCode);
        var party = PartyId.FromBytes(Convert.FromHexString(household));
        var hashes = items.Select(item =>
        {
            var json = JsonSerializer.SerializeToElement(item);
            var type = (StatementType)json.GetProperty("statementType").GetInt32();
            return Statement.Hash(Statement.Encode(Convert.FromHexString(ledgerId), party, type, Convert.FromHexString(json.GetProperty("body").GetString()!)));
        }).ToList();
        var info = Info(key);
        var root = HouseholdSignature.SubmissionRoot(hashes);
        var value = key.SignData(HouseholdSignature.SignedMessage(root), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var signatures = HouseholdSignature.ForSubmission(hashes, Convert.FromHexString(info.KeyId), value);
        IReadOnlyList<SignedItem> signed = signatures.Select((s, i) => new SignedItem(
            Convert.ToHexStringLower(hashes[i]),
            null,
            new Market.Web.Api.SignatureDto(info.KeyId, Convert.ToHexStringLower(s.Signature), s.SubmissionSize, s.Index, s.Path.Select(Convert.ToHexStringLower).ToList()))).ToList();
        return Task.FromResult(signed);
    }

    public List<JsonElement> Receipts { get; } = [];

    public Task KeepReceiptAsync(string household, JsonElement receipt, object extra)
    {
        Receipts.Add(receipt);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<JsonElement>> ReceiptsAsync(string household) => Task.FromResult<IReadOnlyList<JsonElement>>(Receipts);

    public Task<IReadOnlyList<ReceiptCheck>> CheckReceiptsAsync(string household) => Task.FromResult<IReadOnlyList<ReceiptCheck>>([]);

    public Task DownloadAsync(string content, string fileName) => Task.CompletedTask;

    public void Dispose()
    {
        foreach (var key in _keys.Values)
        {
            key.Dispose();
        }
    }

    private readonly ConcurrentDictionary<string, ECDsa> _recovery = new();

    private ECDsa Recovery(string household, string code) => _recovery.GetOrAdd(household + "|" + code, _ => ECDsa.Create(ECCurve.NamedCurves.nistP256));

    private static DeviceKeyInfo Info(ECDsa key)
    {
        var q = key.ExportParameters(false).Q;
        byte[] publicKey = [0x04, .. q.X!, .. q.Y!];
        return new DeviceKeyInfo(Convert.ToHexStringLower(HouseholdKey.KeyIdOf(HouseholdKeyAlgorithm.P256, publicKey)), Convert.ToHexStringLower(publicKey));
    }
}
