namespace Market.Ledger;

/// <summary>
/// Produces signed blocks: canonical leaves, payload root, header linked to the chain tip, signature. Pure: the
/// caller passes the tip (from its last stored block) and the time, and stores the returned
/// <see cref="SealedBlock"/> (header bytes, hash, signature, leaves) together with the rest of its transaction.
/// Thread-safe. Invalid arguments (bugs in the caller) throw.
/// </summary>
public static class BlockSealer
{
    private static readonly byte[] Zero32 = new byte[32];

    /// <summary>The genesis block: height 0, a key event introducing <paramref name="key"/>, signed by it.</summary>
    /// <param name="key">The first operator key.</param>
    /// <param name="sealedAt">Sealing time.</param>
    /// <returns>The block; its <see cref="SealedBlock.NextTip"/> continues the chain.</returns>
    public static SealedBlock SealGenesis(SigningKey key, DateTimeOffset sealedAt)
    {
        ArgumentNullException.ThrowIfNull(key);
        var leaves = LeafList.FixedSize(new KeyRecord(KeyAction.Introduce, key.PublicKey).Encode(), KeyRecord.Size, 1);
        return Seal(ChainTip.Genesis, key, BlockKind.KeyEvent, leaves, 0, 0, Zero32, 0, 0, sealedAt, 0);
    }

    /// <summary>
    /// A key rotation: a key event signed by the current key whose leaves introduce the new key and retire the
    /// current one (in that order). Blocks after it must be signed by the new key.
    /// </summary>
    /// <param name="tip">The chain tip.</param>
    /// <param name="currentKey">The key valid now (signs this block).</param>
    /// <param name="newPublicKey">The 33-byte compressed public key of the next key.</param>
    /// <param name="sealedAt">Sealing time.</param>
    /// <returns>The block.</returns>
    public static SealedBlock SealKeyRotation(ChainTip tip, SigningKey currentKey, ReadOnlySpan<byte> newPublicKey, DateTimeOffset sealedAt)
    {
        ArgumentNullException.ThrowIfNull(currentKey);
        RequireNotGenesis(tip);
        if (newPublicKey.SequenceEqual(currentKey.PublicKey))
        {
            throw new ArgumentException("the new key must differ from the current key", nameof(newPublicKey));
        }

        var data = new byte[2 * KeyRecord.Size];
        new KeyRecord(KeyAction.Introduce, newPublicKey).EncodeTo(data);
        new KeyRecord(KeyAction.Retire, currentKey.PublicKey).EncodeTo(data.AsSpan(KeyRecord.Size));
        var leaves = LeafList.FixedSize(data, KeyRecord.Size, 2);
        return Seal(tip, currentKey, BlockKind.KeyEvent, leaves, 0, 0, Zero32, 0, 0, sealedAt, 0);
    }

    /// <summary>A rules block holding one rules record.</summary>
    /// <param name="tip">The chain tip.</param>
    /// <param name="key">The valid key.</param>
    /// <param name="rules">The rules; must pass <see cref="RulesRecord.Validate"/>.</param>
    /// <param name="sealedAt">Sealing time.</param>
    /// <returns>The block.</returns>
    public static SealedBlock SealRules(ChainTip tip, SigningKey key, RulesRecord rules, DateTimeOffset sealedAt)
    {
        ArgumentNullException.ThrowIfNull(key);
        RequireNotGenesis(tip);
        if (!rules.Validate(out var error))
        {
            throw new ArgumentException(error, nameof(rules));
        }

        var leaves = LeafList.FixedSize(rules.Encode(), rules.EncodedLength, 1);
        return Seal(tip, key, BlockKind.Rules, leaves, 0, 0, Zero32, 0, 0, sealedAt, 0);
    }

    /// <summary>The most bytes a witness policy leaf may have.</summary>
    public const int MaxWitnessPolicySize = 16384;

    /// <summary>
    /// A witness-policy block: one leaf, the UTF-8 bytes of <paramref name="policy"/>'s canonical text. The policy
    /// must have exactly one log (the origin is its key name and must stay that of the chain's first policy block;
    /// the verifier checks that) and at most <see cref="MaxWitnessPolicySize"/> bytes.
    /// </summary>
    /// <param name="tip">The chain tip.</param>
    /// <param name="key">The valid key.</param>
    /// <param name="policy">The policy (see <see cref="WitnessPolicy.Create"/>).</param>
    /// <param name="sealedAt">Sealing time.</param>
    /// <returns>The block.</returns>
    public static SealedBlock SealWitnessPolicy(ChainTip tip, SigningKey key, WitnessPolicy policy, DateTimeOffset sealedAt)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(policy);
        RequireNotGenesis(tip);
        if (policy.Logs.Count != 1)
        {
            throw new ArgumentException("a sealed witness policy names exactly one log", nameof(policy));
        }

        var text = System.Text.Encoding.UTF8.GetBytes(policy.Encode());
        if (text.Length > MaxWitnessPolicySize)
        {
            throw new ArgumentException($"a sealed witness policy has at most {MaxWitnessPolicySize} bytes", nameof(policy));
        }

        return Seal(tip, key, BlockKind.WitnessPolicy, LeafList.FromArrays([text]), 0, 0, Zero32, 0, 0, sealedAt, 0);
    }

    /// <summary>
    /// The order-book commitment of one interval at gate closure: the canonical orders in strictly increasing
    /// sequence order.
    /// </summary>
    /// <param name="tip">The chain tip.</param>
    /// <param name="key">The valid key.</param>
    /// <param name="intervalStart">Interval start, Unix seconds.</param>
    /// <param name="intervalEnd">Interval end (exclusive), Unix seconds.</param>
    /// <param name="mechanism">Clearing mechanism of the rules in effect.</param>
    /// <param name="rulesVersion">Version of the rules in effect.</param>
    /// <param name="orders">The orders, sequences strictly increasing, energy positive.</param>
    /// <param name="sealedAt">Sealing time (at or after gate closure).</param>
    /// <returns>The block.</returns>
    public static SealedBlock SealOrderBook(
        ChainTip tip,
        SigningKey key,
        long intervalStart,
        long intervalEnd,
        byte mechanism,
        int rulesVersion,
        ReadOnlySpan<OrderLeaf> orders,
        DateTimeOffset sealedAt)
    {
        ArgumentNullException.ThrowIfNull(key);
        RequireNotGenesis(tip);
        RequireInterval(intervalStart, intervalEnd, mechanism, rulesVersion);
        var builder = new LeafList.Builder();
        for (var i = 0; i < orders.Length; i++)
        {
            if (orders[i].EnergyWh <= 0)
            {
                throw new ArgumentException($"order {orders[i].Sequence}: energy must be positive", nameof(orders));
            }

            if (i > 0 && orders[i].Sequence <= orders[i - 1].Sequence)
            {
                throw new ArgumentException("orders must be in strictly increasing sequence order", nameof(orders));
            }

            orders[i].EncodeTo(builder.Append(orders[i].EncodedLength));
        }

        var leaves = builder.Build();
        return Seal(tip, key, BlockKind.OrderBook, leaves, intervalStart, intervalEnd, Zero32, mechanism, rulesVersion, sealedAt, 0);
    }

    /// <summary>
    /// A household block (kind 6): household records (key enrolments and revocations, mandates and their revocations,
    /// cancellations) in strictly increasing sequence order, each carrying its household's signature. Interval,
    /// reference, mechanism and rules version are zero. The market seals one before the order books of a clearing run
    /// whenever records were accepted since the last one (docs/ledger-format.md §6.2).
    /// </summary>
    /// <param name="tip">The chain tip.</param>
    /// <param name="key">The valid key.</param>
    /// <param name="records">At least one record, sequences strictly increasing.</param>
    /// <param name="sealedAt">Sealing time.</param>
    /// <returns>The block.</returns>
    public static SealedBlock SealHousehold(ChainTip tip, SigningKey key, IReadOnlyList<HouseholdRecord> records, DateTimeOffset sealedAt)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(records);
        RequireNotGenesis(tip);
        if (records.Count == 0)
        {
            throw new ArgumentException("a household block holds at least one record", nameof(records));
        }

        var builder = new LeafList.Builder();
        for (var i = 0; i < records.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(records[i], nameof(records));
            if (i > 0 && records[i].Sequence <= records[i - 1].Sequence)
            {
                throw new ArgumentException("household records must be in strictly increasing sequence order", nameof(records));
            }

            builder.Add(records[i].Encode());
        }

        return Seal(tip, key, BlockKind.Household, builder.Build(), 0, 0, Zero32, 0, 0, sealedAt, 0);
    }

    /// <summary>
    /// The clearing block of one interval: the trades in clearing order, numbered from
    /// <see cref="ChainTip.NextTradeId"/>, amounts by <see cref="Money.Amount"/>, naming its order-book block.
    /// Interval, mechanism and rules version are taken from the order-book header.
    /// </summary>
    /// <param name="tip">The chain tip.</param>
    /// <param name="key">The valid key.</param>
    /// <param name="orderBookHeader">Header of the interval's order-book block.</param>
    /// <param name="trades">The fills in clearing order.</param>
    /// <param name="sealedAt">Sealing time.</param>
    /// <returns>The block.</returns>
    public static SealedBlock SealClearing(ChainTip tip, SigningKey key, BlockHeader orderBookHeader, ReadOnlySpan<TradeFill> trades, DateTimeOffset sealedAt)
    {
        ArgumentNullException.ThrowIfNull(orderBookHeader);
        if (orderBookHeader.Kind != BlockKind.OrderBook)
        {
            throw new ArgumentException("the referenced header must be an order-book block", nameof(orderBookHeader));
        }

        return SealClearing(tip, key, orderBookHeader.Hash(), orderBookHeader.IntervalStart, orderBookHeader.IntervalEnd,
            orderBookHeader.Mechanism, orderBookHeader.RulesVersion, trades, sealedAt);
    }

    /// <summary>
    /// The clearing block of one interval: the trades in clearing order, numbered from
    /// <see cref="ChainTip.NextTradeId"/>, amounts by <see cref="Money.Amount"/>, naming its order-book block.
    /// </summary>
    /// <param name="tip">The chain tip.</param>
    /// <param name="key">The valid key.</param>
    /// <param name="orderBookHeaderHash">Header hash of the interval's order-book block (32 bytes).</param>
    /// <param name="intervalStart">Interval start, Unix seconds (as in the order-book block).</param>
    /// <param name="intervalEnd">Interval end, Unix seconds (as in the order-book block).</param>
    /// <param name="mechanism">Clearing mechanism (as in the order-book block).</param>
    /// <param name="rulesVersion">Rules version (as in the order-book block).</param>
    /// <param name="trades">The fills in clearing order.</param>
    /// <param name="sealedAt">Sealing time.</param>
    /// <returns>The block.</returns>
    public static SealedBlock SealClearing(
        ChainTip tip,
        SigningKey key,
        ReadOnlySpan<byte> orderBookHeaderHash,
        long intervalStart,
        long intervalEnd,
        byte mechanism,
        int rulesVersion,
        ReadOnlySpan<TradeFill> trades,
        DateTimeOffset sealedAt)
    {
        ArgumentNullException.ThrowIfNull(key);
        RequireNotGenesis(tip);
        RequireInterval(intervalStart, intervalEnd, mechanism, rulesVersion);
        if (orderBookHeaderHash.Length != 32 || orderBookHeaderHash.SequenceEqual(Zero32))
        {
            throw new ArgumentException("the order-book header hash is 32 bytes and not zero", nameof(orderBookHeaderHash));
        }

        var data = new byte[checked(trades.Length * TradeLeaf.Size)];
        var tradeId = tip.NextTradeId;
        for (var i = 0; i < trades.Length; i++)
        {
            var fill = trades[i];
            if (fill.EnergyWh <= 0 || fill.Price < 0)
            {
                throw new ArgumentException($"trade {i}: energy must be positive and price not negative", nameof(trades));
            }

            TradeLeaf.Create(tradeId++, intervalStart, intervalEnd, fill).EncodeTo(data.AsSpan(i * TradeLeaf.Size, TradeLeaf.Size));
        }

        var leaves = LeafList.FixedSize(data, TradeLeaf.Size, trades.Length);
        return Seal(tip, key, BlockKind.Clearing, leaves, intervalStart, intervalEnd, orderBookHeaderHash, mechanism,
            rulesVersion, sealedAt, trades.Length);
    }

    /// <summary>
    /// A network block (kind 8): the community's network tree, leaf i = node i. In force for every order book sealed
    /// after it until the next network block. Interval, reference, mechanism and rules version are zero.
    /// </summary>
    /// <param name="tip">The chain tip.</param>
    /// <param name="key">The valid key.</param>
    /// <param name="nodes">The nodes; must form a valid tree (<see cref="GridTopology.TryCreate"/>).</param>
    /// <param name="sealedAt">Sealing time.</param>
    /// <returns>The block.</returns>
    public static SealedBlock SealNetwork(ChainTip tip, SigningKey key, IReadOnlyList<NetworkNodeLeaf> nodes, DateTimeOffset sealedAt)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(nodes);
        RequireNotGenesis(tip);
        if (!GridTopology.TryCreate(nodes, out _, out var error, out _))
        {
            throw new ArgumentException(error, nameof(nodes));
        }

        return Seal(tip, key, BlockKind.Network, LeafList.FromArrays([.. nodes.Select(n => n.Encode())]), 0, 0, Zero32, 0, 0, sealedAt, 0);
    }

    /// <summary>
    /// A grid-limits block (kind 9) for one mechanism-3 interval, sealed before its order book: the limits in force at
    /// gate closure of each node whose limits differ from its static capacities, in strictly increasing node order
    /// (none: the static capacities), naming the network block in force.
    /// </summary>
    /// <param name="tip">The chain tip.</param>
    /// <param name="key">The valid key.</param>
    /// <param name="networkHeaderHash">Header hash of the network block in force (32 bytes).</param>
    /// <param name="intervalStart">Interval start, Unix seconds.</param>
    /// <param name="intervalEnd">Interval end (exclusive), Unix seconds.</param>
    /// <param name="mechanism">Mechanism of the rules in effect (2).</param>
    /// <param name="rulesVersion">Version of the rules in effect.</param>
    /// <param name="limits">The limits, nodes strictly increasing, limits not negative.</param>
    /// <param name="sealedAt">Sealing time.</param>
    /// <returns>The block.</returns>
    public static SealedBlock SealGridLimits(
        ChainTip tip,
        SigningKey key,
        ReadOnlySpan<byte> networkHeaderHash,
        long intervalStart,
        long intervalEnd,
        byte mechanism,
        int rulesVersion,
        IReadOnlyList<GridLimitLeaf> limits,
        DateTimeOffset sealedAt)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(limits);
        RequireNotGenesis(tip);
        RequireInterval(intervalStart, intervalEnd, mechanism, rulesVersion);
        if (networkHeaderHash.Length != 32 || networkHeaderHash.SequenceEqual(Zero32))
        {
            throw new ArgumentException("the network header hash is 32 bytes and not zero", nameof(networkHeaderHash));
        }

        for (var i = 0; i < limits.Count; i++)
        {
            if ((i > 0 && limits[i].Node <= limits[i - 1].Node) || limits[i].ExportLimitWh < 0 || limits[i].ImportLimitWh < 0)
            {
                throw new ArgumentException("limits are in strictly increasing node order and not negative", nameof(limits));
            }
        }

        return Seal(tip, key, BlockKind.GridLimits, LeafList.FromArrays([.. limits.Select(l => l.Encode())]), intervalStart, intervalEnd,
            networkHeaderHash, mechanism, rulesVersion, sealedAt, 0);
    }

    /// <summary>
    /// The clearing block of a mechanism-3 interval: the trades (trade leaves v2, numbered from
    /// <see cref="ChainTip.NextTradeId"/>, amounts by <see cref="Money.Amount"/> at each side's price), then one zone
    /// leaf per node in node order, then the community's residual leaf, naming its order-book block (whose interval,
    /// mechanism and rules version it repeats).
    /// </summary>
    /// <param name="tip">The chain tip.</param>
    /// <param name="key">The valid key.</param>
    /// <param name="orderBookHeader">Header of the interval's order-book block.</param>
    /// <param name="trades">The trades in clearing order.</param>
    /// <param name="zonePrices">Each node's zone price, by node index.</param>
    /// <param name="flowsWh">Each node's net flow to its parent in Wh, by node index (0 for the root).</param>
    /// <param name="residual">The community's residual after the clearing; well-formed (<see cref="ResidualLeaf.Problem"/>).</param>
    /// <param name="sealedAt">Sealing time.</param>
    /// <returns>The block.</returns>
    public static SealedBlock SealGridClearing(
        ChainTip tip,
        SigningKey key,
        BlockHeader orderBookHeader,
        ReadOnlySpan<GridTradeFill> trades,
        ReadOnlySpan<long> zonePrices,
        ReadOnlySpan<long> flowsWh,
        ResidualLeaf residual,
        DateTimeOffset sealedAt)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(orderBookHeader);
        ArgumentNullException.ThrowIfNull(residual);
        if (residual.Problem() is { } problem)
        {
            throw new ArgumentException("the residual is ill-formed: " + problem, nameof(residual));
        }

        RequireNotGenesis(tip);
        if (orderBookHeader.Kind != BlockKind.OrderBook || orderBookHeader.Mechanism != ClearingMechanisms.GridZonalAuction)
        {
            throw new ArgumentException("the referenced header must be a mechanism-3 order-book block", nameof(orderBookHeader));
        }

        if (zonePrices.Length == 0 || flowsWh.Length != zonePrices.Length)
        {
            throw new ArgumentException("one zone price and one flow per node", nameof(flowsWh));
        }

        var (start, end) = (orderBookHeader.IntervalStart, orderBookHeader.IntervalEnd);
        var builder = new LeafList.Builder();
        var tradeId = tip.NextTradeId;
        for (var i = 0; i < trades.Length; i++)
        {
            var t = trades[i];
            if (t.EnergyWh <= 0 || t.BuyPrice < 0 || t.SellPrice < 0 || t.FeePrice < 0)
            {
                throw new ArgumentException($"trade {i}: energy must be positive and prices not negative", nameof(trades));
            }

            new GridTradeLeaf(tradeId++, start, end, t.Buyer, t.Seller, t.BuySequence, t.SellSequence, t.EnergyWh, t.BuyPrice, t.SellPrice,
                t.FeePrice, Money.Amount(t.EnergyWh, t.BuyPrice), Money.Amount(t.EnergyWh, t.SellPrice), t.MeetNode).EncodeTo(builder.Append(GridTradeLeaf.Size));
        }

        for (var node = 0; node < zonePrices.Length; node++)
        {
            new ZoneLeaf(node, zonePrices[node], flowsWh[node]).EncodeTo(builder.Append(ZoneLeaf.Size));
        }

        residual.EncodeTo(builder.Append(residual.Size));

        return Seal(tip, key, BlockKind.Clearing, builder.Build(), start, end, orderBookHeader.Hash(), orderBookHeader.Mechanism,
            orderBookHeader.RulesVersion, sealedAt, trades.Length);
    }

    /// <summary>
    /// One version of an interval's imbalance reconciliation (docs/settlement.md): a summary leaf, then one record
    /// per household, naming the interval's clearing block (whose interval, mechanism and rules version it repeats).
    /// Households are sealed in pseudonym order, whatever order they are passed in;
    /// <see cref="ReconciliationSummary.HouseholdCount"/> is set from the list. Each household's public record carries
    /// only the commitment to its settlement record (<see cref="ReconciliationOpening.Commitment"/>).
    /// </summary>
    /// <param name="tip">The chain tip.</param>
    /// <param name="key">The valid key.</param>
    /// <param name="clearingHeader">Header of the interval's clearing block.</param>
    /// <param name="summary">Reconciliation version (1, then +1 per correction), settlement rules version, prices and the community's totals.</param>
    /// <param name="households">One record per household that traded or has a reading; pseudonyms distinct and not zero.</param>
    /// <param name="sealedAt">Sealing time.</param>
    /// <returns>The block.</returns>
    public static SealedBlock SealReconciliation(
        ChainTip tip,
        SigningKey key,
        BlockHeader clearingHeader,
        ReconciliationSummary summary,
        IEnumerable<HouseholdReconciliationLeaf> households,
        DateTimeOffset sealedAt)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(clearingHeader);
        ArgumentNullException.ThrowIfNull(households);
        RequireNotGenesis(tip);
        if (clearingHeader.Kind != BlockKind.Clearing)
        {
            throw new ArgumentException("the referenced header must be a clearing block", nameof(clearingHeader));
        }

        if (summary.ReconciliationVersion < 1 || summary.SettlementRulesVersion is < 1 or > ushort.MaxValue)
        {
            throw new ArgumentException("reconciliation and settlement rules versions start at 1", nameof(summary));
        }

        var sorted = households.OrderBy(h => h.Household, Comparer<PartyId>.Create(HouseholdReconciliationLeaf.Compare)).ToList();
        for (var i = 0; i < sorted.Count; i++)
        {
            if (sorted[i].Household == default || (i > 0 && sorted[i].Household == sorted[i - 1].Household))
            {
                throw new ArgumentException($"household {sorted[i].Household}: pseudonyms must be distinct and not zero", nameof(households));
            }
        }

        var leaves = new List<byte[]>(sorted.Count + 1) { (summary with { HouseholdCount = sorted.Count }).Encode() };
        leaves.AddRange(sorted.Select(h => h.Encode()));
        return Seal(tip, key, BlockKind.Reconciliation, LeafList.FromArrays(leaves), clearingHeader.IntervalStart,
            clearingHeader.IntervalEnd, clearingHeader.Hash(), clearingHeader.Mechanism, clearingHeader.RulesVersion, sealedAt, 0);
    }

    private static SealedBlock Seal(
        ChainTip tip,
        SigningKey key,
        BlockKind kind,
        LeafList leaves,
        long intervalStart,
        long intervalEnd,
        ReadOnlySpan<byte> reference,
        byte mechanism,
        int rulesVersion,
        DateTimeOffset sealedAt,
        int tradeCount)
    {
        var sealedAtMs = sealedAt.ToUnixTimeMilliseconds();
        if (tip.NextHeight > 0 && sealedAtMs < tip.LastSealedAtUnixMs)
        {
            throw new ArgumentException("the sealing time must not be before the previous block's", nameof(sealedAt));
        }

        var header = new BlockHeader
        {
            Kind = kind,
            Height = tip.NextHeight,
            PreviousHash = tip.PreviousHeaderHash.ToArray(),
            PayloadRoot = PayloadRoot(leaves),
            LeafCount = leaves.Count,
            IntervalStart = intervalStart,
            IntervalEnd = intervalEnd,
            SealedAtUnixMs = sealedAtMs,
            KeyId = key.KeyId,
            Reference = reference.ToArray(),
            Mechanism = mechanism,
            RulesVersion = rulesVersion,
        };
        var headerBytes = header.Encode();
        var headerHash = BlockHeader.Hash(headerBytes);
        var signature = key.Sign(headerHash);
        var next = new ChainTip(tip.NextHeight + 1, headerHash, checked(tip.NextTradeId + tradeCount), sealedAtMs);
        return new SealedBlock(header, headerBytes, headerHash, signature, leaves, next);
    }

    /// <summary>The payload root of a block's leaves (RFC 9162), splitting large blocks over two cores.</summary>
    internal static byte[] PayloadRoot(LeafList leaves)
    {
        var root = new byte[32];
        PayloadRoot(leaves, root);
        return root;
    }

    internal static void PayloadRoot(LeafList leaves, Span<byte> root) => LeafHasher.ParallelRoot(leaves, root);

    private static void RequireNotGenesis(ChainTip tip)
    {
        if (tip.NextHeight == 0)
        {
            throw new ArgumentException("height 0 must be the genesis key event (SealGenesis)", nameof(tip));
        }
    }

    private static void RequireInterval(long intervalStart, long intervalEnd, byte mechanism, int rulesVersion)
    {
        if (intervalEnd <= intervalStart)
        {
            throw new ArgumentException("the interval end must be after its start", nameof(intervalEnd));
        }

        if (mechanism == 0 || rulesVersion is < 1 or > ushort.MaxValue)
        {
            throw new ArgumentException("mechanism must not be 0 and rules version must be in 1..65535", nameof(rulesVersion));
        }
    }
}
