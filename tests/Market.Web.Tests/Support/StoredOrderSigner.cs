using System.Security.Cryptography;
using Market.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Statement = Market.Ledger.Statement;

namespace Market.Web.Tests.Support;

/// <summary>
/// For tests that write households and orders straight into the database (thousands at once): gives each such
/// household a device key enrolled as its first key, and signs its stored orders as one submission, exactly the
/// bytes a device would have sent. The clearing then seals them like any signed order.
/// </summary>
public static class StoredOrderSigner
{
    private static readonly BulkTable Records = new("HouseholdRecords",
        BulkTable.Column<long>("HouseholdId"), BulkTable.Column<short>("Type"), BulkTable.Column<byte[]>("Body"), BulkTable.Column<byte[]>("Authorization"),
        BulkTable.Column<byte[]>("StatementHash"), BulkTable.Column<long>("AcceptedAtMs"), BulkTable.Column<byte[]>("ReceiptSignature"), BulkTable.Column<byte[]>("ReceiptKeyId"));

    private static readonly BulkTable Keys = new("HouseholdKeys",
        BulkTable.Column<long>("HouseholdId"), BulkTable.Column<byte[]>("KeyId"), BulkTable.Column<short>("Algorithm"), BulkTable.Column<byte[]>("PublicKey"),
        BulkTable.Column<short>("Role"), BulkTable.Column<string>("Label"), BulkTable.Column<long>("EnrolmentRecordId"), BulkTable.Column<byte[]>("EnrolledBy"),
        BulkTable.Column<long>("CreatedAtMs"));

    private static readonly BulkTable OrderSignatures = new("Orders",
        BulkTable.Column<long>("Id"), BulkTable.Column<byte[]>("Nonce"), BulkTable.Column<byte[]>("StatementHash"), BulkTable.Column<byte[]>("Authorization"));

    /// <summary>Enrols a key for every household with unsigned stored orders and signs those orders.</summary>
    /// <remarks>
    /// The rows are written as the app writes thousands of rows (<see cref="BulkWriter"/>), not through EF Core's
    /// change tracking: for the 33,000-household book that is some 100,000 tracked rows, saved twice.
    /// </remarks>
    public static async Task SignStoredOrdersAsync(this MarketFactory app)
    {
        var ledgerId = await app.Get<LedgerIdentity>().IdAsync();
        var clock = app.Get<MarketClock>();
        var ledgerKey = app.Get<LedgerWriter>().Key;
        await using var db = app.CreateDb();
        var orders = await db.Orders.AsNoTracking().Where(o => o.Authorization.Length == 0).OrderBy(o => o.Id).ToListAsync();
        var ids = orders.Select(o => o.HouseholdId).Distinct().ToHashSet();
        var households = (await db.Households.AsNoTracking().ToListAsync()).Where(h => ids.Contains(h.Id)).ToDictionary(h => h.Id);
        var nowMs = clock.Now.ToUnixTimeMilliseconds();
        var records = new List<HouseholdRecordEntity>(ids.Count);
        var keys = new List<HouseholdKeyEntity>(ids.Count);
        foreach (var group in orders.GroupBy(o => o.HouseholdId))
        {
            var household = households[group.Key];
            var party = PartyId.FromBytes(household.Pseudonym);
            using var device = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var q = device.ExportParameters(false).Q;
            var key = HouseholdKey.Create(HouseholdKeyAlgorithm.P256, [0x04, .. q.X!, .. q.Y!]);
            var body = Statement.KeyEnrolmentBody(HouseholdKeyRole.Device, key);
            var enrolment = Statement.Hash(Statement.Encode(ledgerId, party, StatementType.KeyEnrolment, body));
            records.Add(new HouseholdRecordEntity
            {
                HouseholdId = household.Id,
                Type = (byte)StatementType.KeyEnrolment,
                Body = body,
                Authorization = Sign(device, key.KeyId, [enrolment])[0].EncodeTail(),
                StatementHash = enrolment,
                AcceptedAtMs = nowMs,
                ReceiptKeyId = ledgerKey.KeyId,
            });
            keys.Add(new HouseholdKeyEntity
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

        await using var transaction = await db.Database.BeginTransactionAsync();
        var connection = db.Database.GetDbConnection();
        var dbTransaction = transaction.GetDbTransaction();
        await BulkWriter.InsertAsync(connection, dbTransaction, Records, records.Count, (i, v) =>
        {
            var r = records[i];
            (v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]) = (r.HouseholdId, (short)r.Type, r.Body, r.Authorization, r.StatementHash, r.AcceptedAtMs, r.ReceiptSignature, r.ReceiptKeyId);
        }, CancellationToken.None);

        // Each key names its enrolment record: the household's newest enrolment, the one just written.
        var enrolments = await db.HouseholdRecords.Where(r => r.Type == (byte)StatementType.KeyEnrolment)
            .GroupBy(r => r.HouseholdId).Select(g => new { HouseholdId = g.Key, Id = g.Max(r => r.Id) }).ToDictionaryAsync(e => e.HouseholdId, e => e.Id);
        await BulkWriter.InsertAsync(connection, dbTransaction, Keys, keys.Count, (i, v) =>
        {
            var k = keys[i];
            (v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]) = (k.HouseholdId, k.KeyId, (short)k.Algorithm, k.PublicKey, (short)k.Role, k.Label, enrolments[k.HouseholdId], k.EnrolledBy, k.CreatedAtMs);
        }, CancellationToken.None);
        await BulkWriter.UpdateAsync(connection, dbTransaction, OrderSignatures, orders.Count, (i, v) =>
        {
            var o = orders[i];
            (v[0], v[1], v[2], v[3]) = (o.Id, o.Nonce, o.StatementHash, o.Authorization);
        }, CancellationToken.None);
        await transaction.CommitAsync();
    }

    private static HouseholdSignature[] Sign(ECDsa device, byte[] keyId, IReadOnlyList<byte[]> hashes)
    {
        var root = HouseholdSignature.SubmissionRoot(hashes);
        var signature = device.SignData(HouseholdSignature.SignedMessage(root), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return HouseholdSignature.ForSubmission(hashes, keyId, signature);
    }
}
