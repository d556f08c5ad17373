using System.Collections.Concurrent;
using System.Collections.ObjectModel;
using System.Security.Cryptography;

namespace Market.Ledger;

/// <summary>
/// Verifies a chain block by block, in one pass and without trusting anything in it: it recomputes every leaf hash,
/// payload root and header hash, checks the links, heights, signatures against the key valid at each height, the
/// rules, the order books, trade ids, amounts, the book/trade consistency, replays each clearing, and finally checks
/// the latest checkpoint and consistency with a checkpoint the auditor kept. Stops at the first failure.
/// Streaming: feed blocks with <see cref="Append"/>, then call <see cref="Complete"/>. Memory: the header hashes,
/// the rules and the order books that are not cleared yet. Not thread-safe.
/// </summary>
public sealed class ChainVerifier
{
    private static readonly byte[] Zero32 = new byte[32];

    private readonly IClearingReplayer? _replayer;
    private readonly ChainVerifierOptions _options;
    private readonly MerkleTree _ledgerTree = new();
    private readonly List<long> _sealedAt = [];
    private readonly List<(long ActiveFrom, VerifyingKey Key)> _keyHistory = [];
    private readonly Dictionary<byte[], VerifyingKey> _knownKeys = new(ByteArrayComparer.Instance);
    private readonly List<RulesRecord> _rules = [];
    private readonly Dictionary<byte[], PendingBook> _pendingBooks = new(ByteArrayComparer.Instance);
    private readonly HashSet<byte[]> _clearedBooks = new(ByteArrayComparer.Instance);
    private readonly HashSet<(long Start, long End)> _committedIntervals = [];
    private VerifyingKey? _activeKey;
    private byte[] _previousHash = new byte[32];
    private long _nextTradeId = 1;
    private long _lastSealedAt = long.MinValue;
    private long _maxCommittedIntervalEnd = long.MinValue;
    private readonly Dictionary<byte[], ClearedInterval> _clearings = new(ByteArrayComparer.Instance);
    private long _tradeCount;
    private long _orderCount;
    private long _reconciliationCount;
    private long _readingsChecked;

    /// <summary>Creates a verifier.</summary>
    /// <param name="replayer">Replays clearings; null skips the replay (the result says so).</param>
    /// <param name="options">Options, e.g. the trusted genesis key id.</param>
    public ChainVerifier(IClearingReplayer? replayer, ChainVerifierOptions? options = null)
    {
        _replayer = replayer;
        _options = options ?? new ChainVerifierOptions();
    }

    /// <summary>The first failure so far, or null.</summary>
    public VerificationFailure? Failure { get; private set; }

    /// <summary>Number of blocks accepted so far.</summary>
    public long BlockCount { get; private set; }

    /// <summary>Verifies a whole chain and its checkpoints.</summary>
    /// <param name="blocks">The blocks in height order.</param>
    /// <param name="latest">The latest checkpoint (normally covering all blocks).</param>
    /// <param name="replayer">Replays clearings; null skips the replay.</param>
    /// <param name="kept">An earlier checkpoint the auditor kept, or null.</param>
    /// <param name="options">Options.</param>
    /// <returns>Valid, or the first failure.</returns>
    public static VerificationResult Verify(
        IEnumerable<LedgerBlock> blocks,
        Checkpoint? latest,
        IClearingReplayer? replayer,
        Checkpoint? kept = null,
        ChainVerifierOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        var verifier = new ChainVerifier(replayer, options);
        foreach (var block in blocks)
        {
            if (!verifier.Append(block))
            {
                break;
            }
        }

        return verifier.Complete(latest, kept);
    }

    /// <summary>Verifies an export (JSON Lines, see <see cref="LedgerExportReader"/>) while reading it.</summary>
    /// <param name="export">The export stream.</param>
    /// <param name="replayer">Replays clearings; null skips the replay.</param>
    /// <param name="kept">An earlier checkpoint the auditor kept, or null.</param>
    /// <param name="options">Options.</param>
    /// <returns>Valid, or the first failure; a malformed file is <see cref="VerificationFailureReason.MalformedExport"/>.</returns>
    public static VerificationResult VerifyExport(
        Stream export,
        IClearingReplayer? replayer,
        Checkpoint? kept = null,
        ChainVerifierOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(export);
        var verifier = new ChainVerifier(replayer, options);
        var reader = new LedgerExportReader(export);

        // Parsing runs one block ahead on another core while this one verifies; results are the same as reading
        // and verifying in turn (blocks are verified in file order, a format error after a failing block is never
        // reported instead of that failure).
        using var queue = new BlockingCollection<LedgerBlock>(boundedCapacity: 4);
        using var stop = new CancellationTokenSource();
        LedgerFormatException? formatError = null;
        var producer = Task.Run(() =>
        {
            try
            {
                foreach (var block in reader.ReadBlocks())
                {
                    queue.Add(block, stop.Token);
                }
            }
            catch (LedgerFormatException e)
            {
                formatError = e;
            }
            catch (OperationCanceledException)
            {
                // The verifier stopped at a failure; nothing more to read.
            }
            finally
            {
                queue.CompleteAdding();
            }
        });

        var failed = false;
        foreach (var block in queue.GetConsumingEnumerable())
        {
            if (!verifier.Append(block))
            {
                failed = true;
                stop.Cancel();
                break;
            }
        }

        producer.GetAwaiter().GetResult();
        if (failed)
        {
            return verifier.Complete(null, kept);
        }

        return formatError is not null
            ? verifier.Result(new VerificationFailure(VerificationFailureReason.MalformedExport, null, null, null, formatError.Message))
            : verifier.Complete(reader.Checkpoint, kept);
    }

    /// <summary>Checks the next block. Returns false once anything failed (see <see cref="Failure"/>); later calls
    /// do nothing and return false.</summary>
    /// <param name="block">The next block in height order.</param>
    /// <returns>Whether the chain is still valid.</returns>
    public bool Append(LedgerBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (Failure is not null)
        {
            return false;
        }

        Failure = Check(block);
        return Failure is null;
    }

    /// <summary>
    /// Finishes: checks the latest checkpoint (size not beyond the blocks, root, time, signer, signature) and, when
    /// given, that the blocks extend the kept checkpoint (consistency proof between the two checkpoints).
    /// </summary>
    /// <param name="latest">The latest checkpoint; null fails with <see cref="VerificationFailureReason.CheckpointMissing"/>.</param>
    /// <param name="kept">An earlier checkpoint the auditor kept, or null.</param>
    /// <returns>The result.</returns>
    public VerificationResult Complete(Checkpoint? latest, Checkpoint? kept = null)
    {
        if (Failure is not null)
        {
            return Result(Failure);
        }

        var failure = BlockCount == 0
            ? Fail(VerificationFailureReason.EmptyChain, null, "the chain has no blocks")
            : latest is null
                ? Fail(VerificationFailureReason.CheckpointMissing, null, "no checkpoint to verify the chain against")
                : CheckCheckpoint(latest, "checkpoint") ?? (kept is null ? null : CheckKept(kept, latest));
        Failure = failure;
        return Result(failure, latest?.Size);
    }

    private VerificationResult Result(VerificationFailure? failure, long? checkpointSize = null) => new()
    {
        Failure = failure,
        BlockCount = BlockCount,
        TradeCount = _tradeCount,
        OrderCount = _orderCount,
        ReconciliationCount = _reconciliationCount,
        ReadingsChecked = _readingsChecked,
        ReplayPerformed = _replayer is not null,
        LedgerRoot = BlockCount > 0 ? _ledgerTree.Root() : null,
        CheckpointSize = failure is null ? checkpointSize : null,
        PendingOrderBooks = _pendingBooks.Count,
        KeyIds = _keyHistory.Select(k => k.Key.KeyId).ToList(),
    };

    private static VerificationFailure Fail(
        VerificationFailureReason reason, long? height, string message, long? tradeId = null, int? leafIndex = null) =>
        new(reason, height, tradeId, leafIndex, message);

    private VerificationFailure? Check(LedgerBlock block)
    {
        var height = BlockCount;
        if (!BlockHeader.TryDecode(block.HeaderBytes, out var header, out var error))
        {
            var reason = block.HeaderBytes.Length >= 2 && (block.HeaderBytes[0] != 0 || block.HeaderBytes[1] != 1)
                ? VerificationFailureReason.UnsupportedVersion
                : VerificationFailureReason.MalformedHeader;
            return Fail(reason, height, error!);
        }

        if (header.Height != height)
        {
            return Fail(VerificationFailureReason.HeightGap, height,
                $"expected height {height}, found {header.Height} (a block is missing, duplicated or out of order)");
        }

        if (!header.PreviousHash.AsSpan().SequenceEqual(_previousHash))
        {
            return Fail(VerificationFailureReason.BrokenLink, height, "the previous header hash is not the hash of the previous block");
        }

        var headerHash = SHA256.HashData(block.HeaderBytes);
        var failure = height == 0 ? CheckGenesisKey(block, header) : CheckSigner(header);
        if (failure is not null)
        {
            return failure;
        }

        if (!_activeKey!.Verify(headerHash, block.Signature))
        {
            return Fail(VerificationFailureReason.BadSignature, height, "the signature over the header hash does not verify with the valid key");
        }

        if (block.Leaves.Count != header.LeafCount)
        {
            return Fail(VerificationFailureReason.LeafCountMismatch, height,
                $"the header says {header.LeafCount} leaves, the block has {block.Leaves.Count}");
        }

        Span<byte> root = stackalloc byte[32];
        BlockSealer.PayloadRoot(block.Leaves, root);
        if (!root.SequenceEqual(header.PayloadRoot))
        {
            return LocateChangedTrade(block, header)
                ?? Fail(VerificationFailureReason.PayloadRootMismatch, height, "the Merkle root of the leaves is not the header's payload root");
        }

        if (header.SealedAtUnixMs < _lastSealedAt)
        {
            return Fail(VerificationFailureReason.TimeNotMonotonic, height, "sealed before the previous block");
        }

        failure = CheckHeaderFields(header) ?? header.Kind switch
        {
            BlockKind.KeyEvent => CheckKeyEvent(block, header),
            BlockKind.Rules => CheckRules(block, header),
            BlockKind.OrderBook => CheckOrderBook(block, header, headerHash),
            BlockKind.Clearing => CheckClearing(block, header, headerHash),
            _ => CheckReconciliation(block, header),
        };
        if (failure is not null)
        {
            return failure;
        }

        _ledgerTree.AppendLeaf(headerHash);
        _sealedAt.Add(header.SealedAtUnixMs);
        _lastSealedAt = header.SealedAtUnixMs;
        _previousHash = headerHash;
        BlockCount++;
        return null;
    }

    private VerificationFailure? CheckGenesisKey(LedgerBlock block, BlockHeader header)
    {
        if (header.Kind != BlockKind.KeyEvent || block.Leaves.Count != 1)
        {
            return Fail(VerificationFailureReason.GenesisInvalid, 0, "height 0 must be a key event with exactly one key record");
        }

        if (!KeyRecord.TryDecode(block.Leaves.GetSpan(0), out var record, out var error))
        {
            return Fail(VerificationFailureReason.MalformedLeaf, 0, error!, leafIndex: 0);
        }

        var key = VerifyingKey.Create(record.PublicKey);
        if (record.Action != KeyAction.Introduce || !key.KeyIdSpan.SequenceEqual(header.KeyId))
        {
            return Fail(VerificationFailureReason.GenesisInvalid, 0, "the genesis block must introduce the key that signs it");
        }

        if (_options.TrustedGenesisKeyId is { } trusted && !key.KeyIdSpan.SequenceEqual(trusted))
        {
            return Fail(VerificationFailureReason.UnknownKey, 0, "the genesis key is not the trusted genesis key");
        }

        _activeKey = key;
        return null;
    }

    private VerificationFailure? CheckSigner(BlockHeader header)
    {
        if (_activeKey!.KeyIdSpan.SequenceEqual(header.KeyId))
        {
            return null;
        }

        return _knownKeys.ContainsKey(header.KeyId)
            ? Fail(VerificationFailureReason.RetiredKey, header.Height, "signed by a retired key")
            : Fail(VerificationFailureReason.UnknownKey, header.Height, "signed by a key that was never introduced");
    }

    private static VerificationFailure? CheckHeaderFields(BlockHeader header)
    {
        var referenceIsZero = header.Reference.AsSpan().SequenceEqual(Zero32);
        string? problem = header.Kind switch
        {
            BlockKind.KeyEvent or BlockKind.Rules when header.IntervalStart != 0 || header.IntervalEnd != 0
                || !referenceIsZero || header.Mechanism != 0 || header.RulesVersion != 0 =>
                "key-event and rules blocks have zero interval, reference, mechanism and rules version",
            BlockKind.OrderBook or BlockKind.Clearing or BlockKind.Reconciliation when header.IntervalEnd <= header.IntervalStart =>
                "the interval end must be after its start",
            BlockKind.OrderBook or BlockKind.Clearing when header.Mechanism == 0 || header.RulesVersion == 0 =>
                "order-book and clearing blocks name a mechanism and rules version",
            BlockKind.Reconciliation when header.Mechanism == 0 || header.RulesVersion == 0 =>
                "a reconciliation block repeats its clearing block's mechanism and rules version",
            BlockKind.OrderBook when !referenceIsZero => "an order-book block has a zero reference",
            BlockKind.Clearing when referenceIsZero => "a clearing block references its order-book block",
            BlockKind.Reconciliation when referenceIsZero => "a reconciliation block references its clearing block",
            _ => null,
        };
        return problem is null ? null : Fail(VerificationFailureReason.InvalidHeaderField, header.Height, problem);
    }

    private VerificationFailure? CheckKeyEvent(LedgerBlock block, BlockHeader header)
    {
        if (header.Height == 0)
        {
            _knownKeys[_activeKey!.KeyId] = _activeKey;
            _keyHistory.Add((0, _activeKey));
            return null;
        }

        if (block.Leaves.Count != 2)
        {
            return Fail(VerificationFailureReason.InvalidKeyEvent, header.Height,
                "a key rotation has exactly two records: introduce the new key, retire the current one");
        }

        for (var i = 0; i < 2; i++)
        {
            if (!KeyRecord.TryDecode(block.Leaves.GetSpan(i), out _, out var error))
            {
                return Fail(VerificationFailureReason.MalformedLeaf, header.Height, error!, leafIndex: i);
            }
        }

        var introduce = KeyRecord.Decode(block.Leaves.GetSpan(0));
        var retire = KeyRecord.Decode(block.Leaves.GetSpan(1));
        var newKey = VerifyingKey.Create(introduce.PublicKey);
        if (introduce.Action != KeyAction.Introduce || retire.Action != KeyAction.Retire
            || !retire.PublicKey.SequenceEqual(_activeKey!.PublicKey) || _knownKeys.ContainsKey(newKey.KeyId))
        {
            return Fail(VerificationFailureReason.InvalidKeyEvent, header.Height,
                "a key rotation must introduce a never-used key and then retire the current key");
        }

        _knownKeys[newKey.KeyId] = newKey;
        _keyHistory.Add((header.Height + 1, newKey));
        _activeKey = newKey;
        return null;
    }

    private VerificationFailure? CheckRules(LedgerBlock block, BlockHeader header)
    {
        if (block.Leaves.Count != 1)
        {
            return Fail(VerificationFailureReason.InvalidRules, header.Height, "a rules block holds exactly one rules record");
        }

        if (!RulesRecord.TryDecode(block.Leaves.GetSpan(0), out var rules, out var error))
        {
            return Fail(VerificationFailureReason.MalformedLeaf, header.Height, error!, leafIndex: 0);
        }

        if (!rules.Validate(out error))
        {
            return Fail(VerificationFailureReason.InvalidRules, header.Height, error!, leafIndex: 0);
        }

        if (_rules.Count > 0 && (rules.RulesVersion <= _rules[^1].RulesVersion || rules.EffectiveFrom < _rules[^1].EffectiveFrom))
        {
            return Fail(VerificationFailureReason.InvalidRules, header.Height,
                "rules versions must increase and effective-from must not go back", leafIndex: 0);
        }

        if (rules.EffectiveFrom < _maxCommittedIntervalEnd)
        {
            return Fail(VerificationFailureReason.InvalidRules, header.Height,
                "rules must not apply to an interval whose order book is already committed", leafIndex: 0);
        }

        _rules.Add(rules);
        return null;
    }

    private VerificationFailure? CheckOrderBook(LedgerBlock block, BlockHeader header, byte[] headerHash)
    {
        var height = header.Height;
        RulesRecord? inEffect = null;
        for (var i = _rules.Count - 1; i >= 0 && inEffect is null; i--)
        {
            if (_rules[i].EffectiveFrom <= header.IntervalStart)
            {
                inEffect = _rules[i];
            }
        }

        if (inEffect is not { } rules)
        {
            return Fail(VerificationFailureReason.RulesMissing, height, "no rules block is in effect for this interval");
        }

        if (rules.RulesVersion != header.RulesVersion || rules.Mechanism != header.Mechanism)
        {
            return Fail(VerificationFailureReason.RulesMismatch, height,
                $"the rules in effect are version {rules.RulesVersion} mechanism {rules.Mechanism}, the block names version {header.RulesVersion} mechanism {header.Mechanism}");
        }

        var length = rules.IntervalLengthSeconds;
        if (header.IntervalEnd - header.IntervalStart != length || ((header.IntervalStart % length) + length) % length != 0)
        {
            return Fail(VerificationFailureReason.InvalidInterval, height, $"intervals are {length} s long and aligned to that length");
        }

        if (!_committedIntervals.Add((header.IntervalStart, header.IntervalEnd)))
        {
            return Fail(VerificationFailureReason.DuplicateInterval, height, "this interval already has an order-book block");
        }

        if ((Int128)header.SealedAtUnixMs < ((Int128)header.IntervalStart - rules.GateClosureLeadSeconds) * 1000)
        {
            return Fail(VerificationFailureReason.SealedBeforeGateClosure, height, "the order book was committed before gate closure");
        }

        var orders = new OrderLeaf[block.Leaves.Count];
        for (var i = 0; i < orders.Length; i++)
        {
            if (!OrderLeaf.TryDecode(block.Leaves.GetSpan(i), out var order, out var error))
            {
                return Fail(VerificationFailureReason.MalformedLeaf, height, error!, leafIndex: i);
            }

            if (i > 0 && order.Sequence <= orders[i - 1].Sequence)
            {
                return Fail(VerificationFailureReason.InvalidOrder, height, "order sequences must strictly increase", leafIndex: i);
            }

            if (order.EnergyWh <= 0)
            {
                return Fail(VerificationFailureReason.InvalidOrder, height, "order energy must be positive", leafIndex: i);
            }

            if (order.LimitPrice < rules.PriceFloor || order.LimitPrice > rules.PriceCeiling)
            {
                return Fail(VerificationFailureReason.PriceOutOfBounds, height,
                    $"limit price {order.LimitPrice} outside [{rules.PriceFloor}, {rules.PriceCeiling}]", leafIndex: i);
            }

            orders[i] = order;
        }

        _pendingBooks.Add(headerHash, new PendingBook(header, rules, orders));
        _maxCommittedIntervalEnd = Math.Max(_maxCommittedIntervalEnd, header.IntervalEnd);
        _orderCount += orders.Length;
        return null;
    }

    private VerificationFailure? CheckClearing(LedgerBlock block, BlockHeader header, byte[] headerHash)
    {
        var height = header.Height;
        if (!_pendingBooks.Remove(header.Reference, out var book))
        {
            return _clearedBooks.Contains(header.Reference)
                ? Fail(VerificationFailureReason.DuplicateClearing, height, "this order book was already cleared")
                : Fail(VerificationFailureReason.OrderBookMissing, height, "the referenced order-book block is not in the chain before this block");
        }

        if (book.Header.IntervalStart != header.IntervalStart || book.Header.IntervalEnd != header.IntervalEnd
            || book.Header.Mechanism != header.Mechanism || book.Header.RulesVersion != header.RulesVersion)
        {
            return Fail(VerificationFailureReason.ReferenceMismatch, height,
                "interval, mechanism or rules version differ from the referenced order-book block");
        }

        var trades = new TradeLeaf[block.Leaves.Count];
        var orders = book.Orders;
        var filled = new long[orders.Length];
        var rules = book.Rules;
        for (var i = 0; i < trades.Length; i++)
        {
            if (!TradeLeaf.TryDecode(block.Leaves.GetSpan(i), out var trade, out var error))
            {
                return Fail(VerificationFailureReason.MalformedLeaf, height, error!, leafIndex: i);
            }

            var failure = CheckTrade(trade, header, rules, orders, filled, i);
            if (failure is not null)
            {
                return failure;
            }

            trades[i] = trade;
            _nextTradeId++;
        }

        if (_replayer is not null)
        {
            var failure = Replay(book, trades, header);
            if (failure is not null)
            {
                return failure;
            }
        }

        _clearedBooks.Add(header.Reference);
        _tradeCount += trades.Length;
        _clearings.Add(headerHash, ClearedInterval.From(header, trades));
        return null;
    }

    private VerificationFailure? CheckTrade(
        in TradeLeaf trade, BlockHeader header, RulesRecord rules, OrderLeaf[] orders, long[] filled, int leafIndex)
    {
        var height = header.Height;
        var id = trade.TradeId;
        if (id != _nextTradeId)
        {
            return Fail(VerificationFailureReason.TradeIdGap, height, $"expected trade id {_nextTradeId}, found {id}", id, leafIndex);
        }

        if (trade.IntervalStart != header.IntervalStart || trade.IntervalEnd != header.IntervalEnd)
        {
            return Fail(VerificationFailureReason.TradeIntervalMismatch, height, "the trade's interval is not its block's", id, leafIndex);
        }

        if (trade.EnergyWh <= 0 || trade.Price < 0)
        {
            return Fail(VerificationFailureReason.InvalidTrade, height, "energy must be positive and price not negative", id, leafIndex);
        }

        if (trade.Price < rules.PriceFloor || trade.Price > rules.PriceCeiling)
        {
            return Fail(VerificationFailureReason.PriceOutOfBounds, height,
                $"price {trade.Price} outside [{rules.PriceFloor}, {rules.PriceCeiling}]", id, leafIndex);
        }

        if (!Money.TryAmount(trade.EnergyWh, trade.Price, out var amount) || amount != trade.Amount)
        {
            return Fail(VerificationFailureReason.AmountMismatch, height,
                $"amount {trade.Amount} is not {trade.EnergyWh} Wh x {trade.Price} / 1000 rounded half up ({amount})", id, leafIndex);
        }

        return CheckFill(trade.BuySequence, OrderSide.Buy, trade.Buyer, trade.EnergyWh, orders, filled, height, id, leafIndex)
            ?? CheckFill(trade.SellSequence, OrderSide.Sell, trade.Seller, trade.EnergyWh, orders, filled, height, id, leafIndex);
    }

    private static VerificationFailure? CheckFill(
        long sequence, OrderSide side, PartyId party, long energy, OrderLeaf[] orders, long[] filled, long height, long id, int leafIndex)
    {
        var index = FindOrder(orders, sequence);
        if (index < 0)
        {
            return Fail(VerificationFailureReason.OrderNotInBook, height, $"order {sequence} is not in the committed book", id, leafIndex);
        }

        var order = orders[index];
        if (order.Side != side)
        {
            return Fail(VerificationFailureReason.OrderSideMismatch, height, $"order {sequence} is not a {(side == OrderSide.Buy ? "bid" : "offer")}", id, leafIndex);
        }

        if (order.Owner != party)
        {
            return Fail(VerificationFailureReason.OrderOwnerMismatch, height,
                $"the {(side == OrderSide.Buy ? "buyer" : "seller")} is not the owner of order {sequence}", id, leafIndex);
        }

        filled[index] += energy;
        return filled[index] > order.EnergyWh
            ? Fail(VerificationFailureReason.Overfill, height, $"fills of order {sequence} exceed its {order.EnergyWh} Wh", id, leafIndex)
            : null;
    }

    private static int FindOrder(OrderLeaf[] orders, long sequence)
    {
        int low = 0, high = orders.Length - 1;
        while (low <= high)
        {
            var mid = low + ((high - low) >> 1);
            var value = orders[mid].Sequence;
            if (value == sequence)
            {
                return mid;
            }

            if (value < sequence)
            {
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }

        return -1;
    }

    /// <summary>
    /// When a clearing block's root does not match, names the first trade that is not what the committed book and
    /// the rules give (wrong id, amount, or outcome), so an auditor learns which trade was changed, not only which
    /// block. Returns null when no single trade can be blamed.
    /// </summary>
    private VerificationFailure? LocateChangedTrade(LedgerBlock block, BlockHeader header)
    {
        if (header.Kind != BlockKind.Clearing || !_pendingBooks.TryGetValue(header.Reference, out var book))
        {
            return null;
        }

        var expected = _replayer?.Replay(new ReadOnlyCollection<OrderLeaf>(book.Orders), header.Mechanism, header.RulesVersion);
        for (var i = 0; i < block.Leaves.Count; i++)
        {
            var id = _nextTradeId + i;
            const string Root = "the Merkle root of the leaves is not the header's payload root: ";
            if (!TradeLeaf.TryDecode(block.Leaves.GetSpan(i), out var t, out _))
            {
                return Fail(VerificationFailureReason.PayloadRootMismatch, header.Height, Root + "this entry is not a valid trade", id, i);
            }

            var amountOk = Money.TryAmount(t.EnergyWh, t.Price, out var amount) && amount == t.Amount;
            var replayOk = expected is null || (i < expected.Count && expected[i] == new ReplayedTrade(t.BuySequence, t.SellSequence, t.EnergyWh, t.Price));
            var buy = FindOrder(book.Orders, t.BuySequence);
            var sell = FindOrder(book.Orders, t.SellSequence);
            var partiesOk = buy >= 0 && sell >= 0 && book.Orders[buy].Owner == t.Buyer && book.Orders[sell].Owner == t.Seller;
            if (t.TradeId != id || !amountOk || !replayOk || !partiesOk || t.IntervalStart != header.IntervalStart || t.IntervalEnd != header.IntervalEnd)
            {
                return Fail(VerificationFailureReason.PayloadRootMismatch, header.Height, Root + "this trade was changed (it is not what the committed order book and the rules give)", id, i);
            }
        }

        return null;
    }

    private VerificationFailure? Replay(PendingBook book, TradeLeaf[] trades, BlockHeader header)
    {
        var expected = _replayer!.Replay(new ReadOnlyCollection<OrderLeaf>(book.Orders), header.Mechanism, header.RulesVersion);
        if (expected is null)
        {
            return Fail(VerificationFailureReason.ReplayUnsupported, header.Height,
                $"the replayer does not support mechanism {header.Mechanism} rules version {header.RulesVersion}");
        }

        var common = Math.Min(expected.Count, trades.Length);
        for (var i = 0; i < common; i++)
        {
            var t = trades[i];
            var e = expected[i];
            if (t.BuySequence != e.BuySequence || t.SellSequence != e.SellSequence || t.EnergyWh != e.EnergyWh || t.Price != e.Price)
            {
                return Fail(VerificationFailureReason.ReplayMismatch, header.Height,
                    $"recorded ({t.BuySequence}, {t.SellSequence}, {t.EnergyWh} Wh, {t.Price}); the rules give ({e.BuySequence}, {e.SellSequence}, {e.EnergyWh} Wh, {e.Price})",
                    t.TradeId, i);
            }
        }

        if (expected.Count != trades.Length)
        {
            var firstId = _nextTradeId - trades.Length + common;
            return Fail(VerificationFailureReason.ReplayMismatch, header.Height,
                $"the block records {trades.Length} trades; the rules give {expected.Count}", firstId, common);
        }

        return null;
    }

    private VerificationFailure? CheckReconciliation(LedgerBlock block, BlockHeader header)
    {
        var height = header.Height;
        if (!_clearings.TryGetValue(header.Reference, out var clearing))
        {
            return Fail(VerificationFailureReason.ClearingMissing, height, "the referenced clearing block is not in the chain before this block");
        }

        var c = clearing.Header;
        if (c.IntervalStart != header.IntervalStart || c.IntervalEnd != header.IntervalEnd || c.Mechanism != header.Mechanism || c.RulesVersion != header.RulesVersion)
        {
            return Fail(VerificationFailureReason.ReferenceMismatch, height, "interval, mechanism or rules version differ from the referenced clearing block");
        }

        if (block.Leaves.Count == 0)
        {
            return Fail(VerificationFailureReason.InvalidReconciliation, height, "a reconciliation block starts with its summary record");
        }

        if (!ReconciliationSummary.TryDecode(block.Leaves.GetSpan(0), out var summary, out var error))
        {
            return Fail(VerificationFailureReason.MalformedLeaf, height, error!, leafIndex: 0);
        }

        if (summary.ReconciliationVersion != clearing.LastReconciliationVersion + 1)
        {
            return Fail(VerificationFailureReason.ReconciliationVersionGap, height,
                $"expected reconciliation version {clearing.LastReconciliationVersion + 1} of this interval, found {summary.ReconciliationVersion}", leafIndex: 0);
        }

        var problem = summary.SettlementRulesVersion != 1 ? $"unknown settlement rules version {summary.SettlementRulesVersion}"
            : summary.FeedInTariff < 0 || summary.RetailPrice < summary.FeedInTariff ? "prices need 0 <= feed-in <= retail"
            : summary.LocalPrice is { } lp && (lp < summary.FeedInTariff || lp > summary.RetailPrice) ? "the local price lies outside [feed-in, retail]"
            : block.Leaves.Count != summary.HouseholdCount + 1 ? $"the summary names {summary.HouseholdCount} households, the block has {block.Leaves.Count - 1}"
            : clearing.HasTrades != summary.LocalPrice.HasValue ? "an interval has a local price exactly when it had trades"
            : clearing.SinglePrice is { } price && header.Mechanism == ClearingMechanisms.UniformPriceDoubleAuction && summary.LocalPrice != price
                ? $"the local price {summary.LocalPrice} is not the clearing price {price}"
            : null;
        if (problem is not null)
        {
            return Fail(VerificationFailureReason.InvalidReconciliation, height, problem, leafIndex: 0);
        }

        var households = new HouseholdReconciliationLeaf[summary.HouseholdCount];
        for (var i = 0; i < households.Length; i++)
        {
            var leafIndex = i + 1;
            if (!HouseholdReconciliationLeaf.TryDecode(block.Leaves.GetSpan(leafIndex), out var h, out error))
            {
                return Fail(VerificationFailureReason.MalformedLeaf, height, error!, leafIndex: leafIndex);
            }

            var failure = CheckHousehold(h, i == 0 ? null : households[i - 1], summary, clearing, header, leafIndex);
            if (failure is not null)
            {
                return failure;
            }

            households[i] = h;
        }

        var listed = households.Select(h => h.Household).ToHashSet();
        foreach (var party in clearing.Parties.Keys.Order(Comparer<PartyId>.Create(HouseholdReconciliationLeaf.Compare)))
        {
            if (!listed.Contains(party))
            {
                return Fail(VerificationFailureReason.TradedEnergyMismatch, height, $"household {party} traded in this interval but has no reconciliation record");
            }
        }

        var unbalanced = CheckMirroredPostings(households, height);
        if (unbalanced is not null)
        {
            return unbalanced;
        }

        clearing.LastReconciliationVersion = summary.ReconciliationVersion;
        _reconciliationCount++;
        return null;
    }

    private VerificationFailure? CheckHousehold(
        HouseholdReconciliationLeaf h, HouseholdReconciliationLeaf? previous, ReconciliationSummary summary, ClearedInterval clearing, BlockHeader header, int leafIndex)
    {
        var height = header.Height;
        if (h.Household == ImbalanceEntry.Utility || (previous is not null && HouseholdReconciliationLeaf.Compare(previous.Household, h.Household) >= 0))
        {
            return Fail(VerificationFailureReason.InvalidReconciliation, height, "households are in strictly increasing pseudonym order and not zero (the utility)", leafIndex: leafIndex);
        }

        if ((h.SoldWh | h.BoughtWh | h.ExportWh | h.ImportWh) < 0)
        {
            return Fail(VerificationFailureReason.InvalidReconciliation, height, "energies must not be negative", leafIndex: leafIndex);
        }

        var traded = clearing.Parties.GetValueOrDefault(h.Household);
        if (traded.Sold != h.SoldWh || traded.Bought != h.BoughtWh)
        {
            return Fail(VerificationFailureReason.TradedEnergyMismatch, height,
                $"household {h.Household} records sold {h.SoldWh} Wh, bought {h.BoughtWh} Wh; the clearing block's trades say sold {traded.Sold} Wh, bought {traded.Bought} Wh", leafIndex: leafIndex);
        }

        Int128 covered = 0, provided = 0, coveredOrBought = 0;
        foreach (var e in h.Entries)
        {
            var neighbour = e.Kind is ImbalanceEntryKind.CoveredByNeighbour or ImbalanceEntryKind.ProvidedToNeighbour;
            if (neighbour == (e.Counterparty == ImbalanceEntry.Utility) || e.Counterparty == h.Household || e.EnergyWh <= 0)
            {
                return Fail(VerificationFailureReason.InvalidReconciliation, height,
                    "an entry's energy is positive and its counterparty is another household (neighbour kinds) or zero (utility kinds)", leafIndex: leafIndex);
            }

            var price = e.Kind switch
            {
                ImbalanceEntryKind.BoughtFromUtility => summary.RetailPrice,
                ImbalanceEntryKind.SoldToUtility => summary.FeedInTariff,
                _ => summary.LocalPrice,
            };
            if (price is not { } p)
            {
                return Fail(VerificationFailureReason.ImbalanceMismatch, height, "neighbours cover each other only at a local price; this interval has none", leafIndex: leafIndex);
            }

            if (!Money.TryAmount(e.EnergyWh, p, out var amount) || amount != e.Amount)
            {
                return Fail(VerificationFailureReason.ImbalanceMismatch, height,
                    $"{e.Kind} amount {e.Amount} is not {e.EnergyWh} Wh x {p} / 1000 rounded half up ({amount})", leafIndex: leafIndex);
            }

            if (e.HouseholdPays)
            {
                covered += e.EnergyWh;
                coveredOrBought += e.EnergyWh;
            }
            else
            {
                provided += e.EnergyWh;
            }
        }

        var unused = Int128.Max(0, (Int128)h.BoughtWh - h.ImportWh);
        if (h.SoldWh > h.ExportWh + coveredOrBought + unused)
        {
            return Fail(VerificationFailureReason.SoldNotCovered, height,
                $"household {h.Household} sold {h.SoldWh} Wh but exported {h.ExportWh} Wh, was covered for {coveredOrBought} Wh and left {unused} Wh of its purchases unused", leafIndex: leafIndex);
        }

        var deviation = (Int128)h.ExportWh - h.ImportWh - h.SoldWh + h.BoughtWh;
        if (covered != Int128.Max(0, -deviation) || provided != Int128.Max(0, deviation))
        {
            return Fail(VerificationFailureReason.ImbalanceMismatch, height,
                $"household {h.Household} deviates by {deviation} Wh but its entries settle {covered} Wh short and {provided} Wh long", leafIndex: leafIndex);
        }

        return _options.MeterReadings is { } readings ? CheckReading(readings, h, header, leafIndex) : null;
    }

    private VerificationFailure? CheckReading(IMeterReadingSource readings, HouseholdReconciliationLeaf h, BlockHeader header, int leafIndex)
    {
        if (readings.Find(h.Household, header.IntervalStart, header.IntervalEnd, h.ReadingVersion) is not { } reading)
        {
            return Fail(VerificationFailureReason.ReadingMissing, header.Height,
                $"no meter reading version {h.ReadingVersion} of household {h.Household} for this interval", leafIndex: leafIndex);
        }

        if (!reading.Hash().AsSpan().SequenceEqual(h.ReadingHash))
        {
            return Fail(VerificationFailureReason.ReadingMismatch, header.Height,
                $"meter reading version {h.ReadingVersion} of household {h.Household} does not hash to the sealed reading hash: it changed after sealing", leafIndex: leafIndex);
        }

        if (reading.ExportWh != h.ExportWh || reading.ImportWh != h.ImportWh)
        {
            return Fail(VerificationFailureReason.ReadingMismatch, header.Height,
                $"the sealed export and import of household {h.Household} are not those of its meter reading", leafIndex: leafIndex);
        }

        _readingsChecked++;
        return null;
    }

    /// <summary>Every neighbour cover appears twice: as paid by the short household and as received by the long
    /// one, with the same energy and amount; so the postings of a block sum to zero.</summary>
    private static VerificationFailure? CheckMirroredPostings(HouseholdReconciliationLeaf[] households, long height)
    {
        var covers = new Dictionary<(PartyId Payer, PartyId Payee), (long EnergyWh, long Amount, int LeafIndex)>();
        for (var i = 0; i < households.Length; i++)
        {
            foreach (var e in households[i].Entries.Where(e => e.Kind == ImbalanceEntryKind.CoveredByNeighbour))
            {
                covers[(households[i].Household, e.Counterparty)] = (e.EnergyWh, e.Amount, i + 1);
            }
        }

        for (var i = 0; i < households.Length; i++)
        {
            foreach (var e in households[i].Entries.Where(e => e.Kind == ImbalanceEntryKind.ProvidedToNeighbour))
            {
                if (!covers.Remove((e.Counterparty, households[i].Household), out var cover) || cover.EnergyWh != e.EnergyWh || cover.Amount != e.Amount)
                {
                    return Fail(VerificationFailureReason.PostingsUnbalanced, height,
                        $"household {households[i].Household} provided {e.EnergyWh} Wh for {e.Amount} to {e.Counterparty}, which does not record the same cover", leafIndex: i + 1);
                }
            }
        }

        if (covers.Count > 0)
        {
            var ((payer, payee), (energy, amount, leaf)) = covers.MinBy(c => c.Value.LeafIndex);
            return Fail(VerificationFailureReason.PostingsUnbalanced, height,
                $"household {payer} was covered for {energy} Wh for {amount} by {payee}, which does not record providing it", leafIndex: leaf);
        }

        return null;
    }

    private VerifyingKey KeyForSize(long size)
    {
        var key = _keyHistory[0].Key;
        foreach (var (activeFrom, candidate) in _keyHistory)
        {
            if (activeFrom <= size)
            {
                key = candidate;
            }
        }

        return key;
    }

    private VerificationFailure? CheckCheckpoint(Checkpoint checkpoint, string name)
    {
        if (checkpoint.Root is not { Length: 32 } || checkpoint.KeyId is not { Length: 32 } || checkpoint.Size < 1)
        {
            return Fail(VerificationFailureReason.CheckpointMismatch, null, $"the {name} needs a size of at least 1 and a 32-byte root and key id");
        }

        if (checkpoint.Size > BlockCount)
        {
            return Fail(VerificationFailureReason.Truncated, null,
                $"the {name} covers {checkpoint.Size} blocks but only {BlockCount} are present: the tail was cut");
        }

        if (!_ledgerTree.RootAt(checkpoint.Size).AsSpan().SequenceEqual(checkpoint.Root))
        {
            return Fail(VerificationFailureReason.CheckpointMismatch, null,
                $"the {name}'s root is not the root of the first {checkpoint.Size} header hashes");
        }

        if (checkpoint.TimestampUnixMs < _sealedAt[(int)checkpoint.Size - 1])
        {
            return Fail(VerificationFailureReason.CheckpointMismatch, null, $"the {name} is dated before its last block was sealed");
        }

        var key = KeyForSize(checkpoint.Size);
        return checkpoint.VerifySignature(key.PublicKey)
            ? null
            : Fail(VerificationFailureReason.BadCheckpointSignature, null,
                $"the {name} is not validly signed by the key valid after block {checkpoint.Size - 1}");
    }

    private VerificationFailure? CheckKept(Checkpoint kept, Checkpoint latest)
    {
        if (kept.Root is not { Length: 32 } || kept.Size < 1)
        {
            return Fail(VerificationFailureReason.CheckpointMismatch, null, "the kept checkpoint needs a size of at least 1 and a 32-byte root");
        }

        if (kept.Size > BlockCount)
        {
            return Fail(VerificationFailureReason.Truncated, null,
                $"the kept checkpoint covers {kept.Size} blocks but only {BlockCount} are present: blocks were dropped");
        }

        var (older, newer) = kept.Size <= latest.Size ? (kept, latest) : (latest, kept);
        var proof = _ledgerTree.ConsistencyProof(older.Size, newer.Size);
        if (!_ledgerTree.RootAt(kept.Size).AsSpan().SequenceEqual(kept.Root) || !Checkpoint.IsConsistent(older, newer, proof))
        {
            return Fail(VerificationFailureReason.NotConsistent, null,
                $"the chain does not extend the kept checkpoint of size {kept.Size}: history was rewritten or forked");
        }

        return CheckCheckpoint(kept, "kept checkpoint");
    }

    private sealed record PendingBook(BlockHeader Header, RulesRecord Rules, OrderLeaf[] Orders);

    /// <summary>What a reconciliation needs from its clearing block: the interval, one price when all trades share
    /// it, and each party's sold and bought energy. Kept for the whole chain: corrections may come at any time.</summary>
    private sealed class ClearedInterval
    {
        public required BlockHeader Header { get; init; }

        public required bool HasTrades { get; init; }

        public long? SinglePrice { get; init; }

        public required Dictionary<PartyId, (long Sold, long Bought)> Parties { get; init; }

        public int LastReconciliationVersion { get; set; }

        public static ClearedInterval From(BlockHeader header, TradeLeaf[] trades)
        {
            var parties = new Dictionary<PartyId, (long Sold, long Bought)>();
            foreach (var t in trades)
            {
                var seller = parties.GetValueOrDefault(t.Seller);
                parties[t.Seller] = (checked(seller.Sold + t.EnergyWh), seller.Bought);
                var buyer = parties.GetValueOrDefault(t.Buyer);
                parties[t.Buyer] = (buyer.Sold, checked(buyer.Bought + t.EnergyWh));
            }

            var single = trades.Length > 0 && trades.All(t => t.Price == trades[0].Price) ? trades[0].Price : (long?)null;
            return new ClearedInterval { Header = header, HasTrades = trades.Length > 0, SinglePrice = single, Parties = parties };
        }
    }
}
