using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Market.Ledger;

/// <summary>
/// Verifies a chain block by block, in one pass and without trusting anything in it: it recomputes every leaf hash,
/// payload root and header hash, checks the links, heights, signatures against the key valid at each height, the
/// rules, the order books, trade ids, amounts, the book/trade consistency, under mechanism 3 the network, the grid's
/// limits, the flows and the clearing's certificate, replays each clearing, and finally checks the latest checkpoint
/// and consistency with a checkpoint the auditor kept. Stops at the first failure.
/// Streaming: feed blocks with <see cref="Append"/>, then call <see cref="Complete(Checkpoint?, Checkpoint?)"/>. Memory: the header hashes,
/// the rules, the network in force, the grid limits and order books that are not cleared yet. Not thread-safe.
/// </summary>
public sealed partial class ChainVerifier
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
    private readonly Dictionary<(long Start, int Version, PartyId Household), ReconciliationOpening> _openings = [];
    private long _householdRecords;
    private long _openingsChecked;
    private long _fullyChecked;
    private long _householdRecordsAccepted;

    /// <summary>Creates a verifier.</summary>
    /// <param name="replayer">Replays clearings; null skips the replay (the result says so).</param>
    /// <param name="options">Options, e.g. the trusted genesis key id.</param>
    public ChainVerifier(IClearingReplayer? replayer, ChainVerifierOptions? options = null)
    {
        _replayer = replayer;
        _options = options ?? new ChainVerifierOptions();
        foreach (var opening in _options.Openings ?? [])
        {
            var s = opening.Settlement;
            if (!_openings.TryAdd((s.IntervalStart, s.ReconciliationVersion, s.Household), opening))
            {
                throw new ArgumentException($"two openings for household {s.Household}, interval {s.IntervalStart}, version {s.ReconciliationVersion}", nameof(options));
            }
        }
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

    /// <summary>
    /// Finishes like <see cref="Complete(Checkpoint?, Checkpoint?)"/> with several kept checkpoints (e.g. the one an
    /// auditor's tool remembers and one given on the command line): the blocks must extend every one of them, checked
    /// in the given order; the first that fails is reported.
    /// </summary>
    /// <param name="latest">The latest checkpoint; null fails with <see cref="VerificationFailureReason.CheckpointMissing"/>.</param>
    /// <param name="kept">Checkpoints kept from earlier; may be empty.</param>
    /// <returns>The result.</returns>
    public VerificationResult Complete(Checkpoint? latest, IReadOnlyList<Checkpoint> kept)
    {
        ArgumentNullException.ThrowIfNull(kept);
        var result = Complete(latest, kept.Count > 0 ? kept[0] : null);
        for (var i = 1; i < kept.Count && result.IsValid; i++)
        {
            Failure = CheckKept(kept[i], latest!);
            result = Result(Failure, latest!.Size);
        }

        return result;
    }

    private VerificationResult Result(VerificationFailure? failure, long? checkpointSize = null) => new()
    {
        Failure = failure,
        BlockCount = BlockCount,
        TradeCount = _tradeCount,
        OrderCount = _orderCount,
        ReconciliationCount = _reconciliationCount,
        ReadingsChecked = _readingsChecked,
        HouseholdRecords = _householdRecords,
        HouseholdStatements = _householdRecordsAccepted,
        OpeningsChecked = _openingsChecked,
        OpeningsUnmatched = _openings.Count - _openingsChecked,
        ReconciliationsFullyChecked = _fullyChecked,
        ReplayPerformed = _replayer is not null,
        LedgerRoot = BlockCount > 0 ? _ledgerTree.Root() : null,
        CheckpointSize = failure is null ? checkpointSize : null,
        PendingOrderBooks = _pendingBooks.Count,
        KeyIds = _keyHistory.Select(k => k.Key.KeyId).ToList(),
        WitnessPolicy = _witnessPolicy,
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
            BlockKind.Household => CheckHousehold(block, header),
            BlockKind.WitnessPolicy => CheckWitnessPolicy(block, header),
            BlockKind.Network => CheckNetwork(block, header, headerHash),
            BlockKind.GridLimits => CheckGridLimits(block, header),
            _ => CheckReconciliation(block, header),
        };
        if (failure is not null)
        {
            return failure;
        }

        _ledgerId ??= headerHash;
        _ledgerTree.AppendLeaf(headerHash);
        _sealedAt.Add(header.SealedAtUnixMs);
        _lastSealedAt = header.SealedAtUnixMs;
        _previousHash = headerHash;
        BlockCount++;
        return null;
    }

    private static VerificationFailure? CheckHeaderFields(BlockHeader header)
    {
        var referenceIsZero = header.Reference.AsSpan().SequenceEqual(Zero32);
        string? problem = header.Kind switch
        {
            BlockKind.KeyEvent or BlockKind.Rules or BlockKind.Household or BlockKind.WitnessPolicy or BlockKind.Network
                when header.IntervalStart != 0 || header.IntervalEnd != 0 || !referenceIsZero || header.Mechanism != 0 || header.RulesVersion != 0 =>
                "key-event, rules, household, witness-policy and network blocks have zero interval, reference, mechanism and rules version",
            BlockKind.OrderBook or BlockKind.Clearing or BlockKind.Reconciliation or BlockKind.GridLimits when header.IntervalEnd <= header.IntervalStart =>
                "the interval end must be after its start",
            BlockKind.OrderBook or BlockKind.Clearing or BlockKind.GridLimits when header.Mechanism == 0 || header.RulesVersion == 0 =>
                "order-book, clearing and grid-limits blocks name a mechanism and rules version",
            BlockKind.GridLimits when referenceIsZero => "a grid-limits block references the network block in force",
            BlockKind.Reconciliation when header.Mechanism == 0 || header.RulesVersion == 0 =>
                "a reconciliation block repeats its clearing block's mechanism and rules version",
            BlockKind.OrderBook when !referenceIsZero => "an order-book block has a zero reference",
            BlockKind.Clearing when referenceIsZero => "a clearing block references its order-book block",
            BlockKind.Reconciliation when referenceIsZero => "a reconciliation block references its clearing block",
            _ => null,
        };
        return problem is null ? null : Fail(VerificationFailureReason.InvalidHeaderField, header.Height, problem);
    }
}
