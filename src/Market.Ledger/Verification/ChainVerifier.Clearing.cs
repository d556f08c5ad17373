using System.Collections.ObjectModel;

namespace Market.Ledger;

public sealed partial class ChainVerifier
{
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

        if (book.Grid is not null)
        {
            return CheckGridClearing(block, header, headerHash, book);
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
        _clearings.Add(headerHash, ClearedInterval.From(header, book.Rules, trades));
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

        // Compared with what is left, so crafted energies near 2^63 cannot overflow the sum.
        if (energy > order.EnergyWh - filled[index])
        {
            return Fail(VerificationFailureReason.Overfill, height, $"fills of order {sequence} exceed its {order.EnergyWh} Wh", id, leafIndex);
        }

        filled[index] += energy;
        return null;
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
        if (header.Kind != BlockKind.Clearing || !_pendingBooks.TryGetValue(header.Reference, out var book) || book.Grid is not null)
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

    /// <summary>What a reconciliation needs from its clearing block: the interval, the rules it was cleared under (their
    /// band is the tariffs), one price when all trades share it, the energy traded and each party's sold and bought
    /// energy. Kept for the whole chain: corrections may come at any time.</summary>
    private sealed class ClearedInterval
    {
        public required BlockHeader Header { get; init; }

        public required RulesRecord Rules { get; init; }

        public required bool HasTrades { get; init; }

        /// <summary>The energy of all trades: every party's sold energy added up, and every party's bought energy.</summary>
        public required Int128 TradedWh { get; init; }

        public long? SinglePrice { get; init; }

        /// <summary>Each party's sold and bought energy; 128-bit, as honest trades may add up beyond 64 bits.</summary>
        public required Dictionary<PartyId, (Int128 Sold, Int128 Bought)> Parties { get; init; }

        public int LastReconciliationVersion { get; set; }

        public static ClearedInterval From(BlockHeader header, RulesRecord rules, TradeLeaf[] trades)
        {
            var parties = new Dictionary<PartyId, (Int128 Sold, Int128 Bought)>();
            Int128 traded = 0;
            foreach (var t in trades)
            {
                traded += t.EnergyWh;
                var seller = parties.GetValueOrDefault(t.Seller);
                parties[t.Seller] = (seller.Sold + t.EnergyWh, seller.Bought);
                var buyer = parties.GetValueOrDefault(t.Buyer);
                parties[t.Buyer] = (buyer.Sold, buyer.Bought + t.EnergyWh);
            }

            var single = trades.Length > 0 && trades.All(t => t.Price == trades[0].Price) ? trades[0].Price : (long?)null;
            return new ClearedInterval { Header = header, Rules = rules, HasTrades = trades.Length > 0, TradedWh = traded, SinglePrice = single, Parties = parties };
        }
    }
}
