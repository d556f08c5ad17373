using static Market.Ledger.Tests.ReconciliationChain;
using static Market.Ledger.Tests.TamperCases.Verdict;
using Reason = Market.Ledger.VerificationFailureReason;

namespace Market.Ledger.Tests.TamperCases;

/// <summary>
/// Imbalance reconciliations of <see cref="ReconciliationChain"/> sealed with one rule broken (block 5 is version 1
/// of interval 0, block 6 its correction): each is caught with the reason of docs/ledger-format.md §8 at the record
/// that breaks it (leaf 0 is the summary). Every case comes with the openings of every household record: what only
/// an opened record shows is caught with them and passes the public checks without them.
/// </summary>
internal static class ReconciliationCases
{
    private const string Ledger = "reconciliation";

    public static IEnumerable<TamperCase> All()
    {
        var honest = Build().Openings;
        TamperCase Case(string name, ReconciliationChain chain, Verdict expected, IEnumerable<ReconciliationOpening>? openings = null)
        {
            var c = new TamperCase(Ledger, name, Tamper.Export(chain.Blocks, chain.Checkpoint), expected);
            var given = (openings ?? chain.Openings).ToList();

            // The honest openings are one shared file; a case with other openings (a tampered ledger's are what its
            // operator would hand out) has its own.
            var shared = OpeningsAttachment.Of(Ledger, honest);
            var own = OpeningsAttachment.Of(c.FileName[..^".jsonl".Length], given);
            return c with { Openings = own.Bytes.AsSpan().SequenceEqual(shared.Bytes) ? shared : own };
        }

        return
        [
            Case("valid", Build(), ValidWith(7, 3, 2)),
            Case("version 2 sealed as 3", Build(alterV2: s => s with { Summary = s.Summary with { ReconciliationVersion = 3 } }), Fails(Reason.ReconciliationVersionGap, 6, 0)),
            Case("version 1 sealed twice", Build(alterV2: s => s with { Summary = s.Summary with { ReconciliationVersion = 1 } }), Fails(Reason.ReconciliationVersionGap, 6, 0)),
            Case("first version sealed as 2", Build(alterV1: s => s with { Summary = s.Summary with { ReconciliationVersion = 2 } }), Fails(Reason.ReconciliationVersionGap, 5, 0)),
            Case("reference to the order book instead of the clearing", Build(referenceOrderBook: true), Fails(Reason.ClearingMissing, 5)),
            Case("local price not the clearing price", Build(alterV1: s => s with { Summary = s.Summary with { LocalPrice = 2400 } }), Fails(Reason.InvalidReconciliation, 5, 0)),
            Case("feed-in above retail", Build(alterV1: s => s with { Summary = s.Summary with { FeedInTariff = 10_100 } }), Fails(Reason.InvalidReconciliation, 5, 0)),
            Case("retail price not the one in force", Build(alterV1: s => s with { Summary = s.Summary with { RetailPrice = 3000 } }), Fails(Reason.TariffNotInForce, 5, 0)),
            Case("feed-in tariff not the one in force", Build(alterV2: s => s with { Summary = s.Summary with { FeedInTariff = 800 } }), Fails(Reason.TariffNotInForce, 6, 0)),
            Case("summary export total raised alone", Build(alterV1: s => s with { Summary = s.Summary with { ExportWh = s.Summary.ExportWh + 100 } }), Fails(Reason.TotalsInconsistent, 5, 0)),
            Case("netted energy not the smaller side", Build(alterV1: s => s with { Summary = s.Summary with { NettedWh = 300, NeighbourCover = Cover(240, 60), UtilityPurchase = FromUtility(200) with { Postings = 2 } } }), Fails(Reason.TotalsInconsistent, 5, 0)),
            Case("utility purchases beyond their rounding", Build(alterV1: s => s with { Summary = s.Summary with { UtilityPurchase = s.Summary.UtilityPurchase with { Amount = s.Summary.UtilityPurchase.Amount + 2 } } }), Fails(Reason.TotalsInconsistent, 5, 0)),
            Case("summary export and import raised alike", Build(alterV1: s => s with { Summary = s.Summary with { ExportWh = s.Summary.ExportWh + 100, ImportWh = s.Summary.ImportWh + 100 } }), Fails(Reason.TotalsMismatch, 5, 0)) with { WithoutOpenings = ValidWith(7, 3, 2) },
            Case("summary changed (raw)", Raw(0, l => Tamper.AddToI64(l, 37, 100)), Fails(Reason.PayloadRootMismatch, 5)),
            Case("sold energy not the clearing's", Build(alterV1: s => s.WithHousehold(0, h => h with { SoldWh = 2900 })), Fails(Reason.TradedEnergyMismatch, 5, 1)),
            Case("bought energy not the clearing's", Build(alterV1: s => s.WithHousehold(1, h => h with { BoughtWh = 1999 })), Fails(Reason.TradedEnergyMismatch, 5, 2)),
            Case("trader left out", Build(alterV1: s => Without(s, 3)), Fails(Reason.TradedEnergyMismatch, 5)),
            Case("household record changed (raw)", Raw(1, l => Tamper.AddToI64(l, 18, 100)), Fails(Reason.PayloadRootMismatch, 5)),
            Case("commitment changed, re-signed", Build(alterV1: s => s.WithHousehold(2, h => h with { Commitment = System.Security.Cryptography.SHA256.HashData(h.Commitment) })), Fails(Reason.OpeningMismatch, 5, 3)) with { WithoutOpenings = ValidWith(7, 3, 2) },
            Case("opening that does not match its commitment", Build(), Fails(Reason.OpeningMismatch, 5, 1), honest.Select((o, i) => i == 0 ? o with { Settlement = o.Settlement with { ExportWh = 2700 } } : o)) with { WithoutOpenings = ValidWith(7, 3, 2) },
            Case("opened record sold more than exported and covered", Build(alterV1: s => s.Reseal(0, r => r with { ExportWh = 1000 })), Fails(Reason.SoldNotCovered, 5, 1)) with { WithoutOpenings = ValidWith(7, 3, 2) },
            Case("opened record with its deviation not settled", Build(alterV1: s => s.Reseal(0, r => r with { ExportWh = 2650 })), Fails(Reason.ImbalanceMismatch, 5, 1)) with { WithoutOpenings = ValidWith(7, 3, 2) },
            Case("opened record with its purchase not at retail", Build(alterV2: s => s.Reseal(0, r => r with { BoughtFromUtility = r.BoughtFromUtility with { Amount = 989 } })), Fails(Reason.ImbalanceMismatch, 6, 1)) with { WithoutOpenings = ValidWith(7, 3, 2) },
            Case("opened record covered beyond its pro-rata share", Build(alterV1: BeyondProRataShare), Fails(Reason.ImbalanceMismatch, 5, 1)) with { WithoutOpenings = ValidWith(7, 3, 2) },
            Case("largest remainder given to the wrong household", Build(alterV1: WrongRemainder), Fails(Reason.ImbalanceMismatch, 5, 1)) with { WithoutOpenings = ValidWith(7, 3, 2) },
            Case("households out of pseudonym order, re-signed", ResignV1(l => [l[0], l[2], l[1], .. l[3..]]), Fails(Reason.InvalidReconciliation, 5, 2)),
            Case("household with the utility's zero id, re-signed", ResignV1(l => [l[0], (Leaf(1) with { Household = default }).Encode(), .. l[2..]]), Fails(Reason.InvalidReconciliation, 5, 1)),
            Case("summary missing, re-signed", ResignV1(l => l[1..]), Fails(Reason.MalformedLeaf, 5, 0)),
            Case("summary naming 2^31 - 1 households, re-signed", ResignSummaryV1(s => s with { HouseholdCount = int.MaxValue }), Fails(Reason.InvalidReconciliation, 5, 0)),
        ];
    }

    private static HouseholdReconciliationLeaf Leaf(int index) =>
        HouseholdReconciliationLeaf.TryDecode(Build().Blocks[5].Leaves.GetSpan(index), out var leaf, out var error) ? leaf : throw new InvalidOperationException(error);

    /// <summary>A household left out; the summary keeps the honest totals (which add up, its deviation being 0).</summary>
    private static Sealing Without(Sealing s, int index) => s with
    {
        Households = [.. s.Households.Where((_, i) => i != index)],
        Openings = [.. s.Openings.Where((_, i) => i != index)],
    };

    private static ReconciliationChain ResignV1(Func<byte[][], byte[][]> change)
    {
        var chain = Build();
        chain.Blocks[5] = TestChain.Resign(chain.Blocks[5], TestChain.KeyA, leaves: LeafList.FromArrays(change(chain.Blocks[5].Leaves.ToArrays())));
        return chain;
    }

    private static ReconciliationChain ResignSummaryV1(Func<ReconciliationSummary, ReconciliationSummary> change)
    {
        var chain = Build();
        chain.Blocks[5] = TestChain.Resign(chain.Blocks[5], TestChain.KeyA, leaves: Tamper.MapSummary(chain.Blocks[5], change));
        return chain;
    }

    /// <summary>A leaf of version 1 changed after sealing, without re-signing.</summary>
    private static ReconciliationChain Raw(int leafIndex, Func<byte[], byte[]> change)
    {
        var chain = Build();
        chain.Blocks[5] = Tamper.WithLeaf(chain.Blocks[5], leafIndex, change);
        return chain;
    }
}
