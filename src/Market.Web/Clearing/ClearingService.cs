using System.Diagnostics;
using Market.Ledger;
using Market.Matching;
using Market.Replay;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Clearing;

/// <summary>
/// Clears every interval whose gate has closed, in interval order: commits the order book to the ledger, runs the
/// double auction, settles the trades into double-entry postings and seals them into a signed block, all in one
/// database transaction per interval. A unique index on (interval, block kind) makes a second clearing impossible.
/// </summary>
public sealed partial class ClearingService(
    IDbContextFactory<MarketDbContext> dbFactory,
    MarketClock clock,
    LedgerWriter ledger,
    LedgerGate gate,
    MarketEvents events,
    RulesBook rules,
    FaultPoints faults,
    DishonestOperator dishonest,
    MarketMetrics metrics,
    GridStore gridStore,
    ILogger<ClearingService> logger)
{
    /// <summary>Clears all due intervals; returns how many were cleared by this call.</summary>
    /// <remarks>
    /// Through the ledger gate: one sealer at a time on this node, the checkpoint signed after the run. Across nodes
    /// the ledger lock serialises clearing, and the unique index on (interval, kind) stays as the last word.
    /// </remarks>
    public Task<int> ClearDueIntervalsAsync(CancellationToken cancellationToken = default) =>
        gate.SealAsync(() => ClearDueCoreAsync(cancellationToken), cancellationToken);

    private async Task<int> ClearDueCoreAsync(CancellationToken cancellationToken)
    {
        // Rules another node sealed since this one last looked (they apply from beyond the order horizon).
        await ledger.RefreshRulesAsync(cancellationToken);
        var cleared = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var next = await NextIntervalAsync(cancellationToken);
            if (next is not long start || clock.IsGateOpen(start))
            {
                break;
            }

            var outcome = await ClearIntervalAsync(start, cancellationToken);
            if (outcome is null)
            {
                // Another node cleared it first; look again.
                continue;
            }

            cleared++;
            events.IntervalCleared.Raise(outcome);
        }

        return cleared;
    }

    /// <summary>The next interval to clear: the one after the last cleared, or the first one opened after genesis.</summary>
    public async Task<long?> NextIntervalAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var last = await db.Blocks.AsNoTracking()
            .Where(b => b.Kind == (byte)BlockKind.Clearing)
            .OrderByDescending(b => b.Height)
            .Select(b => b.IntervalStart)
            .FirstOrDefaultAsync(cancellationToken);
        if (last is long lastStart)
        {
            return clock.Next(lastStart);
        }

        var genesisMs = await db.Blocks.AsNoTracking()
            .Where(b => b.Height == 0)
            .Select(b => (long?)b.SealedAtMs)
            .FirstOrDefaultAsync(cancellationToken);
        if (genesisMs is not long ms)
        {
            return null;
        }

        // The first interval whose gate was still open when the ledger began.
        return clock.Next(clock.AlignDown((ms / 1000) + clock.GateClosureSeconds));
    }

    private async Task<IntervalCleared?> ClearIntervalAsync(long start, CancellationToken cancellationToken)
    {
        var timer = Stopwatch.StartNew();
        var end = clock.Next(start);
        var inEffect = rules.At(start);
        var mechanism = (Mechanism)inEffect.Mechanism;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await LedgerLock.EnterClearingAsync(db, start, cancellationToken))
        {
            return null;
        }

        var orders = await db.Orders.AsNoTracking()
            .Where(o => o.IntervalStart == start && o.Status == OrderStatus.Open)
            .OrderBy(o => o.Id)
            .Select(o => new BookOrder(o.Id, o.HouseholdId, o.Side, o.EnergyWh, o.LimitPrice, o.Nonce, o.Authorization))
            .ToArrayAsync(cancellationToken);
        orders = await DropRevokedAsync(db, orders, cancellationToken);
        orders = Array.FindAll(orders, o => !dishonest.Drops(o.Id));
        // A join, not a list of ids: a busy interval can have more households than a statement can take parameters.
        var pseudonyms = await db.Households.AsNoTracking()
            .Join(
                db.Orders.Where(o => o.IntervalStart == start && o.Status == OrderStatus.Open).Select(o => o.HouseholdId).Distinct(),
                h => h.Id,
                id => id,
                (h, _) => new { h.Id, h.Pseudonym })
            .ToDictionaryAsync(h => h.Id, h => PartyId.FromBytes(h.Pseudonym), cancellationToken);

        var tip = await LedgerWriter.TipAsync(db, cancellationToken);
        var key = await ledger.SigningKeyAsync(db, cancellationToken);
        var now = clock.Now;

        // 0. The household records accepted so far (keys, mandates, cancellations) go first, so every key and mandate
        // an order of this book names is in the chain before it (docs/ledger-format.md §6.2).
        var households = await SealHouseholdRecordsAsync(db, tip, key, now, cancellationToken);
        if (households is not null)
        {
            tip = households.NextTip;
        }

        // Under the grid's mechanism: the network in force, and the limits at gate closure sealed before the book.
        GridInterval? grid = null;
        if (mechanism == Mechanism.GridZonal)
        {
            grid = await PrepareGridAsync(db, start, end, inEffect, tip, key, now, orders, pseudonyms, cancellationToken);
            orders = grid.Orders;
            tip = grid.LimitsBlock.NextTip;
        }

        var load = timer.Elapsed;

        // 1. Commit the order book as it stood at gate closure; its sequence numbers are the orders' ids.
        var orderLeaves = new OrderLeaf[orders.Length];
        for (var i = 0; i < orders.Length; i++)
        {
            var o = orders[i];
            var authorization = Stored(o.Authorization);
            // A mandate order's nonce is derived from its mandate, interval and sequence (docs/ledger-format.md §5.3):
            // nobody signed it, so nothing about it is left to the market's choice.
            var nonce = authorization is MandateOrder mandate ? OrderLeaf.MandateNonce(mandate.MandateId, start, o.Id) : o.Nonce;
            orderLeaves[i] = new OrderLeaf(o.Id, pseudonyms[o.HouseholdId], o.Side, o.EnergyWh, o.LimitPrice, nonce, authorization);
        }

        var book = BlockSealer.SealOrderBook(tip, key, start, end, (byte)mechanism, inEffect.RulesVersion, orderLeaves, now);
        var sealBook = timer.Elapsed;

        // 2. Clear the sealed book (pure, deterministic), mapped as every replay of it maps it; 3. seal the trades. The
        // trade ids and amounts are those of the sealed leaves.
        var cleared = grid is null
            ? ClearUniform(book, orderLeaves, orders, mechanism, key, now, start, timer)
            : ClearGrid(book, orderLeaves, orders, grid, key, now, start, timer);
        var auction = cleared.AuctionDone;
        var (clearing, trades) = (cleared.Block, cleared.Trades);

        var outcomes = new OrderResultRow[orders.Length];
        long demandWh = 0, supplyWh = 0;
        var bids = 0;
        for (var i = 0; i < orders.Length; i++)
        {
            var order = orders[i];
            var (filledWh, reason, limitingNode, zonePrice) = cleared.Outcome(i);
            var status = filledWh == order.EnergyWh ? OrderStatus.Filled
                : filledWh > 0 ? OrderStatus.PartiallyFilled
                : OrderStatus.Unmatched;
            outcomes[i] = new OrderResultRow(order.Id, filledWh, status, reason, limitingNode, zonePrice);
            if (order.Side == OrderSide.Buy)
            {
                bids++;
                demandWh = checked(demandWh + order.EnergyWh);
            }
            else
            {
                supplyWh = checked(supplyWh + order.EnergyWh);
            }
        }

        var summary = new ClearedIntervalEntity
        {
            IntervalStart = start,
            IntervalEnd = end,
            Price = cleared.Price,
            VolumeWh = cleared.VolumeWh,
            TradeCount = trades.Length,
            BidCount = bids,
            OfferCount = orders.Length - bids,
            DemandWh = demandWh,
            SupplyWh = supplyWh,
            ActiveHouseholds = pseudonyms.Count,
            Mechanism = (byte)mechanism,
            OrderBookHeight = book.Header.Height,
            ClearingHeight = clearing.Header.Height,
            NetworkHeight = grid?.Network.Height,
            LimitsHeight = grid?.LimitsBlock.Header.Height,
        };
        var sealClearing = timer.Elapsed;
        TimeSpan written;
        try
        {
            await IntervalWriter.WriteAsync(
                db,
                new IntervalRows(book, clearing, summary, trades, outcomes) { Households = households, GridLimits = grid?.LimitsBlock, GridNodes = cleared.GridNodes },
                cancellationToken);
            written = timer.Elapsed;
            await faults.ReachedAsync(FaultPoints.ClearingBeforeCommit);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (StorageFault.Of(e) is null)
        {
            // A storage fault is no race: it propagates, the job fails and runs again later (looking again at once
            // would retry the failing write in a tight loop).
            LogLostRace(logger, start, e.InnerException?.Message ?? e.Message);
            return null;
        }

        var committed = timer.Elapsed;
        var timings = new ClearingTimings(load, sealBook - load, auction - sealBook, sealClearing - auction, written - sealClearing, committed - written);
        metrics.IntervalCleared(trades.Length, committed, timings.SealOrderBook + timings.SealClearing);
        LogCleared(logger, start, cleared.Price, cleared.VolumeWh, trades.Length, clearing.Header.Height, orders.Length, (long)committed.TotalMilliseconds);
        return new IntervalCleared(start, cleared.Price, cleared.VolumeWh, trades.Length, clearing.Header.Height, timings);
    }

    /// <summary>The columns of an open order that clearing needs.</summary>
    internal readonly record struct BookOrder(long Id, long HouseholdId, OrderSide Side, long EnergyWh, long LimitPrice, byte[] Nonce, byte[] Authorization);

    /// <summary>What clearing one sealed book gave, whatever the mechanism.</summary>
    /// <param name="Block">The sealed clearing block.</param>
    /// <param name="Trades">The trades as stored.</param>
    /// <param name="Price">The interval's price (under the grid's mechanism, the community's zone price).</param>
    /// <param name="VolumeWh">The energy traded.</param>
    /// <param name="AuctionDone">When the auction was done, on the interval's timer.</param>
    /// <param name="Outcome">Order i's fill, reason (a FillReason name), limiting line and zone price.</param>
    private sealed record ClearedBook(
        SealedBlock Block, TradeEntity[] Trades, long? Price, long VolumeWh, TimeSpan AuctionDone, Func<int, (long FilledWh, string Reason, int? LimitingNode, long? ZonePrice)> Outcome)
    {
        public IReadOnlyList<GridNodeResultEntity> GridNodes { get; init; } = [];
    }

    /// <summary>Clears a book with the double auction (mechanisms 1 and 2) and seals its trades.</summary>
    private static ClearedBook ClearUniform(SealedBlock book, OrderLeaf[] orderLeaves, BookOrder[] orders, Mechanism mechanism, SigningKey key, DateTimeOffset now, long start, Stopwatch timer)
    {
        var result = DoubleAuction.Clear(AuctionOrders.From(orderLeaves), mechanism);
        if (!result.IsSuccess)
        {
            // Orders were validated on entry, so this is a bug or corrupted data: fail loudly, commit nothing.
            throw new InvalidOperationException($"Clearing interval {start} was rejected: {result.Rejection}");
        }

        var auctionDone = timer.Elapsed;
        var fills = AuctionOrders.Fills(orderLeaves, result);
        var clearing = BlockSealer.SealClearing(book.NextTip, key, book.Header, fills, now);
        var trades = TradeRows(clearing, fills.Length, start, i => (orders[result.Trades[i].BuyIndex].HouseholdId, orders[result.Trades[i].SellIndex].HouseholdId));
        return new ClearedBook(clearing, trades, result.Price, result.VolumeWh, auctionDone, i => (result.Outcomes[i].FilledWh, result.Outcomes[i].Reason.ToString(), null, null));
    }

    /// <summary>The stored trades of a sealed clearing block (either trade leaf version), with each side's household.</summary>
    private static TradeEntity[] TradeRows(SealedBlock clearing, int count, long start, Func<int, (long Buyer, long Seller)> households)
    {
        var trades = new TradeEntity[count];
        for (var i = 0; i < count; i++)
        {
            var t = ClearedTrade.Decode(clearing.Leaves.GetSpan(i));
            var (buyer, seller) = households(i);
            trades[i] = new TradeEntity
            {
                Id = t.TradeId,
                IntervalStart = start,
                BlockHeight = clearing.Header.Height,
                LeafIndex = i,
                BuyOrderId = t.BuySequence,
                SellOrderId = t.SellSequence,
                BuyerHouseholdId = buyer,
                SellerHouseholdId = seller,
                EnergyWh = t.EnergyWh,
                Price = t.Price,
                Amount = t.Amount,
                SellPrice = t.SellPrice,
                SellAmount = t.SellAmount,
                FeePrice = t.FeePrice,
                MeetNode = t.MeetNode,
            };
        }

        return trades;
    }

    /// <summary>A stored order authorisation; it was checked when the order was accepted.</summary>
    private static OrderAuthorization Stored(byte[] tail) =>
        OrderAuthorization.TryDecode(tail, out var authorization, out var error) ? authorization : throw new InvalidOperationException($"stored order authorisation: {error}");

    /// <summary>Seals the household records not yet in a block into one household block; null when there are none.</summary>
    private static async Task<SealedBlock?> SealHouseholdRecordsAsync(MarketDbContext db, ChainTip tip, SigningKey key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var pending = await db.HouseholdRecords.AsNoTracking()
            .Where(r => r.BlockHeight == null)
            .OrderBy(r => r.Id)
            .Join(db.Households, r => r.HouseholdId, h => h.Id, (r, h) => new { r.Id, r.Type, r.Body, r.Authorization, h.Pseudonym })
            .ToListAsync(cancellationToken);
        if (pending.Count == 0)
        {
            return null;
        }

        var records = pending
            .Select(r => new HouseholdRecord(r.Id, PartyId.FromBytes(r.Pseudonym), (StatementType)r.Type, r.Body, HouseholdSignature.TryDecodeTail(r.Authorization, out var signature, out var error) ? signature : throw new InvalidOperationException($"stored record {r.Id}: {error}")))
            .ToArray();
        return BlockSealer.SealHousehold(tip, key, records, now);
    }

    /// <summary>
    /// Leaves out (and cancels) the orders whose signing key or mandate was revoked: a revocation cancels them when it
    /// is stored, but an order another node accepted from a cache a moment older must not reach the book either, where
    /// the verifier would reject it.
    /// </summary>
    private static async Task<BookOrder[]> DropRevokedAsync(MarketDbContext db, BookOrder[] orders, CancellationToken cancellationToken)
    {
        if (!orders.Any(o => o.Authorization.Length > 0))
        {
            return orders;
        }

        var revokedKeys = (await db.HouseholdKeys.AsNoTracking().Where(k => k.RevocationRecordId != null).Select(k => k.KeyId).ToListAsync(cancellationToken))
            .Select(Convert.ToHexString).ToHashSet();
        var revokedMandates = (await db.Mandates.AsNoTracking().Where(m => m.RevocationRecordId != null).Select(m => m.MandateId).ToListAsync(cancellationToken))
            .Select(Convert.ToHexString).ToHashSet();
        if (revokedKeys.Count == 0 && revokedMandates.Count == 0)
        {
            return orders;
        }

        var keep = new List<BookOrder>(orders.Length);
        var dropped = new List<long>();
        foreach (var o in orders)
        {
            var auth = o.Authorization;
            var revoked = (auth.Length > 33 && auth[0] == 1 && revokedKeys.Contains(Convert.ToHexString(auth, 1, 32)))
                || (auth.Length == 33 && auth[0] == 2 && revokedMandates.Contains(Convert.ToHexString(auth, 1, 32)));
            (revoked ? dropped : null)?.Add(o.Id);
            if (!revoked)
            {
                keep.Add(o);
            }
        }

        if (dropped.Count > 0)
        {
            await db.Orders.Where(o => dropped.Contains(o.Id))
                .ExecuteUpdateAsync(u => u.SetProperty(o => o.Status, OrderStatus.Cancelled).SetProperty(o => o.Outcome, "Revoked"), cancellationToken);
        }

        return [.. keep];
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cleared interval {Start}: price {Price}, {VolumeWh} Wh in {Trades} trades, block {Height}; {Orders} orders in {ElapsedMs} ms")]
    private static partial void LogCleared(ILogger logger, long start, long? price, long volumeWh, int trades, long height, int orders, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Interval {Start} was cleared concurrently by another node; this attempt was rolled back ({Reason})")]
    private static partial void LogLostRace(ILogger logger, long start, string reason);
}
