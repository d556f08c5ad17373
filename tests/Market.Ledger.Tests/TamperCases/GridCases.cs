using static Market.Ledger.Tests.TamperCases.Tamper;
using static Market.Ledger.Tests.TamperCases.Verdict;
using static Market.Ledger.Tests.TestChain;
using Reason = Market.Ledger.VerificationFailureReason;

namespace Market.Ledger.Tests.TamperCases;

/// <summary>
/// Tampering with a ledger cleared under the grid's limits (<see cref="GridChain"/>): 3 the network, 4 interval 0's
/// limits, 5 its order book, 6 its clearing (trades at leaves 0 and 1, node i's zone leaf at leaf 2 + i, the residual at leaf 10).
/// </summary>
internal static class GridCases
{
    private const string Ledger = "grid";

    public static IEnumerable<TamperCase> All()
    {
        var (valid, checkpoint) = GridChain.Build();
        TamperCase Sealed(string name, (List<LedgerBlock> Blocks, Checkpoint Checkpoint) chain, Verdict expected) =>
            new(Ledger, name, Export(chain.Blocks, chain.Checkpoint), expected);
        TamperCase With(string name, Action<List<LedgerBlock>> change, Verdict expected)
        {
            var blocks = new List<LedgerBlock>(valid);
            change(blocks);
            return new(Ledger, name, Export(blocks, checkpoint), expected);
        }

        var trades = GridChain.Trades();
        var lowPrice = (long[])GridChain.ZonePrices.Clone();
        lowPrice[6] = 2900;
        var highRoot = (long[])GridChain.ZonePrices.Clone();
        highRoot[0] = 3100;
        var otherTie = (long[])GridChain.ZonePrices.Clone();
        otherTie[7] = 2990; // h4 trades nothing: any price in [2990, 3000] passes the certificate; the rules give 2995
        var flows = (long[])GridChain.Flows.Clone();
        flows[7] = 5;
        var unconnected = GridChain.Network();
        unconnected[7] = unconnected[7] with { Household = default };
        var residual = GridChain.Residual();
        var otherCurve = new ResidualLeaf(-3500, 1500, [new(3010, 1500)], residual.Import);
        static LedgerBlock Residual(LedgerBlock block, byte[] leaf) =>
            Resign(block, KeyA, leaves: LeafList.FromArrays([.. block.Leaves.ToArrays().SkipLast(1), leaf]));
        static LedgerBlock Limits(LedgerBlock block, params GridLimitLeaf[] leaves) =>
            Resign(block, KeyA, leaves: LeafList.FromArrays(leaves.Select(l => l.Encode())));
        return
        [
            Sealed("valid", (valid, checkpoint), ValidWith(7, 2)),
            Sealed("trade above its envelope, sealed honestly", GridChain.Build(limits: GridChain.Limits(h1ExportWh: 1800)), Fails(Reason.GridEnvelopeExceeded, 6, 2 + GridChain.H1)),
            Sealed("flows above a feeder capacity, sealed honestly", GridChain.Build(network: GridChain.Network(feeder1ExportW: 4000)), Fails(Reason.GridCapacityExceeded, 6, 2 + GridChain.Feeder1)),
            Sealed("wrong zonal price, sealed honestly", GridChain.Build(zonePrices: lowPrice, trades: [trades[0], trades[1] with { BuyPrice = 2900 }]), Fails(Reason.GridZonePriceWrong, 6, 2 + 6)),
            Sealed("price gap without a binding limit, sealed honestly", GridChain.Build(zonePrices: highRoot), Fails(Reason.GridPriceGapWithoutLimit, 6, 2 + 1)),
            Sealed("trade price not its zone price, sealed honestly", GridChain.Build(trades: [trades[0] with { SellPrice = 1990 }, trades[1]]), Fails(Reason.GridTradePriceNotZonePrice, 6, 0, 1)),
            Sealed("trade fee not the path fee, sealed honestly", GridChain.Build(trades: [trades[0] with { FeePrice = 20 }, trades[1]]), Fails(Reason.GridTradeFeeWrong, 6, 0, 1)),
            Sealed("trade meet node not the nearest common ancestor, sealed honestly", GridChain.Build(trades: [trades[0], trades[1] with { MeetNode = 0 }]), Fails(Reason.GridTradeMeetNodeWrong, 6, 1, 2)),
            new(Ledger, "trades in another order, sealed honestly", Export(GridChain.Build(trades: [trades[1], trades[0]]).Blocks, GridChain.Build(trades: [trades[1], trades[0]]).Checkpoint), Fails(Reason.ReplayMismatch, 6, 0, 1)) { WithoutReplay = ValidWith(7, 2) },
            new(Ledger, "zone price another the certificate allows, sealed honestly", Export(GridChain.Build(zonePrices: otherTie).Blocks, GridChain.Build(zonePrices: otherTie).Checkpoint), Fails(Reason.ReplayMismatch, 6, 2 + 7)) { WithoutReplay = ValidWith(7, 2) },
            Sealed("limits block missing, sealed honestly", GridChain.Build(withLimits: false), Fails(Reason.GridLimitsMissing, 4)),
            With("envelope changed after sealing (raw)", b => b[4] = WithLeaf(b[4], 0, leaf => AddToI64(leaf, 5, 1000)), Fails(Reason.PayloadRootMismatch, 4)),
            With("network with a cycle, re-signed", b => b[3] = Resign(b[3], KeyA, leaves: LeafList.FromArrays(GridChain.Network().Select((n, i) => (i == 1 ? n with { Parent = 2 } : n).Encode()))), Fails(Reason.GridNetworkInvalid, 3, 1)),
            With("limits leaf negative, re-signed", b => b[4] = Resign(b[4], KeyA, leaves: LeafList.FromArrays([new GridLimitLeaf(GridChain.H1, -1, 0, "").Encode()])), Fails(Reason.GridLimitsNegative, 4, 0)),
            Sealed("no network block, sealed honestly", GridChain.Build(withNetwork: false), Fails(Reason.GridNetworkMissing, 3)),
            Sealed("two limits blocks for one interval, sealed honestly", GridChain.Build(twoLimits: true), Fails(Reason.GridLimitsDuplicate, 5)),
            Sealed("order owner at no connection, sealed honestly", GridChain.Build(network: unconnected), Fails(Reason.GridOrderNotConnected, 5, 2)),
            Sealed("zone flow not the trades' flow, sealed honestly", GridChain.Build(flows: flows), Fails(Reason.GridFlowMismatch, 6, 2 + 7)),
            With("limits interval misaligned, re-signed", b => b[4] = Resign(b[4], KeyA, h => h with { IntervalStart = h.IntervalStart + 1, IntervalEnd = h.IntervalEnd + 1 }), Fails(Reason.GridLimitsWrongInterval, 4)),
            With("limits reference not the network, re-signed", b => b[4] = Resign(b[4], KeyA, h => h with { Reference = [.. Enumerable.Repeat((byte)7, 32)] }), Fails(Reason.GridLimitsNetworkMismatch, 4)),
            With("limits for the root, re-signed", b => b[4] = Limits(b[4], new GridLimitLeaf(0, 0, 0, "")), Fails(Reason.GridLimitsInvalid, 4, 0)),
            With("limits out of node order, re-signed", b => b[4] = Limits(b[4], new GridLimitLeaf(4, 10, 10, ""), new GridLimitLeaf(3, 2500, 3000, "")), Fails(Reason.GridLimitsUnsorted, 4, 1)),
            With("zone leaf dropped, re-signed", b => b[6] = Resign(b[6], KeyA, leaves: LeafList.FromArrays(b[6].Leaves.ToArrays().Where((_, i) => i != b[6].Leaves.Count - 2))), Fails(Reason.GridZoneLeavesInvalid, 6, 1)),
            With("residual dropped, re-signed", b => b[6] = Resign(b[6], KeyA, leaves: LeafList.FromArrays(b[6].Leaves.ToArrays().SkipLast(1))), Fails(Reason.GridResidualInvalid, 6, 9)),
            With("residual curve out of price order, re-signed", b => b[6] = Residual(b[6], new ResidualLeaf(-3500, 1500, [new(3020, 1500)], [new(2500, 1000), new(3000, 1500), new(2030, 3000), new(2010, 3500)]).Encode()), Fails(Reason.GridResidualInvalid, 6, 10)),
            With("residual curve not ending at the range, re-signed", b => b[6] = Residual(b[6], new ResidualLeaf(-3500, 1500, [new(3020, 1400)], residual.Import).Encode()), Fails(Reason.GridResidualInvalid, 6, 10)),
            With("residual min injection -2^63, re-signed", b => b[6] = Residual(b[6], new ResidualLeaf(long.MinValue, 0, [], []).Encode()), Fails(Reason.GridResidualInvalid, 6, 10)),
            With("residual leaf truncated, re-signed", b => b[6] = Residual(b[6], GridChain.Residual().Encode()[..^8]), Fails(Reason.GridResidualInvalid, 6, 10)),
            Sealed("residual range beyond the limits, sealed honestly", GridChain.Build(residual: new ResidualLeaf(-3500, 2500, [new(3020, 2500)], residual.Import)), Fails(Reason.GridResidualRangeWrong, 6, 10)),
            new(Ledger, "residual curve another, sealed honestly", Export(GridChain.Build(residual: otherCurve).Blocks, GridChain.Build(residual: otherCurve).Checkpoint), Fails(Reason.ReplayMismatch, 6, 10)) { WithoutReplay = ValidWith(7, 2) },
        ];
    }
}
