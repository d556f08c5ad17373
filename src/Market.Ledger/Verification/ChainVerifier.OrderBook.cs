namespace Market.Ledger;

public sealed partial class ChainVerifier
{
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
        if ((Int128)header.IntervalEnd - header.IntervalStart != length || ((header.IntervalStart % length) + length) % length != 0)
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

        // The book's own checks run first over every order; the authorisation checks (§8) then run over the orders
        // before the first that failed them, so the failure reported is always the first in leaf order.
        // Decoded on every core first; the checks below then run in leaf order.
        var orders = new OrderLeaf[block.Leaves.Count];
        var errors = new string?[orders.Length];
        ForEachIndex(orders.Length, ParallelOrders, i => errors[i] = OrderLeaf.TryDecode(block.Leaves.GetSpan(i), out orders[i], out var error) ? null : error);
        VerificationFailure? failure = null;
        var count = 0;
        for (; count < orders.Length && failure is null; count++)
        {
            failure = CheckOrder(orders, errors, rules, count, height);
        }

        if (failure is not null)
        {
            count--;
        }

        failure = CheckOrderAuthorizations(orders, count, header) ?? failure;
        if (failure is not null)
        {
            return failure;
        }

        GridBook? grid = null;
        if (rules.Mechanism == ClearingMechanisms.GridZonalAuction)
        {
            failure = CheckGridBook(header, orders, out grid);
            if (failure is not null)
            {
                return failure;
            }
        }

        _pendingBooks.Add(headerHash, new PendingBook(header, rules, orders) { Grid = grid });
        _maxCommittedIntervalEnd = Math.Max(_maxCommittedIntervalEnd, header.IntervalEnd);
        _orderCount += orders.Length;
        return null;
    }

    private static VerificationFailure? CheckOrder(OrderLeaf[] orders, string?[] errors, RulesRecord rules, int i, long height)
    {
        if (errors[i] is { } error)
        {
            return Fail(VerificationFailureReason.MalformedLeaf, height, error, leafIndex: i);
        }

        var order = orders[i];

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

        return null;
    }

    private sealed record PendingBook(BlockHeader Header, RulesRecord Rules, OrderLeaf[] Orders)
    {
        /// <summary>Under mechanism 3: the network, limits and order nodes in force at the book.</summary>
        public GridBook? Grid { get; init; }
    }
}
