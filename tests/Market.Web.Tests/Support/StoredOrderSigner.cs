using System.Security.Cryptography;
using Market.Ledger;
using Microsoft.EntityFrameworkCore;
using Statement = Market.Ledger.Statement;

namespace Market.Web.Tests.Support;

/// <summary>
/// For tests that write households and orders straight into the database (thousands at once): gives each such
/// household a device key enrolled as its first key, and signs its stored orders as one submission, exactly the
/// bytes a device would have sent. The clearing then seals them like any signed order.
/// </summary>
public static class StoredOrderSigner
{
    /// <summary>Enrols a key for every household with unsigned stored orders and signs those orders.</summary>
    public static async Task SignStoredOrdersAsync(this MarketFactory app)
    {
        var ledgerId = await app.Get<LedgerIdentity>().IdAsync();
        var clock = app.Get<MarketClock>();
        var ledgerKey = app.Get<LedgerWriter>().Key;
        await using var db = app.CreateDb();
        var orders = await db.Orders.Where(o => o.Authorization.Length == 0).OrderBy(o => o.Id).ToListAsync();
        var ids = orders.Select(o => o.HouseholdId).Distinct().ToHashSet();
        var households = (await db.Households.AsNoTracking().ToListAsync()).Where(h => ids.Contains(h.Id)).ToDictionary(h => h.Id);
        var nowMs = clock.Now.ToUnixTimeMilliseconds();
        foreach (var group in orders.GroupBy(o => o.HouseholdId))
        {
            var household = households[group.Key];
            var party = PartyId.FromBytes(household.Pseudonym);
            using var device = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var q = device.ExportParameters(false).Q;
            var key = HouseholdKey.Create(HouseholdKeyAlgorithm.P256, [0x04, .. q.X!, .. q.Y!]);
            var body = Statement.KeyEnrolmentBody(HouseholdKeyRole.Device, key);
            var enrolment = Statement.Hash(Statement.Encode(ledgerId, party, StatementType.KeyEnrolment, body));
            var record = new HouseholdRecordEntity
            {
                HouseholdId = household.Id,
                Type = (byte)StatementType.KeyEnrolment,
                Body = body,
                Authorization = Sign(device, key.KeyId, [enrolment])[0].EncodeTail(),
                StatementHash = enrolment,
                AcceptedAtMs = nowMs,
                ReceiptKeyId = ledgerKey.KeyId,
            };
            db.HouseholdRecords.Add(record);
            db.HouseholdKeys.Add(new HouseholdKeyEntity
            {
                HouseholdId = household.Id,
                KeyId = key.KeyId,
                Algorithm = (byte)HouseholdKeyAlgorithm.P256,
                PublicKey = key.PublicKey,
                Role = (byte)HouseholdKeyRole.Device,
                Label = "Test device",
                EnrolledBy = key.KeyId,
                CreatedAtMs = nowMs,
            });

            var list = group.ToList();
            var hashes = new List<byte[]>(list.Count);
            foreach (var order in list)
            {
                order.Nonce = RandomNumberGenerator.GetBytes(16);
                hashes.Add(Statement.Hash(Statement.Encode(ledgerId, party, StatementType.Order,
                    Statement.OrderBody(order.IntervalStart, clock.Next(order.IntervalStart), order.Side, order.EnergyWh, order.LimitPrice, order.Nonce))));
            }

            var signatures = Sign(device, key.KeyId, hashes);
            for (var i = 0; i < list.Count; i++)
            {
                list[i].StatementHash = hashes[i];
                list[i].Authorization = signatures[i].EncodeTail();
            }
        }

        await db.SaveChangesAsync();
        var enrolled = await db.HouseholdRecords.Where(r => r.Type == (byte)StatementType.KeyEnrolment).ToListAsync();
        var keys = await db.HouseholdKeys.Where(k => k.EnrolmentRecordId == 0).ToListAsync();
        var byHousehold = enrolled.GroupBy(r => r.HouseholdId).ToDictionary(g => g.Key, g => g.Max(r => r.Id));
        foreach (var key in keys)
        {
            key.EnrolmentRecordId = byHousehold[key.HouseholdId];
        }

        await db.SaveChangesAsync();
    }

    private static HouseholdSignature[] Sign(ECDsa device, byte[] keyId, IReadOnlyList<byte[]> hashes)
    {
        var root = HouseholdSignature.SubmissionRoot(hashes);
        var signature = device.SignData(HouseholdSignature.SignedMessage(root), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return HouseholdSignature.ForSubmission(hashes, keyId, signature);
    }
}
