using Market.Generation;
using Market.Ledger;
using Market.Matching.Grid;
using Market.Replay;
using LedgerSide = Market.Ledger.OrderSide;

namespace Market.Cli.Tests;

/// <summary>
/// Random networks, limits and books cleared with <see cref="GridAuction"/> and sealed with
/// <see cref="BlockSealer.SealGridClearing"/>: the chain verifier's own checks (fees, meet nodes, flows against the
/// limits, the certificate) and the replay with <see cref="MatchingReplayer"/> accept every honest clearing.
/// </summary>
public sealed class GridLedgerPropertyTests
{
    private static readonly SigningKey Key = SigningKey.FromPrivateKey(Convert.FromHexString("5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a"));
    private static readonly DateTimeOffset Start = new(2026, 6, 15, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Verify_RandomHonestGridClearings_ValidWithAndWithoutReplay()
    {
        long trades = 0;
        for (var seed = 1; seed <= 100; seed++)
        {
            var blocks = Sealed(new Random(seed));
            var tree = MerkleTree.FromLeaves(blocks.Select(b => b.HeaderHash));
            var checkpoint = Checkpoint.Create(blocks.Count, tree.Root(), DateTimeOffset.FromUnixTimeMilliseconds(blocks[^1].Header.SealedAtUnixMs), Key);

            var replayed = ChainVerifier.Verify(blocks, checkpoint, new MatchingReplayer());
            var alone = ChainVerifier.Verify(blocks, checkpoint, replayer: null);

            replayed.Failure.ShouldBeNull($"seed {seed}: {replayed.Failure}");
            alone.Failure.ShouldBeNull($"seed {seed}: {alone.Failure}");
            trades += replayed.TradeCount;
        }

        trades.ShouldBeGreaterThan(100);
    }

    private static List<SealedBlock> Sealed(Random random)
    {
        // The tree: 1-2 transformers, 1-2 feeders each, 1-3 connections each, one household per connection.
        var nodes = new List<NetworkNodeLeaf> { new(-1, NetworkNodeKind.Community, -1, -1, default, "c") };
        var households = new List<PartyId>();
        long Capacity() => random.Next(3) == 0 ? -1 : random.Next(0, 16_000);
        for (var t = random.Next(1, 3); t > 0; t--)
        {
            var transformer = nodes.Count;
            nodes.Add(new(0, NetworkNodeKind.Transformer, Capacity(), Capacity(), default, $"t{transformer}"));
            for (var f = random.Next(1, 3); f > 0; f--)
            {
                var feeder = nodes.Count;
                nodes.Add(new(transformer, NetworkNodeKind.Feeder, Capacity(), Capacity(), default, $"f{feeder}"));
                for (var c = random.Next(1, 4); c > 0; c--)
                {
                    var household = new PartyId(0x6000, (ulong)nodes.Count);
                    households.Add(household);
                    nodes.Add(new(feeder, NetworkNodeKind.Connection, Capacity(), Capacity(), household, $"h{nodes.Count}"));
                }
            }
        }

        var sameFeeder = random.Next(0, 30);
        var sameTransformer = sameFeeder + random.Next(0, 30);
        var rules = new RulesRecord(1, ClearingMechanisms.GridZonalAuction, 900, 300, 0, 10_000, Start.ToUnixTimeSeconds() + 900)
        {
            SameFeederFee = sameFeeder,
            SameTransformerFee = sameTransformer,
            AcrossTransformersFee = sameTransformer + random.Next(0, 30),
        };
        var limits = Enumerable.Range(1, nodes.Count - 1).Where(_ => random.Next(4) == 0)
            .Select(n => new GridLimitLeaf(n, random.Next(0, 3000), random.Next(0, 3000), "")).ToArray();

        using var generated = new GeneratedHouseholds(households);
        var blocks = new List<SealedBlock> { BlockSealer.SealGenesis(Key, Start) };
        var ledgerId = blocks[0].HeaderHash;
        blocks.Add(BlockSealer.SealRules(blocks[^1].NextTip, Key, rules, Start));
        blocks.Add(generated.SealEnrolments(blocks[^1].NextTip, Key, ledgerId, Start));
        blocks.Add(BlockSealer.SealNetwork(blocks[^1].NextTip, Key, nodes, Start));
        var network = blocks[^1];
        var s = rules.EffectiveFrom;
        var at = DateTimeOffset.FromUnixTimeSeconds(s - 300);
        blocks.Add(BlockSealer.SealGridLimits(blocks[^1].NextTip, Key, network.HeaderHash, s, s + 900, ClearingMechanisms.GridZonalAuction, 1, limits, at));

        var orders = Enumerable.Range(1, random.Next(0, 14))
            .Select(i => GeneratedHouseholds.Order(i, households[random.Next(households.Count)], random.Next(2) == 0 ? LedgerSide.Buy : LedgerSide.Sell, random.Next(1, 3000), random.Next(100, 5000)))
            .ToArray();
        generated.Sign(ledgerId, [(s, s + 900, orders)], perSubmission: 8);
        var book = BlockSealer.SealOrderBook(blocks[^1].NextTip, Key, s, s + 900, ClearingMechanisms.GridZonalAuction, 1, orders, at);
        blocks.Add(book);

        GridTopology.TryCreate(nodes, out var topology, out _, out _).ShouldBeTrue();
        var inForce = topology!.StaticLimits(900);
        foreach (var l in limits)
        {
            inForce[l.Node] = (l.ExportLimitWh, l.ImportLimitWh);
        }

        var gridNodes = Enumerable.Range(0, nodes.Count).Select(i => new GridNode(nodes[i].Parent, inForce[i].ExportWh, inForce[i].ImportWh, topology.ExportFee(i, rules), 0)).ToArray();
        GridNetwork.TryCreate(gridNodes, out var grid, out _).ShouldBeTrue();
        var result = GridAuction.Clear(grid!, AuctionOrders.From(orders), orders.Select(o => topology.ConnectionOf(o.Owner)).ToArray());
        result.IsSuccess.ShouldBeTrue();
        var owners = orders.ToDictionary(o => o.Sequence, o => o.Owner);
        var trades = result.Trades.Select(t => new GridTradeFill(owners[t.BuyOrderId], owners[t.SellOrderId], t.BuyOrderId, t.SellOrderId, t.EnergyWh, t.BuyPrice, t.SellPrice, t.FeePrice, t.MeetNode)).ToArray();
        blocks.Add(BlockSealer.SealGridClearing(book.NextTip, Key, book.Header, trades, [.. result.ZonePrices], [.. result.FlowsWh], GridBook.Residual(result), at.AddSeconds(1)));
        return blocks;
    }
}
