using System.Collections.Concurrent;
using Market.Ledger;
using Statement = Market.Ledger.Statement;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Trading;

/// <summary>What an order's authorisation came to: the refusal, or the statement hash and the encoded tail to store.</summary>
public sealed record AuthorizedOrder(OrderResult? Rejection, byte[] Nonce, byte[] StatementHash, byte[] Authorization)
{
    /// <summary>The statement's bytes (what its acceptance receipt names); empty for a refusal.</summary>
    public byte[] Statement { get; init; } = [];

    /// <summary>Not checked yet.</summary>
    public static readonly AuthorizedOrder None = new(null, [], [], []);

    public static AuthorizedOrder Refuse(string field, string error) => new(OrderResult.Reject(field, error), [], [], []);
}

/// <summary>Stores what an order's check produced on the order.</summary>
public static class AuthorizedOrderExtensions
{
    /// <summary>Sets the nonce, authorisation and statement hash; returns the order.</summary>
    public static OrderEntity With(this OrderEntity order, AuthorizedOrder authorized)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(authorized);
        order.Nonce = authorized.Nonce;
        order.Authorization = authorized.Authorization;
        order.StatementHash = authorized.StatementHash;
        return order;
    }
}

/// <summary>
/// Checks an order's household signature or mandate at intake (docs/ledger-format.md §3.1, §8): the key must be the
/// household's and not revoked, the signature must cover exactly this order's statement, and a mandate order must lie
/// within its mandate. Keys are cached per household for 30 s, like tokens and households (a revocation on this node clears it at once);
/// the clearing drops an order whose key or mandate was revoked before its book, whatever a node's cache said.
/// </summary>
public sealed class HouseholdKeyRing(IDbContextFactory<MarketDbContext> dbFactory, LedgerIdentity identity, MarketClock clock)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<long, Entry> _entries = new();

    /// <summary>Drops the cached keys of a household (after it enrolled or revoked one).</summary>
    public void Forget(long householdId) => _entries.TryRemove(householdId, out _);

    /// <summary>The ledger's view of a stored key.</summary>
    public static HouseholdKey ToKey(HouseholdKeyEntity row) =>
        HouseholdKey.TryCreate((HouseholdKeyAlgorithm)row.Algorithm, row.PublicKey, out var key, out var error)
            ? key!
            : throw new InvalidOperationException($"stored household key {row.Id} is invalid: {error}");

    /// <summary>Checks the authorisation of <paramref name="request"/> for <paramref name="household"/>.</summary>
    public async Task<AuthorizedOrder> AuthorizeAsync(Household household, PlaceOrder request, CancellationToken cancellationToken = default)
    {
        if (request.Authorization is null)
        {
            return AuthorizedOrder.Refuse("signature", "An order must be signed by one of the household's keys, or made under one of its mandates.");
        }

        if (request.Nonce is not { Length: 16 } nonce)
        {
            return AuthorizedOrder.Refuse("nonce", "A signed order needs a 16-byte nonce.");
        }

        var ledgerId = await identity.IdAsync(cancellationToken);
        var statement = Statement.Encode(
            ledgerId,
            PartyId.FromBytes(household.Pseudonym),
            StatementType.Order,
            Statement.OrderBody(request.IntervalStart, clock.Next(request.IntervalStart), request.Side, request.EnergyWh, request.LimitPrice, nonce));
        var hash = Statement.Hash(statement);
        var entry = await EntryAsync(household.Id, cancellationToken);
        switch (request.Authorization)
        {
            case SignedOrder(var signature):
            {
                if (!entry.Keys.TryGetValue(Convert.ToHexString(signature.KeyId), out var key))
                {
                    return AuthorizedOrder.Refuse("signature", "The order is not signed by one of the household's keys.");
                }

                if (key.Revoked)
                {
                    return AuthorizedOrder.Refuse("signature", "The key that signed the order was revoked.");
                }

                if (!Verified(key.Key, signature, hash))
                {
                    return AuthorizedOrder.Refuse("signature", "The signature does not match the order (side, energy, price, interval and nonce).");
                }

                return new AuthorizedOrder(null, nonce, hash, OrderAuthorizations.Encode(request.Authorization)) { Statement = statement };
            }

            case MandateOrder(var mandateId):
            {
                if (!entry.Mandates.TryGetValue(Convert.ToHexString(mandateId), out var mandate) || mandate.Revoked)
                {
                    return AuthorizedOrder.Refuse("mandate", "The household has no such mandate in force.");
                }

                if (mandate.Terms.Refuses(request.IntervalStart, request.Side, request.LimitPrice) is { } why)
                {
                    return AuthorizedOrder.Refuse("mandate", $"Outside the household's mandate: {why}");
                }

                await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
                var used = await db.Orders.AsNoTracking()
                    .Where(o => o.HouseholdId == household.Id && o.IntervalStart == request.IntervalStart && o.Status != OrderStatus.Cancelled)
                    .Select(o => new { o.Authorization, o.EnergyWh })
                    .ToListAsync(cancellationToken);
                var sum = used.Where(o => o.Authorization.Length == MandateOrder.Size && o.Authorization.AsSpan(1).SequenceEqual(mandateId)).Sum(o => o.EnergyWh);
                if (sum + request.EnergyWh > mandate.Terms.MaxEnergyWh)
                {
                    return AuthorizedOrder.Refuse("mandate", $"Outside the household's mandate: at most {mandate.Terms.MaxEnergyWh} Wh per interval.");
                }

                return new AuthorizedOrder(null, nonce, hash, OrderAuthorizations.Encode(request.Authorization)) { Statement = statement };
            }

            default:
                return AuthorizedOrder.Refuse("signature", "Unknown authorisation.");
        }
    }

    // A submission's orders arrive one by one with the same signature: each is checked against the root its path
    // gives, and the signature over that root only once (bounded; cleared when full).
    private readonly ConcurrentDictionary<string, bool> _verified = new(StringComparer.Ordinal);

    private bool Verified(HouseholdKey key, HouseholdSignature signature, byte[] statementHash)
    {
        if (signature.RootFor(statementHash) is not { } root)
        {
            return false;
        }

        var cacheKey = Convert.ToHexString(key.KeyId) + Convert.ToHexString(root) + Convert.ToHexString(signature.Signature);
        if (_verified.ContainsKey(cacheKey))
        {
            return true;
        }

        if (!key.Verify(HouseholdSignature.SignedMessage(root), signature.Signature))
        {
            return false;
        }

        if (_verified.Count > 50_000)
        {
            _verified.Clear();
        }

        _verified[cacheKey] = true;
        return true;
    }

    private async Task<Entry> EntryAsync(long householdId, CancellationToken cancellationToken)
    {
        var now = clock.Now;
        if (_entries.TryGetValue(householdId, out var cached) && now - cached.LoadedAt < Lifetime)
        {
            return cached;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var keys = await db.HouseholdKeys.AsNoTracking().Where(k => k.HouseholdId == householdId).ToListAsync(cancellationToken);
        var mandates = await db.Mandates.AsNoTracking().Where(m => m.HouseholdId == householdId).ToListAsync(cancellationToken);
        var entry = new Entry(
            keys.ToDictionary(k => Convert.ToHexString(k.KeyId), k => new KnownKey(ToKey(k), k.RevocationRecordId is not null)),
            mandates.ToDictionary(
                m => Convert.ToHexString(m.MandateId),
                m => new KnownMandate(MandateTerms.TryDecodeBody(m.Terms, out var terms, out _) ? terms! : throw new InvalidOperationException($"stored mandate {m.Id} is invalid"), m.RevocationRecordId is not null)),
            now);
        _entries[householdId] = entry;
        return entry;
    }

    private sealed record KnownKey(HouseholdKey Key, bool Revoked);

    private sealed record KnownMandate(MandateTerms Terms, bool Revoked);

    private sealed record Entry(Dictionary<string, KnownKey> Keys, Dictionary<string, KnownMandate> Mandates, DateTimeOffset LoadedAt);
}
