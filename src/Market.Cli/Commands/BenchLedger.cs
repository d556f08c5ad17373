using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Market.Cli.Bench;
using Market.Generation;
using Market.Ledger;
using Market.Matching;
using Market.Replay;
using LedgerSide = Market.Ledger.OrderSide;

namespace Market.Cli.Commands;

/// <summary>
/// <c>market bench ledger</c>: writes a realistic ledger export (real order books, cleared by Market.Matching,
/// sealed and signed by Market.Ledger) for timing <c>market ledger verify</c> end to end.
/// </summary>
internal static class BenchLedger
{
    public static Command Create()
    {
        var intervals = new Option<int>("--intervals") { Description = "Intervals (an order-book and a clearing block each).", DefaultValueFactory = _ => 1000 };
        var orders = new Option<int>("--orders") { Description = "Orders per interval (about half become trades).", DefaultValueFactory = _ => 2000 };
        var perSubmission = new Option<int>("--per-submission")
        {
            Description = "Orders a household signs at once (one signature each); 1 is one signature per order, the worst case.",
            DefaultValueFactory = _ => 8,
        };
        var seed = new Option<ulong>("--seed") { Description = "Seed: the same seed gives the same ledger.", DefaultValueFactory = _ => 1 };
        var output = new Option<FileInfo>("--output") { Description = "Where to write the export (JSON Lines).", Required = true };
        var command = new Command("ledger", "Write a generated ledger export (cleared with the real rules) to time `market ledger verify`.")
        {
            intervals, orders, perSubmission, seed, output,
        };
        command.SetAction(parse => Run(parse.GetValue(intervals), parse.GetValue(orders), Math.Clamp(parse.GetValue(perSubmission), 1, HouseholdSignature.MaxSubmissionSize),
            parse.GetValue(seed), parse.GetValue(output)!, parse.InvocationConfiguration.Output));
        return command;
    }

    private static int Run(int intervals, int ordersPerInterval, int perSubmission, ulong seed, FileInfo output, TextWriter console)
    {
        var watch = Stopwatch.StartNew();
        var key = SigningKey.FromPrivateKey(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(seed)));
        var start = new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);
        var parties = Enumerable.Range(0, 500).Select(i => PartyId.Pseudonymise(key.PublicKey, i.ToString(CultureInfo.InvariantCulture))).ToArray();
        using var households = new GeneratedHouseholds(parties);

        // A household signs what it sends at once; with about four orders per household and interval, submissions of
        // eight take two intervals' orders, so the books are signed in batches of that many intervals.
        var batch = Math.Clamp((int)Math.Ceiling((double)perSubmission * parties.Length / Math.Max(1, ordersPerInterval)), 1, 16);
        var tree = new CompactMerkleTree();
        long signatures = 0;
        using var file = File.Create(output.FullName);
        using (var writer = new LedgerExportWriter(file))
        {
            void Add(SealedBlock block)
            {
                writer.WriteBlock(block);
                tree.AppendLeafHash(MerkleTree.HashLeaf(block.HeaderHash));
            }

            var genesis = BlockSealer.SealGenesis(key, start);
            Add(genesis);
            var ledgerId = genesis.HeaderHash;
            var first = start.ToUnixTimeSeconds() + 900;
            var tip = BlockSealer.SealRules(genesis.NextTip, key, new RulesRecord(1, 1, 900, 300, RandomBook.MinPrice, RandomBook.MaxPrice, first), start);
            Add(tip);
            tip = households.SealEnrolments(tip.NextTip, key, ledgerId, start);
            Add(tip);
            long trades = 0;
            for (var i = 0; i < intervals; i += batch)
            {
                var books = new List<(long Start, long End, OrderLeaf[] Orders)>();
                for (var j = i; j < Math.Min(intervals, i + batch); j++)
                {
                    var book = RandomBook.Generate(ordersPerInterval, seed + (ulong)j);
                    var order = Enumerable.Range(0, book.Ids.Length).OrderBy(k => book.Sequences[k]).ToArray();
                    var leaves = order.Select(k => GeneratedHouseholds.Order(book.Sequences[k], parties[k % parties.Length], book.Sides[k] == Side.Buy ? LedgerSide.Buy : LedgerSide.Sell, book.EnergiesWh[k], book.Prices[k])).ToArray();
                    var s = first + (j * 900L);
                    books.Add((s, s + 900, leaves));
                }

                households.Sign(ledgerId, books, perSubmission);
                foreach (var (s, e, leaves) in books)
                {
                    signatures += leaves.Select(l => ((SignedOrder)l.Authorization).Signature).Count(x => x.Index == 0);
                    var at = DateTimeOffset.FromUnixTimeSeconds(s - 300);
                    var sealedBook = BlockSealer.SealOrderBook(tip.NextTip, key, s, e, 1, 1, leaves, at);
                    Add(sealedBook);
                    var fills = AuctionOrders.Fills(leaves, DoubleAuction.Clear(AuctionOrders.From(leaves)));
                    tip = BlockSealer.SealClearing(sealedBook.NextTip, key, sealedBook.Header, fills, at);
                    Add(tip);
                    trades += fills.Length;
                }
            }

            writer.WriteCheckpoint(Checkpoint.Create(tree.Size, tree.Root(), start.AddYears(1), key));
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {output.FullName}: {tree.Size:N0} blocks, {trades:N0} trades, {(long)intervals * ordersPerInterval:N0} orders, {signatures:N0} household signatures in {watch.Elapsed.TotalSeconds:0.0} s"));
        }

        return 0;
    }
}
