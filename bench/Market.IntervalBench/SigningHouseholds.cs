using System.Security.Cryptography;
using Market.Ledger;

namespace Market.IntervalBench;

/// <summary>
/// The bench's households sign their orders as the app's households do since orders carry the household's signature
/// (docs/ledger-format.md §5.3): a P-256 key each, enrolled by a self-signed key-enrolment record, and each order
/// book's orders signed in submissions of several orders (one signature each). The app seals the enrolments before
/// the first book, and the witnesses' replay checks every signature, as for real households.
/// </summary>
internal sealed class SigningHouseholds : IDisposable
{

    private static readonly OrderAuthorization Placeholder = new SignedOrder(new HouseholdSignature(new byte[32], new byte[64], 1, 0, []));

    private readonly Dictionary<PartyId, (ECDsa Key, HouseholdKey Public)> _keys = [];

    private readonly int _perSubmission;

    /// <param name="households">The households.</param>
    /// <param name="perSubmission">Orders one submission signs, as a household's device or agent sends them.</param>
    public SigningHouseholds(IEnumerable<PartyId> households, int perSubmission)
    {
        _perSubmission = perSubmission;
        foreach (var household in households)
        {
            var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var p = key.ExportParameters(false);
            _keys[household] = (key, HouseholdKey.Create(HouseholdKeyAlgorithm.P256, [0x04, .. p.Q.X!, .. p.Q.Y!]));
        }
    }

    /// <summary>Each household's key enrolment: its body, statement hash and authorisation tail (signed by the key).</summary>
    public IEnumerable<(PartyId Household, byte[] Body, byte[] StatementHash, byte[] Authorization)> Enrolments(byte[] ledgerId)
    {
        foreach (var (household, (_, key)) in _keys)
        {
            var body = Statement.KeyEnrolmentBody(HouseholdKeyRole.Device, key);
            var hash = Statement.Hash(Statement.Encode(ledgerId, household, StatementType.KeyEnrolment, body));
            yield return (household, body, hash, Sign(household, [hash])[0].EncodeTail());
        }
    }

    /// <summary>
    /// Signs one interval's orders, each household's in submissions of the given size: the statement
    /// hash and the authorisation tail of each order, in the order given.
    /// </summary>
    public (byte[] StatementHash, byte[] Authorization)[] SignBook(byte[] ledgerId, long start, long end,
        IReadOnlyList<(long Id, PartyId Owner, OrderSide Side, long EnergyWh, long LimitPrice, byte[] Nonce)> orders)
    {
        var signed = new (byte[] StatementHash, byte[] Authorization)[orders.Count];
        var hashes = new byte[orders.Count][];
        for (var i = 0; i < orders.Count; i++)
        {
            var o = orders[i];
            hashes[i] = new OrderLeaf(o.Id, o.Owner, o.Side, o.EnergyWh, o.LimitPrice, o.Nonce, Placeholder).StatementHash(ledgerId, start, end);
        }

        foreach (var group in Enumerable.Range(0, orders.Count).GroupBy(i => orders[i].Owner))
        {
            foreach (var chunk in group.Chunk(_perSubmission))
            {
                var signatures = Sign(group.Key, [.. chunk.Select(i => hashes[i])]);
                for (var k = 0; k < chunk.Length; k++)
                {
                    signed[chunk[k]] = (hashes[chunk[k]], signatures[k].EncodeTail());
                }
            }
        }

        return signed;
    }

    public void Dispose()
    {
        foreach (var (key, _) in _keys.Values)
        {
            key.Dispose();
        }
    }

    private HouseholdSignature[] Sign(PartyId household, IReadOnlyList<byte[]> hashes)
    {
        var (key, publicKey) = _keys[household];
        var message = HouseholdSignature.SignedMessage(HouseholdSignature.SubmissionRoot(hashes));
        return HouseholdSignature.ForSubmission(hashes, publicKey.KeyId, key.SignData(message, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }
}
