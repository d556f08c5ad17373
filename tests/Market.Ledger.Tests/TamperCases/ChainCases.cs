using System.Security.Cryptography;
using static Market.Ledger.Tests.TamperCases.Tamper;
using static Market.Ledger.Tests.TamperCases.Verdict;
using static Market.Ledger.Tests.TestChain;
using Reason = Market.Ledger.VerificationFailureReason;

namespace Market.Ledger.Tests.TamperCases;

/// <summary>
/// Every way to tamper with <see cref="TestChain"/>, each detected with the right reason at the right place. "raw"
/// means bytes changed without re-signing; "re-signed" means the operator's key re-signed the changed block (only
/// the intended change remains), so the semantic checks must catch it.
/// Block 2 enrols the households' keys, block 5 is interval 1's order book, block 6 its clearing (trades 4, 5, 6);
/// block 7 rotates key A to key B; block 12, the last, seals the witness policy.
/// </summary>
internal static class ChainCases
{
    private const string Ledger = "chain";

    private static readonly SigningKey FreshKey = SigningKey.FromPrivateKey(Convert.FromHexString("4444444444444444444444444444444444444444444444444444444444444444"));

    public static IEnumerable<TamperCase> All() =>
    [
        Case("valid", Sealed(Valid), ValidWith(13, 12)),
        Case("valid, against the kept checkpoint", Sealed(Valid) with { Kept = Valid.Kept }, ValidWith(13, 12)),

        // Order book after the gate.
        Case("order added after the gate (raw)", Blocks(b => b[5] = WithLeaves(b[5], [.. b[5].Leaves.ToArrays(), HouseholdKeys.Order(17, Party(1, 7), OrderSide.Buy, 500, 9000).Encode()])), Fails(Reason.LeafCountMismatch, 5)),
        Case("order dropped after the gate (raw)", Blocks(b => b[5] = WithLeaves(b[5], b[5].Leaves.ToArrays().Skip(1))), Fails(Reason.LeafCountMismatch, 5)),
        Case("order changed after the gate (raw)", Blocks(b => b[5] = WithLeaves(b[5], b[5].Leaves.ToArrays().Select((l, i) => i == 2 ? (OrderLeaf.Decode(l) with { EnergyWh = 1 }).Encode() : l))), Fails(Reason.PayloadRootMismatch, 5)),
        Case("order added, book re-signed", Blocks(b => b[5] = Resign(b[5], KeyA, leaves: MapOrders(b[5], o => [.. o, HouseholdKeys.Order(17, Party(1, 7), OrderSide.Buy, 500, 9000)], resign: true))), Fails(Reason.BrokenLink, 6)),
        Case("order added by its household, book and clearing re-signed and re-linked", Relinked(5, b => b[5] = Resign(b[5], KeyA, leaves: MapOrders(b[5], o => [.. o, HouseholdKeys.Order(17, Party(1, 7), OrderSide.Buy, 500, 9000)], resign: true))), Fails(Reason.ReplayMismatch, 6, 0, 4), withoutReplay: ValidWith(13, 12)),
        Case("traded order dropped, book and clearing re-signed and re-linked", Relinked(5, b => b[5] = Resign(b[5], KeyA, leaves: MapOrders(b[5], o => o.Where(x => x.Sequence != 13)))), Fails(Reason.OrderNotInBook, 6, 2, 6)),
        Case("order price beyond the ceiling, re-signed", Blocks(b => b[5] = Resign(b[5], KeyA, leaves: MapOrders(b[5], o => o.Select(x => x.Sequence == 15 ? x with { LimitPrice = 10_001 } : x)))), Fails(Reason.PriceOutOfBounds, 5, 4)),
        Case("orders out of sequence order, re-signed", Blocks(b => b[5] = Resign(b[5], KeyA, leaves: MapOrders(b[5], o => o.OrderBy(x => -x.Sequence)))), Fails(Reason.InvalidOrder, 5, 1)),
        Case("order with zero energy, re-signed", Blocks(b => b[5] = Resign(b[5], KeyA, leaves: MapOrders(b[5], o => o.Select(x => x.Sequence == 15 ? x with { EnergyWh = 0 } : x)))), Fails(Reason.InvalidOrder, 5, 4)),

        // A trade the rules would not give, in a chain that is otherwise perfectly sealed and signed.
        Case("trade price the rules would not give, sealed honestly", Sealed(Build(alterFills: (i, f) => i == 1 ? f.Select(x => x with { Price = x.Price + 1 }).ToArray() : f)), Fails(Reason.ReplayMismatch, 6, 0, 4), withoutReplay: ValidWith(13, 12)),
        Case("trade energy the rules would not give, sealed honestly", Sealed(Build(alterFills: (i, f) => i == 1 ? f.Select((x, k) => k == 2 ? x with { EnergyWh = x.EnergyWh - 1 } : x).ToArray() : f)), Fails(Reason.ReplayMismatch, 6, 2, 6), withoutReplay: ValidWith(13, 12)),
        Case("extra trade the rules would not give, sealed honestly", Sealed(Build(alterFills: (i, f) => i == 1 ? [.. f, f[0] with { EnergyWh = 1, BuySequence = 15, Buyer = Party(1, 5), SellSequence = 13, Seller = Party(1, 3) }] : f)), Fails(Reason.ReplayMismatch, 6, 3, 7), withoutReplay: ValidWith(13, 13)),
        Case("trade missing, sealed honestly", Sealed(Build(alterFills: (i, f) => i == 1 ? f[..2] : f)), Fails(Reason.ReplayMismatch, 6, 2, 6), withoutReplay: ValidWith(13, 11)),
        Case("trades in another order, sealed honestly", Sealed(Build(alterFills: (i, f) => i == 1 ? [f[1], f[0], f[2]] : f)), Fails(Reason.ReplayMismatch, 6, 0, 4), withoutReplay: ValidWith(13, 12)),
        Case("trades swapped buyers, sealed honestly", Sealed(Build(alterFills: (i, f) => i == 1 ? [f[0] with { BuySequence = 14, Buyer = Party(1, 4) }, f[1] with { BuySequence = 12, Buyer = Party(1, 2) }, f[2]] : f)), Fails(Reason.Overfill, 6, 2, 6)),

        // Any field of a trade, raw.
        Case("trade version (raw)", TradeRaw(0), Fails(Reason.PayloadRootMismatch, 6, 1, 5)),
        Case("trade id (raw)", TradeRaw(8), Fails(Reason.PayloadRootMismatch, 6, 1, 5)),
        Case("trade interval start (raw)", TradeRaw(16), Fails(Reason.PayloadRootMismatch, 6, 1, 5)),
        Case("trade interval end (raw)", TradeRaw(24), Fails(Reason.PayloadRootMismatch, 6, 1, 5)),
        Case("trade buyer (raw)", TradeRaw(40), Fails(Reason.PayloadRootMismatch, 6, 1, 5)),
        Case("trade seller (raw)", TradeRaw(56), Fails(Reason.PayloadRootMismatch, 6, 1, 5)),
        Case("trade buy sequence (raw)", TradeRaw(64), Fails(Reason.PayloadRootMismatch, 6, 1, 5)),
        Case("trade sell sequence (raw)", TradeRaw(72), Fails(Reason.PayloadRootMismatch, 6, 1, 5)),
        Case("trade energy (raw)", TradeRaw(80), Fails(Reason.PayloadRootMismatch, 6, 1, 5)),
        Case("trade price (raw)", TradeRaw(88), Fails(Reason.PayloadRootMismatch, 6, 1, 5)),
        Case("trade amount (raw)", TradeRaw(96), Fails(Reason.PayloadRootMismatch, 6, 1, 5)),

        // Any field of a trade, re-signed.
        Case("trade version, re-signed", Blocks(b => b[6] = Resign(b[6], KeyA, leaves: LeafList.FromArrays(b[6].Leaves.ToArrays().Select((l, i) => i == 1 ? [2, .. l[1..]] : l)))), Fails(Reason.MalformedLeaf, 6, 1)),
        Case("trade id, re-signed", TradeResigned(t => t with { TradeId = 42 }), Fails(Reason.TradeIdGap, 6, 1, 42)),
        Case("trade interval start, re-signed", TradeResigned(t => t with { IntervalStart = t.IntervalStart - 900 }), Fails(Reason.TradeIntervalMismatch, 6, 1, 5)),
        Case("trade interval end, re-signed", TradeResigned(t => t with { IntervalEnd = t.IntervalEnd + 900 }), Fails(Reason.TradeIntervalMismatch, 6, 1, 5)),
        Case("trade buyer, re-signed", TradeResigned(t => t with { Buyer = Party(1, 9) }), Fails(Reason.OrderOwnerMismatch, 6, 1, 5)),
        Case("trade seller, re-signed", TradeResigned(t => t with { Seller = Party(1, 9) }), Fails(Reason.OrderOwnerMismatch, 6, 1, 5)),
        Case("trade buy sequence not in book, re-signed", TradeResigned(t => t with { BuySequence = 99 }), Fails(Reason.OrderNotInBook, 6, 1, 5)),
        Case("trade buy sequence is an offer, re-signed", TradeResigned(t => t with { BuySequence = 13 }), Fails(Reason.OrderSideMismatch, 6, 1, 5)),
        Case("trade sell sequence not in book, re-signed", TradeResigned(t => t with { SellSequence = 98 }), Fails(Reason.OrderNotInBook, 6, 1, 5)),
        Case("trade sell sequence is a bid, re-signed", TradeResigned(t => t with { SellSequence = 12, Seller = Party(1, 2) }), Fails(Reason.OrderSideMismatch, 6, 1, 5)),
        Case("trade energy, re-signed", TradeResigned(t => t with { EnergyWh = t.EnergyWh * 2 }), Fails(Reason.AmountMismatch, 6, 1, 5)),
        Case("trade price, re-signed", TradeResigned(t => t with { Price = t.Price * 2 }), Fails(Reason.AmountMismatch, 6, 1, 5)),
        Case("trade amount, re-signed", TradeResigned(t => t with { Amount = t.Amount + 1 }), Fails(Reason.AmountMismatch, 6, 1, 5)),
        Case("trade energy and amount, re-signed", TradeResigned(t => t with { EnergyWh = t.EnergyWh - 1, Amount = Money.Amount(t.EnergyWh - 1, t.Price) }), Fails(Reason.ReplayMismatch, 6, 1, 5), withoutReplay: Fails(Reason.BrokenLink, 7)),
        Case("trade energy beyond the order, re-signed", TradeResigned(t => t with { EnergyWh = t.EnergyWh + 10_000, Amount = Money.Amount(t.EnergyWh + 10_000, t.Price) }), Fails(Reason.Overfill, 6, 1, 5)),
        Case("trade price and amount, re-signed", TradeResigned(t => t with { Price = t.Price + 7, Amount = Money.Amount(t.EnergyWh, t.Price + 7) }), Fails(Reason.ReplayMismatch, 6, 1, 5), withoutReplay: Fails(Reason.BrokenLink, 7)),
        Case("trade price beyond the ceiling, re-signed", TradeResigned(t => t with { Price = 20_000, Amount = Money.Amount(t.EnergyWh, 20_000) }), Fails(Reason.PriceOutOfBounds, 6, 1, 5)),
        Case("trade with zero energy, re-signed", TradeResigned(t => t with { EnergyWh = 0, Amount = 0 }), Fails(Reason.InvalidTrade, 6, 1, 5)),

        // Drop, add, duplicate, reorder trades.
        Case("trade dropped (raw)", Blocks(b => b[6] = WithLeaves(b[6], b[6].Leaves.ToArrays().Skip(1))), Fails(Reason.LeafCountMismatch, 6)),
        Case("trade added (raw)", Blocks(b => b[6] = WithLeaves(b[6], [.. b[6].Leaves.ToArrays(), b[6].Leaves.ToArrays()[^1]])), Fails(Reason.LeafCountMismatch, 6)),
        Case("trades reordered (raw)", Blocks(b => b[6] = WithLeaves(b[6], b[6].Leaves.ToArrays().Reverse())), Fails(Reason.PayloadRootMismatch, 6, 0, 4)),
        Case("trade price and amount (raw)", Blocks(b => b[6] = WithLeaves(b[6], MapTrade(b[6], 1, t => t with { Price = t.Price + 7, Amount = Money.Amount(t.EnergyWh, t.Price + 7) }).ToArrays())), Fails(Reason.PayloadRootMismatch, 6, 1, 5), withoutReplay: Fails(Reason.PayloadRootMismatch, 6)),
        Case("middle trade dropped, re-signed", Blocks(b => b[6] = Resign(b[6], KeyA, leaves: MapTrades(b[6], t => t.Where(x => x.TradeId != 5)))), Fails(Reason.TradeIdGap, 6, 1, 6)),
        Case("last trade dropped, re-signed", Blocks(b => b[6] = Resign(b[6], KeyA, leaves: MapTrades(b[6], t => t.Take(2)))), Fails(Reason.ReplayMismatch, 6, 2, 6), withoutReplay: Fails(Reason.BrokenLink, 7)),
        Case("trade duplicated, re-signed", Blocks(b => b[6] = Resign(b[6], KeyA, leaves: MapTrades(b[6], t => [t[0], t[0], t[1], t[2]]))), Fails(Reason.TradeIdGap, 6, 1, 4)),
        Case("trade added with the next id, re-signed", Blocks(b => b[6] = Resign(b[6], KeyA, leaves: MapTrades(b[6], t => [.. t, t[2] with { TradeId = 7 }]))), Fails(Reason.Overfill, 6, 3, 7)),
        Case("order filled beyond 2^63 - 1 Wh by two trades, book and clearing re-signed and re-linked", Relinked(5, OverfilledPast64Bits), Fails(Reason.Overfill, 6, 1, 5)),
        Case("trades reordered, re-signed", Blocks(b => b[6] = Resign(b[6], KeyA, leaves: MapTrades(b[6], t => [t[1], t[0], t[2]]))), Fails(Reason.TradeIdGap, 6, 0, 5)),
        Case("trades reordered and renumbered, re-signed", Blocks(b => b[6] = Resign(b[6], KeyA, leaves: MapTrades(b[6], t => [t[1] with { TradeId = 4 }, t[0] with { TradeId = 5 }, t[2]]))), Fails(Reason.ReplayMismatch, 6, 0, 4), withoutReplay: Fails(Reason.BrokenLink, 7)),

        // Any header field, raw (block 5).
        Case("header version (raw)", HeaderRaw(1), Fails(Reason.UnsupportedVersion, 6)),
        Case("header kind to another kind (raw)", Blocks(b => b[6] = WithHeaderByte(b[6], 2, _ => (byte)BlockKind.OrderBook)), Fails(Reason.BadSignature, 6)),
        Case("header height (raw)", HeaderRaw(10), Fails(Reason.HeightGap, 6)),
        Case("header previous hash (raw)", HeaderRaw(20), Fails(Reason.BrokenLink, 6)),
        Case("header payload root (raw)", HeaderRaw(50), Fails(Reason.BadSignature, 6)),
        Case("header leaf count (raw)", HeaderRaw(78), Fails(Reason.BadSignature, 6)),
        Case("header interval start (raw)", HeaderRaw(86), Fails(Reason.BadSignature, 6)),
        Case("header interval end (raw)", HeaderRaw(94), Fails(Reason.BadSignature, 6)),
        Case("header sealed at (raw)", HeaderRaw(102), Fails(Reason.BadSignature, 6)),
        Case("header key id (raw)", HeaderRaw(110), Fails(Reason.UnknownKey, 6)),
        Case("header reference (raw)", HeaderRaw(140), Fails(Reason.BadSignature, 6)),
        Case("header mechanism (raw)", HeaderRaw(167), Fails(Reason.BadSignature, 6)),
        Case("header rules version (raw)", HeaderRaw(169), Fails(Reason.BadSignature, 6)),
        Case("header leaf count beyond 2^31 - 1 (raw)", Blocks(b => b[6] = WithHeaderByte(b[6], 75, _ => 0x80)), Fails(Reason.MalformedHeader, 6)),

        // Header fields, re-signed.
        Case("clearing interval, re-signed", Blocks(b => b[6] = Resign(b[6], KeyA, h => h with { IntervalStart = h.IntervalStart + 900, IntervalEnd = h.IntervalEnd + 900 })), Fails(Reason.ReferenceMismatch, 6)),
        Case("clearing reference to an unknown block, re-signed", Blocks(b => b[6] = Resign(b[6], KeyA, h => h with { Reference = [.. Enumerable.Repeat((byte)7, 32)] })), Fails(Reason.OrderBookMissing, 6)),
        Case("clearing reference zero, re-signed", Blocks(b => b[6] = Resign(b[6], KeyA, h => h with { Reference = new byte[32] })), Fails(Reason.InvalidHeaderField, 6)),
        Case("clearing mechanism, re-signed", Blocks(b => b[6] = Resign(b[6], KeyA, h => h with { Mechanism = 2 })), Fails(Reason.ReferenceMismatch, 6)),
        Case("clearing rules version, re-signed", Blocks(b => b[6] = Resign(b[6], KeyA, h => h with { RulesVersion = 2 })), Fails(Reason.ReferenceMismatch, 6)),
        Case("clearing sealed before the previous block, re-signed", Blocks(b => b[6] = Resign(b[6], KeyA, h => h with { SealedAtUnixMs = 0 })), Fails(Reason.TimeNotMonotonic, 6)),
        Case("clearing leaf count, re-signed", Blocks(b => b[6] = Resign(b[6], KeyA, h => h with { LeafCount = 2 })), Fails(Reason.LeafCountMismatch, 6)),
        Case("clearing payload root, re-signed", Blocks(b => b[6] = Resign(b[6], KeyA, h => h with { PayloadRoot = MerkleTree.EmptyRoot() })), Fails(Reason.PayloadRootMismatch, 6)),
        Case("order book rules version, re-signed", Blocks(b => b[5] = Resign(b[5], KeyA, h => h with { RulesVersion = 2 })), Fails(Reason.RulesMismatch, 5)),
        Case("order book interval misaligned, re-signed", Blocks(b => b[5] = Resign(b[5], KeyA, h => h with { IntervalStart = h.IntervalStart + 60, IntervalEnd = h.IntervalEnd + 60 })), Fails(Reason.InvalidInterval, 5)),
        Case("order book interval too long, re-signed", Blocks(b => b[5] = Resign(b[5], KeyA, h => h with { IntervalEnd = h.IntervalEnd + 900 })), Fails(Reason.InvalidInterval, 5)),
        Case("order book interval longer than 2^63 - 1 s, rules and books re-signed and re-linked", Relinked(1, IntervalPast64Bits), Fails(Reason.InvalidInterval, 5)),
        Case("order book for an interval already committed, re-signed", Blocks(b => b[5] = Resign(b[5], KeyA, h => h with { IntervalStart = h.IntervalStart - 900, IntervalEnd = h.IntervalEnd - 900 })), Fails(Reason.DuplicateInterval, 5)),
        Case("order book sealed before gate closure, re-signed", Blocks(b => b[5] = Resign(b[5], KeyA, h => h with { SealedAtUnixMs = Gate(1).ToUnixTimeMilliseconds() - 1 })), Fails(Reason.SealedBeforeGateClosure, 5)),
        Case("order book with a reference, re-signed", Blocks(b => b[5] = Resign(b[5], KeyA, h => h with { Reference = [.. Enumerable.Repeat((byte)7, 32)] })), Fails(Reason.InvalidHeaderField, 5)),
        Case("rules block with an interval, re-signed", Blocks(b => b[1] = Resign(b[1], KeyA, h => h with { IntervalEnd = 5 })), Fails(Reason.InvalidHeaderField, 1)),
        Case("rules block with a lower floor than zero, re-signed", Blocks(b => b[1] = Resign(b[1], KeyA, leaves: LeafList.FromArrays([(Rules with { PriceFloor = -1 }).Encode()]))), Fails(Reason.InvalidRules, 1, 0)),
        Case("no rules block before the first order book", Sealed(Build(withRules: false)), Fails(Reason.RulesMissing, 3)),
        Case("clearing under a mechanism no replayer knows", UnknownMechanism(), Fails(Reason.ReplayUnsupported, 4), withoutReplay: ValidWith(5, 3)),
        Case("one party sells more than 2^63 - 1 Wh in an interval, sealed honestly", PartySellsPast64Bits(), ValidWith(5, 2)),

        // Blocks dropped, reordered, duplicated; tail cut.
        Case("block dropped", Blocks(b => b.RemoveAt(5)), Fails(Reason.HeightGap, 5)),
        Case("blocks reordered", Blocks(b => (b[5], b[6]) = (b[6], b[5])), Fails(Reason.HeightGap, 5)),
        Case("block duplicated", Blocks(b => b.Insert(6, b[5])), Fails(Reason.HeightGap, 6)),
        Case("tail cut, old checkpoint", Blocks(b => b.RemoveRange(10, b.Count - 10)), Fails(Reason.Truncated, null)),
        Case("tail cut, new checkpoint, against the kept one", TailCutWithNewCheckpoint(), Fails(Reason.Truncated, null)),
        Case("second clearing of the same book", SecondClearing(), Fails(Reason.DuplicateClearing, 13)),

        // The witness policy (block 12, the last: re-signing it changes nothing else).
        Case("witness policy leaf not a policy, re-signed", PolicyLeaves("not a policy\n"), Fails(Reason.WitnessPolicyInvalid, WitnessPolicyHeight, 0)),
        Case("witness policy in two leaves, re-signed", PolicyLeaves(Policy.Encode(), Policy.Encode()), Fails(Reason.WitnessPolicyInvalid, WitnessPolicyHeight)),
        Case("witness policy log key of type 0x04, re-signed", PolicyLeaves($"log {NoteVerifierKey.Create(Origin, NoteVerifierKey.CosignatureV1, LogNoteKey.VerifierKey.PublicKey)}\nquorum none\n"), Fails(Reason.WitnessPolicyInvalid, WitnessPolicyHeight, 0)),
        Case("witness policy witness key of type 0x01, re-signed", PolicyLeaves($"log {LogNoteKey.VerifierKey}\nwitness utility {NoteVerifierKey.Create(UtilityWitness.Name, NoteVerifierKey.Ed25519, UtilityWitness.VerifierKey.PublicKey)}\nquorum utility\n"), Fails(Reason.WitnessPolicyInvalid, WitnessPolicyHeight, 0)),
        Case("witness policy origin changed in a later policy block, sealed honestly", SecondPolicy("other.example/ledger"), Fails(Reason.WitnessPolicyOriginChanged, WitnessPolicyHeight + 1, 0)),
        Case("witness policy log key changed in a later policy block, same origin, sealed honestly", SecondPolicy(Origin), ValidWith(14, 12)),

        // Signatures and keys.
        Case("signature replaced by another block's", Blocks(b => b[6] = WithSignature(b[6], b[4].Signature)), Fails(Reason.BadSignature, 6)),
        Case("signature replaced by zeros", Blocks(b => b[6] = WithSignature(b[6], new byte[64])), Fails(Reason.BadSignature, 6)),
        Case("signature replaced by its high-S twin", Blocks(b => b[6] = WithSignature(b[6], HighS(b[6].Signature))), Fails(Reason.BadSignature, 6)),
        Case("signed by an unknown key", Blocks(b => b[6] = Resign(b[6], UnknownKey)), Fails(Reason.UnknownKey, 6)),
        Case("signed by the retired key", Blocks(b => b[9] = Resign(b[9], KeyA)), Fails(Reason.RetiredKey, 9)),
        Case("signed by the next key before its rotation", Blocks(b => b[6] = Resign(b[6], KeyB)), Fails(Reason.UnknownKey, 6)),
        Case("rotation that does not retire the current key, re-signed", Blocks(b => b[7] = Resign(b[7], KeyA, leaves: LeafList.FromArrays([new KeyRecord(KeyAction.Introduce, KeyB.PublicKey).Encode(), new KeyRecord(KeyAction.Retire, UnknownKey.PublicKey).Encode()]))), Fails(Reason.InvalidKeyEvent, 7)),
        Case("rotation that reintroduces the current key, re-signed", Blocks(b => b[7] = Resign(b[7], KeyA, leaves: LeafList.FromArrays([new KeyRecord(KeyAction.Introduce, KeyA.PublicKey).Encode(), new KeyRecord(KeyAction.Retire, KeyA.PublicKey).Encode()]))), Fails(Reason.InvalidKeyEvent, 7)),
        Case("genesis introduces another key than its signer", Blocks(b => b[0] = Resign(b[0], KeyA, leaves: LeafList.FromArrays([new KeyRecord(KeyAction.Introduce, KeyB.PublicKey).Encode()]))), Fails(Reason.GenesisInvalid, 0)),
        Case("genesis is not a key event", Blocks(b => b[0] = Resign(b[0], KeyA, h => h with { Kind = BlockKind.Rules })), Fails(Reason.GenesisInvalid, 0)),
        Case("genesis key is not the trusted one", Sealed(Valid) with { TrustedGenesisKeyId = KeyB.KeyId }, Fails(Reason.UnknownKey, 0)),
        Case("genesis key is the trusted one", Sealed(Valid) with { TrustedGenesisKeyId = KeyA.KeyId }, ValidWith(13, 12)),

        // Checkpoints and forks.
        Case("complete re-signed fork, against the kept checkpoint", Fork(), Fails(Reason.NotConsistent, null)),
        Case("complete re-signed fork, no kept checkpoint", Fork() with { Kept = null }, ValidWith(13, 12)),
        Case("checkpoint missing", Sealed(Valid) with { Latest = null }, Fails(Reason.CheckpointMissing, null)),
        Case("checkpoint root changed", Sealed(Valid) with { Latest = Valid.Checkpoint with { Root = MerkleTree.EmptyRoot() } }, Fails(Reason.CheckpointMismatch, null)),
        Case("checkpoint signature replaced", Sealed(Valid) with { Latest = Valid.Checkpoint with { Signature = Valid.Kept.Signature } }, Fails(Reason.BadCheckpointSignature, null)),
        Case("checkpoint signed by the retired key", Sealed(Valid) with { Latest = Checkpoint.Create(Valid.Checkpoint.Size, Valid.Checkpoint.Root, Gate(3).AddSeconds(5), KeyA) }, Fails(Reason.BadCheckpointSignature, null)),
        Case("checkpoint dated before its last block", Sealed(Valid) with { Latest = Checkpoint.Create(Valid.Checkpoint.Size, Valid.Checkpoint.Root, Gate(0), KeyB) }, Fails(Reason.CheckpointMismatch, null)),
        Case("checkpoint size beyond the blocks", Sealed(Valid) with { Latest = Checkpoint.Create(Valid.Checkpoint.Size + 1, Valid.Checkpoint.Root, Gate(3).AddSeconds(5), KeyB) }, Fails(Reason.Truncated, null)),
        Case("kept checkpoint from another history", Sealed(Valid) with { Kept = Valid.Kept with { Root = Valid.Checkpoint.Root } }, Fails(Reason.NotConsistent, null)),

        // What a verifier remembers of a ledger (its trust anchor, docs/adr/0016): the genesis key id and the latest
        // checkpoint it verified. A complete chain anyone can seal with a fresh key, and a re-signed history that grew.
        Case("foreign chain sealed with a fresh key, against the trusted genesis key", Foreign() with { TrustedGenesisKeyId = KeyA.KeyId }, Fails(Reason.UnknownKey, 0)),
        Case("foreign chain sealed with a fresh key, against the kept checkpoint", Foreign() with { Kept = Checkpoint.Create(4, Valid.LedgerTree().RootAt(4), Gate(0).AddSeconds(5), KeyA) }, Fails(Reason.NotConsistent, null)),
        Case("complete re-signed fork, against an older kept checkpoint", Fork() with { Kept = Valid.Kept }, Fails(Reason.NotConsistent, null)),
        ExportCase("no blocks, only the checkpoint", lines => lines.RemoveRange(1, lines.Count - 2), Fails(Reason.EmptyChain, null)),

        // What the export reader rejects before any block check: the file is not a well-formed export.
        ExportCase("header kind to an unknown kind (raw)", lines => lines[7] = lines[7].Replace(
            $"\"header\":\"{Convert.ToHexStringLower(Valid.Blocks[6].HeaderBytes)}\"",
            $"\"header\":\"{Convert.ToHexStringLower(WithHeaderByte(Valid.Blocks[6], 2, _ => 9).HeaderBytes)}\"", StringComparison.Ordinal), Malformed(8)),
        Case("signature truncated", Blocks(b => b[6] = WithSignature(b[6], b[6].Signature[..63])), Malformed(8)),
    ];

    private static TamperCase Case(string name, Tampered tampered, Verdict expected, Verdict? withoutReplay = null) =>
        new(Ledger, name, Export(tampered.Blocks, tampered.Latest), expected)
        {
            WithoutReplay = withoutReplay,
            Kept = tampered.Kept,
            TrustedGenesisKeyId = tampered.TrustedGenesisKeyId,
        };

    /// <summary>A case made by editing the lines of the valid export (index 0 is the format line, block h is index h + 1, on line h + 2).</summary>
    private static TamperCase ExportCase(string name, Action<List<string>> edit, Verdict expected) =>
        new(Ledger, name, EditLines(Export(Valid.Blocks, Valid.Checkpoint), edit), expected);

    private static Tampered Blocks(Action<List<LedgerBlock>> change)
    {
        var blocks = Valid.Copy();
        change(blocks);
        return new Tampered(blocks, Valid.Checkpoint);
    }

    private static Tampered Sealed(TestChain chain) => new(chain.Copy(), chain.Checkpoint);

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

        return new Tampered(blocks, CheckpointOver(blocks, Gate(3).AddSeconds(5), KeyB));
    }

    private static Tampered TradeRaw(int offset) =>
        Blocks(b => b[6] = WithLeaf(b[6], 1, leaf => Flip(leaf, offset)));

    private static Tampered TradeResigned(Func<TradeLeaf, TradeLeaf> change) =>
        Blocks(b => b[6] = Resign(b[6], KeyA, leaves: MapTrade(b[6], 1, change)));

    private static Tampered HeaderRaw(int offset) => Blocks(b => b[6] = WithHeaderByte(b[6], offset, x => (byte)(x ^ 0x01)));

    private static Tampered TailCutWithNewCheckpoint()
    {
        var blocks = Valid.Copy();
        blocks.RemoveRange(10, blocks.Count - 10);
        return new Tampered(blocks, CheckpointOver(blocks, Gate(3).AddSeconds(5), KeyB)) { Kept = Valid.Checkpoint };
    }

    /// <summary>The witness-policy block re-signed with these texts as its leaves.</summary>
    private static Tampered PolicyLeaves(params string[] texts) =>
        Blocks(b => b[WitnessPolicyHeight] = Resign(b[WitnessPolicyHeight], KeyB, leaves: LeafList.FromArrays(texts.Select(System.Text.Encoding.UTF8.GetBytes))));

    /// <summary>A second witness-policy block after the first, with a new log key named <paramref name="origin"/>
    /// and no witnesses, sealed and checkpointed honestly.</summary>
    private static Tampered SecondPolicy(string origin)
    {
        var log = NoteSigningKey.FromSeed(origin, NoteVerifierKey.Ed25519, SHA256.HashData("second log note key"u8));
        var blocks = Valid.Copy();
        blocks.Add(BlockSealer.SealWitnessPolicy(Valid.Blocks[^1].NextTip, KeyB, WitnessPolicy.Create(log.VerifierKey, null, [], 0), Gate(3).AddSeconds(4)));
        return new Tampered(blocks, CheckpointOver(blocks, Gate(3).AddSeconds(5), KeyB));
    }

    private static Tampered SecondClearing()
    {
        var blocks = Valid.Copy();
        blocks.Add(BlockSealer.SealClearing(Valid.Blocks[^1].NextTip, KeyB, Valid.Blocks[5].Header, Fills(Valid.Blocks[6]), Gate(3).AddSeconds(4)));
        return new Tampered(blocks, CheckpointOver(blocks, Gate(3).AddSeconds(5), KeyB));
    }

    /// <summary>Interval 0 sealed honestly under rules that name mechanism 9, which no replayer knows (1 is the
    /// uniform-price auction of §9, Market.Matching also knows 2, pay-as-bid): everything checks out except that the
    /// clearing cannot be replayed.</summary>
    private static Tampered UnknownMechanism() => OneInterval(Rules with { Mechanism = 9 }, Orders(0), Fills(Valid.Blocks[4]));

    /// <summary>Party 1 sells two offers of 2^62 Wh at 1,000 to two bids: what the rules give, but its sold energy
    /// in the interval is 2^63 Wh, one more than a signed 64-bit integer holds.</summary>
    private static Tampered PartySellsPast64Bits()
    {
        const long Half = 1L << 62;
        OrderLeaf[] orders =
        [
            HouseholdKeys.Order(1, Party(0, 1), OrderSide.Sell, Half, 1000),
            HouseholdKeys.Order(2, Party(0, 1), OrderSide.Sell, Half, 1000),
            HouseholdKeys.Order(3, Party(0, 2), OrderSide.Buy, Half, 1000),
            HouseholdKeys.Order(4, Party(0, 3), OrderSide.Buy, Half, 1000),
        ];
        return OneInterval(Rules, orders, [new(Party(0, 2), Party(0, 1), 3, 1, Half, 1000), new(Party(0, 3), Party(0, 1), 4, 2, Half, 1000)]);
    }

    /// <summary>Genesis, rules, the households' keys and one interval (order book and clearing) sealed honestly with
    /// key A, or with another key from its own genesis on; the households sign their orders for that ledger.</summary>
    private static Tampered OneInterval(RulesRecord rules, OrderLeaf[] orders, TradeFill[] fills, SigningKey? key = null)
    {
        key ??= KeyA;
        var genesis = BlockSealer.SealGenesis(key, Genesis);
        var rulesBlock = BlockSealer.SealRules(genesis.NextTip, key, rules, Genesis.AddSeconds(1));
        var households = HouseholdKeys.SealEnrolments(rulesBlock.NextTip, key, genesis.HeaderHash, orders.Select(o => o.Owner).Distinct(), Genesis.AddSeconds(2));
        var start = FirstIntervalStart;
        orders = HouseholdKeys.SignBook(genesis.HeaderHash, start, start + IntervalLength, orders);
        var book = BlockSealer.SealOrderBook(households.NextTip, key, start, start + IntervalLength, rules.Mechanism, rules.RulesVersion, orders, Gate(0));
        var clearing = BlockSealer.SealClearing(book.NextTip, key, book.Header, fills, Gate(0).AddSeconds(1));
        List<LedgerBlock> blocks = [genesis, rulesBlock, households, book, clearing];
        return new Tampered(blocks, CheckpointOver(blocks, Gate(0).AddSeconds(5), key));
    }

    /// <summary>Orders 11 and 12 of interval 1 hold 2^63 − 1 Wh; trades 4 and 5 both fill 2^62 Wh of them, so order
    /// 12 is filled with 2^63 Wh, one more than it holds.</summary>
    private static void OverfilledPast64Bits(List<LedgerBlock> blocks)
    {
        const long Half = 1L << 62;
        blocks[5] = Resign(blocks[5], KeyA, leaves: MapOrders(blocks[5], o => o.Select(x => x.Sequence is 11 or 12 ? x with { EnergyWh = long.MaxValue } : x), resign: true));
        blocks[6] = Resign(blocks[6], KeyA, leaves: MapTrades(blocks[6], t =>
            t.Take(2).Select(x => x with { BuySequence = 12, Buyer = Party(1, 2), SellSequence = 11, Seller = Party(1, 1), EnergyWh = Half, Price = 1000, Amount = Money.Amount(Half, 1000) })));
    }

    /// <summary>Rules in effect from the earliest aligned second a signed 64-bit integer holds, and interval 1's book
    /// from there to 2^62: its length does not fit in 64 bits.</summary>
    private static void IntervalPast64Bits(List<LedgerBlock> blocks)
    {
        var earliest = long.MinValue / IntervalLength * IntervalLength;
        blocks[1] = Resign(blocks[1], KeyA, leaves: LeafList.FromArrays([(Rules with { EffectiveFrom = earliest }).Encode()]));
        blocks[5] = Resign(blocks[5], KeyA, h => h with { IntervalStart = earliest, IntervalEnd = 1L << 62 });
    }

    private static TradeFill[] Fills(LedgerBlock clearing) =>
        [.. clearing.Leaves.Select(l => TradeLeaf.Decode(l.Span)).Select(t => new TradeFill(t.Buyer, t.Seller, t.BuySequence, t.SellSequence, t.EnergyWh, t.Price))];

    /// <summary>What <c>market bench ledger</c> makes: a complete, honestly cleared chain sealed from its own genesis
    /// on with a key nobody has seen; everything in it checks out.</summary>
    private static Tampered Foreign() => OneInterval(Rules, Orders(0), Fills(Valid.Blocks[4]), FreshKey);

    /// <summary>The operator re-seals the whole chain with a different last clearing time: every block, link,
    /// signature, replay and the new checkpoint are valid; only the kept checkpoint can tell.</summary>
    private static Tampered Fork()
    {
        var fork = Build(clearingDelayMs: 2000);
        return new Tampered(fork.Copy(), fork.Checkpoint) { Kept = Checkpoint.Create(Valid.Checkpoint.Size, Valid.Checkpoint.Root, Gate(3).AddSeconds(5), KeyB) };
    }

    private sealed record Tampered(List<LedgerBlock> Blocks, Checkpoint? Latest)
    {
        public Checkpoint? Kept { get; init; }

        public byte[]? TrustedGenesisKeyId { get; init; }
    }
}
