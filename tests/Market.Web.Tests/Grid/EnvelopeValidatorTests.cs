using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Text;
using Market.Matching.Grid;
using Market.Web.Grid;
using static Market.Web.Tests.Grid.GridSamples;

namespace Market.Web.Tests.Grid;

/// <summary>
/// Envelopes checked against the network and the interval grid, all or nothing, then read interval by interval.
/// </summary>
[Trait("Database", "Independent")]
public sealed class EnvelopeValidatorTests
{
    private const int Quarter = 900;

    private static readonly NetworkDefinition Sample = Network();

    private static EnvelopeValidation Validate(params Envelope[] envelopes) => EnvelopeValidator.Validate(Sample, Quarter, envelopes);

    private static EnvelopeError SingleError(params Envelope[] envelopes)
    {
        var validation = Validate(envelopes);

        validation.Schedule.ShouldBeNull();
        return validation.Errors.ShouldHaveSingleItem();
    }

    private static long At(int minutes) => TenAmSeconds + (minutes * 60L);

    [Fact]
    public void Validate_ConnectionAndFeederEnvelopes_OneLimitPerCoveredInterval()
    {
        var validation = Validate(Envelope("C1", 0, 60, 5000, 2400, "E1"), Envelope("F1", 0, 30, null, 80_000));

        validation.Errors.ShouldBeEmpty();
        var schedule = validation.Schedule.ShouldNotBeNull();
        schedule.Count.ShouldBe(6);
        schedule.TryGetLimit("C1", At(45), out var limit).ShouldBeTrue();
        limit.ShouldBe(new IntervalLimit(5000, 2400, "E1"));
        schedule[new NodeInterval("F1", At(15))].ShouldBe(new IntervalLimit(null, 80_000, null));
    }

    [Theory]
    [InlineData("C1", -15)]
    [InlineData("C1", 60)]
    [InlineData("C1", 7)]
    [InlineData("C2", 0)]
    [InlineData("C99", 0)]
    public void TryGetLimit_OutsideTheWindowOffTheGridOrOtherNode_NoLimit(string node, int minutes)
    {
        var schedule = Validate(Envelope("C1", 0, 60)).Schedule!;

        schedule.TryGetLimit(node, At(minutes), out _).ShouldBeFalse();
        schedule.ContainsKey(new NodeInterval(node, At(minutes))).ShouldBeFalse();
    }

    [Fact]
    public void Indexer_NoEnvelope_Throws()
    {
        var schedule = Validate(Envelope("C1", 0, 15)).Schedule!;

        Should.Throw<KeyNotFoundException>(() => schedule[new NodeInterval("C2", At(0))]);
    }

    [Fact]
    public void Enumerate_EnvelopesInAnyOrder_NodesInNetworkOrderThenIntervalsInTimeOrder()
    {
        var schedule = Validate(Envelope("C2", 30, 45), Envelope("C1", 15, 45), Envelope("C1", 0, 15), Envelope("T1", 0, 15)).Schedule!;

        schedule.Keys.ShouldBe(
        [
            new NodeInterval("T1", At(0)),
            new NodeInterval("C1", At(0)),
            new NodeInterval("C1", At(15)),
            new NodeInterval("C1", At(30)),
            new NodeInterval("C2", At(30)),
        ]);
        schedule.Windows.Select(w => (w.NodeId, w.Start)).ShouldBe([("T1", TenAm), ("C1", TenAm), ("C1", TenAm.AddMinutes(15)), ("C2", TenAm.AddMinutes(30))]);
        schedule.Values.Count().ShouldBe(schedule.Count);
    }

    [Fact]
    public void Validate_NoEnvelopes_EmptySchedule()
    {
        var validation = Validate();

        validation.Succeeded.ShouldBeTrue();
        validation.Schedule!.Count.ShouldBe(0);
    }

    [Fact]
    public void Validate_UnknownNode_Refused()
    {
        var error = SingleError(Envelope("C99", 0, 15));

        error.ShouldBe(new EnvelopeError(1, "envelope 1 (node \"C99\" from 2026-06-15T10:00:00Z): node \"C99\" is not a node of the network."));
    }

    [Fact]
    public void Validate_CommunityNode_Refused()
    {
        var error = SingleError(Envelope("ROOT", 0, 15));

        error.Message.ShouldBe("envelope 1 (node \"ROOT\" from 2026-06-15T10:00:00Z): node \"ROOT\" is the community node, the root; envelopes limit connections, feeders and transformers.");
    }

    [Fact]
    public void Validate_NegativeImportLimit_Refused()
    {
        var error = SingleError(Envelope("C1", 0, 15, importW: -1));

        error.Message.ShouldBe("envelope 1 (node \"C1\" from 2026-06-15T10:00:00Z): the import limit -1 W is negative; a limit is 0 or more watts.");
    }

    [Fact]
    public void Validate_NegativeExportLimit_Refused()
    {
        var error = SingleError(Envelope("C1", 0, 15, exportW: -2000));

        error.Message.ShouldEndWith("the export limit -2000 W is negative; a limit is 0 or more watts.");
    }

    [Fact]
    public void Validate_LimitBeyond100GW_Refused()
    {
        var error = SingleError(Envelope("T1", 0, 15, importW: 100_000_000_001));

        error.Message.ShouldEndWith("the import limit 100000000001 W is beyond 100000000000 W.");
    }

    [Fact]
    public void Validate_ZeroLimits_Accepted()
    {
        var validation = Validate(Envelope("C1", 0, 15, 0, 0));

        validation.Schedule![new NodeInterval("C1", At(0))].ShouldBe(new IntervalLimit(0, 0, null));
    }

    [Fact]
    public void Validate_NeitherLimit_Refused()
    {
        var error = SingleError(Envelope("C1", 0, 15, null, null));

        error.Message.ShouldEndWith("neither an import nor an export limit is given.");
    }

    [Theory]
    [InlineData(15, 15, "2026-06-15T10:15:00Z")]
    [InlineData(30, 15, "2026-06-15T10:15:00Z")]
    public void Validate_EndNotAfterStart_Refused(int from, int to, string end)
    {
        var error = SingleError(Envelope("C1", from, to));

        error.Message.ShouldEndWith($"ends at {end}, not after its start.");
    }

    [Fact]
    public void Validate_StartOffTheGrid_Refused()
    {
        var error = SingleError(Envelope("C1", 7, 15));

        error.Message.ShouldBe("envelope 1 (node \"C1\" from 2026-06-15T10:07:00Z): start 2026-06-15T10:07:00Z is not on the interval grid (15-minute intervals start at whole multiples of 900 s from 1970-01-01T00:00:00Z).");
    }

    [Fact]
    public void Validate_EndOffTheGrid_Refused()
    {
        var error = SingleError(Envelope("C1", 0, 20));

        error.Message.ShouldEndWith("end 2026-06-15T10:20:00Z is not on the interval grid (15-minute intervals start at whole multiples of 900 s from 1970-01-01T00:00:00Z).");
    }

    [Fact]
    public void Validate_StartWithAFractionOfASecond_OffTheGrid()
    {
        var envelope = new Envelope("C1", TenAm.AddMilliseconds(500), TenAm.AddMinutes(15), 5000, null, null);

        var error = SingleError(envelope);

        error.Message.ShouldEndWith("start 2026-06-15T10:00:00.5Z is not on the interval grid (15-minute intervals start at whole multiples of 900 s from 1970-01-01T00:00:00Z).");
    }

    [Fact]
    public void Validate_StartWithAnOffset_SameInstantOnTheGrid()
    {
        var envelope = new Envelope("C1", TenAm.ToOffset(TimeSpan.FromHours(10)), TenAm.AddMinutes(15), 5000, null, null);

        Validate(envelope).Schedule!.ContainsKey(new NodeInterval("C1", At(0))).ShouldBeTrue();
    }

    [Fact]
    public void Validate_FiveMinuteGrid_QuarterPastIsOnIt()
    {
        var validation = EnvelopeValidator.Validate(Sample, 300, [Envelope("C1", 5, 20)]);

        validation.Schedule!.Count.ShouldBe(3);
    }

    [Fact]
    public void Validate_WindowOfSevenDays_Accepted()
    {
        var validation = Validate(Envelope("C1", 0, 7 * 24 * 60));

        validation.Schedule!.Count.ShouldBe(7 * 96);
    }

    [Fact]
    public void Validate_WindowLongerThanSevenDays_Refused()
    {
        var error = SingleError(Envelope("C1", 0, 8 * 24 * 60));

        error.Message.ShouldEndWith("lasts 192 hours; a window lasts at most 7 days.");
    }

    [Fact]
    public void Validate_OverlappingWindowsOfOneNode_LaterNamedWithTheEarlier()
    {
        var error = SingleError(Envelope("C1", 0, 30), Envelope("C1", 15, 45));

        error.ShouldBe(new EnvelopeError(2, "envelope 2 (node \"C1\" from 2026-06-15T10:15:00Z): overlaps envelope 1 (2026-06-15T10:00:00Z to 2026-06-15T10:30:00Z) of the same node; a node has one limit per interval."));
    }

    [Fact]
    public void Validate_OverlapInReverseUploadOrder_StillFound()
    {
        var error = SingleError(Envelope("C1", 15, 45), Envelope("C1", 0, 30));

        error.Item.ShouldBe(1);
        error.Message.ShouldContain("overlaps envelope 2 (2026-06-15T10:00:00Z to 2026-06-15T10:30:00Z)");
    }

    [Fact]
    public void Validate_SameWindowTwice_Overlap()
    {
        var error = SingleError(Envelope("C1", 0, 15), Envelope("C1", 0, 15, eventId: "again"));

        error.Message.ShouldContain("overlaps envelope");
    }

    [Fact]
    public void Validate_LongWindowContainingTwoShortOnes_BothNamedWithTheLongOne()
    {
        var validation = Validate(Envelope("C1", 0, 120), Envelope("C1", 15, 30), Envelope("C1", 60, 75));

        validation.Errors.Select(e => (e.Item, e.Message.Contains("overlaps envelope 1 ", StringComparison.Ordinal))).ShouldBe([(2, true), (3, true)]);
    }

    [Fact]
    public void Validate_AdjacentWindowsAndSameWindowOnOtherNodes_Accepted()
    {
        var validation = Validate(Envelope("C1", 0, 15), Envelope("C1", 15, 30), Envelope("C2", 0, 30), Envelope("F1", 0, 30));

        validation.Errors.ShouldBeEmpty();
        validation.Schedule!.Count.ShouldBe(6);
    }

    [Fact]
    public void Validate_EventIdOf65Characters_Refused()
    {
        var error = SingleError(Envelope("C1", 0, 15, eventId: new string('x', 65)));

        error.Message.ShouldEndWith("the event id must be 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' and '-'.");
    }

    [Theory]
    [InlineData("=HYPERLINK(\"x\")")]
    [InlineData("DOE 42")]
    [InlineData("DOE,42")]
    [InlineData("Störung-7")]
    public void Validate_EventIdTheLedgerCannotSeal_Refused(string eventId)
    {
        var error = SingleError(Envelope("C1", 0, 15, eventId: eventId));

        error.Message.ShouldContain("the event id must be 1 to 64 characters of A-Z");
    }

    [Fact]
    public void Validate_OneBadEnvelopeAmongGoodOnes_NothingAccepted()
    {
        var validation = Validate(Envelope("C1", 0, 15), Envelope("C2", 0, 15, importW: -5), Envelope("C3", 0, 15));

        validation.Succeeded.ShouldBeFalse();
        validation.Schedule.ShouldBeNull();
        validation.Errors.ShouldHaveSingleItem().Item.ShouldBe(2);
    }

    [Fact]
    public void Validate_EnvelopeWithSeveralProblems_EachReported()
    {
        var validation = Validate(Envelope("ROOT", 7, 7, importW: -1));

        validation.Errors.Count.ShouldBe(5); // the root, a negative limit, no length, start and end off the grid
        validation.Errors.ShouldAllBe(e => e.Item == 1);
    }

    [Fact]
    public void Validate_MoreThanTwoMillionEnvelopes_OneErrorNothingElseRead()
    {
        var validation = EnvelopeValidator.Validate(Sample, Quarter, new CountOnly(EnvelopeValidator.MaxItems + 1));

        validation.Errors.ShouldHaveSingleItem().ShouldBe(new EnvelopeError(0, "The upload holds 2,000,001 envelopes, more than 2,000,000; send it in parts."));
    }

    [Fact]
    public void Validate_MoreNodeIntervalsThanAnIntCounts_OneErrorForTheUpload()
    {
        // One-second intervals and 3,600 consecutive week-long windows: 2,177,280,000 node-intervals.
        var envelopes = Enumerable.Range(0, 3_600).Select(w => Envelope("C1", w * 7 * 24 * 60, (w + 1) * 7 * 24 * 60)).ToList();

        var validation = EnvelopeValidator.Validate(Sample, 1, envelopes);

        validation.Errors.ShouldHaveSingleItem().ShouldBe(new EnvelopeError(0, "The envelopes cover 2,177,280,000 node-intervals, more than 2,147,483,647; send fewer or shorter windows."));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(86_401)]
    public void Validate_IntervalLengthOutOfRange_Throws(int seconds)
    {
        Should.Throw<ArgumentOutOfRangeException>(() => EnvelopeValidator.Validate(Sample, seconds, []));
    }

    [Fact]
    public void EdgeLimitsAt_CoveredInterval_EnvelopeReplacesTheDirectionItLimits()
    {
        var schedule = Validate(Envelope("C1", 0, 15, importW: 6000, exportW: null), Envelope("F1", 0, 15, importW: null, exportW: 80_000), Envelope("T2", 0, 15, 2000, 0)).Schedule!;

        var limits = schedule.EdgeLimitsAt(At(0));

        limits[Index("C1")].ShouldBe(new EdgeLimit(ExportWh: 1250, ImportWh: 1500));
        limits[Index("F1")].ShouldBe(new EdgeLimit(ExportWh: 20_000, ImportWh: 30_000));
        limits[Index("T2")].ShouldBe(new EdgeLimit(ExportWh: 0, ImportWh: 500));
        limits[Index("C3")].ShouldBe(new EdgeLimit(GridNetwork.Unlimited, GridNetwork.Unlimited));
        limits[Sample.RootIndex].ShouldBe(new EdgeLimit(GridNetwork.Unlimited, GridNetwork.Unlimited));
    }

    [Fact]
    public void EdgeLimitsAt_UncoveredInterval_StaticCapacities()
    {
        var schedule = Validate(Envelope("C1", 0, 15, importW: 6000, exportW: null)).Schedule!;

        var limits = schedule.EdgeLimitsAt(At(15));

        limits.ShouldBe(Sample.ToGridNodes(Quarter, default).Select(n => new EdgeLimit(n.ExportCapacityWh, n.ImportCapacityWh)).ToArray());
    }

    [Fact]
    public void EdgeLimitsAt_AcceptedByTheAuctionsNetwork()
    {
        var schedule = Validate(Envelope("C1", 0, 15, 0, 0)).Schedule!;
        var grid = Sample.ToGridNetwork(Quarter, new NetworkFees(10, 20, 30));
        Market.Matching.Order[] orders = [new(1, Market.Matching.Side.Sell, 100, 1_000, 1), new(2, Market.Matching.Side.Buy, 100, 100_000, 2)];

        var result = GridAuction.Clear(grid, orders, [Index("C1"), Index("C2")], schedule.EdgeLimitsAt(At(0)));

        result.IsSuccess.ShouldBeTrue();
        result.VolumeWh.ShouldBe(0); // C1 may not export in that interval
    }

    [Fact]
    public void EdgeLimitsAt_OffTheGrid_Throws()
    {
        var schedule = Validate().Schedule!;

        Should.Throw<ArgumentException>(() => schedule.EdgeLimitsAt(At(7)));
    }

    [Fact]
    public async Task Validate_CsipAusXmlEnvelopes_SameLimitsAsTheirJson()
    {
        var xml = $"""
            <DERControlList xmlns="urn:ieee:std:2030.5:ns" xmlns:csipaus="https://csipaus.org/ns" all="1" results="1">
              <DERControl>
                <mRID>0042</mRID>
                <interval><duration>1800</duration><start>{TenAmSeconds}</start></interval>
                <DERControlBase>
                  <csipaus:opModImpLimW><multiplier>3</multiplier><value>5</value></csipaus:opModImpLimW>
                  <csipaus:opModExpLimW><multiplier>2</multiplier><value>24</value></csipaus:opModExpLimW>
                </DERControlBase>
              </DERControl>
            </DERControlList>
            """;
        var parsed = await ParseXmlAsync("C1", xml);

        var schedule = EnvelopeValidator.Validate(Sample, Quarter, parsed.Envelopes).Schedule!;

        schedule.ToList().ShouldBe(
        [
            new(new NodeInterval("C1", At(0)), new IntervalLimit(5000, 2400, "0042")),
            new(new NodeInterval("C1", At(15)), new IntervalLimit(5000, 2400, "0042")),
        ]);
    }

    [Fact]
    public async Task Validate_CsipAusXmlWithNegativeExportLimit_Refused()
    {
        var xml = $"""
            <DERControl xmlns="urn:ieee:std:2030.5:ns" xmlns:csipaus="https://csipaus.org/ns">
              <mRID>0043</mRID>
              <interval><duration>900</duration><start>{TenAmSeconds}</start></interval>
              <DERControlBase><csipaus:opModExpLimW><multiplier>3</multiplier><value>-2</value></csipaus:opModExpLimW></DERControlBase>
            </DERControl>
            """;
        var parsed = await ParseXmlAsync("C1", xml);

        var validation = EnvelopeValidator.Validate(Sample, Quarter, parsed.Envelopes);

        validation.Errors.ShouldHaveSingleItem().Message.ShouldEndWith("the export limit -2000 W is negative; a limit is 0 or more watts.");
    }

    [Fact]
    public void Validate_JsonUploadOf1000ConnectionsTimes96Quarters_EveryIntervalLimited()
    {
        // The 10,000-connection upload is timed by bench/Market.IntervalBench --envelopes (docs/performance.md).
        var network = LargeNetwork(1_000);
        var json = LargeUpload(1_000, 96);

        var parsed = EnvelopeParser.ParseJson(json.Span);
        var validation = EnvelopeValidator.Validate(network, Quarter, parsed.Envelopes);

        parsed.Errors.ShouldBeEmpty();
        validation.Errors.ShouldBeEmpty();
        var schedule = validation.Schedule!;
        schedule.Count.ShouldBe(96_000);
        schedule[new NodeInterval("C0", At(0))].ShouldBe(new IntervalLimit(5000, 2000, null));
        schedule[new NodeInterval("C999", At(95 * 15))].ShouldBe(new IntervalLimit(5095, 3998, null));
        schedule.ContainsKey(new NodeInterval("C999", At(96 * 15))).ShouldBeFalse();
        schedule.EdgeLimitsAt(At(30))[network.TryGetIndex("C42", out var c42) ? c42 : -1].ShouldBe(new EdgeLimit(ExportWh: 521, ImportWh: 1250));
    }

    /// <summary>
    /// <c>{"envelopes":[…]}</c> with one quarter-hour envelope per connection and interval from 10:00, interval by
    /// interval: connection <c>c</c> may import <c>5000 + q</c> W and export <c>2000 + 2c mod 10000</c> W in quarter <c>q</c>.
    /// Written byte by byte: the test is about reading the upload, not writing it.
    /// </summary>
    internal static ReadOnlyMemory<byte> LargeUpload(int connections, int quarters)
    {
        var json = new ArrayBufferWriter<byte>(connections * quarters * 128);
        Encoding.UTF8.GetBytes("{\"envelopes\":[", json);
        for (var q = 0; q < quarters; q++)
        {
            var start = TenAm.AddMinutes(15 * q).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            var end = TenAm.AddMinutes(15 * (q + 1)).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            var tail = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"\",\"start\":\"{start}\",\"end\":\"{end}\",\"importLimitW\":{5000 + q},\"exportLimitW\":"));
            for (var c = 0; c < connections; c++)
            {
                json.Write((q | c) == 0 ? "{\"node\":\"C"u8 : ",{\"node\":\"C"u8);
                Number(json, c);
                json.Write(tail);
                Number(json, 2000 + (c * 2 % 10_000));
                json.Write("}"u8);
            }
        }

        json.Write("]}"u8);
        return json.WrittenMemory;
    }

    private static void Number(ArrayBufferWriter<byte> json, int value)
    {
        value.TryFormat(json.GetSpan(11), out var written, default, CultureInfo.InvariantCulture).ShouldBeTrue();
        json.Advance(written);
    }

    private static int Index(string nodeId) => Sample.TryGetIndex(nodeId, out var index) ? index : throw new KeyNotFoundException(nodeId);

    /// <summary>A list that only has a length: the validator must refuse it before reading an item.</summary>
    private sealed class CountOnly(int count) : IReadOnlyList<Envelope>
    {
        public int Count => count;

        public Envelope this[int index] => throw new InvalidOperationException("An item was read.");

        public IEnumerator<Envelope> GetEnumerator() => throw new InvalidOperationException("The items were enumerated.");

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
