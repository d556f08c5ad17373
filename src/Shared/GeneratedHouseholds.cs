using System.Security.Cryptography;
using Market.Ledger;

namespace Market.Generation;

/// <summary>
/// Households with P-256 keys for generated ledgers (benchmarks, `market bench ledger`, test fixtures): one key per
/// household, enrolled self-signed in a household block, signing its orders in submissions as a browser would
/// (.NET <see cref="ECDsa"/>, random nonces, r ‖ s). Not the product's signing: households sign on their own devices.
/// </summary>
internal sealed class GeneratedHouseholds : IDisposable
{
    private static readonly HouseholdSignature Placeholder = new(new byte[32], new byte[64], 1, 0, []);

    private readonly Dictionary<PartyId, (ECDsa Key, byte[] KeyId, HouseholdKey Public)> _keys = [];

    /// <summary>A key for each household (made now, random).</summary>
    public GeneratedHouseholds(IEnumerable<PartyId> households)
    {
        foreach (var household in households)
        {
            if (_keys.ContainsKey(household))
            {
                continue;
            }

            var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var p = key.ExportParameters(false);
            var publicKey = HouseholdKey.Create(HouseholdKeyAlgorithm.P256, [0x04, .. p.Q.X!, .. p.Q.Y!]);
            _keys.Add(household, (key, publicKey.KeyId, publicKey));
        }
    }

    /// <summary>An order with a random nonce and a placeholder signature, for <see cref="Sign"/> to sign.</summary>
    public static OrderLeaf Order(long sequence, PartyId owner, OrderSide side, long energyWh, long limitPrice) =>
        new(sequence, owner, side, energyWh, limitPrice, RandomNumberGenerator.GetBytes(16), new SignedOrder(Placeholder));

    /// <summary>A household block enrolling every household's key (each enrolment signed by the key it enrols).</summary>
    public SealedBlock SealEnrolments(ChainTip tip, SigningKey operatorKey, ReadOnlySpan<byte> ledgerId, DateTimeOffset sealedAt, long firstSequence = 1)
    {
        var records = new List<HouseholdRecord>();
        var sequence = firstSequence;
        foreach (var (household, (_, _, key)) in _keys)
        {
            var body = Statement.KeyEnrolmentBody(HouseholdKeyRole.Device, key);
            var hash = Statement.Hash(Statement.Encode(ledgerId, household, StatementType.KeyEnrolment, body));
            records.Add(new HouseholdRecord(sequence++, household, StatementType.KeyEnrolment, body, SignSubmission(household, [hash])[0]));
        }

        return BlockSealer.SealHousehold(tip, operatorKey, records, sealedAt);
    }

    /// <summary>
    /// Signs the orders of one or more books: each household's orders, book after book in leaf order, make
    /// submissions of at most <paramref name="perSubmission"/> (1 is one signature per order, the worst case).
    /// Orders are replaced in place.
    /// </summary>
    public void Sign(ReadOnlySpan<byte> ledgerId, IReadOnlyList<(long Start, long End, OrderLeaf[] Orders)> books, int perSubmission)
    {
        var byOwner = new Dictionary<PartyId, List<(int Book, int Index, byte[] Hash)>>();
        for (var b = 0; b < books.Count; b++)
        {
            var (start, end, orders) = books[b];
            for (var i = 0; i < orders.Length; i++)
            {
                if (!byOwner.TryGetValue(orders[i].Owner, out var list))
                {
                    byOwner[orders[i].Owner] = list = [];
                }

                list.Add((b, i, orders[i].StatementHash(ledgerId, start, end)));
            }
        }

        foreach (var (owner, list) in byOwner)
        {
            foreach (var chunk in list.Chunk(perSubmission))
            {
                var signatures = SignSubmission(owner, [.. chunk.Select(c => c.Hash)]);
                for (var k = 0; k < chunk.Length; k++)
                {
                    var orders = books[chunk[k].Book].Orders;
                    orders[chunk[k].Index] = orders[chunk[k].Index] with { Authorization = new SignedOrder(signatures[k]) };
                }
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var (key, _, _) in _keys.Values)
        {
            key.Dispose();
        }
    }

    private HouseholdSignature[] SignSubmission(PartyId household, IReadOnlyList<byte[]> hashes)
    {
        var (key, keyId, _) = _keys[household];
        var message = HouseholdSignature.SignedMessage(HouseholdSignature.SubmissionRoot(hashes));
        return HouseholdSignature.ForSubmission(hashes, keyId, key.SignData(message, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }
}
