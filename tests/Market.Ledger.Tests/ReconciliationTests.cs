using static Market.Ledger.Tests.ReconciliationChain;
using Reason = Market.Ledger.VerificationFailureReason;

namespace Market.Ledger.Tests;

/// <summary>Reconciliation blocks: sealing, verification, reading hashes, corrections and tampering.</summary>
public sealed class ReconciliationTests
{
    private static VerificationResult Verify(ReconciliationChain chain, IMeterReadingSource? readings = null) =>
        ChainVerifier.Verify(chain.Blocks, chain.Checkpoint, new FakeReplayer(), options: new ChainVerifierOptions { MeterReadings = readings });

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
