using System.Globalization;

namespace Market.Matching.Grid;

/// <summary>What a clearing under the grid's limits got wrong, as found by <see cref="GridCertificate.Check"/>.</summary>
public enum GridCertificateCode : byte
{
    /// <summary>The fills are not one per order, or the zone prices not one per node.</summary>
    Shape = 1,

    /// <summary>An order's fill is negative or more than its energy.</summary>
    FillOutOfRange = 2,

    /// <summary>The energy bought differs from the energy sold: net flow crosses the root.</summary>
    Unbalanced = 3,

    /// <summary>A node's subtree exports more than its line's export limit (a connection: its export envelope).</summary>
    ExportLimitExceeded = 4,

    /// <summary>A node's subtree imports more than its line's import limit (a connection: its import envelope).</summary>
    ImportLimitExceeded = 5,

    /// <summary>A zone price is outside the range any clearing can produce.</summary>
    ZonePriceOutOfRange = 6,

    /// <summary>
    /// An order is on the wrong side of its zone's price: a bid above it or an offer below it not completely filled,
    /// or a bid below it or an offer above it filled at all.
    /// </summary>
    OrderOnWrongSide = 7,

    /// <summary>
    /// Two neighbouring zones' prices differ by more than their line's fee in a direction in which the line has room
    /// (or is unused in the direction that would pay), so the allocation was not the best.
    /// </summary>
    PriceGapWithoutLimit = 8,
}

/// <summary>Why a certificate was refused, naming the first offending order or node.</summary>
/// <param name="Code">What is wrong, for programs.</param>
/// <param name="Index">The offending order's input position or node's index (by <paramref name="Code"/>), or -1.</param>
/// <param name="Message">What is wrong, for people (English, invariant culture).</param>
public sealed record GridCertificateFailure(GridCertificateCode Code, int Index, string Message);

/// <summary>
/// Checks, without a solver, that a clearing under the grid's limits is feasible and allocates the most surplus:
/// the fills and the zone prices of a <see cref="GridClearingResult"/> are a primal and a dual solution of the clearing's
/// linear programme, and this checks both and their complementary slackness.
/// </summary>
/// <remarks>
/// <para>What holds when it passes: every fill is within its order; at every node the flow to the parent (the net
/// energy its subtree sells) is within the line's limits, and nothing flows across the root; every order is on the
/// right side of its zone's price (a bid above it and an offer below it completely filled, a bid below it and an offer
/// above it not at all); and every line is priced by its state: prices on its two ends differ by exactly the fee in
/// the direction it carries energy unless that direction is at its limit (then by at least the fee), and by at most
/// the fee in a direction it does not carry energy. By linear programming duality no feasible allocation has more
/// surplus. Which of several equally good allocations was chosen (the tie rules) is checked by replaying the
/// clearing, not here.</para>
/// <para>Runs in time linear in orders and nodes, with no allocation beyond one value per node; never throws on bad
/// figures.</para>
/// </remarks>
public static class GridCertificate
{
    /// <summary>The largest zone price in magnitude a clearing can produce: limit prices and fees along a path are below it.</summary>
    public const long MaxZonePrice = 1L << 50;

    /// <summary>Checks a clearing's certificate.</summary>
    /// <param name="network">The network.</param>
    /// <param name="limits">The limits in force for the interval, one per node; empty for the nodes' static capacities.</param>
    /// <param name="orders">The book.</param>
    /// <param name="orderNodes">Each order's node.</param>
    /// <param name="filledWh">Each order's fill.</param>
    /// <param name="zonePrices">Each node's zone price.</param>
    /// <returns><see langword="null"/> when the certificate holds, else the first failure.</returns>
    public static GridCertificateFailure? Check(
        GridNetwork network,
        ReadOnlySpan<EdgeLimit> limits,
        ReadOnlySpan<Order> orders,
        ReadOnlySpan<int> orderNodes,
        ReadOnlySpan<long> filledWh,
        ReadOnlySpan<long> zonePrices)
    {
        ArgumentNullException.ThrowIfNull(network);
        var count = network.Count;
        if (filledWh.Length != orders.Length || orderNodes.Length != orders.Length || zonePrices.Length != count
            || (!limits.IsEmpty && limits.Length != count))
        {
            return Fail(GridCertificateCode.Shape, -1, $"expected {orders.Length} fills and nodes, {count} zone prices and 0 or {count} limits, got {filledWh.Length} fills, {orderNodes.Length} nodes, {zonePrices.Length} zone prices and {limits.Length} limits");
        }

        for (var node = 0; node < limits.Length; node++)
        {
            if (limits[node].ExportWh < 0 || limits[node].ImportWh < 0)
            {
                return Fail(GridCertificateCode.Shape, node, $"node {node}'s limits are negative ({limits[node].ExportWh} Wh export, {limits[node].ImportWh} Wh import)");
            }
        }

        for (var node = 0; node < count; node++)
        {
            if (zonePrices[node] is < -MaxZonePrice or > MaxZonePrice)
            {
                return Fail(GridCertificateCode.ZonePriceOutOfRange, node, $"node {node}'s zone price {zonePrices[node]} is outside ±{MaxZonePrice}");
            }
        }

        // Net energy sold at each node, then summed up the tree into each line's flow.
        var flow = new Int128[count];
        for (var i = 0; i < orders.Length; i++)
        {
            var o = orders[i];
            var fill = filledWh[i];
            if (orderNodes[i] < 0 || orderNodes[i] >= count)
            {
                return Fail(GridCertificateCode.Shape, i, $"order {o.Id} is at node {orderNodes[i]}, which is not a node of the network");
            }

            if (fill < 0 || fill > o.EnergyWh)
            {
                return Fail(GridCertificateCode.FillOutOfRange, i, $"order {o.Id} is filled {fill} Wh of {o.EnergyWh} Wh");
            }

            flow[orderNodes[i]] += o.Side == Side.Sell ? fill : -(Int128)fill;

            var zone = zonePrices[orderNodes[i]];
            var better = o.Side == Side.Buy ? o.Price > zone : o.Price < zone;
            var worse = o.Side == Side.Buy ? o.Price < zone : o.Price > zone;
            if ((better && fill < o.EnergyWh) || (worse && fill > 0))
            {
                var what = o.Side == Side.Buy ? "bid" : "offer";
                return Fail(GridCertificateCode.OrderOnWrongSide, i, $"{what} {o.Id} at {o.Price} is filled {fill} Wh of {o.EnergyWh} Wh, but its zone's price is {zone}");
            }
        }

        var topDown = network.TopDown;
        for (var k = topDown.Length - 1; k > 0; k--)
        {
            var node = topDown[k];
            flow[network.Nodes[node].Parent] += flow[node];
        }

        if (flow[network.Root] != 0)
        {
            var excess = flow[network.Root];
            return excess > 0
                ? Fail(GridCertificateCode.Unbalanced, network.Root, $"the fills sell {excess} Wh more than they buy")
                : Fail(GridCertificateCode.Unbalanced, network.Root, $"the fills buy {-excess} Wh more than they sell");
        }

        for (var k = 1; k < topDown.Length; k++)
        {
            var node = topDown[k];
            var line = network.Nodes[node];
            var limit = limits.IsEmpty ? new EdgeLimit(line.ExportCapacityWh, line.ImportCapacityWh) : limits[node];
            var y = flow[node];
            if (y > limit.ExportWh)
            {
                return Fail(GridCertificateCode.ExportLimitExceeded, node, $"node {node} exports {y} Wh, above its limit of {limit.ExportWh} Wh");
            }

            if (-y > limit.ImportWh)
            {
                return Fail(GridCertificateCode.ImportLimitExceeded, node, $"node {node} imports {-y} Wh, above its limit of {limit.ImportWh} Wh");
            }

            var (low, high) = GridAuction.LineBounds(zonePrices[line.Parent], (long)y, limit, line);
            if (zonePrices[node] < low || zonePrices[node] > high)
            {
                return Fail(GridCertificateCode.PriceGapWithoutLimit, node, $"node {node}'s zone price {zonePrices[node]} against its parent's {zonePrices[line.Parent]} is not justified by its line (flow {y} Wh, fees {line.ExportFee} export and {line.ImportFee} import, limits {limit.ExportWh} and {limit.ImportWh} Wh)");
            }
        }

        return null;
    }

    private static GridCertificateFailure Fail(GridCertificateCode code, int index, FormattableString message) =>
        new(code, index, Sentence(message.ToString(CultureInfo.InvariantCulture)));

    private static string Sentence(string text) => string.Concat(text[..1].ToUpperInvariant(), text[1..], ".");
}
