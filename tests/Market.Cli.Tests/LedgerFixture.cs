using Market.Generation;
using Market.Ledger;
using Market.Matching;
using LedgerSide = Market.Ledger.OrderSide;

namespace Market.Cli.Tests;

/// <summary>Builds real ledgers with Market.Ledger and Market.Matching (as the market does) and writes their exports.</summary>
internal sealed class LedgerFixture : IDisposable
{
    private static readonly PartyId Alice = PartyId.Parse("0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a");
    private static readonly PartyId Bob = PartyId.Parse("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
    private static readonly PartyId Carol = PartyId.Parse("0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c");

    private readonly SigningKey _key;
    private readonly DateTimeOffset _start = new(2026, 6, 15, 8, 0, 0, TimeSpan.Zero);

    /// <param name="key">The operator's key; a fixed one by default.</param>
    public LedgerFixture(SigningKey? key = null) =>
        _key = key ?? SigningKey.FromPrivateKey(Convert.FromHexString("4f3c2b1a0918273645546372819009a8b7c6d5e4f30112233445566778899aab"));

    /// <summary>Alice, Bob and Carol with P-256 keys (enrolled in block 2 of every chain).</summary>
    private static GeneratedHouseholds Households { get; } = new([Alice, Bob, Carol]);

    public string Folder { get; } = Directory.CreateTempSubdirectory("market-cli-").FullName;

    /// <summary>Genesis, rules, the households' keys, then <paramref name="intervals"/> cleared intervals of four orders each.</summary>
    public List<SealedBlock> Chain(int intervals)
    {
        var blocks = new List<SealedBlock> { BlockSealer.SealGenesis(_key, _start) };
        var from = _start.ToUnixTimeSeconds() + 900;
        blocks.Add(BlockSealer.SealRules(blocks[^1].NextTip, _key, new RulesRecord(1, 1, 900, 300, 786, 3970, from), _start));
        var ledgerId = blocks[0].HeaderHash;
        blocks.Add(Households.SealEnrolments(blocks[^1].NextTip, _key, ledgerId, _start));
        long sequence = 1;
        for (var i = 0; i < intervals; i++)
        {
            var s = from + (i * 900L);
            var at = DateTimeOffset.FromUnixTimeSeconds(s - 300);
            OrderLeaf[] orders =
            [
                GeneratedHouseholds.Order(sequence++, Alice, LedgerSide.Sell, 1500, 1200 + i),
                GeneratedHouseholds.Order(sequence++, Bob, LedgerSide.Buy, 1000, 2500),
                GeneratedHouseholds.Order(sequence++, Carol, LedgerSide.Buy, 800, 1800),
                GeneratedHouseholds.Order(sequence++, Carol, LedgerSide.Sell, 300, 2000),
            ];
            Households.Sign(ledgerId, [(s, s + 900, orders)], perSubmission: 8);
            var book = BlockSealer.SealOrderBook(blocks[^1].NextTip, _key, s, s + 900, 1, 1, orders, at);
            blocks.Add(book);
            var result = DoubleAuction.Clear(orders.Select(o => new Order(o.Sequence, o.Side == LedgerSide.Buy ? Side.Buy : Side.Sell, o.EnergyWh, o.LimitPrice, o.Sequence)).ToArray());
            var owners = orders.ToDictionary(o => o.Sequence, o => o.Owner);
            var fills = result.Trades.Select(t => new TradeFill(owners[t.BuyOrderId], owners[t.SellOrderId], t.BuyOrderId, t.SellOrderId, t.EnergyWh, t.Price)).ToArray();
            blocks.Add(BlockSealer.SealClearing(book.NextTip, _key, book.Header, fills, at));
        }

        return blocks;
    }

    public string Export(IReadOnlyList<LedgerBlock> blocks, string name = "export.jsonl")
    {
        var tree = new CompactMerkleTree();
        foreach (var b in blocks)
        {
            tree.Append(BlockHeader.Hash(b.HeaderBytes));
        }

        var checkpoint = Checkpoint.Create(tree.Size, tree.Root(), _start.AddDays(1), _key);
        var path = Path.Combine(Folder, name);
        using var file = File.Create(path);
        LedgerExport.Write(file, blocks, checkpoint);
        return path;
    }

    /// <summary>A re-signed history: the chain up to <paramref name="keep"/> blocks, then two more intervals sealed
    /// with the same key but other (empty, rule-conforming) books: every block, signature and replay is valid.</summary>
    public List<SealedBlock> ResignedFork(List<SealedBlock> chain, int keep)
    {
        var fork = chain.Take(keep).ToList();
        var last = fork[^1].Header;
        for (var i = 1; i <= 2; i++)
        {
            var book = BlockSealer.SealOrderBook(fork[^1].NextTip, _key, last.IntervalStart + (900 * i), last.IntervalEnd + (900 * i), 1, 1, [], DateTimeOffset.FromUnixTimeMilliseconds(last.SealedAtUnixMs + (900_000 * i)));
            fork.Add(book);
            fork.Add(BlockSealer.SealClearing(book.NextTip, _key, book.Header, [], DateTimeOffset.FromUnixTimeMilliseconds(book.Header.SealedAtUnixMs)));
        }

        return fork;
    }

    /// <summary>The receipt of the first trade of the clearing block at <paramref name="height"/>, with a checkpoint
    /// over all <paramref name="blocks"/>.</summary>
    public TradeReceipt Receipt(IReadOnlyList<SealedBlock> blocks, int height)
    {
        var tree = MerkleTree.FromLeaves(blocks.Select(b => b.HeaderHash));
        var checkpoint = Checkpoint.Create(tree.Size, tree.Root(), _start.AddDays(1), _key);
        return TradeReceipt.Create(blocks[height], 0, _key.PublicKey, checkpoint, _key.PublicKey, tree);
    }

    public SigningKey Key => _key;

    /// <summary>The genesis key id as the ledger pages and a first contact show it.</summary>
    public string KeyId => Convert.ToHexStringLower(_key.KeyId);

    /// <summary>A folder for remembered ledgers (--known-ledgers), inside <see cref="Folder"/>.</summary>
    public string KnownLedgers => Path.Combine(Folder, "known-ledgers");

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
