using static Market.Ledger.Tests.ReconciliationChain;
using static Market.Ledger.Tests.TamperCases.Verdict;
using Reason = Market.Ledger.VerificationFailureReason;

namespace Market.Ledger.Tests.TamperCases;

/// <summary>
/// Imbalance reconciliations of <see cref="ReconciliationChain"/> sealed with one rule broken (block 4 is version 1
/// of interval 0, block 5 its correction): each is caught with the reason of docs/ledger-format.md §8 at the record
/// that breaks it (leaf 0 is the summary).
/// </summary>
internal static class ReconciliationCases
{
    private const string Ledger = "reconciliation";

    public static IEnumerable<TamperCase> All() =>
    [
        Case("valid", Build(), ValidWith(6, 3, 2)),
        Case("version 2 sealed as 3", Build(alterV2: (s, h) => (s with { ReconciliationVersion = 3 }, h)), Fails(Reason.ReconciliationVersionGap, 5, 0)),
        Case("version 1 sealed twice", Build(alterV2: (s, h) => (s with { ReconciliationVersion = 1 }, h)), Fails(Reason.ReconciliationVersionGap, 5, 0)),
        Case("first version sealed as 2", Build(alterV1: (s, h) => (s with { ReconciliationVersion = 2 }, h)), Fails(Reason.ReconciliationVersionGap, 4, 0)),
        Case("reference to the order book instead of the clearing", Build(referenceOrderBook: true), Fails(Reason.ClearingMissing, 4)),
        Case("sold energy not the clearing's", Build(alterV1: (s, h) => Change(s, h, 0, x => x with { SoldWh = 2900, ExportWh = 2500 })), Fails(Reason.TradedEnergyMismatch, 4, 1)),
        Case("bought energy not the clearing's", Build(alterV1: (s, h) => Change(s, h, 1, x => x with { BoughtWh = 1999, ImportWh = 1999 })), Fails(Reason.TradedEnergyMismatch, 4, 2)),
        Case("trader left out", Build(alterV1: (s, h) => (s, h.Where((_, i) => i != 3).ToArray())), Fails(Reason.TradedEnergyMismatch, 4)),
        Case("sold more than exported and covered", Build(alterV1: (s, h) => Change(s, h, 0, x => x with { ExportWh = 1000 })), Fails(Reason.SoldNotCovered, 4, 1)),
        Case("deviation not settled", Build(alterV1: (s, h) => Change(s, h, 0, x => x with { ExportWh = 2650 })), Fails(Reason.ImbalanceMismatch, 4, 1)),
        Case("amount not at the retail price", Build(alterV1: (s, h) => Change(s, h, 0, x => x with { Entries = [Covered(3, 240), FromUtility(160) with { Amount = 479 }] })), Fails(Reason.ImbalanceMismatch, 4, 1)),
        Case("cover moved to the utility on one side only", Build(alterV1: (s, h) => Change(s, h, 0, x => x with { Entries = [FromUtility(400)] })), Fails(Reason.PostingsUnbalanced, 4, 3)),
        Case("cover recorded by the short side only", Build(alterV1: (s, h) => Change(s, h, 2, x => x with { Entries = [Provided(1, 240)], ExportWh = 1740 })), Fails(Reason.PostingsUnbalanced, 4, 5)),
        Case("utility entry with a neighbour as counterparty", Build(alterV1: (s, h) => Change(s, h, 0, x => x with { Entries = [Covered(3, 240), FromUtility(160) with { Counterparty = P(2) }] })), Fails(Reason.InvalidReconciliation, 4, 1)),
        Case("local price not the clearing price", Build(alterV1: (s, h) => (s with { LocalPrice = 2400 }, h)), Fails(Reason.InvalidReconciliation, 4, 0)),
        Case("feed-in above retail", Build(alterV1: (s, h) => (s with { FeedInTariff = 3100 }, h)), Fails(Reason.InvalidReconciliation, 4, 0)),
        Case("households out of pseudonym order, re-signed", ResignV1(l => [l[0], l[2], l[1], .. l[3..]]), Fails(Reason.InvalidReconciliation, 4, 2)),
        Case("household with the utility's zero id, re-signed", ResignV1(l => [l[0], Leaf(Reading(0, 1, 0, 0) with { Household = ImbalanceEntry.Utility }, 0, 0).Encode(), .. l[2..]]), Fails(Reason.InvalidReconciliation, 4, 1)),
        Case("summary missing, re-signed", ResignV1(l => l[1..]), Fails(Reason.MalformedLeaf, 4, 0)),
        Case("summary naming 2^31 - 1 households, re-signed", ResignSummaryV1(s => s with { HouseholdCount = int.MaxValue }), Fails(Reason.InvalidReconciliation, 4, 0)),
        Case("household record changed (raw)", Raw(), Fails(Reason.PayloadRootMismatch, 4)),
    ];

    private static TamperCase Case(string name, ReconciliationChain chain, Verdict expected) =>
        new(Ledger, name, Tamper.Export(chain.Blocks, chain.Checkpoint), expected);

    private static (ReconciliationSummary, HouseholdReconciliationLeaf[]) Change(
        ReconciliationSummary s, HouseholdReconciliationLeaf[] h, int index, Func<HouseholdReconciliationLeaf, HouseholdReconciliationLeaf> change) =>
        (s, h.Select((x, i) => i == index ? change(x) : x).ToArray());

    private static ReconciliationChain ResignV1(Func<byte[][], byte[][]> change)
    {
        var chain = Build();
        chain.Blocks[4] = TestChain.Resign(chain.Blocks[4], TestChain.KeyA, leaves: LeafList.FromArrays(change(chain.Blocks[4].Leaves.ToArrays())));
        return chain;
    }

    private static ReconciliationChain ResignSummaryV1(Func<ReconciliationSummary, ReconciliationSummary> change)
    {
        var chain = Build();
        chain.Blocks[4] = TestChain.Resign(chain.Blocks[4], TestChain.KeyA, leaves: Tamper.MapSummary(chain.Blocks[4], change));
        return chain;
    }

    /// <summary>Party 1's export raised after sealing, without re-signing.</summary>
    private static ReconciliationChain Raw()
    {
        var chain = Build();
        chain.Blocks[4] = Tamper.WithLeaf(chain.Blocks[4], 1, _ => (HouseholdsV1()[0] with { ExportWh = 2700 }).Encode());
        return chain;
    }
}
