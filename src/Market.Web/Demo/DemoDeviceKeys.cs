using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Market.Ledger;
using Statement = Market.Ledger.Statement;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Demo;

/// <summary>
/// The agent households are simulated devices: each has a P-256 key of its own, made at first start and kept in the
/// data folder (<c>demo-device-keys.json</c>), enrolled in the ledger as the household's first key, and every order
/// an agent posts is signed with it exactly as a browser signs a person's (one signature per household and batch,
/// docs/adr/0029). The market's own code paths hold these keys only because the demo plays the households.
/// </summary>
#pragma warning disable CA1001 // A singleton: the semaphore lives as long as the app.
public sealed class DemoDeviceKeys(DataFolder folder, HouseholdStatements statements, LedgerIdentity identity, IDbContextFactory<MarketDbContext> dbFactory)
{
    /// <summary>What the demo's simulated devices are called in the household's key list.</summary>
    public const string Label = "Demo device";

    private readonly ConcurrentDictionary<string, ECDsa> _keys = new();
    // Held for the whole app's life (a singleton), like the keys.
#pragma warning disable CA2213
    private readonly SemaphoreSlim _gate = new(1, 1);
#pragma warning restore CA2213
    private bool _loaded;

    private string FilePath => Path.Combine(folder.Path, "demo-device-keys.json");

    /// <summary>Makes (first time) and enrols the key of every agent household that has none yet.</summary>
    public async Task EnsureEnrolledAsync(IEnumerable<Household> households, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(households);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            Load();
            var list = households.ToList();
            var ids = list.Select(h => h.Id).ToList();
            HashSet<long> enrolled;
            await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            {
                enrolled = (await db.HouseholdKeys.AsNoTracking().Where(k => ids.Contains(k.HouseholdId)).Select(k => k.HouseholdId).ToListAsync(cancellationToken)).ToHashSet();
            }

            var changed = false;
            foreach (var household in list.Where(h => !enrolled.Contains(h.Id)))
            {
                var name = Convert.ToHexStringLower(household.Pseudonym);
                if (!_keys.TryGetValue(name, out var key))
                {
                    key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                    _keys[name] = key;
                    changed = true;
                }

                var publicKey = HouseholdKey.Create(HouseholdKeyAlgorithm.P256, PublicKeyOf(key));
                var body = Statement.KeyEnrolmentBody(HouseholdKeyRole.Device, publicKey);
                var ledgerId = await identity.IdAsync(cancellationToken);
                var hash = Statement.Hash(Statement.Encode(ledgerId, PartyId.FromBytes(household.Pseudonym), StatementType.KeyEnrolment, body));
                var signature = Sign(key, publicKey.KeyId, [hash])[0];
                var result = await statements.SubmitAsync(household.Id, [new SignedStatement(StatementType.KeyEnrolment, body, signature, Label)], cancellationToken);
                if (!result.Succeeded)
                {
                    throw new InvalidOperationException($"demo household {household.Name}: its device key was refused: {result.Error}");
                }
            }

            if (changed)
            {
                Save();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Whether the household is one the demo plays (one of its people, or one whose simulated device exists): its
    /// simulated device approves the browsers that sign in as it.
    /// </summary>
    public async Task<bool> SimulatesAsync(Household household, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(household);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            Load();
        }
        finally
        {
            _gate.Release();
        }

        if (_keys.ContainsKey(Convert.ToHexStringLower(household.Pseudonym)))
        {
            return true;
        }

        var emails = DemoSeeder.Community.Select(c => c.Login.Email).ToList();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Users.AnyAsync(u => u.Id == household.UserId && emails.Contains(u.Email!), cancellationToken);
    }

    /// <summary>
    /// Approves the browsers waiting to sign for a demo household, as the household would on its other device (the
    /// demo's simulated one): signs each waiting key's enrolment with the demo device key. Returns how many.
    /// </summary>
    public async Task<int> ApprovePendingAsync(Household household, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(household);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            Load();
        }
        finally
        {
            _gate.Release();
        }

        if (!await SimulatesAsync(household, cancellationToken))
        {
            return 0; // not one of the demo's simulated households: its own devices approve
        }

        await EnsureEnrolledAsync([household], cancellationToken);

        List<DeviceRequestEntity> waiting;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            waiting = await db.DeviceRequests.Where(d => d.HouseholdId == household.Id).ToListAsync(cancellationToken);
            if (waiting.Count == 0)
            {
                return 0;
            }

            db.DeviceRequests.RemoveRange(waiting);
            await db.SaveChangesAsync(cancellationToken);
        }

        var items = waiting.Select(w => (StatementType.KeyEnrolment, Statement.KeyEnrolmentBody(HouseholdKeyRole.Device, HouseholdKey.Create(HouseholdKeyAlgorithm.P256, w.PublicKey)))).ToList();
        var result = await statements.SignAndSubmitAsync(household.Id, For(household), items, cancellationToken);
        return result.Succeeded ? waiting.Count : 0;
    }

    /// <summary>A <see cref="StatementSigner"/> backed by the demo household's device key.</summary>
    public StatementSigner For(Household household) => async items =>
    {
        ArgumentNullException.ThrowIfNull(household);
        await EnsureEnrolledAsync([household]);
        var key = _keys[Convert.ToHexStringLower(household.Pseudonym)];
        var ledgerId = await identity.IdAsync();
        var party = PartyId.FromBytes(household.Pseudonym);
        var hashes = items.Select(i => Statement.Hash(Statement.Encode(ledgerId, party, i.Type, i.Body))).ToList();
        return Sign(key, HouseholdKey.KeyIdOf(HouseholdKeyAlgorithm.P256, PublicKeyOf(key)), hashes);
    };

    /// <summary>Signs one household's orders as one submission (enrolling its key first if needed).</summary>
    public async Task<IReadOnlyList<PlaceOrder>> SignOrdersAsync(Household household, IReadOnlyList<PlaceOrder> orders, MarketClock clock, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(household);
        ArgumentNullException.ThrowIfNull(orders);
        await EnsureEnrolledAsync([household], cancellationToken);
        var signed = await SignAsync(orders.Select(o => new BatchOrder(household.Id, o)).ToList(), new Dictionary<long, Household> { [household.Id] = household }, clock, cancellationToken);
        return signed.Select(b => b.Request).ToList();
    }

    /// <summary>Signs the orders of a batch: one submission per household, each order with a fresh nonce.</summary>
    public async Task<List<BatchOrder>> SignAsync(IReadOnlyList<BatchOrder> batch, IReadOnlyDictionary<long, Household> households, MarketClock clock, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(households);
        ArgumentNullException.ThrowIfNull(clock);
        var ledgerId = await identity.IdAsync(cancellationToken);
        var signed = new BatchOrder[batch.Count];
        foreach (var group in batch.Select((order, index) => (order, index)).GroupBy(x => x.order.HouseholdId))
        {
            var household = households[group.Key];
            if (!_keys.TryGetValue(Convert.ToHexStringLower(household.Pseudonym), out var key))
            {
                throw new InvalidOperationException($"demo household {household.Name} has no device key");
            }

            var party = PartyId.FromBytes(household.Pseudonym);
            var items = group.ToList();
            var nonces = items.Select((x, i) => NonceFor(key, x.order.Request, clock.Now, i)).ToList();
            var hashes = items.Select((x, i) =>
            {
                var r = x.order.Request;
                return Statement.Hash(Statement.Encode(ledgerId, party, StatementType.Order, Statement.OrderBody(r.IntervalStart, clock.Next(r.IntervalStart), r.Side, r.EnergyWh, r.LimitPrice, nonces[i])));
            }).ToList();
            var keyId = HouseholdKey.KeyIdOf(HouseholdKeyAlgorithm.P256, PublicKeyOf(key));
            var signatures = Sign(key, keyId, hashes);
            for (var i = 0; i < items.Count; i++)
            {
                var (order, index) = items[i];
                signed[index] = order with { Request = order.Request with { Nonce = nonces[i], Authorization = new SignedOrder(signatures[i]) } };
            }
        }

        return [.. signed];
    }

    // Deterministic (RFC 6979) so the same device, statements and time always give the same bytes: a simulated
    // device's ledger is reproducible, which the engine-parity test relies on.
    private static HouseholdSignature[] Sign(ECDsa key, byte[] keyId, IReadOnlyList<byte[]> statementHashes)
    {
        var root = HouseholdSignature.SubmissionRoot(statementHashes);
        var digest = SHA256.HashData(HouseholdSignature.SignedMessage(root));
        var signer = new Org.BouncyCastle.Crypto.Signers.ECDsaSigner(new Org.BouncyCastle.Crypto.Signers.HMacDsaKCalculator(new Org.BouncyCastle.Crypto.Digests.Sha256Digest()));
        signer.Init(true, Secrets.GetValue(key, k => new Secret(k.ExportParameters(true).D!, P256)).Parameters);
        var rs = signer.GenerateSignature(digest);
        var signature = new byte[64];
        rs[0].ToByteArrayUnsigned().CopyTo(signature, 32 - rs[0].ToByteArrayUnsigned().Length);
        rs[1].ToByteArrayUnsigned().CopyTo(signature, 64 - rs[1].ToByteArrayUnsigned().Length);
        return HouseholdSignature.ForSubmission(statementHashes, keyId, signature);
    }

    // The private scalar of each device key, read out of OpenSSL once (exporting it per signature was the cost).
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ECDsa, Secret> Secrets = new();

    private sealed class Secret(byte[] d, Org.BouncyCastle.Crypto.Parameters.ECDomainParameters domain)
    {
        public byte[] D { get; } = d;

        public Org.BouncyCastle.Crypto.Parameters.ECPrivateKeyParameters Parameters { get; } = new(new Org.BouncyCastle.Math.BigInteger(1, d), domain);
    }

    private static readonly Org.BouncyCastle.Crypto.Parameters.ECDomainParameters P256 =
        new(Org.BouncyCastle.Asn1.Nist.NistNamedCurves.GetByName("P-256"));

    // A device's nonce for an order: unique per order (fields, time, place in the submission), derived from the key.
    private static byte[] NonceFor(ECDsa key, PlaceOrder order, DateTimeOffset now, int index)
    {
        var message = System.Text.Encoding.ASCII.GetBytes(FormattableString.Invariant($"nonce|{order.IntervalStart}|{(int)order.Side}|{order.EnergyWh}|{order.LimitPrice}|{now.ToUnixTimeMilliseconds()}|{index}"));
        return HMACSHA256.HashData(Secrets.GetValue(key, k => new Secret(k.ExportParameters(true).D!, P256)).D, message)[..16];
    }

    private static byte[] PublicKeyOf(ECDsa key)
    {
        var p = key.ExportParameters(false).Q;
        return [0x04, .. p.X!, .. p.Y!];
    }

    private void Load()
    {
        if (_loaded)
        {
            return;
        }

        _loaded = true;
        if (!File.Exists(FilePath))
        {
            return;
        }

        var stored = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(FilePath)) ?? [];
        foreach (var (pseudonym, pkcs8) in stored)
        {
            var key = ECDsa.Create();
            key.ImportPkcs8PrivateKey(Convert.FromBase64String(pkcs8), out _);
            _keys[pseudonym] = key;
        }
    }

    private void Save()
    {
        var stored = _keys.ToDictionary(k => k.Key, k => Convert.ToBase64String(k.Value.ExportPkcs8PrivateKey()));
        var temporary = FilePath + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(stored));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temporary, FilePath, overwrite: true);
    }
}
#pragma warning restore CA1001
