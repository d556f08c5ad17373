using static Market.Ledger.Tests.TestChain;
using Reason = Market.Ledger.VerificationFailureReason;

namespace Market.Ledger.Tests;

/// <summary>
/// Every way to tamper with the small valid chain, each detected with the right reason at the right place. "raw"
/// means bytes changed without re-signing; "re-signed" means the operator's key re-signed the changed block (only
/// the intended change remains), so the semantic checks must catch it.
/// Block 4 is interval 1's order book, block 5 its clearing (trades 4, 5, 6); block 6 rotates key A to key B.
/// </summary>
public sealed class TamperMatrixTests
{
    private static readonly Dictionary<string, Func<Tampered>> Cases = new()
    {
        // Order book after the gate.
        ["order added after the gate (raw)"] = () => Blocks(b => b[4] = WithLeaves(b[4], [.. b[4].Leaves.ToArrays(), new OrderLeaf(17, Party(1, 7), OrderSide.Buy, 500, 9000).Encode()])),
        ["order dropped after the gate (raw)"] = () => Blocks(b => b[4] = WithLeaves(b[4], b[4].Leaves.ToArrays().Skip(1))),
        ["order changed after the gate (raw)"] = () => Blocks(b => b[4] = WithLeaves(b[4], b[4].Leaves.ToArrays().Select((l, i) => i == 2 ? (OrderLeaf.Decode(l) with { EnergyWh = 1 }).Encode() : l))),
        ["order added, book re-signed"] = () => Blocks(b => b[4] = Resign(b[4], KeyA, leaves: MapOrders(b[4], o => [.. o, new OrderLeaf(17, Party(1, 7), OrderSide.Buy, 500, 9000)]))),
        ["order added, book and clearing re-signed and re-linked"] = () => Relinked(4, b => b[4] = Resign(b[4], KeyA, leaves: MapOrders(b[4], o => [.. o, new OrderLeaf(17, Party(1, 7), OrderSide.Buy, 500, 9000)]))),
        ["traded order dropped, book and clearing re-signed and re-linked"] = () => Relinked(4, b => b[4] = Resign(b[4], KeyA, leaves: MapOrders(b[4], o => o.Where(x => x.Sequence != 13)))),
        ["order price beyond the ceiling, re-signed"] = () => Blocks(b => b[4] = Resign(b[4], KeyA, leaves: MapOrders(b[4], o => o.Select(x => x.Sequence == 15 ? x with { LimitPrice = 10_001 } : x)))),
        ["orders out of sequence order, re-signed"] = () => Blocks(b => b[4] = Resign(b[4], KeyA, leaves: MapOrders(b[4], o => o.OrderBy(x => -x.Sequence)))),
        ["order with zero energy, re-signed"] = () => Blocks(b => b[4] = Resign(b[4], KeyA, leaves: MapOrders(b[4], o => o.Select(x => x.Sequence == 15 ? x with { EnergyWh = 0 } : x)))),

        // A trade the rules would not give, in a chain that is otherwise perfectly sealed and signed.
        ["trade price the rules would not give, sealed honestly"] = () => Sealed(Build(alterFills: (i, f) => i == 1 ? f.Select(x => x with { Price = x.Price + 1 }).ToArray() : f)),
        ["trade energy the rules would not give, sealed honestly"] = () => Sealed(Build(alterFills: (i, f) => i == 1 ? f.Select((x, k) => k == 2 ? x with { EnergyWh = x.EnergyWh - 1 } : x).ToArray() : f)),
        ["extra trade the rules would not give, sealed honestly"] = () => Sealed(Build(alterFills: (i, f) => i == 1 ? [.. f, f[0] with { EnergyWh = 1, BuySequence = 15, Buyer = Party(1, 5), SellSequence = 13, Seller = Party(1, 3) }] : f)),
        ["trade missing, sealed honestly"] = () => Sealed(Build(alterFills: (i, f) => i == 1 ? f[..2] : f)),
        ["trades in another order, sealed honestly"] = () => Sealed(Build(alterFills: (i, f) => i == 1 ? [f[1], f[0], f[2]] : f)),
        ["trades swapped buyers, sealed honestly"] = () => Sealed(Build(alterFills: (i, f) => i == 1 ? [f[0] with { BuySequence = 14, Buyer = Party(1, 4) }, f[1] with { BuySequence = 12, Buyer = Party(1, 2) }, f[2]] : f)),

        // Any field of a trade, raw.
        ["trade version (raw)"] = () => TradeRaw(0),
        ["trade id (raw)"] = () => TradeRaw(8),
        ["trade interval start (raw)"] = () => TradeRaw(16),
        ["trade interval end (raw)"] = () => TradeRaw(24),
        ["trade buyer (raw)"] = () => TradeRaw(40),
        ["trade seller (raw)"] = () => TradeRaw(56),
        ["trade buy sequence (raw)"] = () => TradeRaw(64),
        ["trade sell sequence (raw)"] = () => TradeRaw(72),
        ["trade energy (raw)"] = () => TradeRaw(80),
        ["trade price (raw)"] = () => TradeRaw(88),
        ["trade amount (raw)"] = () => TradeRaw(96),

        // Any field of a trade, re-signed.
        ["trade version, re-signed"] = () => Blocks(b => b[5] = Resign(b[5], KeyA, leaves: LeafList.FromArrays(b[5].Leaves.ToArrays().Select((l, i) => i == 1 ? [2, .. l[1..]] : l)))),
        ["trade id, re-signed"] = () => TradeResigned(t => t with { TradeId = 42 }),
        ["trade interval start, re-signed"] = () => TradeResigned(t => t with { IntervalStart = t.IntervalStart - 900 }),
        ["trade interval end, re-signed"] = () => TradeResigned(t => t with { IntervalEnd = t.IntervalEnd + 900 }),
        ["trade buyer, re-signed"] = () => TradeResigned(t => t with { Buyer = Party(1, 9) }),
        ["trade seller, re-signed"] = () => TradeResigned(t => t with { Seller = Party(1, 9) }),
        ["trade buy sequence not in book, re-signed"] = () => TradeResigned(t => t with { BuySequence = 99 }),
        ["trade buy sequence is an offer, re-signed"] = () => TradeResigned(t => t with { BuySequence = 13 }),
        ["trade sell sequence not in book, re-signed"] = () => TradeResigned(t => t with { SellSequence = 98 }),
        ["trade sell sequence is a bid, re-signed"] = () => TradeResigned(t => t with { SellSequence = 12, Seller = Party(1, 2) }),
        ["trade energy, re-signed"] = () => TradeResigned(t => t with { EnergyWh = t.EnergyWh * 2 }),
        ["trade price, re-signed"] = () => TradeResigned(t => t with { Price = t.Price * 2 }),
        ["trade amount, re-signed"] = () => TradeResigned(t => t with { Amount = t.Amount + 1 }),
        ["trade energy and amount, re-signed"] = () => TradeResigned(t => t with { EnergyWh = t.EnergyWh - 1, Amount = Money.Amount(t.EnergyWh - 1, t.Price) }),
        ["trade energy beyond the order, re-signed"] = () => TradeResigned(t => t with { EnergyWh = t.EnergyWh + 10_000, Amount = Money.Amount(t.EnergyWh + 10_000, t.Price) }),
        ["trade price and amount, re-signed"] = () => TradeResigned(t => t with { Price = t.Price + 7, Amount = Money.Amount(t.EnergyWh, t.Price + 7) }),
        ["trade price beyond the ceiling, re-signed"] = () => TradeResigned(t => t with { Price = 20_000, Amount = Money.Amount(t.EnergyWh, 20_000) }),

        // Drop, add, duplicate, reorder trades.
        ["trade dropped (raw)"] = () => Blocks(b => b[5] = WithLeaves(b[5], b[5].Leaves.ToArrays().Skip(1))),
        ["trade added (raw)"] = () => Blocks(b => b[5] = WithLeaves(b[5], [.. b[5].Leaves.ToArrays(), b[5].Leaves.ToArrays()[^1]])),
        ["trades reordered (raw)"] = () => Blocks(b => b[5] = WithLeaves(b[5], b[5].Leaves.ToArrays().Reverse())),
        ["middle trade dropped, re-signed"] = () => Blocks(b => b[5] = Resign(b[5], KeyA, leaves: MapTrades(b[5], t => t.Where(x => x.TradeId != 5)))),
        ["last trade dropped, re-signed"] = () => Blocks(b => b[5] = Resign(b[5], KeyA, leaves: MapTrades(b[5], t => t.Take(2)))),
        ["trade duplicated, re-signed"] = () => Blocks(b => b[5] = Resign(b[5], KeyA, leaves: MapTrades(b[5], t => [t[0], t[0], t[1], t[2]]))),
        ["trade added with the next id, re-signed"] = () => Blocks(b => b[5] = Resign(b[5], KeyA, leaves: MapTrades(b[5], t => [.. t, t[2] with { TradeId = 7 }]))),
        ["trades reordered, re-signed"] = () => Blocks(b => b[5] = Resign(b[5], KeyA, leaves: MapTrades(b[5], t => [t[1], t[0], t[2]]))),
        ["trades reordered and renumbered, re-signed"] = () => Blocks(b => b[5] = Resign(b[5], KeyA, leaves: MapTrades(b[5], t => [t[1] with { TradeId = 4 }, t[0] with { TradeId = 5 }, t[2]]))),

        // Any header field, raw (block 5).
        ["header version (raw)"] = () => HeaderRaw(1),
        ["header kind to another kind (raw)"] = () => Blocks(b => b[5] = WithHeaderByte(b[5], 2, _ => (byte)BlockKind.OrderBook)),
        ["header kind to an unknown kind (raw)"] = () => Blocks(b => b[5] = WithHeaderByte(b[5], 2, _ => 9)),
        ["header height (raw)"] = () => HeaderRaw(10),
        ["header previous hash (raw)"] = () => HeaderRaw(20),
        ["header payload root (raw)"] = () => HeaderRaw(50),
        ["header leaf count (raw)"] = () => HeaderRaw(78),
        ["header interval start (raw)"] = () => HeaderRaw(86),
        ["header interval end (raw)"] = () => HeaderRaw(94),
        ["header sealed at (raw)"] = () => HeaderRaw(102),
        ["header key id (raw)"] = () => HeaderRaw(110),
        ["header reference (raw)"] = () => HeaderRaw(140),
        ["header mechanism (raw)"] = () => HeaderRaw(167),
        ["header rules version (raw)"] = () => HeaderRaw(169),

        // Header fields, re-signed.
        ["clearing interval, re-signed"] = () => Blocks(b => b[5] = Resign(b[5], KeyA, h => h with { IntervalStart = h.IntervalStart + 900, IntervalEnd = h.IntervalEnd + 900 })),
        ["clearing reference to an unknown block, re-signed"] = () => Blocks(b => b[5] = Resign(b[5], KeyA, h => h with { Reference = [.. Enumerable.Repeat((byte)7, 32)] })),
        ["clearing reference zero, re-signed"] = () => Blocks(b => b[5] = Resign(b[5], KeyA, h => h with { Reference = new byte[32] })),
        ["clearing mechanism, re-signed"] = () => Blocks(b => b[5] = Resign(b[5], KeyA, h => h with { Mechanism = 2 })),
        ["clearing rules version, re-signed"] = () => Blocks(b => b[5] = Resign(b[5], KeyA, h => h with { RulesVersion = 2 })),
        ["clearing sealed before the previous block, re-signed"] = () => Blocks(b => b[5] = Resign(b[5], KeyA, h => h with { SealedAtUnixMs = 0 })),
        ["clearing leaf count, re-signed"] = () => Blocks(b => b[5] = Resign(b[5], KeyA, h => h with { LeafCount = 2 })),
        ["clearing payload root, re-signed"] = () => Blocks(b => b[5] = Resign(b[5], KeyA, h => h with { PayloadRoot = MerkleTree.EmptyRoot() })),
        ["order book rules version, re-signed"] = () => Blocks(b => b[4] = Resign(b[4], KeyA, h => h with { RulesVersion = 2 })),
        ["order book interval misaligned, re-signed"] = () => Blocks(b => b[4] = Resign(b[4], KeyA, h => h with { IntervalStart = h.IntervalStart + 60, IntervalEnd = h.IntervalEnd + 60 })),
        ["order book interval too long, re-signed"] = () => Blocks(b => b[4] = Resign(b[4], KeyA, h => h with { IntervalEnd = h.IntervalEnd + 900 })),
        ["order book for an interval already committed, re-signed"] = () => Blocks(b => b[4] = Resign(b[4], KeyA, h => h with { IntervalStart = h.IntervalStart - 900, IntervalEnd = h.IntervalEnd - 900 })),
        ["order book sealed before gate closure, re-signed"] = () => Blocks(b => b[4] = Resign(b[4], KeyA, h => h with { SealedAtUnixMs = Gate(1).ToUnixTimeMilliseconds() - 1 })),
        ["order book with a reference, re-signed"] = () => Blocks(b => b[4] = Resign(b[4], KeyA, h => h with { Reference = [.. Enumerable.Repeat((byte)7, 32)] })),
        ["rules block with an interval, re-signed"] = () => Blocks(b => b[1] = Resign(b[1], KeyA, h => h with { IntervalEnd = 5 })),
        ["rules block with a lower floor than zero, re-signed"] = () => Blocks(b => b[1] = Resign(b[1], KeyA, leaves: LeafList.FromArrays([(Rules with { PriceFloor = -1 }).Encode()]))),

        // Blocks dropped, reordered, duplicated; tail cut.
        ["block dropped"] = () => Blocks(b => b.RemoveAt(4)),
        ["blocks reordered"] = () => Blocks(b => (b[4], b[5]) = (b[5], b[4])),
        ["block duplicated"] = () => Blocks(b => b.Insert(5, b[4])),
        ["tail cut, old checkpoint"] = () => Blocks(b => b.RemoveRange(9, 2)),
        ["tail cut, new checkpoint, against the kept one"] = () => TailCutWithNewCheckpoint(),
        ["second clearing of the same book"] = () => SecondClearing(),

        // Signatures and keys.
        ["signature replaced by another block's"] = () => Blocks(b => b[5] = new LedgerBlock(b[5].HeaderBytes, b[3].Signature, b[5].Leaves)),
        ["signature replaced by zeros"] = () => Blocks(b => b[5] = new LedgerBlock(b[5].HeaderBytes, new byte[64], b[5].Leaves)),
        ["signature replaced by its high-S twin"] = () => Blocks(b => b[5] = new LedgerBlock(b[5].HeaderBytes, HighS(b[5].Signature), b[5].Leaves)),
        ["signature truncated"] = () => Blocks(b => b[5] = new LedgerBlock(b[5].HeaderBytes, b[5].Signature[..63], b[5].Leaves)),
        ["signed by an unknown key"] = () => Blocks(b => b[5] = Resign(b[5], UnknownKey)),
        ["signed by the retired key"] = () => Blocks(b => b[8] = Resign(b[8], KeyA)),
        ["signed by the next key before its rotation"] = () => Blocks(b => b[5] = Resign(b[5], KeyB)),
        ["rotation that does not retire the current key, re-signed"] = () => Blocks(b => b[6] = Resign(b[6], KeyA, leaves: LeafList.FromArrays([new KeyRecord(KeyAction.Introduce, KeyB.PublicKey).Encode(), new KeyRecord(KeyAction.Retire, UnknownKey.PublicKey).Encode()]))),
        ["rotation that reintroduces the current key, re-signed"] = () => Blocks(b => b[6] = Resign(b[6], KeyA, leaves: LeafList.FromArrays([new KeyRecord(KeyAction.Introduce, KeyA.PublicKey).Encode(), new KeyRecord(KeyAction.Retire, KeyA.PublicKey).Encode()]))),
        ["genesis introduces another key than its signer"] = () => Blocks(b => b[0] = Resign(b[0], KeyA, leaves: LeafList.FromArrays([new KeyRecord(KeyAction.Introduce, KeyB.PublicKey).Encode()]))),
        ["genesis is not a key event"] = () => Blocks(b => b[0] = Resign(b[0], KeyA, h => h with { Kind = BlockKind.Rules })),
        ["genesis key is not the trusted one"] = () => Sealed(Valid) with { Options = new ChainVerifierOptions { TrustedGenesisKeyId = KeyB.KeyId } },

        // Checkpoints and forks.
        ["complete re-signed fork, against the kept checkpoint"] = () => Fork(),
        ["checkpoint missing"] = () => Sealed(Valid) with { Latest = null },
        ["checkpoint root changed"] = () => Sealed(Valid) with { Latest = Valid.Checkpoint with { Root = MerkleTree.EmptyRoot() } },
        ["checkpoint signature replaced"] = () => Sealed(Valid) with { Latest = Valid.Checkpoint with { Signature = Valid.Kept.Signature } },
        ["checkpoint signed by the retired key"] = () => Sealed(Valid) with { Latest = Checkpoint.Create(11, Valid.Checkpoint.Root, Gate(3).AddSeconds(5), KeyA) },
        ["checkpoint dated before its last block"] = () => Sealed(Valid) with { Latest = Checkpoint.Create(11, Valid.Checkpoint.Root, Gate(0), KeyB) },
        ["checkpoint size beyond the blocks"] = () => Sealed(Valid) with { Latest = Checkpoint.Create(12, Valid.Checkpoint.Root, Gate(3).AddSeconds(5), KeyB) },
        ["kept checkpoint from another history"] = () => Sealed(Valid) with { Kept = Valid.Kept with { Root = Valid.Checkpoint.Root } },
    };

    private static readonly Dictionary<string, (Reason Reason, long? Height)> Expected = new()
    {
        ["order added after the gate (raw)"] = (Reason.LeafCountMismatch, 4),
        ["order dropped after the gate (raw)"] = (Reason.LeafCountMismatch, 4),
        ["order changed after the gate (raw)"] = (Reason.PayloadRootMismatch, 4),
        ["order added, book re-signed"] = (Reason.BrokenLink, 5),
        ["order added, book and clearing re-signed and re-linked"] = (Reason.ReplayMismatch, 5),
        ["traded order dropped, book and clearing re-signed and re-linked"] = (Reason.OrderNotInBook, 5),
        ["order price beyond the ceiling, re-signed"] = (Reason.PriceOutOfBounds, 4),
        ["orders out of sequence order, re-signed"] = (Reason.InvalidOrder, 4),
        ["order with zero energy, re-signed"] = (Reason.InvalidOrder, 4),
        ["trade price the rules would not give, sealed honestly"] = (Reason.ReplayMismatch, 5),
        ["trade energy the rules would not give, sealed honestly"] = (Reason.ReplayMismatch, 5),
        ["extra trade the rules would not give, sealed honestly"] = (Reason.ReplayMismatch, 5),
        ["trade missing, sealed honestly"] = (Reason.ReplayMismatch, 5),
        ["trades in another order, sealed honestly"] = (Reason.ReplayMismatch, 5),
        ["trades swapped buyers, sealed honestly"] = (Reason.Overfill, 5),
        ["trade version (raw)"] = (Reason.PayloadRootMismatch, 5),
        ["trade id (raw)"] = (Reason.PayloadRootMismatch, 5),
        ["trade interval start (raw)"] = (Reason.PayloadRootMismatch, 5),
        ["trade interval end (raw)"] = (Reason.PayloadRootMismatch, 5),
        ["trade buyer (raw)"] = (Reason.PayloadRootMismatch, 5),
        ["trade seller (raw)"] = (Reason.PayloadRootMismatch, 5),
        ["trade buy sequence (raw)"] = (Reason.PayloadRootMismatch, 5),
        ["trade sell sequence (raw)"] = (Reason.PayloadRootMismatch, 5),
        ["trade energy (raw)"] = (Reason.PayloadRootMismatch, 5),
        ["trade price (raw)"] = (Reason.PayloadRootMismatch, 5),
        ["trade amount (raw)"] = (Reason.PayloadRootMismatch, 5),
        ["trade version, re-signed"] = (Reason.MalformedLeaf, 5),
        ["trade id, re-signed"] = (Reason.TradeIdGap, 5),
        ["trade interval start, re-signed"] = (Reason.TradeIntervalMismatch, 5),
        ["trade interval end, re-signed"] = (Reason.TradeIntervalMismatch, 5),
        ["trade buyer, re-signed"] = (Reason.OrderOwnerMismatch, 5),
        ["trade seller, re-signed"] = (Reason.OrderOwnerMismatch, 5),
        ["trade buy sequence not in book, re-signed"] = (Reason.OrderNotInBook, 5),
        ["trade buy sequence is an offer, re-signed"] = (Reason.OrderSideMismatch, 5),
        ["trade sell sequence not in book, re-signed"] = (Reason.OrderNotInBook, 5),
        ["trade sell sequence is a bid, re-signed"] = (Reason.OrderSideMismatch, 5),
        ["trade energy, re-signed"] = (Reason.AmountMismatch, 5),
        ["trade price, re-signed"] = (Reason.AmountMismatch, 5),
        ["trade amount, re-signed"] = (Reason.AmountMismatch, 5),
        ["trade energy and amount, re-signed"] = (Reason.ReplayMismatch, 5),
        ["trade energy beyond the order, re-signed"] = (Reason.Overfill, 5),
        ["trade price and amount, re-signed"] = (Reason.ReplayMismatch, 5),
        ["trade price beyond the ceiling, re-signed"] = (Reason.PriceOutOfBounds, 5),
        ["trade dropped (raw)"] = (Reason.LeafCountMismatch, 5),
        ["trade added (raw)"] = (Reason.LeafCountMismatch, 5),
        ["trades reordered (raw)"] = (Reason.PayloadRootMismatch, 5),
        ["middle trade dropped, re-signed"] = (Reason.TradeIdGap, 5),
        ["last trade dropped, re-signed"] = (Reason.ReplayMismatch, 5),
        ["trade duplicated, re-signed"] = (Reason.TradeIdGap, 5),
        ["trade added with the next id, re-signed"] = (Reason.Overfill, 5),
        ["trades reordered, re-signed"] = (Reason.TradeIdGap, 5),
        ["trades reordered and renumbered, re-signed"] = (Reason.ReplayMismatch, 5),
        ["header version (raw)"] = (Reason.UnsupportedVersion, 5),
        ["header kind to another kind (raw)"] = (Reason.BadSignature, 5),
        ["header kind to an unknown kind (raw)"] = (Reason.MalformedHeader, 5),
        ["header height (raw)"] = (Reason.HeightGap, 5),
        ["header previous hash (raw)"] = (Reason.BrokenLink, 5),
        ["header payload root (raw)"] = (Reason.BadSignature, 5),
        ["header leaf count (raw)"] = (Reason.BadSignature, 5),
        ["header interval start (raw)"] = (Reason.BadSignature, 5),
        ["header interval end (raw)"] = (Reason.BadSignature, 5),
        ["header sealed at (raw)"] = (Reason.BadSignature, 5),
        ["header key id (raw)"] = (Reason.UnknownKey, 5),
        ["header reference (raw)"] = (Reason.BadSignature, 5),
        ["header mechanism (raw)"] = (Reason.BadSignature, 5),
        ["header rules version (raw)"] = (Reason.BadSignature, 5),
        ["clearing interval, re-signed"] = (Reason.ReferenceMismatch, 5),
        ["clearing reference to an unknown block, re-signed"] = (Reason.OrderBookMissing, 5),
        ["clearing reference zero, re-signed"] = (Reason.InvalidHeaderField, 5),
        ["clearing mechanism, re-signed"] = (Reason.ReferenceMismatch, 5),
        ["clearing rules version, re-signed"] = (Reason.ReferenceMismatch, 5),
        ["clearing sealed before the previous block, re-signed"] = (Reason.TimeNotMonotonic, 5),
        ["clearing leaf count, re-signed"] = (Reason.LeafCountMismatch, 5),
        ["clearing payload root, re-signed"] = (Reason.PayloadRootMismatch, 5),
        ["order book rules version, re-signed"] = (Reason.RulesMismatch, 4),
        ["order book interval misaligned, re-signed"] = (Reason.InvalidInterval, 4),
        ["order book interval too long, re-signed"] = (Reason.InvalidInterval, 4),
        ["order book for an interval already committed, re-signed"] = (Reason.DuplicateInterval, 4),
        ["order book sealed before gate closure, re-signed"] = (Reason.SealedBeforeGateClosure, 4),
        ["order book with a reference, re-signed"] = (Reason.InvalidHeaderField, 4),
        ["rules block with an interval, re-signed"] = (Reason.InvalidHeaderField, 1),
        ["rules block with a lower floor than zero, re-signed"] = (Reason.InvalidRules, 1),
        ["block dropped"] = (Reason.HeightGap, 4),
        ["blocks reordered"] = (Reason.HeightGap, 4),
        ["block duplicated"] = (Reason.HeightGap, 5),
        ["tail cut, old checkpoint"] = (Reason.Truncated, null),
        ["tail cut, new checkpoint, against the kept one"] = (Reason.Truncated, null),
        ["second clearing of the same book"] = (Reason.DuplicateClearing, 11),
        ["signature replaced by another block's"] = (Reason.BadSignature, 5),
        ["signature replaced by zeros"] = (Reason.BadSignature, 5),
        ["signature replaced by its high-S twin"] = (Reason.BadSignature, 5),
        ["signature truncated"] = (Reason.BadSignature, 5),
        ["signed by an unknown key"] = (Reason.UnknownKey, 5),
        ["signed by the retired key"] = (Reason.RetiredKey, 8),
        ["signed by the next key before its rotation"] = (Reason.UnknownKey, 5),
        ["rotation that does not retire the current key, re-signed"] = (Reason.InvalidKeyEvent, 6),
        ["rotation that reintroduces the current key, re-signed"] = (Reason.InvalidKeyEvent, 6),
        ["genesis introduces another key than its signer"] = (Reason.GenesisInvalid, 0),
        ["genesis is not a key event"] = (Reason.GenesisInvalid, 0),
        ["genesis key is not the trusted one"] = (Reason.UnknownKey, 0),
        ["complete re-signed fork, against the kept checkpoint"] = (Reason.NotConsistent, null),
        ["checkpoint missing"] = (Reason.CheckpointMissing, null),
        ["checkpoint root changed"] = (Reason.CheckpointMismatch, null),
        ["checkpoint signature replaced"] = (Reason.BadCheckpointSignature, null),
        ["checkpoint signed by the retired key"] = (Reason.BadCheckpointSignature, null),
        ["checkpoint dated before its last block"] = (Reason.CheckpointMismatch, null),
        ["checkpoint size beyond the blocks"] = (Reason.Truncated, null),
        ["kept checkpoint from another history"] = (Reason.NotConsistent, null),
    };

    public static TheoryData<string> CaseNames() => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Verify_TamperedChain_FailsWithTheExpectedReasonAndHeight(string name)
    {
        var tampered = Cases[name]();

        var result = ChainVerifier.Verify(tampered.Blocks, tampered.Latest, new FakeReplayer(), tampered.Kept, tampered.Options);

        result.IsValid.ShouldBeFalse(name);
        (result.Failure!.Reason, result.Failure.Height).ShouldBe(Expected[name], result.Failure.ToString());
    }

    [Fact]
    public void Cases_EveryCase_HasAnExpectation()
    {
        var names = Cases.Keys.ToHashSet();

        var missing = names.Symmetric(Expected.Keys);

        missing.ShouldBeEmpty();
    }

    [Fact]
    public void Verify_ReplayMismatch_NamesTheFirstWrongTrade()
    {
        var tampered = Cases["trades in another order, sealed honestly"]();

        var failure = ChainVerifier.Verify(tampered.Blocks, tampered.Latest, new FakeReplayer()).Failure!;

        (failure.TradeId, failure.LeafIndex).ShouldBe((4L, 0));
    }

    [Fact]
    public void Verify_TradeIdGap_NamesTheTradeAndLeaf()
    {
        var tampered = Cases["middle trade dropped, re-signed"]();

        var failure = ChainVerifier.Verify(tampered.Blocks, tampered.Latest, new FakeReplayer()).Failure!;

        (failure.TradeId, failure.LeafIndex).ShouldBe((6L, 1));
    }

    [Fact]
    public void Verify_CompleteForkWithoutKeptCheckpoint_IsValidWhichIsWhyAuditorsKeepCheckpoints()
    {
        var fork = Fork();

        var result = ChainVerifier.Verify(fork.Blocks, fork.Latest, new FakeReplayer());

        result.IsValid.ShouldBeTrue();
    }

    private static Tampered Blocks(Action<List<LedgerBlock>> change)
    {
        var blocks = Valid.Copy();
        change(blocks);
        return new Tampered(blocks, Valid.Checkpoint, null, null);
    }

    private static Tampered Sealed(TestChain chain) => new(chain.Copy(), chain.Checkpoint, null, null);

    /// <summary>Applies a change, then re-signs and re-links every later block (previous hashes and clearing
    /// references follow the new hashes) so only the change itself remains.</summary>
    private static Tampered Relinked(int from, Action<List<LedgerBlock>> change)
    {
        var blocks = Valid.Copy();
        change(blocks);
        var renamed = new Dictionary<string, byte[]>
        {
            [Convert.ToHexString(Valid.Blocks[from].HeaderHash)] = BlockHeader.Hash(blocks[from].HeaderBytes),
        };
        for (var h = from + 1; h < blocks.Count; h++)
        {
            var key = h > RotationHeight ? KeyB : KeyA;
            var header = BlockHeader.Decode(blocks[h].HeaderBytes);
            var previous = BlockHeader.Hash(blocks[h - 1].HeaderBytes);
            var reference = renamed.GetValueOrDefault(Convert.ToHexString(header.Reference), header.Reference);
            blocks[h] = Resign(blocks[h], key, x => x with { PreviousHash = previous, Reference = reference });
            renamed[Convert.ToHexString(Valid.Blocks[h].HeaderHash)] = BlockHeader.Hash(blocks[h].HeaderBytes);
        }

        var tree = MerkleTree.FromLeaves(blocks.Select(b => BlockHeader.Hash(b.HeaderBytes)));
        return new Tampered(blocks, Checkpoint.Create(blocks.Count, tree.Root(), Gate(3).AddSeconds(5), KeyB), null, null);
    }

    private static Tampered TradeRaw(int offset) =>
        Blocks(b => b[5] = WithLeaves(b[5], b[5].Leaves.ToArrays().Select((l, i) => i == 1 ? Flip(l, offset) : l)));

    private static Tampered TradeResigned(Func<TradeLeaf, TradeLeaf> change) =>
        Blocks(b => b[5] = Resign(b[5], KeyA, leaves: MapTrades(b[5], t => t.Select((x, i) => i == 1 ? change(x) : x))));

    private static Tampered HeaderRaw(int offset) => Blocks(b => b[5] = WithHeaderByte(b[5], offset, x => (byte)(x ^ 0x01)));

    private static byte[] Flip(byte[] bytes, int offset)
    {
        var copy = (byte[])bytes.Clone();
        copy[offset] ^= 0x01;
        return copy;
    }

    private static byte[] HighS(byte[] signature)
    {
        var n = Org.BouncyCastle.Crypto.EC.CustomNamedCurves.GetByName("secp256k1").N;
        var s = n.Subtract(new Org.BouncyCastle.Math.BigInteger(1, signature, 32, 32));
        return [.. signature[..32], .. s.ToByteArrayUnsigned().PadLeft(32)];
    }

    private static Tampered TailCutWithNewCheckpoint()
    {
        var blocks = Valid.Copy();
        blocks.RemoveRange(9, 2);
        var tree = MerkleTree.FromLeaves(blocks.Select(b => BlockHeader.Hash(b.HeaderBytes)));
        var latest = Checkpoint.Create(9, tree.Root(), Gate(3).AddSeconds(5), KeyB);
        var kept = Valid.Checkpoint;
        return new Tampered(blocks, latest, kept, null);
    }

    private static Tampered SecondClearing()
    {
        var blocks = Valid.Copy();
        var book = Valid.Blocks[4];
        var trades = Valid.Blocks[5].Leaves.Select(l => TradeLeaf.Decode(l.Span))
            .Select(t => new TradeFill(t.Buyer, t.Seller, t.BuySequence, t.SellSequence, t.EnergyWh, t.Price)).ToArray();
        var again = BlockSealer.SealClearing(Valid.Blocks[^1].NextTip, KeyB, book.Header, trades, Gate(3).AddSeconds(4));
        blocks.Add(again);
        var tree = MerkleTree.FromLeaves(blocks.Select(b => BlockHeader.Hash(b.HeaderBytes)));
        return new Tampered(blocks, Checkpoint.Create(blocks.Count, tree.Root(), Gate(3).AddSeconds(5), KeyB), null, null);
    }

    /// <summary>The operator re-seals the whole chain with a different last clearing time: every block, link,
    /// signature, replay and the new checkpoint are valid; only the kept checkpoint can tell.</summary>
    private static Tampered Fork()
    {
        var fork = Build(clearingDelayMs: 2000);
        var kept = Checkpoint.Create(11, Valid.Checkpoint.Root, Gate(3).AddSeconds(5), KeyB);
        return new Tampered(fork.Copy(), fork.Checkpoint, kept, null);
    }

    private sealed record Tampered(List<LedgerBlock> Blocks, Checkpoint? Latest, Checkpoint? Kept, ChainVerifierOptions? Options);
}

internal static class SetExtensions
{
    public static List<string> Symmetric(this HashSet<string> left, IEnumerable<string> right)
    {
        var copy = new HashSet<string>(left);
        copy.SymmetricExceptWith(right);
        return [.. copy];
    }
}
