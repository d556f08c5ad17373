using Market.Ledger;
using Market.Matching;
using Market.Replay;

namespace Market.VerifierBench;

/// <summary>
/// Seals a valid ledger of exactly the requested number of blocks: genesis, rules, one or two key rotations (so the
/// verifier switches keys), then intervals of an order book and its clearing. Each book has random bids and offers
/// from a pool of households; the trades are what Market.Matching's double auction gives, so the chain also passes
/// the C# verifier's replay.
/// </summary>
internal static class LedgerGenerator
{
    public const long FirstStart = 1_767_225_600 + 3600;
    private const int IntervalLength = 900;
    private const int GateLead = 300;

    private static readonly SigningKey[] Keys =
    [
        SigningKey.FromPrivateKey(Convert.FromHexString("5151515151515151515151515151515151515151515151515151515151515151")),
        SigningKey.FromPrivateKey(Convert.FromHexString("5252525252525252525252525252525252525252525252525252525252525252")),
        SigningKey.FromPrivateKey(Convert.FromHexString("5353535353535353535353535353535353535353535353535353535353535353")),
    ];

    public static (List<SealedBlock> Blocks, Checkpoint Checkpoint) Build(int blockCount, int ordersPerBook, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockCount, 5);
        var random = new Random(seed);
        var rotations = (blockCount - 3) % 2 == 0 ? 1 : 2;
        var intervals = (blockCount - 2 - rotations) / 2;
        var rotateAt = new HashSet<int> { intervals / 3 };
        if (rotations == 2)
        {
            rotateAt.Add(2 * intervals / 3);
        }

        var rules = new RulesRecord(1, ClearingMechanisms.UniformPriceDoubleAuction, IntervalLength, GateLead, 0, 10_000, FirstStart);
        var keyIndex = 0;
        var key = Keys[0];
        var blocks = new List<SealedBlock> { BlockSealer.SealGenesis(key, DateTimeOffset.FromUnixTimeSeconds(FirstStart - 3600)) };
        blocks.Add(BlockSealer.SealRules(blocks[^1].NextTip, key, rules, DateTimeOffset.FromUnixTimeSeconds(FirstStart - 3599)));
        var households = Enumerable.Range(0, 40).Select(i => new PartyId(0x5EED, (ulong)i)).ToArray();
        var ledgerId = blocks[0].HeaderHash;
        using var signers = new Market.Generation.GeneratedHouseholds(households);
        blocks.Add(signers.SealEnrolments(blocks[^1].NextTip, key, ledgerId, DateTimeOffset.FromUnixTimeSeconds(FirstStart - 3598)));
        var sequence = 0L;
        for (var k = 0; k < intervals; k++)
        {
            var start = FirstStart + ((long)IntervalLength * k);
            var gate = DateTimeOffset.FromUnixTimeSeconds(start - GateLead);
            if (rotateAt.Contains(k))
            {
                var next = Keys[++keyIndex];
                blocks.Add(BlockSealer.SealKeyRotation(blocks[^1].NextTip, key, next.PublicKey, gate.AddMilliseconds(-1)));
                key = next;
            }

            var orders = new OrderLeaf[ordersPerBook];
            for (var i = 0; i < orders.Length; i++)
            {
                var side = i % 2 == 0 ? Ledger.OrderSide.Buy : Ledger.OrderSide.Sell;
                var price = side == Ledger.OrderSide.Buy ? random.Next(1_500, 3_500) : random.Next(1_000, 3_000);
                orders[i] = Market.Generation.GeneratedHouseholds.Order(++sequence, households[random.Next(households.Length)], side, random.Next(1, 40) * 100, price);
            }

            signers.Sign(ledgerId, [(start, start + IntervalLength, orders)], perSubmission: 8);

            var book = BlockSealer.SealOrderBook(blocks[^1].NextTip, key, start, start + IntervalLength, rules.Mechanism, rules.RulesVersion, orders, gate);
            blocks.Add(book);
            blocks.Add(BlockSealer.SealClearing(book.NextTip, key, book.Header, Fills(orders), gate.AddSeconds(1)));
        }

        var tree = new CompactMerkleTree();
        foreach (var block in blocks)
        {
            tree.Append(block.HeaderHash);
        }

        var time = DateTimeOffset.FromUnixTimeMilliseconds(blocks[^1].Header.SealedAtUnixMs + 1000);
        return (blocks, Checkpoint.Create(blocks.Count, tree.Root(), time, key));
    }

    private static TradeFill[] Fills(OrderLeaf[] orders) => AuctionOrders.Fills(orders, DoubleAuction.Clear(AuctionOrders.From(orders)));
}
