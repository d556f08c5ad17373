using System.Numerics;
using System.Security.Cryptography;
using Market.Ledger;
using Statement = Market.Ledger.Statement;

namespace Market.Web.Trading;

/// <summary>
/// Signs acceptance receipts with the operator's current ledger key (docs/ledger-format.md §11.1): the household's
/// proof that the market took its signed order at this sequence, for this interval, at this time. One is signed for
/// every accepted order, so it goes through OpenSSL's secp256k1 (.NET's <see cref="ECDsa"/>, a fraction of the
/// ledger's BouncyCastle signer's time), normalised to low S as §3 requires; its nonce is random, so a receipt asked
/// for twice carries another (equally valid) signature over the same bytes.
/// </summary>
public sealed class ReceiptIssuer(LedgerIdentity identity, LedgerWriter ledger, MarketClock clock) : IDisposable
{
    private static readonly BigInteger Order = BigInteger.Parse("115792089237316195423570985008687907852837564279074904382605163141518161494337", System.Globalization.CultureInfo.InvariantCulture);
    private readonly Lock _lock = new();
    private (byte[] KeyId, ECDsa Signer)? _signer;

    /// <summary>The receipt of a signed order; null for an unsigned one.</summary>
    public async Task<AcceptanceReceipt?> ForOrderAsync(Household household, OrderEntity order, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(household);
        ArgumentNullException.ThrowIfNull(order);
        if (order.StatementHash.Length == 0)
        {
            return null;
        }

        var ledgerId = await identity.IdAsync(cancellationToken);
        var statement = Statement.Encode(
            ledgerId,
            PartyId.FromBytes(household.Pseudonym),
            StatementType.Order,
            Statement.OrderBody(order.IntervalStart, clock.Next(order.IntervalStart), order.Side, order.EnergyWh, order.LimitPrice, order.Nonce));
        var key = ledger.Key;
        var unsigned = new AcceptanceReceipt
        {
            Statement = statement,
            Sequence = order.Id,
            Type = StatementType.Order,
            IntervalStart = order.IntervalStart,
            AcceptedAtUnixMs = order.CreatedAtMs,
            KeyId = key.KeyId,
            PublicKey = key.PublicKey,
            Signature = [],
        };
        var signature = Sign(key, SHA256.HashData(unsigned.SignedBytes()));
        return new AcceptanceReceipt
        {
            Statement = unsigned.Statement,
            Sequence = unsigned.Sequence,
            Type = unsigned.Type,
            IntervalStart = unsigned.IntervalStart,
            AcceptedAtUnixMs = unsigned.AcceptedAtUnixMs,
            KeyId = unsigned.KeyId,
            PublicKey = unsigned.PublicKey,
            Signature = signature,
        };
    }

    private byte[] Sign(SigningKey key, byte[] digest)
    {
        ECDsa signer;
        lock (_lock)
        {
            if (_signer is not { } current || !current.KeyId.AsSpan().SequenceEqual(key.KeyId))
            {
                _signer?.Signer.Dispose();
                _signer = (key.KeyId, ECDsa.Create(new ECParameters { Curve = ECCurve.CreateFromFriendlyName("secP256k1"), D = key.PrivateKey }));
            }

            signer = _signer.Value.Signer;
        }

        byte[] signature;
        lock (signer)
        {
            signature = signer.SignHash(digest, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }

        var s = new BigInteger(signature.AsSpan(32), isUnsigned: true, isBigEndian: true);
        if (s > Order / 2)
        {
            // Low S, as every signature of the ledger: (r, n − s) is the same signature's other form.
            (Order - s).TryWriteBytes(signature.AsSpan(32), out var written, isUnsigned: true, isBigEndian: true);
            if (written < 32)
            {
                var value = signature[32..(32 + written)];
                Array.Clear(signature, 32, 32);
                value.CopyTo(signature, 64 - written);
            }
        }

        return signature;
    }

    public void Dispose() => _signer?.Signer.Dispose();
}
