using System.Security.Cryptography;
using static Market.Ledger.Tests.TamperCases.Tamper;
using static Market.Ledger.Tests.TamperCases.Verdict;
using static Market.Ledger.Tests.TestChain;
using Reason = Market.Ledger.VerificationFailureReason;

namespace Market.Ledger.Tests.TamperCases;

/// <summary>
/// A second small ledger with everything at once (genesis, rules, three intervals, a key rotation, imbalance
/// reconciliations of two intervals and a correction, amounts that round half up) and tampered exports of it,
/// among them edits of the file's lines themselves. Every case comes with the openings of all household records.
/// Heights: 0 genesis (A), 1 rules, 2 the households' keys, 3/4 interval 0, 5/6 interval 1, 7 rotation to B, 8/9
/// interval 2, 10 reconciliation v1 of interval 0, 11 reconciliation v1 of interval 2, 12 correction (v2) of interval 0.
/// Trades 1, 2 are in block 4, 3, 4 in block 6, 5, 6 in block 9.
/// </summary>
internal static class SampleCases
{
    private const string Ledger = "sample";
    private const long FirstStart = 1_767_229_200; // 2026-01-01T01:00Z
    private const int Length = 900;
    private const int Lead = 300;
    private const long Price = 2501; // what the rules give in every interval: (2000 + 3002) / 2
    private const long Retail = 10_000; // the rules' ceiling
    private const long FeedIn = 800; // the rules' floor

    private static readonly SigningKey SampleKeyA = SigningKey.FromPrivateKey(Convert.FromHexString("6161616161616161616161616161616161616161616161616161616161616161"));
    private static readonly SigningKey SampleKeyB = SigningKey.FromPrivateKey(Convert.FromHexString("6262626262626262626262626262626262626262626262626262626262626262"));
    private static readonly SigningKey Stranger = SigningKey.FromPrivateKey(Convert.FromHexString("6363636363636363636363636363636363636363636363636363636363636363"));

    public static IEnumerable<TamperCase> All()
    {
        var (valid, checkpoint, allOpenings) = Sample();
        var openings = OpeningsAttachment.Of(Ledger, allOpenings);
        TamperCase With(string name, Action<List<LedgerBlock>> change, Verdict expected)
        {
            var blocks = new List<LedgerBlock>(valid);
            change(blocks);
            return new(Ledger, name, Export(blocks, checkpoint), expected) { Openings = openings };
        }

        // A ledger whose operator re-signed everything from a block on, checkpoint included.
        TamperCase Resealed(string name, Action<List<LedgerBlock>> change, Verdict expected)
        {
            var blocks = new List<LedgerBlock>(valid);
            change(blocks);
            return new(Ledger, name, Export(blocks, CheckpointOver(blocks, DateTimeOffset.FromUnixTimeMilliseconds(checkpoint.TimestampUnixMs), SampleKeyB)), expected) { Openings = openings };
        }

        TamperCase Lines(string name, Action<List<string>> edit, Verdict expected) =>
            new(Ledger, name, EditLines(Export(valid, checkpoint), edit), expected) { Openings = openings };

        return
        [
            With("valid", _ => { }, ValidWith(13, 6, 3)),
            With("header byte changed", b => b[5] = WithHeaderByte(b[5], 100, x => (byte)(x ^ 1)), Fails(Reason.BadSignature, 5)),
            With("block dropped", b => b.RemoveAt(6), Fails(Reason.HeightGap, 6)),
            With("blocks swapped", b => (b[5], b[6]) = (b[6], b[5]), Fails(Reason.HeightGap, 5)),
            With("trade leaf changed", b => b[4] = WithLeaf(b[4], 1, leaf => AddToI64(leaf, 73, 1000)), Fails(Reason.PayloadRootMismatch, 4, 1, 2)),
            With("order leaf changed", b => b[5] = WithLeaf(b[5], 2, leaf => AddToI64(leaf, 26, 1)), Fails(Reason.PayloadRootMismatch, 5)),
            With("leaf dropped, count kept", b => b[6] = new LedgerBlock(b[6].HeaderBytes, b[6].Signature, [b[6].Leaves.GetSpan(0).ToArray()]), Fails(Reason.LeafCountMismatch, 6)),
            With("re-signed with a wrong amount", b => b[4] = Resign(b[4], SampleKeyA, leaves: MapTrade(b[4], 1, t => t with { Amount = t.Amount + 1 })), Fails(Reason.AmountMismatch, 4, 1, 2)),
            With("re-signed with a trade id gap", b => b[6] = Resign(b[6], SampleKeyA, leaves: MapTrade(b[6], 0, t => t with { TradeId = t.TradeId + 1 })), Fails(Reason.TradeIdGap, 6, 0, 4)),
            With("re-signed with an overfill", b => b[4] = Resign(b[4], SampleKeyA, leaves: MapTrade(b[4], 1, t => t with { EnergyWh = 1600, Amount = Money.Amount(1600, t.Price) })), Fails(Reason.Overfill, 4, 1, 2)),
            With("re-signed with an order not in the book", b => b[9] = Resign(b[9], SampleKeyB, leaves: MapTrade(b[9], 0, t => t with { BuySequence = 99 })), Fails(Reason.OrderNotInBook, 9, 0, 5)),
            With("re-signed with a price out of bounds", b => b[9] = Resign(b[9], SampleKeyB, leaves: MapTrade(b[9], 1, t => t with { Price = 10_001, Amount = Money.Amount(t.EnergyWh, 10_001) })), Fails(Reason.PriceOutOfBounds, 9, 1, 6)),
            With("signed by an unknown key", b => b[3] = Resign(b[3], Stranger), Fails(Reason.UnknownKey, 3)),
            With("signed by the retired key", b => b[8] = Resign(b[8], SampleKeyA), Fails(Reason.RetiredKey, 8)),
            With("high-S signature", b => b[5] = WithSignature(b[5], HighS(b[5].Signature)), Fails(Reason.BadSignature, 5)),
            With("clearing names no order book", b => b[6] = Resign(b[6], SampleKeyA, h => h with { Reference = SHA256.HashData("nothing"u8) }), Fails(Reason.OrderBookMissing, 6)),
            With("reconciliation household leaf changed", b => b[10] = WithLeaf(b[10], 1, leaf => AddToI64(leaf, 18, 100)), Fails(Reason.PayloadRootMismatch, 10)),
            With("re-signed reconciliation with traded energy changed", b => b[11] = Resign(b[11], SampleKeyB, leaves: MapHousehold(b[11], 2, h => h with { BoughtWh = 1400 })), Fails(Reason.TradedEnergyMismatch, 11, 2)),
            With("re-signed reconciliation with a feed-in total beyond its rounding", b => b[11] = Resign(b[11], SampleKeyB, leaves: MapSummary(b[11], s => s with { UtilityFeedIn = s.UtilityFeedIn with { Amount = s.UtilityFeedIn.Amount + 1 } })), Fails(Reason.TotalsInconsistent, 11, 0)),
            With("re-signed reconciliation with another feed-in tariff", b => b[12] = Resign(b[12], SampleKeyB, leaves: MapSummary(b[12], s => s with { FeedInTariff = 786 })), Fails(Reason.TariffNotInForce, 12, 0)),
            Resealed("re-signed reconciliation with a household's commitment swapped", b => b[12] = Resign(b[12], SampleKeyB, leaves: MapHousehold(b[12], 1, h => h with { Commitment = Leaf(b[10], 1).Commitment })), Fails(Reason.OpeningMismatch, 12, 1)) with { WithoutOpenings = ValidWith(13, 6, 3) },
            With("re-signed reconciliation with a version gap", b => b[12] = Resign(b[12], SampleKeyB, leaves: MapSummary(b[12], s => s with { ReconciliationVersion = 3 })), Fails(Reason.ReconciliationVersionGap, 12, 0)),
            With("reconciliation names no clearing block", b => b[10] = Resign(b[10], SampleKeyB, h => h with { Reference = SHA256.HashData(b[3].HeaderBytes) }), Fails(Reason.ClearingMissing, 10)),
            Lines("checkpoint root changed", l => l[^1] = ChangeHexField(l[^1], "root"), Fails(Reason.CheckpointMismatch, null)),
            Lines("checkpoint signature changed", l => l[^1] = ChangeHexField(l[^1], "signature"), Fails(Reason.BadCheckpointSignature, null)),
            Lines("last block cut off", l => l.RemoveAt(l.Count - 2), Fails(Reason.Truncated, null)),
            Lines("checkpoint missing", l => l.RemoveAt(l.Count - 1), Fails(Reason.CheckpointMissing, null)),
            Lines("not hex", l => l[3] = l[3].Replace("\"header\":\"00", "\"header\":\"0g", StringComparison.Ordinal), Malformed(4)),
            Lines("repeated field", l => l[3] = l[3].Replace("\"kind\":", "\"kind\":\"rules\",\"kind\":", StringComparison.Ordinal), Malformed(4)),
            Lines("line after the checkpoint", l => l.Add(string.Empty), Malformed(16)),
        ];
    }

    /// <summary>The valid ledger, its checkpoint (by the key valid at its end, one second after the last block) and
    /// the openings of every household record.</summary>
    public static (List<LedgerBlock> Blocks, Checkpoint Checkpoint, List<ReconciliationOpening> Openings) Sample()
    {
        var genesis = DateTimeOffset.FromUnixTimeSeconds(FirstStart - 3600);
        var blocks = new List<SealedBlock> { BlockSealer.SealGenesis(SampleKeyA, genesis) };
        var rules = new RulesRecord(1, ClearingMechanisms.UniformPriceDoubleAuction, Length, Lead, FeedIn, Retail, FirstStart);
        blocks.Add(BlockSealer.SealRules(blocks[^1].NextTip, SampleKeyA, rules, genesis.AddSeconds(1)));
        var ledgerId = blocks[0].HeaderHash;
        var owners = Enumerable.Range(0, 3).SelectMany(i => Book(i).Orders.Select(o => o.Owner)).Distinct();
        blocks.Add(HouseholdKeys.SealEnrolments(blocks[^1].NextTip, SampleKeyA, ledgerId, owners, genesis.AddSeconds(2)));
        var key = SampleKeyA;
        for (var interval = 0; interval < 3; interval++)
        {
            var start = FirstStart + (interval * Length);
            var gate = DateTimeOffset.FromUnixTimeSeconds(start - Lead);
            if (interval == 2)
            {
                blocks.Add(BlockSealer.SealKeyRotation(blocks[^1].NextTip, SampleKeyA, SampleKeyB.PublicKey, gate.AddSeconds(-1)));
                key = SampleKeyB;
            }

            var (orders, fills) = Book(interval);
            orders = HouseholdKeys.SignBook(ledgerId, start, start + Length, orders);
            var book = BlockSealer.SealOrderBook(blocks[^1].NextTip, key, start, start + Length, rules.Mechanism, rules.RulesVersion, orders, gate);
            blocks.Add(book);
            blocks.Add(BlockSealer.SealClearing(book.NextTip, key, book.Header, fills, gate.AddSeconds(1)));
        }

        var afterDelivery = DateTimeOffset.FromUnixTimeSeconds(FirstStart + (3 * Length) + 3600);
        (int Clearing, int Version, HouseholdSettlement[] Records)[] reconciliations =
        [
            (4, 1, Interval0(1)),
            (9, 1, Interval2()),
            (4, 2, Interval0(2)),
        ];
        var openings = new List<ReconciliationOpening>();
        foreach (var (clearing, version, records) in reconciliations)
        {
            var sealing = Settlements.Seal(version, Price, Retail, FeedIn, records, Traded);
            openings.AddRange(sealing.Openings);
            blocks.Add(BlockSealer.SealReconciliation(blocks[^1].NextTip, key, blocks[clearing].Header, sealing.Summary, sealing.Households, afterDelivery.AddMinutes(blocks.Count)));
        }

        var checkpoint = CheckpointOver(blocks, DateTimeOffset.FromUnixTimeMilliseconds(blocks[^1].Header.SealedAtUnixMs + 1000), key);
        return ([.. blocks], checkpoint, openings);
    }

    /// <summary>One offer of 3,000 Wh at 2,000 and two bids of 1,500 Wh at 3,200 and 3,002: two trades at 2,501 (the
    /// second interval's second one is 1,500 Wh at 2,501: amount 3,751.5 → 3,752).</summary>
    private static (OrderLeaf[] Orders, TradeFill[] Fills) Book(int interval)
    {
        var s = 10L * interval;
        var seller = Party(interval, 1);
        var buyer1 = Party(interval, 2);
        var buyer2 = Party(interval, 3);
        OrderLeaf[] orders =
        [
            HouseholdKeys.Order(s + 1, seller, OrderSide.Sell, 3000, 2000),
            HouseholdKeys.Order(s + 2, buyer1, OrderSide.Buy, 1500, 3200),
            HouseholdKeys.Order(s + 3, buyer2, OrderSide.Buy, 1500, 3002),
        ];
        TradeFill[] fills =
        [
            new(buyer1, seller, s + 2, s + 1, 1500, Price),
            new(buyer2, seller, s + 3, s + 1, 1500, Price),
        ];
        return (orders, fills);
    }

    private static PartyId Party(int interval, int index) => new(0xA0, (ulong)((10 * interval) + index));

    /// <summary>Every interval's seller (index 1) sold 3,000 Wh, its two buyers 1,500 each.</summary>
    private static (long Sold, long Bought) Traded(PartyId party) => (party.Low % 10) switch
    {
        1 => (3000, 0),
        2 or 3 => (0, 1500),
        _ => (0, 0),
    };

    /// <summary>
    /// Interval 0: party 1 sold 3,000 Wh, parties 2 and 3 bought 1,500 each. Version 1: party 1 exported 2,600 (short
    /// 400), party 3 imported 1,200 (long 300), party 4 (no trade) exported 150 (long 150): all 400 Wh of shortfall
    /// are netted; the longs provide 400 × 300 / 450 = 266.7 and 133.3 Wh, the left-over Wh to the larger remainder:
    /// 267 and 133, each paired with party 1 and rounded on its own (667.77 → 668, 332.63 → 333); the other 33 and 17
    /// Wh go to the utility at feed-in (26.4 → 26, 13.6 → 14).
    /// Version 2, after party 4's reading was corrected to no export: party 3 covers 300 of party 1, which buys the
    /// other 100 from the utility.
    /// </summary>
    private static HouseholdSettlement[] Interval0(int version) => version == 1
        ?
        [
            Record(0, 1, 1, 2600, 0, version, covered: Postings(Price, 267, 133)),
            Record(0, 2, 1, 0, 1500, version),
            Record(0, 3, 1, 0, 1200, version, provided: Postings(Price, 267), sold: Postings(FeedIn, 33)),
            Record(0, 4, 1, 150, 0, version, provided: Postings(Price, 133), sold: Postings(FeedIn, 17)),
        ]
        :
        [
            Record(0, 1, 1, 2600, 0, version, covered: Postings(Price, 300), bought: Postings(Retail, 100)),
            Record(0, 2, 1, 0, 1500, version),
            Record(0, 3, 1, 0, 1200, version, provided: Postings(Price, 300)),
            Record(0, 4, 2, 0, 0, version),
        ];

    /// <summary>Interval 2: the seller exported 200 Wh more than it sold and feeds them in; the buyers used what they bought.</summary>
    private static HouseholdSettlement[] Interval2() =>
    [
        Record(2, 1, 1, 3200, 0, 1, sold: Postings(FeedIn, 200)),
        Record(2, 2, 1, 0, 1500, 1),
        Record(2, 3, 1, 0, 1500, 1),
    ];

    private static HouseholdSettlement Record(
        int interval, int index, int readingVersion, long exportWh, long importWh, int version,
        PostingTotal covered = default, PostingTotal provided = default, PostingTotal bought = default, PostingTotal sold = default)
    {
        var start = FirstStart + (interval * Length);
        var reading = new MeterReading(Party(interval, index), start, start + Length, readingVersion, $"DE-METER-{interval}{index:D3}", exportWh, importWh);
        return Settlements.Record(reading, version, covered, provided, bought, sold);
    }

    private static PostingTotal Postings(long price, params long[] wh) => Settlements.Postings(price, wh);

    private static HouseholdReconciliationLeaf Leaf(LedgerBlock block, int index) =>
        HouseholdReconciliationLeaf.TryDecode(block.Leaves.GetSpan(index), out var leaf, out var error) ? leaf : throw new InvalidOperationException(error);
}
