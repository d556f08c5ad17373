using static Market.Ledger.Tests.HouseholdChain;
using static Market.Ledger.Tests.TamperCases.Verdict;
using Reason = Market.Ledger.VerificationFailureReason;

namespace Market.Ledger.Tests.TamperCases;

/// <summary>
/// What households said (<see cref="HouseholdChain"/>) and what an operator could try against it: orders the
/// household never signed or signed otherwise, orders beyond a mandate, cancelled or replayed orders, keys it never
/// had. In every case the operator re-signs the changed block and re-seals every later block and the checkpoint, so
/// the household checks of §8 are all that can tell. Heights: 2 household block A, 3 book 0, 5 book 1, 7 household
/// block B, 8 book 2.
/// </summary>
internal static class HouseholdCases
{
    private const string Ledger = "households";

    public static IEnumerable<TamperCase> All()
    {
        var x = YAndX()[1];
        var book0 = Book0();
        return
        [
            Case("valid", (Blocks, HouseholdChain.Checkpoint), ValidWith(10, 5)),
            Case("another household cancels an order, the order stays in its book", Tampered(b => b[7] = ResignRecords(b[7], r => [.. r,
                HouseholdKeys.Record(LedgerId, 9, H2, StatementType.Cancellation, Statement.HashBody(Book2()[0].StatementHash(LedgerId, Start2, Start2 + Length)), E2)])), ValidWith(10, 5)),

            // Orders the household did not sign as they are.
            Case("order under a pseudonym with no key", Tampered(b => b[3] = ResignOrders(b[3], o => [.. o,
                HouseholdKeys.SignTogether(LedgerId, Start0, Start0 + Length, new TestHouseholdKey(H3), Order(105, H3, OrderSide.Buy, 500, 2600))[0]])), Fails(Reason.HouseholdKeyUnknown, 3, 4)),
            Case("order signed by another household's key", Tampered(b => b[3] = ResignOrders(b[3], o => o.Select((order, i) => i == 1
                ? HouseholdKeys.SignTogether(LedgerId, Start0, Start0 + Length, D1, order)[0] : order))), Fails(Reason.HouseholdKeyUnknown, 3, 1)),
            Case("signature copied from another order", Tampered(b => b[3] = ResignOrders(b[3], o => o.Select((order, i) => i == 3
                ? order with { Authorization = o[1].Authorization } : order))), Fails(Reason.HouseholdSignatureInvalid, 3, 3)),
            Case("order copied into another interval", Tampered(b => b[5] = ResignOrders(b[5], o => [.. o, book0[1] with { Sequence = 113 }])), Fails(Reason.OrderReplayed, 5, 2)),
            Case("order energy changed", Tampered(b => b[3] = ResignOrders(b[3], o => o.Select((order, i) => i == 0 ? order with { EnergyWh = 2100 } : order))), Fails(Reason.HouseholdSignatureInvalid, 3, 0)),
            Case("order price changed (Ed25519)", Tampered(b => b[3] = ResignOrders(b[3], o => o.Select((order, i) => i == 1 ? order with { LimitPrice = 3100 } : order))), Fails(Reason.HouseholdSignatureInvalid, 3, 1)),
            Case("cancelled order in a later book", Tampered(b => b[8] = ResignOrders(b[8], o => [.. o, x])), Fails(Reason.CancelledOrderInBook, 8, 2)),
            Case("cancelled order in a later book, another household having cancelled it first", Tampered(b =>
            {
                b[2] = ResignRecords(b[2], r => [.. r, HouseholdKeys.Record(LedgerId, 6, H2, StatementType.Cancellation, Statement.HashBody(XHash), E2)]);
                b[8] = ResignOrders(b[8], o => [.. o, x]);
            }), Fails(Reason.CancelledOrderInBook, 8, 2)),
            Case("order signed by a revoked key after its revocation", Tampered(b => b[8] = ResignOrders(b[8], o => [.. o,
                HouseholdKeys.SignTogether(LedgerId, Start2, Start2 + Length, D1, Order(123, H1, OrderSide.Sell, 500, 2000))[0]])), Fails(Reason.HouseholdKeyRevoked, 8, 2)),
            Case("order with a path of the wrong length", Tampered(b => b[3] = Resign(b[3], b[3].Leaves.Select((l, i) => i == 1 ? [.. l.ToArray(), .. new byte[32]] : l.ToArray()))), Fails(Reason.MalformedLeaf, 3, 1)),

            // Orders under the mandate.
            Case("mandate order below the mandate's lowest sell price", Tampered(b => b[3] = ResignOrders(b[3], o => o.Select((order, i) => i == 2 ? order with { LimitPrice = 2300 } : order))), Fails(Reason.OutsideMandate, 3, 2)),
            Case("mandate order in an hour the mandate leaves out (Europe/Berlin)", Tampered(b => b[5] = ResignOrders(b[5], o => [.. o, MandateOrder(Start1, 113, OrderSide.Sell, 500, 2500)])), Fails(Reason.OutsideMandate, 5, 2)),
            Case("mandate orders beyond its energy per interval", Tampered(b => b[3] = ResignOrders(b[3], o => [.. o, MandateOrder(Start0, 105, OrderSide.Sell, 1000, 2450)])), Fails(Reason.OutsideMandate, 3, 4)),
            Case("mandate order after the mandate's revocation", Tampered(b => b[8] = ResignOrders(b[8], o => [.. o, MandateOrder(Start2, 123, OrderSide.Sell, 500, 2500)])), Fails(Reason.OutsideMandate, 8, 2)),
            Case("mandate order with a nonce of its own", Tampered(b => b[3] = ResignOrders(b[3], o => o.Select((order, i) => i == 2 ? order with { Nonce = HouseholdKeys.NonceOf(H1, 103) } : order))), Fails(Reason.OutsideMandate, 3, 2)),
            Case("mandate order under another household's mandate", Tampered(b => b[3] = ResignOrders(b[3], o => [.. o, MandateOrder(Start0, 105, OrderSide.Buy, 500, 2000, owner: H2)])), Fails(Reason.MandateUnknown, 3, 4)),

            // Household records.
            Case("mandate's energy per interval raised after it was signed", Tampered(b => b[2] = ResignRecords(b[2], r => r.Select((record, i) => i == 4
                ? record with { Body = (Mandate with { MaxEnergyWh = 15_000 }).EncodeBody() } : record))), Fails(Reason.HouseholdSignatureInvalid, 2, 4)),
            Case("recovery key enrolling itself as a household's first key", Tampered(b => b[2] = ResignRecords(b[2], r => [.. r,
                HouseholdKeys.Record(LedgerId, 6, H3, StatementType.KeyEnrolment, Statement.KeyEnrolmentBody(HouseholdKeyRole.Recovery, new TestHouseholdKey(H3).Key), new TestHouseholdKey(H3))])), Fails(Reason.HouseholdKeyUnknown, 2, 5)),
            Case("self-signed enrolment for a household that has a key", Tampered(b => b[7] = ResignRecords(b[7], r => [.. r,
                HouseholdKeys.Record(LedgerId, 9, H1, StatementType.KeyEnrolment, Statement.KeyEnrolmentBody(HouseholdKeyRole.Device, new TestHouseholdKey(H1, 9).Key), new TestHouseholdKey(H1, 9))])), Fails(Reason.HouseholdKeyUnknown, 7, 3)),
            Case("revocation forged with another household's key", Tampered(b => b[7] = ResignRecords(b[7], r => [.. r,
                HouseholdKeys.Record(LedgerId, 9, H1, StatementType.KeyRevocation, Statement.HashBody(D2.KeyId), E2)])), Fails(Reason.HouseholdKeyUnknown, 7, 3)),
            Case("key revocation recorded twice", Tampered(b => b[7] = ResignRecords(b[7], r => [.. r, r[1] with { Sequence = 9 }])), Fails(Reason.InvalidHouseholdRecord, 7, 3)),
            Case("record signed by the key it revoked, after the revocation", Tampered(b => b[7] = ResignRecords(b[7], r => [.. r,
                HouseholdKeys.Record(LedgerId, 9, H1, StatementType.KeyRevocation, Statement.HashBody(D2.KeyId), D1)])), Fails(Reason.HouseholdKeyRevoked, 7, 3)),
            Case("record of an unknown statement type", Tampered(b => b[7] = Resign(b[7], b[7].Leaves.Select((l, i) => i == 0 ? WithType(l.ToArray(), 7) : l.ToArray()))), Fails(Reason.MalformedLeaf, 7, 0)),
        ];
    }

    private static byte[] WithType(byte[] record, byte type)
    {
        var copy = (byte[])record.Clone();
        copy[25] = type;
        return copy;
    }

    private static TamperCase Case(string name, (List<LedgerBlock> Blocks, Checkpoint Checkpoint) ledger, Verdict expected) =>
        new(Ledger, name, Tamper.Export(ledger.Blocks, ledger.Checkpoint), expected);
}
