using System.Security.Cryptography;

namespace Market.Ledger.Tests;

/// <summary>
/// A small, fully valid chain: genesis (key A), rules, a household block enrolling a P-256 key for every party, two
/// intervals (order book + clearing), a rotation to key B, two more intervals, the witness policy. Heights: 0 genesis,
/// 1 rules, 2 households, 3/4 interval 0, 5/6 interval 1, 7 rotation, 8/9 interval 2, 10/11 interval 3, 12 the witness
/// policy (last, so the heights of every other block stay those the tamper cases name). Checkpoint over all 13 blocks
/// (key B) and a kept one over the first 10. Every order is signed by its owner's key.
/// </summary>
internal sealed class TestChain
{
    public const int IntervalLength = 900;
    public const int GateLead = 300;
    public const long FirstIntervalStart = 1_767_225_600 + (4 * IntervalLength); // 2026-01-01T01:00Z
    public const int RotationHeight = 7;
    public const int HouseholdHeight = 2;
    public const int PartiesPerInterval = 7;
    public const int WitnessPolicyHeight = 12;
    public const string Origin = "market.example/ledger";

    public static readonly SigningKey KeyA = SigningKey.FromPrivateKey(Convert.FromHexString("1111111111111111111111111111111111111111111111111111111111111111"));
    public static readonly SigningKey KeyB = SigningKey.FromPrivateKey(Convert.FromHexString("2222222222222222222222222222222222222222222222222222222222222222"));
    public static readonly SigningKey UnknownKey = SigningKey.FromPrivateKey(Convert.FromHexString("3333333333333333333333333333333333333333333333333333333333333333"));
    public static readonly RulesRecord Rules = new(1, ClearingMechanisms.UniformPriceDoubleAuction, IntervalLength, GateLead, 0, 10_000, FirstIntervalStart);
    public static readonly DateTimeOffset Genesis = DateTimeOffset.FromUnixTimeSeconds(1_767_225_600);

    /// <summary>The log's note key (its name is the origin) and two witnesses' cosigning keys, from fixed seeds.</summary>
    public static readonly NoteSigningKey LogNoteKey = NoteSigningKey.FromSeed(Origin, NoteVerifierKey.Ed25519, SHA256.HashData("log note key"u8));
    public static readonly NoteSigningKey UtilityWitness = NoteSigningKey.FromSeed("utility.example/witness", NoteVerifierKey.CosignatureV1, SHA256.HashData("utility witness"u8));
    public static readonly NoteSigningKey CoopWitness = NoteSigningKey.FromSeed("coop.example/witness", NoteVerifierKey.CosignatureV1, SHA256.HashData("coop witness"u8));

    /// <summary>The sealed policy: the log and both witnesses, either one enough.</summary>
    public static readonly WitnessPolicy Policy = WitnessPolicy.Create(
        LogNoteKey.VerifierKey, "https://market.example/", [("utility", UtilityWitness.VerifierKey, null), ("coop", CoopWitness.VerifierKey, null)], 1);

    /// <summary>The ledger id of every chain sealed from key A's genesis: the genesis header hash.</summary>
    public static readonly byte[] LedgerId = BlockSealer.SealGenesis(KeyA, Genesis).HeaderHash;

    private static readonly Lazy<TestChain> Standard = new(() => Build());

    private TestChain(List<SealedBlock> blocks, Checkpoint checkpoint, Checkpoint kept)
    {
        Blocks = blocks;
        Checkpoint = checkpoint;
        Kept = kept;
    }

    public static TestChain Valid => Standard.Value;

    public List<SealedBlock> Blocks { get; }

    public Checkpoint Checkpoint { get; }

    public Checkpoint Kept { get; }

    public List<LedgerBlock> Copy() => [.. Blocks];

    public MerkleTree LedgerTree() => MerkleTree.FromLeaves(Blocks.Select(b => b.HeaderHash));

    /// <summary>Builds the chain; hooks let a test seal a dishonest but well-formed chain.</summary>
    public static TestChain Build(
        Func<int, TradeFill[], TradeFill[]>? alterFills = null,
        long clearingDelayMs = 1000,
        bool withRules = true)
    {
        var blocks = new List<SealedBlock>();
        var genesis = BlockSealer.SealGenesis(KeyA, Genesis);
        blocks.Add(genesis);
        var tip = genesis.NextTip;
        if (withRules)
        {
            blocks.Add(BlockSealer.SealRules(tip, KeyA, Rules, Genesis.AddSeconds(1)));
        }
        else
        {
            blocks.Add(BlockSealer.SealKeyRotation(tip, KeyA, UnknownKey.PublicKey, Genesis.AddSeconds(1)));
        }

        tip = blocks[^1].NextTip;
        var key = withRules ? KeyA : UnknownKey;
        blocks.Add(HouseholdKeys.SealEnrolments(tip, key, LedgerId, AllParties(), Genesis.AddSeconds(2)));
        tip = blocks[^1].NextTip;
        var replayer = new FakeReplayer();
        for (var interval = 0; interval < 4; interval++)
        {
            if (interval == 2)
            {
                var rotation = BlockSealer.SealKeyRotation(tip, key, KeyB.PublicKey, Gate(interval).AddSeconds(-10));
                blocks.Add(rotation);
                tip = rotation.NextTip;
                key = KeyB;
            }

            var start = FirstIntervalStart + (interval * IntervalLength);
            var orders = Orders(interval);
            var book = BlockSealer.SealOrderBook(tip, key, start, start + IntervalLength, Rules.Mechanism, Rules.RulesVersion, orders, Gate(interval));
            blocks.Add(book);
            tip = book.NextTip;
            var fills = replayer.Replay(orders, Rules.Mechanism, Rules.RulesVersion)!
                .Select(t => new TradeFill(Owner(orders, t.BuySequence), Owner(orders, t.SellSequence), t.BuySequence, t.SellSequence, t.EnergyWh, t.Price))
                .ToArray();
            fills = alterFills?.Invoke(interval, fills) ?? fills;
            var clearing = BlockSealer.SealClearing(tip, key, book.Header, fills, Gate(interval).AddMilliseconds(clearingDelayMs));
            blocks.Add(clearing);
            tip = clearing.NextTip;
        }

        blocks.Add(BlockSealer.SealWitnessPolicy(tip, key, Policy, DateTimeOffset.FromUnixTimeMilliseconds(tip.LastSealedAtUnixMs + 1000)));
        var tree = MerkleTree.FromLeaves(blocks.Select(b => b.HeaderHash));
        var checkpoint = Checkpoint.Create(blocks.Count, tree.Root(), Gate(3).AddSeconds(5), key);
        var kept = Checkpoint.Create(10, tree.RootAt(10), Gate(2).AddSeconds(5), key);
        return new TestChain(blocks, checkpoint, kept);
    }

    public static DateTimeOffset Gate(int interval) =>
        DateTimeOffset.FromUnixTimeSeconds(FirstIntervalStart + (interval * IntervalLength) - GateLead);

    /// <summary>Six orders per interval (sequences 10·interval + 1 … 6), each signed by its owner; the rules give
    /// three trades at one price.</summary>
    public static OrderLeaf[] Orders(int interval) => Signed(interval, UnsignedOrders(interval));

    /// <summary>The orders of <see cref="Orders"/> before their households sign them.</summary>
    public static OrderLeaf[] UnsignedOrders(int interval)
    {
        var baseSequence = 10L * interval;
        var bump = interval * 10;
        return
        [
            HouseholdKeys.Order(baseSequence + 1, Party(interval, 1), OrderSide.Sell, 3000, 2000 + bump),
            HouseholdKeys.Order(baseSequence + 2, Party(interval, 2), OrderSide.Buy, 2000, 3000 + bump),
            HouseholdKeys.Order(baseSequence + 3, Party(interval, 3), OrderSide.Sell, 2000, 2500 + bump),
            HouseholdKeys.Order(baseSequence + 4, Party(interval, 4), OrderSide.Buy, 2500, 2800 + bump),
            HouseholdKeys.Order(baseSequence + 5, Party(interval, 5), OrderSide.Buy, 1000, 2200 + bump),
            HouseholdKeys.Order(baseSequence + 6, Party(interval, 6), OrderSide.Sell, 1500, 2900 + bump),
        ];
    }

    /// <summary>The orders signed by their households for interval <paramref name="interval"/> of this ledger.</summary>
    public static OrderLeaf[] Signed(int interval, IReadOnlyList<OrderLeaf> orders)
    {
        var start = FirstIntervalStart + (interval * IntervalLength);
        return HouseholdKeys.SignBook(LedgerId, start, start + IntervalLength, orders);
    }

    /// <summary>Every party with an enrolled key: seven per interval (the seventh never trades).</summary>
    public static IEnumerable<PartyId> AllParties() =>
        Enumerable.Range(0, 4).SelectMany(i => Enumerable.Range(1, PartiesPerInterval).Select(p => Party(i, p)));

    public static PartyId Party(int interval, int index) => new(0xA000 + (ulong)interval, (ulong)index);

    /// <summary>Re-signs a block with the given key after changing its header and/or leaves (payload root and leaf
    /// count follow the leaves, so only the intended change remains).</summary>
    public static LedgerBlock Resign(LedgerBlock block, SigningKey key, Func<BlockHeader, BlockHeader>? edit = null, LeafList? leaves = null)
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

    public static LedgerBlock WithHeaderByte(LedgerBlock block, int offset, Func<byte, byte> change)
    {
        var bytes = (byte[])block.HeaderBytes.Clone();
        bytes[offset] = change(bytes[offset]);
        return new LedgerBlock(bytes, block.Signature, block.Leaves);
    }

    public static LedgerBlock WithLeaves(LedgerBlock block, IEnumerable<byte[]> leaves) =>
        new(block.HeaderBytes, block.Signature, LeafList.FromArrays(leaves));

    public static LeafList MapTrades(LedgerBlock block, Func<List<TradeLeaf>, IEnumerable<TradeLeaf>> change) =>
        LeafList.FromArrays(change(block.Leaves.Select(l => TradeLeaf.Decode(l.Span)).ToList()).Select(t => t.Encode()));

    /// <summary>The book's orders changed; with <paramref name="resign"/> their households sign them again (what
    /// households would have sent), else they keep the signatures they had.</summary>
    public static LeafList MapOrders(LedgerBlock block, Func<List<OrderLeaf>, IEnumerable<OrderLeaf>> change, bool resign = false)
    {
        var orders = change(block.Leaves.Select(l => OrderLeaf.Decode(l.Span)).ToList()).ToList();
        if (resign)
        {
            var header = BlockHeader.Decode(block.HeaderBytes);
            orders = [.. HouseholdKeys.SignBook(LedgerId, header.IntervalStart, header.IntervalEnd, orders)];
        }

        return LeafList.FromArrays(orders.Select(o => o.Encode()));
    }

    private static PartyId Owner(OrderLeaf[] orders, long sequence) => orders.Single(o => o.Sequence == sequence).Owner;
}
