namespace Market.Ledger.Tests;

/// <summary>
/// A ledger of what households say (format version 3), fully valid and deterministic: two households, H1 with two
/// P-256 devices (the second authorised by the first), a P-256 recovery key and a sell mandate in Europe/Berlin; H2
/// with an Ed25519 agent key. Heights: 0 genesis, 1 rules, 2 household block A, 3/4 interval 0 (01:45Z, 02:45 in
/// Berlin), 5/6 interval 1 (02:00Z, 03:00 in Berlin), 7 household block B (H1 cancels order X, its recovery key
/// revokes device D1, H1 revokes the mandate), 8/9 interval 2 (03:00Z, 04:00 in Berlin). Checkpoint over all 10.
/// <list type="bullet">
/// <item>Block A: seq 1 H1 enrols D1 (self-signed); seq 2, 3 D1 enrols D2 and the recovery key R1 in one submission;
/// seq 4 H2 enrols its Ed25519 agent key E2 (self-signed); seq 5 D2 signs the mandate.</item>
/// <item>Book 0: 101 H1 sells 2,000 Wh at 2,000 (D1); 102 H2 buys 2,500 at 3,000 and 104 1,000 at 2,600 (E2, one
/// submission); 103 H1 sells 1,000 at 2,500 under the mandate.</item>
/// <item>Book 1: 111 H1 sells 1,500 at 2,100 (D2); 112 H2 buys 1,500 at 2,900 (E2).</item>
/// <item>Block B: seq 6 cancellation of X and seq 8 revocation of the mandate (D2, one submission); seq 7 R1 revokes
/// D1.</item>
/// <item>Book 2: 121 H1 sells 2,000 at 2,000 (order Y, D2, signed with X in one submission); 122 H2 buys 2,000 at
/// 2,500 (E2).</item>
/// </list>
/// The mandate sells only, at least 2,400, at most 1,500 Wh per interval, on Thursdays at 02:00–02:59 and 04:00–04:59
/// Berlin time (01:00 and 03:00 UTC in January: a verifier reading the hours in UTC refuses the valid mandate order
/// and takes one in interval 1).
/// </summary>
internal static class HouseholdChain
{
    public const int Length = 900;
    public const int Lead = 300;
    public const long Start0 = 1_767_231_900; // 2026-01-01T01:45Z, a Thursday
    public const long Start1 = 1_767_232_800; // 02:00Z
    public const long Start2 = 1_767_236_400; // 03:00Z

    public static readonly SigningKey Operator = SigningKey.FromPrivateKey(Convert.FromHexString("7171717171717171717171717171717171717171717171717171717171717171"));
    public static readonly DateTimeOffset Genesis = DateTimeOffset.FromUnixTimeSeconds(1_767_225_600);
    public static readonly RulesRecord Rules = new(1, ClearingMechanisms.UniformPriceDoubleAuction, Length, Lead, 0, 10_000, Start0);
    public static readonly byte[] LedgerId = BlockSealer.SealGenesis(Operator, Genesis).HeaderHash;

    public static readonly PartyId H1 = new(0xB0, 1);
    public static readonly PartyId H2 = new(0xB0, 2);

    /// <summary>A pseudonym that never enrolled a key.</summary>
    public static readonly PartyId H3 = new(0xB0, 3);

    public static readonly TestHouseholdKey D1 = new(H1, 0);
    public static readonly TestHouseholdKey D2 = new(H1, 1);
    public static readonly TestHouseholdKey R1 = new(H1, 2);
    public static readonly TestHouseholdKey E2 = TestHouseholdKey.Ed25519(H2);

    public static readonly MandateTerms Mandate = new(
        SideMask: 2,
        MaxEnergyWh: 1500,
        LowestSellPrice: 2400,
        HighestBuyPrice: 0,
        ValidFromUnix: Genesis.ToUnixTimeSeconds(),
        ValidUntilUnix: Genesis.ToUnixTimeSeconds() + (7 * 86_400),
        Days: 1 << 3,
        Hours: (1u << 2) | (1u << 4),
        Nonce: [.. Enumerable.Repeat((byte)0x4D, 16)],
        TimeZone: "Europe/Berlin");

    private static readonly Lazy<(List<LedgerBlock> Blocks, Checkpoint Checkpoint)> Standard = new(() => Build());

    public static List<LedgerBlock> Blocks => [.. Standard.Value.Blocks];

    public static Checkpoint Checkpoint => Standard.Value.Checkpoint;

    public static byte[] MandateId => Statement.Hash(Statement.Encode(LedgerId, H1, StatementType.Mandate, Mandate.EncodeBody()));

    public static DateTimeOffset Gate(long start) => DateTimeOffset.FromUnixTimeSeconds(start - Lead);

    public static DateTimeOffset CheckpointTime => Gate(Start2).AddSeconds(5);

    /// <summary>Block A: the keys and the mandate.</summary>
    public static HouseholdRecord[] BlockA() =>
    [
        HouseholdKeys.Record(LedgerId, 1, H1, StatementType.KeyEnrolment, Statement.KeyEnrolmentBody(HouseholdKeyRole.Device, D1.Key), D1),
        .. HouseholdKeys.Records(LedgerId, D1,
            (2, H1, StatementType.KeyEnrolment, Statement.KeyEnrolmentBody(HouseholdKeyRole.Device, D2.Key)),
            (3, H1, StatementType.KeyEnrolment, Statement.KeyEnrolmentBody(HouseholdKeyRole.Recovery, R1.Key))),
        HouseholdKeys.Record(LedgerId, 4, H2, StatementType.KeyEnrolment, Statement.KeyEnrolmentBody(HouseholdKeyRole.Agent, E2.Key), E2),
        HouseholdKeys.Record(LedgerId, 5, H1, StatementType.Mandate, Mandate.EncodeBody(), D2),
    ];

    /// <summary>Block B: H1 cancels X, revokes D1 (with its recovery key) and the mandate.</summary>
    public static HouseholdRecord[] BlockB()
    {
        var together = HouseholdKeys.Records(LedgerId, D2,
            (6, H1, StatementType.Cancellation, Statement.HashBody(XHash)),
            (8, H1, StatementType.MandateRevocation, Statement.HashBody(MandateId)));
        return [together[0], HouseholdKeys.Record(LedgerId, 7, H1, StatementType.KeyRevocation, Statement.HashBody(D1.KeyId), R1), together[1]];
    }

    public static OrderLeaf[] Book0()
    {
        var e2 = HouseholdKeys.SignTogether(LedgerId, Start0, Start0 + Length, E2, Order(102, H2, OrderSide.Buy, 2500, 3000), Order(104, H2, OrderSide.Buy, 1000, 2600));
        return
        [
            HouseholdKeys.SignTogether(LedgerId, Start0, Start0 + Length, D1, Order(101, H1, OrderSide.Sell, 2000, 2000))[0],
            e2[0],
            MandateOrder(Start0, 103, OrderSide.Sell, 1000, 2500),
            e2[1],
        ];
    }

    public static OrderLeaf[] Book1() =>
    [
        HouseholdKeys.SignTogether(LedgerId, Start1, Start1 + Length, D2, Order(111, H1, OrderSide.Sell, 1500, 2100))[0],
        HouseholdKeys.SignTogether(LedgerId, Start1, Start1 + Length, E2, Order(112, H2, OrderSide.Buy, 1500, 2900))[0],
    ];

    public static OrderLeaf[] Book2() =>
    [
        YAndX()[0],
        HouseholdKeys.SignTogether(LedgerId, Start2, Start2 + Length, E2, Order(122, H2, OrderSide.Buy, 2000, 2500))[0],
    ];

    /// <summary>Order Y (in book 2) and order X (signed with it, then cancelled; never in a book), both H1's for
    /// interval 2, signed together by D2. X carries sequence 123 for whoever puts it in a book.</summary>
    public static OrderLeaf[] YAndX() =>
        HouseholdKeys.SignTogether(LedgerId, Start2, Start2 + Length, D2, Order(121, H1, OrderSide.Sell, 2000, 2000), Order(123, H1, OrderSide.Sell, 1000, 1900));

    public static byte[] XHash => YAndX()[1].StatementHash(LedgerId, Start2, Start2 + Length);

    /// <summary>An order whose nonce is derived from its owner and sequence, not yet signed.</summary>
    public static OrderLeaf Order(long sequence, PartyId owner, OrderSide side, long energyWh, long limitPrice) =>
        HouseholdKeys.Order(sequence, owner, side, energyWh, limitPrice);

    /// <summary>An order the market places under H1's mandate, with the nonce the mandate gives it.</summary>
    public static OrderLeaf MandateOrder(long start, long sequence, OrderSide side, long energyWh, long limitPrice, PartyId? owner = null) =>
        new(sequence, owner ?? H1, side, energyWh, limitPrice, OrderLeaf.MandateNonce(MandateId, start, sequence), new MandateOrder(MandateId));

    /// <summary>Seals the ledger; hooks replace block A, block B or a book's orders (the clearings follow the books).</summary>
    public static (List<LedgerBlock> Blocks, Checkpoint Checkpoint) Build(
        IReadOnlyList<HouseholdRecord>? blockA = null,
        IReadOnlyList<HouseholdRecord>? blockB = null,
        Func<int, OrderLeaf[], OrderLeaf[]>? books = null)
    {
        var replayer = new FakeReplayer();
        var blocks = new List<SealedBlock> { BlockSealer.SealGenesis(Operator, Genesis) };
        blocks.Add(BlockSealer.SealRules(blocks[^1].NextTip, Operator, Rules, Genesis.AddSeconds(1)));
        blocks.Add(BlockSealer.SealHousehold(blocks[^1].NextTip, Operator, blockA ?? BlockA(), Genesis.AddSeconds(2)));
        long[] starts = [Start0, Start1, Start2];
        OrderLeaf[][] orders = [Book0(), Book1(), Book2()];
        for (var i = 0; i < 3; i++)
        {
            if (i == 2)
            {
                blocks.Add(BlockSealer.SealHousehold(blocks[^1].NextTip, Operator, blockB ?? BlockB(), DateTimeOffset.FromUnixTimeSeconds(Start1)));
            }

            var book = books?.Invoke(i, orders[i]) ?? orders[i];
            var sealedBook = BlockSealer.SealOrderBook(blocks[^1].NextTip, Operator, starts[i], starts[i] + Length, Rules.Mechanism, Rules.RulesVersion, book, Gate(starts[i]));
            blocks.Add(sealedBook);
            var fills = replayer.Replay(book, Rules.Mechanism, Rules.RulesVersion)!
                .Select(t => new TradeFill(Owner(book, t.BuySequence), Owner(book, t.SellSequence), t.BuySequence, t.SellSequence, t.EnergyWh, t.Price))
                .ToArray();
            blocks.Add(BlockSealer.SealClearing(sealedBook.NextTip, Operator, sealedBook.Header, fills, Gate(starts[i]).AddSeconds(1)));
        }

        var tree = MerkleTree.FromLeaves(blocks.Select(b => b.HeaderHash));
        return ([.. blocks], Checkpoint.Create(blocks.Count, tree.Root(), CheckpointTime, Operator));
    }

    /// <summary>
    /// The valid ledger with blocks changed by the operator: <paramref name="change"/> edits the list (re-signing what
    /// it changes, <see cref="Resign"/>), then every later block is re-signed and re-linked (previous hashes and
    /// clearing references follow the new hashes) and a new checkpoint signed, so only the change itself remains.
    /// </summary>
    public static (List<LedgerBlock> Blocks, Checkpoint Checkpoint) Tampered(Action<List<LedgerBlock>> change)
    {
        var valid = Blocks;
        var blocks = Blocks;
        change(blocks);
        var renamed = new Dictionary<string, byte[]>();
        for (var h = 0; h < blocks.Count; h++)
        {
            var hash = BlockHeader.Hash(blocks[h].HeaderBytes);
            if (h > 0 && renamed.Count > 0)
            {
                var header = BlockHeader.Decode(blocks[h].HeaderBytes);
                var previous = BlockHeader.Hash(blocks[h - 1].HeaderBytes);
                var reference = renamed.GetValueOrDefault(Convert.ToHexString(header.Reference), header.Reference);
                blocks[h] = TestChain.Resign(blocks[h], Operator, x => x with { PreviousHash = previous, Reference = reference });
                hash = BlockHeader.Hash(blocks[h].HeaderBytes);
            }

            if (h < valid.Count && !hash.AsSpan().SequenceEqual(BlockHeader.Hash(valid[h].HeaderBytes)))
            {
                renamed[Convert.ToHexString(BlockHeader.Hash(valid[h].HeaderBytes))] = hash;
            }
        }

        var tree = MerkleTree.FromLeaves(blocks.Select(b => BlockHeader.Hash(b.HeaderBytes)));
        return (blocks, Checkpoint.Create(tree.Size, tree.Root(), CheckpointTime, Operator));
    }

    /// <summary>A block with new leaves, re-signed by the operator.</summary>
    public static LedgerBlock Resign(LedgerBlock block, IEnumerable<byte[]> leaves) =>
        TestChain.Resign(block, Operator, leaves: LeafList.FromArrays(leaves));

    /// <summary>A book with its orders changed, re-signed by the operator (the households' signatures as they are).</summary>
    public static LedgerBlock ResignOrders(LedgerBlock block, Func<List<OrderLeaf>, IEnumerable<OrderLeaf>> change) =>
        Resign(block, change(block.Leaves.Select(l => OrderLeaf.Decode(l.Span)).ToList()).Select(o => o.Encode()));

    /// <summary>A household block with its records changed, re-signed by the operator.</summary>
    public static LedgerBlock ResignRecords(LedgerBlock block, Func<List<HouseholdRecord>, IEnumerable<HouseholdRecord>> change) =>
        Resign(block, change(block.Leaves.Select(l => HouseholdRecord.Decode(l.Span)).ToList()).Select(r => r.Encode()));

    private static PartyId Owner(OrderLeaf[] orders, long sequence) => orders.Single(o => o.Sequence == sequence).Owner;
}
