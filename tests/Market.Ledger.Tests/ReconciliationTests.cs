using CsCheck;
using static Market.Ledger.Tests.ReconciliationChain;
using Reason = Market.Ledger.VerificationFailureReason;

namespace Market.Ledger.Tests;

/// <summary>Reconciliation blocks: sealing, the public checks, openings of household commitments, reading hashes,
/// corrections and tampering.</summary>
public sealed class ReconciliationTests
{
    private static VerificationResult Verify(ReconciliationChain chain, IEnumerable<ReconciliationOpening>? openings = null, IMeterReadingSource? readings = null) =>
        ChainVerifier.Verify(chain.Blocks, chain.Checkpoint, new FakeReplayer(), options: new ChainVerifierOptions { Openings = openings?.ToList(), MeterReadings = readings });

    [Fact]
    public void Verify_WithoutOpenings_ValidWithThePublicChecksOnly()
    {
        var chain = Build();

        var result = Verify(chain);

        result.Failure.ShouldBeNull();
        result.ReconciliationCount.ShouldBe(2);
        result.HouseholdRecords.ShouldBe(10);
        result.OpeningsChecked.ShouldBe(0);
        result.ReconciliationsFullyChecked.ShouldBe(0);
    }

    [Fact]
    public void Verify_EveryOpening_ChecksBothVersionsInFull()
    {
        var chain = Build();

        var result = Verify(chain, chain.Openings);

        result.Failure.ShouldBeNull();
        result.OpeningsChecked.ShouldBe(10);
        result.OpeningsUnmatched.ShouldBe(0);
        result.ReconciliationsFullyChecked.ShouldBe(2);
    }

    [Fact]
    public void Verify_OneHouseholdsOpenings_ChecksItsRecordsButNoBlockInFull()
    {
        var chain = Build();

        var result = Verify(chain, chain.Openings.Where(o => o.Settlement.Household == P(1)));

        result.Failure.ShouldBeNull();
        result.OpeningsChecked.ShouldBe(2);
        result.ReconciliationsFullyChecked.ShouldBe(0);
    }

    [Fact]
    public void Verify_OpeningOfNoSealedRecord_CountedAsUnmatched()
    {
        var chain = Build();
        var stray = Settlements.Open(chain.Openings[0].Settlement with { ReconciliationVersion = 3 });

        var result = Verify(chain, [.. chain.Openings, stray]);

        result.Failure.ShouldBeNull();
        result.OpeningsUnmatched.ShouldBe(1);
    }

    [Fact]
    public void Verify_OpeningWithAnotherSalt_FailsWithOpeningMismatch()
    {
        var chain = Build();
        var forged = chain.Openings.Select((o, i) => i == 2 ? o with { Salt = new byte[32] } : o);

        var failure = Verify(chain, forged).Failure!;

        failure.Reason.ShouldBe(Reason.OpeningMismatch);
        failure.Height.ShouldBe(5);
        failure.LeafIndex.ShouldBe(3);
    }

    [Fact]
    public void Verify_OpeningsAndTheReadings_ConfirmEveryReadingHash()
    {
        var chain = Build();

        var result = Verify(chain, chain.Openings, new DictionaryReadings(Readings));

        result.Failure.ShouldBeNull();
        result.ReadingsChecked.ShouldBe(10);
    }

    [Fact]
    public void Verify_ReadingsWithoutOpenings_ConfirmNothing()
    {
        var chain = Build();

        var result = Verify(chain, readings: new DictionaryReadings(Readings));

        result.Failure.ShouldBeNull();
        result.ReadingsChecked.ShouldBe(0);
    }

    [Fact]
    public void Verify_ReadingChangedAfterSealing_FailsNamingTheReading()
    {
        var chain = Build();
        var readings = Readings;
        readings[(P(1), 1)] = readings[(P(1), 1)] with { ExportWh = 2700 };

        var failure = Verify(chain, chain.Openings, new DictionaryReadings(readings)).Failure!;

        failure.Reason.ShouldBe(Reason.ReadingMismatch);
        failure.Height.ShouldBe(5);
        failure.LeafIndex.ShouldBe(1);
        failure.Message.ShouldContain("changed after sealing");
    }

    [Fact]
    public void Verify_ReadingDeleted_FailsWithReadingMissing()
    {
        var chain = Build();
        var readings = Readings;
        readings.Remove((P(5), 2));

        var failure = Verify(chain, chain.Openings, new DictionaryReadings(readings)).Failure!;

        failure.Reason.ShouldBe(Reason.ReadingMissing);
        failure.Height.ShouldBe(6);
        failure.LeafIndex.ShouldBe(5);
    }

    [Fact]
    public void Verify_RetailNotTheRulesCeiling_FailsWithTariffNotInForce()
    {
        var chain = Build(alterV1: s => s with { Summary = s.Summary with { RetailPrice = 3000 } });

        var failure = Verify(chain).Failure!;

        failure.Reason.ShouldBe(Reason.TariffNotInForce);
        failure.Height.ShouldBe(5);
        failure.LeafIndex.ShouldBe(0);
        failure.Message.ShouldContain("retail 10000 (the price ceiling)");
    }

    [Fact]
    public void Verify_LargestRemainderGivenToTheWrongHousehold_PassesPublicAndOwnChecksButNotTheFullCheck()
    {
        var chain = Build(alterV1: WrongRemainder);
        var ownOpenings = chain.Openings.Where(o => o.Settlement.Household == P(1));

        var publicResult = Verify(chain);
        var ownResult = Verify(chain, ownOpenings);
        var full = Verify(chain, chain.Openings).Failure!;

        publicResult.Failure.ShouldBeNull();
        ownResult.Failure.ShouldBeNull();
        full.Reason.ShouldBe(Reason.ImbalanceMismatch);
        full.LeafIndex.ShouldBe(1);
        full.Message.ShouldContain("exact pro-rata split");
    }

    [Fact]
    public void Verify_CoverBeyondItsProRataShare_FailsWithTheHouseholdsOwnOpening()
    {
        var chain = Build(alterV1: BeyondProRataShare);

        var failure = Verify(chain, chain.Openings.Where(o => o.Settlement.Household == P(1))).Failure!;

        failure.Reason.ShouldBe(Reason.ImbalanceMismatch);
        failure.LeafIndex.ShouldBe(1);
        failure.Message.ShouldContain("pro-rata share");
    }

    [Fact]
    public void SealReconciliation_HouseholdsInAnyOrder_SealsThemInPseudonymOrder()
    {
        var reversed = Build(alterV1: s => s with { Households = [.. s.Households.Reverse()] });

        var sealedLeaves = reversed.Blocks[5].Leaves.ToArrays();

        sealedLeaves.ShouldBe(Build().Blocks[5].Leaves.ToArrays());
    }

    [Fact]
    public void Export_ReconciliationBlocks_RoundTripAndVerify()
    {
        var chain = Build();
        using var stream = new MemoryStream();
        LedgerExport.Write(stream, chain.Blocks, chain.Checkpoint);
        stream.Position = 0;

        var result = ChainVerifier.VerifyExport(stream, new FakeReplayer(), options: new ChainVerifierOptions { Openings = chain.Openings });

        result.Failure.ShouldBeNull();
        result.ReconciliationsFullyChecked.ShouldBe(2);
        System.Text.Encoding.UTF8.GetString(stream.ToArray()).ShouldContain("\"kind\":\"reconciliation\"");
    }

    [Fact]
    public void Encode_HouseholdLeaves_CarryNoMeteredValue()
    {
        var chain = Build();
        // Party 2 and 4 imported what they bought: those values are public anyway (the trades).
        var metered = ReadingsV1.SelectMany(r => new[] { r.ExportWh, r.ImportWh }).Where(v => v > 0).Except([2000L, 2500L]).ToList();

        var leaves = chain.Blocks[5].Leaves.ToArrays().Skip(1).ToList();

        leaves.ShouldAllBe(l => l.Length == HouseholdReconciliationLeaf.Size);
        foreach (var value in metered)
        {
            var bytes = new byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(bytes, value);
            leaves.Count(l => l.AsSpan().IndexOf(bytes) >= 0).ShouldBe(0, $"{value} Wh is in a public record");
        }
    }

    [Fact]
    public void Commit_SameRecordAnotherSalt_GivesAnotherCommitment()
    {
        var record = RecordsV1()[0];

        var first = record.Commit(new byte[32]);
        var second = record.Commit(Enumerable.Repeat((byte)1, 32).ToArray());

        second.ShouldNotBe(first);
        record.Commit(new byte[32]).ShouldBe(first);
    }

    [Fact]
    public void Decode_SummaryLeafAndSettlement_RoundTrip()
    {
        var chain = Build();
        var opening = chain.Openings[2];

        ReconciliationSummary.TryDecode(chain.Blocks[5].Leaves.GetSpan(0), out var summary, out var error).ShouldBeTrue(error);
        HouseholdReconciliationLeaf.TryDecode(chain.Blocks[5].Leaves.GetSpan(3), out var leaf, out error).ShouldBeTrue(error);
        HouseholdSettlement.TryDecode(opening.Settlement.Encode(), out var record, out error).ShouldBeTrue(error);

        summary.Encode().ShouldBe(chain.Blocks[5].Leaves.GetSpan(0).ToArray());
        leaf!.Commitment.ShouldBe(opening.Commitment());
        record!.Encode().ShouldBe(opening.Settlement.Encode());
        record.ProvidedToNeighbours.ShouldBe(new PostingTotal(2, 301, 753));
    }

    [Theory]
    [InlineData(0, 3)]
    [InlineData(1, 2)]
    public void DecodeSummary_WrongVersionOrType_Refused(int offset, byte value)
    {
        var bytes = Build().Blocks[5].Leaves.GetSpan(0).ToArray();
        bytes[offset] = value;

        ReconciliationSummary.TryDecode(bytes, out _, out var error).ShouldBeFalse();

        error.ShouldNotBeNull();
    }

    [Fact]
    public void IsRoundingOf_PostingsEachRoundedHalfUp_AlwaysWithinTheSlack()
    {
        var gen = Gen.Long[1, 1_000_000_000].Array[1, 40].Select(Gen.Long[0, 100_000_000]);

        gen.Sample((energies, price) => Settlements.Postings(price, energies).IsRoundingOf(price));
    }

    [Fact]
    public void IsRoundingOf_AmountOneBeyondTheSlack_Refused()
    {
        // Three postings at 2,500: 3 x 0.5 of slack each way around 2,000 Wh x 2.5 = 5,000.
        var total = new PostingTotal(3, 2000, 5001);

        total.IsRoundingOf(2500).ShouldBeTrue();
        (total with { Amount = 5002 }).IsRoundingOf(2500).ShouldBeFalse();
        (total with { Amount = 4998 }).IsRoundingOf(2500).ShouldBeFalse();
        (total with { Postings = 0 }).IsRoundingOf(2500).ShouldBeFalse();
    }

    [Fact]
    public void OpeningsFile_Written_ReadsBackTheSameOpenings()
    {
        var chain = Build();
        using var stream = new MemoryStream();
        OpeningsFile.Write(stream, chain.Openings);
        stream.Position = 0;

        var read = OpeningsFile.Read(stream);

        read.Select(o => (Convert.ToHexString(o.Salt), Convert.ToHexString(o.Settlement.Encode())))
            .ShouldBe(chain.Openings.Select(o => (Convert.ToHexString(o.Salt), Convert.ToHexString(o.Settlement.Encode()))));
    }

    [Theory]
    [InlineData("{\"format\":\"market-ledger-export\",\"version\":1}\n", "openings line 1:")]
    [InlineData("{\"format\":\"market-reconciliation-openings\",\"version\":1}\n{\"salt\":\"00\",\"record\":\"00\"}\n", "openings line 2: \"salt\" must be 32 bytes")]
    [InlineData("{\"format\":\"market-reconciliation-openings\",\"version\":1}\n{\"salt\":\"00\",\"salt\":\"00\"}\n", "openings line 2: field \"salt\" appears twice")]
    [InlineData("{\"format\":\"market-reconciliation-openings\",\"version\":1}\n{\"salt\":\"0g\",\"record\":\"00\"}\n", "openings line 2: \"salt\" is not hex")]
    [InlineData("", "openings line 1: empty file")]
    public void OpeningsFile_Malformed_RefusedNamingTheLine(string text, string message)
    {
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text));

        var error = Should.Throw<LedgerFormatException>(() => OpeningsFile.Read(stream));

        error.Message.ShouldStartWith(message);
    }

    [Fact]
    public void OpeningsFile_TwoOpeningsOfOneRecord_Refused()
    {
        var opening = Build().Openings[0];
        using var stream = new MemoryStream();
        OpeningsFile.Write(stream, [opening, opening with { Salt = new byte[32] }]);
        stream.Position = 0;

        var error = Should.Throw<LedgerFormatException>(() => OpeningsFile.Read(stream));

        error.Message.ShouldStartWith("openings line 3: a second opening");
    }

    [Fact]
    public void WorkedExample_Party3Version1_EncodesAsDocumented()
    {
        // docs/ledger-format.md §12, "Reconciliation example".
        var chain = Build();
        var opening = chain.Openings[2];

        var reading = Convert.ToHexStringLower(ReadingsV1[2].Hash());
        var summary = Convert.ToHexStringLower(chain.Blocks[5].Leaves.GetSpan(0));
        var record = Convert.ToHexStringLower(opening.Settlement.Encode());
        var commitment = Convert.ToHexStringLower(opening.Commitment());
        var leaf = Convert.ToHexStringLower(chain.Blocks[5].Leaves.GetSpan(3));

        reading.ShouldBe("e336cacbd9fc0a88abc072cf458d1fb25a792574e2cbdfed5775cf7ff7ee1b17");
        summary.ShouldBe("0201" + "00000001" + "0001" + "01" + "00000000000009c4" + "0000000000002710" + "0000000000000000" + "00000005"
            + "0000000000001131" + "00000000000011f8" + "00000000000001f4" + "000000000000012d" + "000000000000012d"
            + "00000002000000000000012d00000000000002f1" + "0000000200000000000000c700000000000007c6" + "0000000000000000000000000000000000000000");
        record.ShouldBe("01" + "000000000000a0000000000000000003" + "000000006955c710" + "000000006955ca94" + "00000001" + "00000001" + reading
            + "0000000000000709" + "0000000000000000"
            + "0000000000000000000000000000000000000000" + "00000002000000000000012d00000000000002f1"
            + "0000000000000000000000000000000000000000" + "0000000000000000000000000000000000000000");
        Convert.ToHexStringLower(opening.Salt).ShouldBe("c26636e3d33f9a3b911e0ffab1a2c657f26af8a4d9017fdd801c08772a437c18");
        commitment.ShouldBe("1469f3c208345cb68a64ae60351d879a584b0be55e22f3cc80fd684cfeea4dbd");
        leaf.ShouldBe("0202" + "000000000000a0000000000000000003" + "00000000000005dc" + "0000000000000000" + commitment);
    }
}
