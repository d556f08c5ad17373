using static Market.Ledger.Tests.ReconciliationChain;
using Reason = Market.Ledger.VerificationFailureReason;

namespace Market.Ledger.Tests;

/// <summary>Reconciliation blocks: sealing, verification, reading hashes, corrections and tampering.</summary>
public sealed class ReconciliationTests
{
    private static VerificationResult Verify(ReconciliationChain chain, IMeterReadingSource? readings = null) =>
        ChainVerifier.Verify(chain.Blocks, chain.Checkpoint, new FakeReplayer(), options: new ChainVerifierOptions { MeterReadings = readings });

    private static (ReconciliationSummary, HouseholdReconciliationLeaf[]) Change(
        ReconciliationSummary s, HouseholdReconciliationLeaf[] h, int index, Func<HouseholdReconciliationLeaf, HouseholdReconciliationLeaf> change) =>
        (s, h.Select((x, i) => i == index ? change(x) : x).ToArray());

    [Fact]
    public void Verify_ReconciliationAndCorrection_IsValid()
    {
        var chain = Build();

        var result = Verify(chain);

        result.Failure.ShouldBeNull();
        result.ReconciliationCount.ShouldBe(2);
        result.ReadingsChecked.ShouldBe(0);
    }

    [Fact]
    public void Verify_WithTheReadings_ConfirmsEveryReadingHash()
    {
        var chain = Build();

        var result = Verify(chain, new DictionaryReadings(chain.Readings));

        result.Failure.ShouldBeNull();
        result.ReadingsChecked.ShouldBe(10);
    }

    [Fact]
    public void Verify_ReadingChangedAfterSealing_FailsNamingTheReading()
    {
        var chain = Build();
        chain.Readings[(P(1), 1)] = chain.Readings[(P(1), 1)] with { ExportWh = 2700 };

        var failure = Verify(chain, new DictionaryReadings(chain.Readings)).Failure!;

        failure.Reason.ShouldBe(Reason.ReadingMismatch);
        failure.Height.ShouldBe(4);
        failure.LeafIndex.ShouldBe(1);
        failure.Message.ShouldContain("changed after sealing");
    }

    [Fact]
    public void Verify_ReadingDeleted_FailsWithReadingMissing()
    {
        var chain = Build();
        chain.Readings.Remove((P(5), 2));

        var failure = Verify(chain, new DictionaryReadings(chain.Readings)).Failure!;

        failure.Reason.ShouldBe(Reason.ReadingMissing);
        failure.Height.ShouldBe(5);
        failure.LeafIndex.ShouldBe(5);
    }

    [Fact]
    public void SealReconciliation_HouseholdsInAnyOrder_SealsThemInPseudonymOrder()
    {
        var reversed = Build(alterV1: (s, h) => (s, h.Reverse().ToArray()));

        var sealedLeaves = reversed.Blocks[4].Leaves.ToArrays();

        sealedLeaves.ShouldBe(Build().Blocks[4].Leaves.ToArrays());
    }

    [Fact]
    public void Export_ReconciliationBlocks_RoundTripAndVerify()
    {
        var chain = Build();
        using var stream = new MemoryStream();
        LedgerExport.Write(stream, chain.Blocks, chain.Checkpoint);
        stream.Position = 0;

        var result = ChainVerifier.VerifyExport(stream, new FakeReplayer());

        result.Failure.ShouldBeNull();
        result.ReconciliationCount.ShouldBe(2);
        System.Text.Encoding.UTF8.GetString(stream.ToArray()).ShouldContain("\"kind\":\"reconciliation\"");
    }

    [Fact]
    public void Decode_HouseholdLeaf_RoundTrips()
    {
        var leaf = HouseholdsV1()[2];

        HouseholdReconciliationLeaf.TryDecode(leaf.Encode(), out var decoded, out var error).ShouldBeTrue(error);

        decoded!.Encode().ShouldBe(leaf.Encode());
        decoded.Entries.ShouldBe(leaf.Entries);
    }

    private static readonly Dictionary<string, (Func<ReconciliationChain> Build, Reason Reason, long Height, int? Leaf)> Cases = new()
    {
        ["version 2 sealed as 3"] = (() => Build(alterV2: (s, h) => (s with { ReconciliationVersion = 3 }, h)), Reason.ReconciliationVersionGap, 5, 0),
        ["version 1 sealed twice"] = (() => Build(alterV2: (s, h) => (s with { ReconciliationVersion = 1 }, h)), Reason.ReconciliationVersionGap, 5, 0),
        ["first version sealed as 2"] = (() => Build(alterV1: (s, h) => (s with { ReconciliationVersion = 2 }, h)), Reason.ReconciliationVersionGap, 4, 0),
        ["reference to the order book instead of the clearing"] = (() => Build(referenceOrderBook: true), Reason.ClearingMissing, 4, null),
        ["sold energy not the clearing's"] = (() => Build(alterV1: (s, h) => Change(s, h, 0, x => x with { SoldWh = 2900, ExportWh = 2500 })), Reason.TradedEnergyMismatch, 4, 1),
        ["bought energy not the clearing's"] = (() => Build(alterV1: (s, h) => Change(s, h, 1, x => x with { BoughtWh = 1999, ImportWh = 1999 })), Reason.TradedEnergyMismatch, 4, 2),
        ["trader left out"] = (() => Build(alterV1: (s, h) => (s, h.Where((_, i) => i != 3).ToArray())), Reason.TradedEnergyMismatch, 4, null),
        ["sold more than exported and covered"] = (() => Build(alterV1: (s, h) => Change(s, h, 0, x => x with { ExportWh = 1000 })), Reason.SoldNotCovered, 4, 1),
        ["deviation not settled"] = (() => Build(alterV1: (s, h) => Change(s, h, 0, x => x with { ExportWh = 2650 })), Reason.ImbalanceMismatch, 4, 1),
        ["amount not at the retail price"] = (() => Build(alterV1: (s, h) => Change(s, h, 0, x => x with { Entries = [Covered(3, 240), FromUtility(160) with { Amount = 479 }] })), Reason.ImbalanceMismatch, 4, 1),
        ["cover moved to the utility on one side only"] = (() => Build(alterV1: (s, h) => Change(s, h, 0, x => x with { Entries = [FromUtility(400)] })), Reason.PostingsUnbalanced, 4, 3),
        ["cover recorded by the short side only"] = (() => Build(alterV1: (s, h) => Change(s, h, 2, x => x with { Entries = [Provided(1, 240)], ExportWh = 1740 })), Reason.PostingsUnbalanced, 4, 5),
        ["utility entry with a neighbour as counterparty"] = (() => Build(alterV1: (s, h) => Change(s, h, 0, x => x with { Entries = [Covered(3, 240), FromUtility(160) with { Counterparty = P(2) }] })), Reason.InvalidReconciliation, 4, 1),
        ["local price not the clearing price"] = (() => Build(alterV1: (s, h) => (s with { LocalPrice = 2400 }, h)), Reason.InvalidReconciliation, 4, 0),
        ["feed-in above retail"] = (() => Build(alterV1: (s, h) => (s with { FeedInTariff = 3100 }, h)), Reason.InvalidReconciliation, 4, 0),
        ["households out of pseudonym order, re-signed"] = (() => ResignV1(l => [l[0], l[2], l[1], .. l[3..]]), Reason.InvalidReconciliation, 4, 2),
        ["household with the utility's zero id, re-signed"] = (() => ResignV1(l => [l[0], Leaf(Reading(0, 1, 0, 0) with { Household = ImbalanceEntry.Utility }, 0, 0).Encode(), .. l[2..]]), Reason.InvalidReconciliation, 4, 1),
        ["summary missing, re-signed"] = (() => ResignV1(l => l[1..]), Reason.MalformedLeaf, 4, 0),
    };

    private static ReconciliationChain ResignV1(Func<byte[][], byte[][]> change)
    {
        var chain = Build();
        chain.Blocks[4] = TestChain.Resign(chain.Blocks[4], TestChain.KeyA, leaves: LeafList.FromArrays(change(chain.Blocks[4].Leaves.ToArrays())));
        return chain;
    }

    public static TheoryData<string> CaseNames() => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Verify_TamperedReconciliation_FailsWithTheNamedReason(string name)
    {
        var (build, reason, height, leaf) = Cases[name];

        var chain = build();
        var failure = Verify(chain).Failure!;

        failure.ShouldNotBeNull();
        (failure.Reason, failure.Height, failure.LeafIndex).ShouldBe((reason, (long?)height, leaf), failure.ToString());
    }

    [Fact]
    public void Verify_ReconciliationLeafChangedWithoutResigning_FailsWithPayloadRootMismatch()
    {
        var chain = Build();
        var leaves = chain.Blocks[4].Leaves.ToArrays();
        leaves[1] = (HouseholdsV1()[0] with { ExportWh = 2700 }).Encode();
        chain.Blocks[4] = new LedgerBlock(chain.Blocks[4].HeaderBytes, chain.Blocks[4].Signature, LeafList.FromArrays(leaves));

        var failure = Verify(chain).Failure!;

        (failure.Reason, failure.Height).ShouldBe((Reason.PayloadRootMismatch, (long?)4));
    }

    [Fact]
    public void MeterReading_WorkedExample_HashesAsDocumented()
    {
        var reading = Reading(3, 1, 1800, 0);

        var hash = Convert.ToHexStringLower(reading.Hash());

        hash.ShouldBe("bcc8998907d1d6b1d6e0c343626e37e5cfea1ba61a66bb78c0b3b5897c2b4c3e");
        Convert.ToHexStringLower(Build().Blocks[4].Leaves.GetSpan(0)).ShouldBe("0101" + "00000001" + "0001" + "01" + "00000000000009c4" + "0000000000000bb8" + "0000000000000320" + "00000005");
        Convert.ToHexStringLower(Build().Blocks[4].Leaves.GetSpan(3)).ShouldBe(
            "0102000000000000a0000000000000000003bcc8998907d1d6b1d6e0c343626e37e5cfea1ba61a66bb78c0b3b5897c2b4c3e00000001"
            + "00000000000005dc000000000000000000000000000007080000000000000000" + "0002"
            + "02000000000000a0000000000000000001" + "00000000000000f0" + "0000000000000258"
            + "02000000000000a0000000000000000005" + "000000000000003c" + "0000000000000096");
    }
}
