using System.Security.Cryptography;
using System.Text;
using Market.Ledger;

namespace Market.E2E.Verifier;

/// <summary>
/// A small valid ledger sealed with Market.Ledger (genesis, rules, three intervals, a key rotation, imbalance
/// reconciliations with a correction) and a set of tampered exports of it, each breaking one rule of
/// docs/ledger-format.md, for comparing the browser's verdict with the C# ChainVerifier's.
/// </summary>
internal static class LedgerSamples
{
    private const long FirstStart = 1_767_229_200; // 2026-01-01T01:00Z
    private const int Length = 900;
    private const int Lead = 300;
    private const long Price = 2501; // every interval clears at this price
    private const long Retail = 3000;
    private const long FeedIn = 800;

    private static readonly SigningKey KeyA = SigningKey.FromPrivateKey(Convert.FromHexString("6161616161616161616161616161616161616161616161616161616161616161"));
    private static readonly SigningKey KeyB = SigningKey.FromPrivateKey(Convert.FromHexString("6262626262626262626262626262626262626262626262626262626262626262"));
    private static readonly SigningKey Stranger = SigningKey.FromPrivateKey(Convert.FromHexString("6363636363636363636363636363636363636363636363636363636363636363"));
    private static readonly System.Numerics.BigInteger N = System.Numerics.BigInteger.Parse(
        "0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Heights: 0 genesis (A), 1 rules, 2/3 interval 0, 4/5 interval 1, 6 rotation to B, 7/8 interval 2,
    /// 9 reconciliation v1 of interval 0, 10 reconciliation v1 of interval 2, 11 correction (v2) of interval 0.</summary>
    public static (List<LedgerBlock> Blocks, Checkpoint Checkpoint) Valid()
    {
        var genesis = DateTimeOffset.FromUnixTimeSeconds(FirstStart - 3600);
        var blocks = new List<SealedBlock> { BlockSealer.SealGenesis(KeyA, genesis) };
        var rules = new RulesRecord(1, ClearingMechanisms.UniformPriceDoubleAuction, Length, Lead, 0, 10_000, FirstStart);
        blocks.Add(BlockSealer.SealRules(blocks[^1].NextTip, KeyA, rules, genesis.AddSeconds(1)));
        var key = KeyA;
        for (var interval = 0; interval < 3; interval++)
        {
            var start = FirstStart + (interval * Length);
            var gate = DateTimeOffset.FromUnixTimeSeconds(start - Lead);
            if (interval == 2)
            {
                blocks.Add(BlockSealer.SealKeyRotation(blocks[^1].NextTip, KeyA, KeyB.PublicKey, gate.AddSeconds(-1)));
                key = KeyB;
            }

            var (orders, fills) = Book(interval);
            var book = BlockSealer.SealOrderBook(blocks[^1].NextTip, key, start, start + Length, rules.Mechanism, rules.RulesVersion, orders, gate);
            blocks.Add(book);
            blocks.Add(BlockSealer.SealClearing(book.NextTip, key, book.Header, fills, gate.AddSeconds(1)));
        }

        var afterDelivery = DateTimeOffset.FromUnixTimeSeconds(FirstStart + (3 * Length) + 3600);
        (int Clearing, int Interval, int Version, HouseholdReconciliationLeaf[] Households)[] reconciliations =
        [
            (3, 0, 1, Interval0(1)),
            (8, 2, 1, Interval2()),
            (3, 0, 2, Interval0(2)),
        ];
        foreach (var (clearing, interval, version, households) in reconciliations)
        {
            var summary = new ReconciliationSummary(version, 1, Price, Retail, FeedIn, households.Length);
            blocks.Add(BlockSealer.SealReconciliation(blocks[^1].NextTip, key, blocks[clearing].Header, summary, households, afterDelivery.AddMinutes(blocks.Count)));
        }

        var tree = new CompactMerkleTree();
        blocks.ForEach(b => tree.Append(b.HeaderHash));
        var checkpoint = Checkpoint.Create(blocks.Count, tree.Root(), DateTimeOffset.FromUnixTimeMilliseconds(blocks[^1].Header.SealedAtUnixMs + 1000), key);
        return ([.. blocks], checkpoint);
    }

    /// <summary>Three orders; two trades (the second interval's second trade is 1,500 Wh at 2,501: amount 3,751.5 → 3,752).</summary>
    private static (OrderLeaf[] Orders, TradeFill[] Fills) Book(int interval)
    {
        var s = 10L * interval;
        var seller = Party(interval, 1);
        var buyer1 = Party(interval, 2);
        var buyer2 = Party(interval, 3);
        OrderLeaf[] orders =
        [
            new(s + 1, seller, OrderSide.Sell, 3000, 2000),
            new(s + 2, buyer1, OrderSide.Buy, 1500, 3000),
            new(s + 3, buyer2, OrderSide.Buy, 1500, 2600),
        ];
        TradeFill[] fills =
        [
            new(buyer1, seller, s + 2, s + 1, 1500, Price),
            new(buyer2, seller, s + 3, s + 1, 1500, Price),
        ];
        return (orders, fills);
    }

    private static PartyId Party(int interval, int index) => new(0xA0, (ulong)((10 * interval) + index));

    /// <summary>
    /// Interval 0: party 1 sold 3,000 Wh, parties 2 and 3 bought 1,500 each. Version 1: party 1 exported 2,600 (short
    /// 400), party 3 imported 1,200 (long 300), party 4 (no trade) exported 100 (long 100); party 1 is covered for 240
    /// by party 3 and 100 by party 4 and buys 60 from the utility, party 3 sells its other 60 to the utility.
    /// Version 2, after party 4's reading was corrected to no export: party 1 buys 160 from the utility instead.
    /// </summary>
    private static HouseholdReconciliationLeaf[] Interval0(int version) => version == 1
        ?
        [
            Household(0, 1, 1, 3000, 0, 2600, 0, Covered(0, 3, 240), Covered(0, 4, 100), FromUtility(60)),
            Household(0, 2, 1, 0, 1500, 0, 1500),
            Household(0, 3, 1, 0, 1500, 0, 1200, Provided(0, 1, 240), ToUtility(60)),
            Household(0, 4, 1, 0, 0, 100, 0, Provided(0, 1, 100)),
        ]
        :
        [
            Household(0, 1, 1, 3000, 0, 2600, 0, Covered(0, 3, 240), FromUtility(160)),
            Household(0, 2, 1, 0, 1500, 0, 1500),
            Household(0, 3, 1, 0, 1500, 0, 1200, Provided(0, 1, 240), ToUtility(60)),
            Household(0, 4, 2, 0, 0, 0, 0),
        ];

    /// <summary>Interval 2: the seller exported 200 Wh more than it sold and feeds them in; the buyers used what they bought.</summary>
    private static HouseholdReconciliationLeaf[] Interval2() =>
    [
        Household(2, 1, 1, 3000, 0, 3200, 0, ToUtility(200)),
        Household(2, 2, 1, 0, 1500, 0, 1500),
        Household(2, 3, 1, 0, 1500, 0, 1500),
    ];

    private static HouseholdReconciliationLeaf Household(
        int interval, int index, int readingVersion, long sold, long bought, long exportWh, long importWh, params ImbalanceEntry[] entries)
    {
        var start = FirstStart + (interval * Length);
        var reading = new MeterReading(Party(interval, index), start, start + Length, readingVersion, $"DE-METER-{interval}{index:D3}", exportWh, importWh);
        return new HouseholdReconciliationLeaf
        {
            Household = reading.Household,
            ReadingHash = reading.Hash(),
            ReadingVersion = readingVersion,
            SoldWh = sold,
            BoughtWh = bought,
            ExportWh = exportWh,
            ImportWh = importWh,
            Entries = [.. entries],
        };
    }

    private static ImbalanceEntry Covered(int interval, int by, long wh) =>
        new(ImbalanceEntryKind.CoveredByNeighbour, Party(interval, by), wh, Money.Amount(wh, Price));

    private static ImbalanceEntry Provided(int interval, int to, long wh) =>
        new(ImbalanceEntryKind.ProvidedToNeighbour, Party(interval, to), wh, Money.Amount(wh, Price));

    private static ImbalanceEntry FromUtility(long wh) => new(ImbalanceEntryKind.BoughtFromUtility, ImbalanceEntry.Utility, wh, Money.Amount(wh, Retail));

    private static ImbalanceEntry ToUtility(long wh) => new(ImbalanceEntryKind.SoldToUtility, ImbalanceEntry.Utility, wh, Money.Amount(wh, FeedIn));

    public static string Export(IEnumerable<LedgerBlock> blocks, Checkpoint checkpoint)
    {
        using var stream = new MemoryStream();
        LedgerExport.Write(stream, blocks, checkpoint);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Named exports: the valid one and one per tampering.</summary>
    public static IEnumerable<(string Name, string Export)> Cases()
    {
        var (valid, checkpoint) = Valid();
        string With(Func<List<LedgerBlock>, List<LedgerBlock>> change) => Export(change([.. valid]), checkpoint);
        string Lines(Func<List<string>, List<string>> change) => string.Join('\n', change([.. Export(valid, checkpoint).TrimEnd('\n').Split('\n')])) + "\n";

        yield return ("valid", Export(valid, checkpoint));
        yield return ("header byte changed", With(b => Replace(b, 4, WithHeaderByte(b[4], 100, x => (byte)(x ^ 1)))));
        yield return ("block dropped", With(b => { b.RemoveAt(5); return b; }));
        yield return ("blocks swapped", With(b => { (b[4], b[5]) = (b[5], b[4]); return b; }));
        yield return ("trade leaf changed", With(b => Replace(b, 3, WithLeaf(b[3], 1, leaf => AddToI64(leaf, 73, 1000)))));
        yield return ("order leaf changed", With(b => Replace(b, 4, WithLeaf(b[4], 2, leaf => AddToI64(leaf, 26, 1)))));
        yield return ("leaf dropped, count kept", With(b => Replace(b, 5, new LedgerBlock(b[5].HeaderBytes, b[5].Signature, [b[5].Leaves.GetSpan(0).ToArray()]))));
        yield return ("re-signed with a wrong amount", With(b => Replace(b, 3, Resign(b[3], KeyA, Trades(b[3], 1, t => t with { Amount = t.Amount + 1 })))));
        yield return ("re-signed with a trade id gap", With(b => Replace(b, 5, Resign(b[5], KeyA, Trades(b[5], 0, t => t with { TradeId = t.TradeId + 1 })))));
        yield return ("re-signed with an overfill", With(b => Replace(b, 3, Resign(b[3], KeyA, Trades(b[3], 1, t => t with { EnergyWh = 1600, Amount = Money.Amount(1600, t.Price) })))));
        yield return ("re-signed with an order not in the book", With(b => Replace(b, 8, Resign(b[8], KeyB, Trades(b[8], 0, t => t with { BuySequence = 99 })))));
        yield return ("re-signed with a price out of bounds", With(b => Replace(b, 8, Resign(b[8], KeyB, Trades(b[8], 1, t => t with { Price = 10_001, Amount = Money.Amount(t.EnergyWh, 10_001) })))));
        yield return ("signed by an unknown key", With(b => Replace(b, 2, Resign(b[2], Stranger, null))));
        yield return ("signed by the retired key", With(b => Replace(b, 7, Resign(b[7], KeyA, null))));
        yield return ("high-S signature", With(b => Replace(b, 4, HighS(b[4]))));
        yield return ("clearing names no order book", With(b => Replace(b, 5, Resign(b[5], KeyA, null, h => h with { Reference = SHA256.HashData("nothing"u8) }))));
        yield return ("reconciliation household leaf changed", With(b => Replace(b, 9, WithLeaf(b[9], 1, leaf => AddToI64(leaf, 70, 100)))));
        yield return ("re-signed reconciliation with sold not covered", With(b => Replace(b, 9, Resign(b[9], KeyB, Households(b[9], 1, h => h with { ExportWh = 2500 })))));
        yield return ("re-signed reconciliation with unbalanced postings", With(b => Replace(b, 9, Resign(b[9], KeyB, Households(b[9], 3, h => h with { Entries = [Provided(0, 1, 240), Provided(0, 4, 60)] })))));
        yield return ("re-signed reconciliation with traded energy changed", With(b => Replace(b, 10, Resign(b[10], KeyB, Households(b[10], 2, h => h with { BoughtWh = 1400, ImportWh = 1400 })))));
        yield return ("re-signed reconciliation with a wrong utility amount", With(b => Replace(b, 11, Resign(b[11], KeyB, Households(b[11], 1, h => h with { Entries = h.Entries.SetItem(1, h.Entries[1] with { Amount = h.Entries[1].Amount + 1 }) })))));
        yield return ("re-signed reconciliation with a version gap", With(b => Replace(b, 11, Resign(b[11], KeyB, Summary(b[11], s => s with { ReconciliationVersion = 3 })))));
        yield return ("reconciliation names no clearing block", With(b => Replace(b, 9, Resign(b[9], KeyB, null, h => h with { Reference = SHA256.HashData(b[2].HeaderBytes) }))));
        yield return ("checkpoint root changed", Lines(l => { l[^1] = ChangeJsonHex(l[^1], "\"root\":\""); return l; }));
        yield return ("checkpoint signature changed", Lines(l => { l[^1] = ChangeJsonHex(l[^1], "\"signature\":\""); return l; }));
        yield return ("last block cut off", Lines(l => { l.RemoveAt(l.Count - 2); return l; }));
        yield return ("checkpoint missing", Lines(l => { l.RemoveAt(l.Count - 1); return l; }));
        yield return ("not hex", Lines(l => { l[3] = l[3].Replace("\"header\":\"00", "\"header\":\"0g", StringComparison.Ordinal); return l; }));
        yield return ("repeated field", Lines(l => { l[3] = l[3].Replace("\"kind\":", "\"kind\":\"rules\",\"kind\":", StringComparison.Ordinal); return l; }));
        yield return ("line after the checkpoint", Lines(l => { l.Add(string.Empty); return l; }));
    }

    private static List<LedgerBlock> Replace(List<LedgerBlock> blocks, int height, LedgerBlock block)
    {
        blocks[height] = block;
        return blocks;
    }

    private static LedgerBlock WithHeaderByte(LedgerBlock block, int offset, Func<byte, byte> change)
    {
        var header = (byte[])block.HeaderBytes.Clone();
        header[offset] = change(header[offset]);
        return new LedgerBlock(header, block.Signature, block.Leaves);
    }

    private static LedgerBlock WithLeaf(LedgerBlock block, int index, Func<byte[], byte[]> change) =>
        new(block.HeaderBytes, block.Signature, block.Leaves.Select((l, i) => i == index ? change(l.ToArray()) : l.ToArray()));

    private static byte[] AddToI64(byte[] leaf, int offset, long delta)
    {
        var value = System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(leaf.AsSpan(offset));
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(leaf.AsSpan(offset), value + delta);
        return leaf;
    }

    private static LeafList Trades(LedgerBlock block, int index, Func<TradeLeaf, TradeLeaf> change) =>
        LeafList.FromArrays(block.Leaves.Select((l, i) =>
        {
            var trade = TradeLeaf.Decode(l.Span);
            return (i == index ? change(trade) : trade).Encode();
        }));

    private static LeafList Households(LedgerBlock block, int index, Func<HouseholdReconciliationLeaf, HouseholdReconciliationLeaf> change) =>
        LeafList.FromArrays(block.Leaves.Select((l, i) => i != index ? l.ToArray()
            : HouseholdReconciliationLeaf.TryDecode(l.Span, out var household, out var error) ? change(household).Encode()
            : throw new InvalidOperationException(error)));

    private static LeafList Summary(LedgerBlock block, Func<ReconciliationSummary, ReconciliationSummary> change) =>
        LeafList.FromArrays(block.Leaves.Select((l, i) => i != 0 ? l.ToArray()
            : ReconciliationSummary.TryDecode(l.Span, out var summary, out var error) ? change(summary).Encode()
            : throw new InvalidOperationException(error)));

    /// <summary>Re-seals a block's header over new leaves (or the same) with another key: only the intended change remains.</summary>
    private static LedgerBlock Resign(LedgerBlock block, SigningKey key, LeafList? leaves, Func<BlockHeader, BlockHeader>? edit = null)
    {
        var newLeaves = leaves ?? block.Leaves;
        var header = BlockHeader.Decode(block.HeaderBytes) with
        {
            PayloadRoot = MerkleTree.ComputeRoot(newLeaves),
            LeafCount = newLeaves.Count,
            KeyId = key.KeyId,
        };
        header = edit?.Invoke(header) ?? header;
        var bytes = header.Encode();
        return new LedgerBlock(bytes, key.Sign(SHA256.HashData(bytes)), newLeaves);
    }

    /// <summary>The same signature with s replaced by n − s: mathematically valid, rejected for being high.</summary>
    private static LedgerBlock HighS(LedgerBlock block)
    {
        var s = new System.Numerics.BigInteger(block.Signature.AsSpan(32), isUnsigned: true, isBigEndian: true);
        var high = (N - s).ToByteArray(isUnsigned: true, isBigEndian: true);
        var signature = new byte[64];
        block.Signature.AsSpan(0, 32).CopyTo(signature);
        high.CopyTo(signature.AsSpan(64 - high.Length));
        return new LedgerBlock(block.HeaderBytes, signature, block.Leaves);
    }

    private static string ChangeJsonHex(string line, string field)
    {
        var at = line.IndexOf(field, StringComparison.Ordinal) + field.Length;
        var digit = line[at] == '0' ? '1' : '0';
        return string.Concat(line.AsSpan(0, at), digit.ToString(), line.AsSpan(at + 1));
    }
}
