using Market.Web.Grid;
using static Market.Web.Tests.Grid.GridSamples;

namespace Market.Web.Tests.Grid;

/// <summary>
/// Reading envelopes published as IEEE 2030.5 DER controls with the CSIP-AUS site limits (opModImpLimW,
/// opModExpLimW), for one end device whose node the endpoint names.
/// </summary>
[Trait("Database", "Independent")]
public sealed class EnvelopeXmlParserTests
{
    private const string Head = """<DERControlList xmlns="urn:ieee:std:2030.5:ns" xmlns:csipaus="https://csipaus.org/ns" all="1" results="1" href="/derp/1/derc">""";

    private static readonly long Ten = TenAmSeconds;

    /// <summary>A control for the quarter hour from 10:00 with the given DERControlBase members.</summary>
    private static string Control(string limits, string mrid = "0A1B2C3D", string more = "", long duration = 900) => $"""
          <DERControl replyTo="/rsp" responseRequired="03">
            <mRID>{mrid}</mRID>
            {more}
            <interval><duration>{duration}</duration><start>{Ten}</start></interval>
            <DERControlBase>{limits}</DERControlBase>
          </DERControl>
        """;

    private static string List(params string[] controls) => $"{Head}\n{string.Join('\n', controls)}\n</DERControlList>";

    private static string Power(string name, int multiplier, int value) =>
        $"<csipaus:{name}><multiplier>{multiplier}</multiplier><value>{value}</value></csipaus:{name}>";

    private static async Task<EnvelopeError> SingleErrorAsync(string xml)
    {
        var parsed = await ParseXmlAsync("C1", xml);

        parsed.Envelopes.ShouldBeEmpty();
        return parsed.Errors.ShouldHaveSingleItem();
    }

    [Fact]
    public async Task ParseXml_CsipAusControlList_EnvelopesWithWattsFromValueAndMultiplier()
    {
        var xml = $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <DERControlList xmlns="urn:ieee:std:2030.5:ns" xmlns:csipaus="https://csipaus.org/ns" all="2" results="2" href="/derp/1/derc">
              <DERControl replyTo="/rsp" responseRequired="03">
                <mRID>0A1B2C3D4E5F60718293A4B5C6D7E8F9</mRID>
                <description>Evening import limit</description>
                <creationTime>{Ten - 3600}</creationTime>
                <EventStatus>
                  <currentStatus>0</currentStatus>
                  <dateTime>{Ten - 3600}</dateTime>
                  <potentiallySuperseded>false</potentiallySuperseded>
                </EventStatus>
                <interval>
                  <duration>900</duration>
                  <start>{Ten}</start>
                </interval>
                <randomizeStart>0</randomizeStart>
                <DERControlBase>
                  <csipaus:opModImpLimW>
                    <multiplier>3</multiplier>
                    <value>5</value>
                  </csipaus:opModImpLimW>
                  <csipaus:opModExpLimW>
                    <multiplier>2</multiplier>
                    <value>24</value>
                  </csipaus:opModExpLimW>
                </DERControlBase>
              </DERControl>
              <DERControl>
                <mRID>00FF</mRID>
                <interval><duration>1800</duration><start>{Ten + 900}</start></interval>
                <DERControlBase>
                  <csipaus:opModExpLimW><multiplier>0</multiplier><value>1500</value></csipaus:opModExpLimW>
                </DERControlBase>
              </DERControl>
            </DERControlList>
            """;

        var parsed = await ParseXmlAsync("C17", xml);

        parsed.Errors.ShouldBeEmpty();
        parsed.Envelopes.ShouldBe(
        [
            new Envelope("C17", TenAm, TenAm.AddMinutes(15), 5000, 2400, "0A1B2C3D4E5F60718293A4B5C6D7E8F9"),
            new Envelope("C17", TenAm.AddMinutes(15), TenAm.AddMinutes(45), null, 1500, "00FF"),
        ]);
    }

    [Theory]
    [InlineData(0, 2400, 2400)]
    [InlineData(1, 240, 2400)]
    [InlineData(3, 5, 5000)]
    [InlineData(9, 32767, 32_767_000_000_000)]
    [InlineData(-1, 15005, 1500)]   // 1500.5 W, rounded down
    [InlineData(-3, 2500, 2)]       // 2.5 W
    [InlineData(-9, 32767, 0)]
    [InlineData(0, -2000, -2000)]   // the validator refuses it
    [InlineData(-1, -15005, -1501)] // rounded down too
    public async Task ParseXml_Multiplier_WattsAreValueTimesTenToTheMultiplier(int multiplier, int value, long watts)
    {
        var parsed = await ParseXmlAsync("C1", List(Control(Power("opModExpLimW", multiplier, value))));

        parsed.Envelopes.ShouldHaveSingleItem().ExportLimitW.ShouldBe(watts);
    }

    [Fact]
    public async Task ParseXml_SingleDERControl_OneEnvelope()
    {
        var xml = $"""
            <DERControl xmlns="urn:ieee:std:2030.5:ns" xmlns:csipaus="https://csipaus.org/ns">
              <mRID>ABCDEF0123456789</mRID>
              <interval><duration>900</duration><start>{Ten}</start></interval>
              <DERControlBase><csipaus:opModImpLimW><multiplier>0</multiplier><value>7000</value></csipaus:opModImpLimW></DERControlBase>
            </DERControl>
            """;

        var parsed = await ParseXmlAsync("C1", xml);

        parsed.Envelopes.ShouldHaveSingleItem().ShouldBe(new Envelope("C1", TenAm, TenAm.AddMinutes(15), 7000, null, "ABCDEF0123456789"));
    }

    [Fact]
    public async Task ParseXml_LaterCsipAusNamespace_Accepted()
    {
        var limits = """<x:opModImpLimW xmlns:x="https://csipaus.org/ns/v1.3"><multiplier>2</multiplier><value>50</value></x:opModImpLimW>""";

        var parsed = await ParseXmlAsync("C1", List(Control(limits)));

        parsed.Envelopes.ShouldHaveSingleItem().ImportLimitW.ShouldBe(5000);
    }

    [Fact]
    public async Task ParseXml_EmptyList_NoEnvelopesNoErrors()
    {
        var parsed = await ParseXmlAsync("C1", List());

        parsed.Succeeded.ShouldBeTrue();
        parsed.Envelopes.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("opModGenLimW")]
    [InlineData("opModLoadLimW")]
    public async Task ParseXml_OtherCsipAusLimit_RefusedAsNotSupported(string name)
    {
        var limits = Power("opModExpLimW", 0, 2400) + Power(name, 0, 5000);

        var error = await SingleErrorAsync(List(Control(limits)));

        error.Item.ShouldBe(1);
        error.Message.ShouldBe($"DERControl 1, line 6: DERControlBase member <{name}> is not supported: the market honours only opModImpLimW and opModExpLimW (the connection point's import and export limits) and cannot keep any other control, so the document is refused.");
    }

    [Fact]
    public async Task ParseXml_Ieee20305ControlLikeOpModConnect_RefusedAsNotSupported()
    {
        var error = await SingleErrorAsync(List(Control(Power("opModExpLimW", 0, 2400) + "<opModConnect>false</opModConnect>")));

        error.Message.ShouldContain("DERControlBase member <opModConnect> is not supported");
    }

    [Fact]
    public async Task ParseXml_NeitherLimit_Refused()
    {
        var error = await SingleErrorAsync(List(Control("")));

        error.Message.ShouldBe("DERControl 1, line 6: DERControlBase has neither opModImpLimW nor opModExpLimW; a control for the market limits import, export or both.");
    }

    [Theory]
    [InlineData("<mRID>", "mRID")]
    [InlineData("<interval>", "interval")]
    [InlineData("<DERControlBase>", "DERControlBase")]
    public async Task ParseXml_RequiredMemberMissing_Refused(string line, string name)
    {
        var control = string.Join('\n', Control(Power("opModExpLimW", 0, 2400)).Split('\n').Where(l => !l.Contains(line, StringComparison.Ordinal)));

        var error = await SingleErrorAsync(List(control));

        error.Message.ShouldBe($"DERControl 1, line 2: <{name}> is missing.");
    }

    [Theory]
    [InlineData("XYZ")]
    [InlineData("ABC")]
    [InlineData("00112233445566778899AABBCCDDEEFF00")]
    [InlineData("")]
    public async Task ParseXml_MridNotHexBinary128_Refused(string mrid)
    {
        var error = await SingleErrorAsync(List(Control(Power("opModExpLimW", 0, 2400), mrid)));

        error.Message.ShouldBe($"DERControl 1, line 3: mRID \"{mrid}\" is not an even number of hex digits, at most 32 (HexBinary128).");
    }

    [Theory]
    [InlineData(10)]
    [InlineData(-10)]
    public async Task ParseXml_MultiplierBeyondNine_Refused(int multiplier)
    {
        var error = await SingleErrorAsync(List(Control(Power("opModImpLimW", multiplier, 5))));

        error.Message.ShouldBe($"DERControl 1, line 6: opModImpLimW multiplier \"{multiplier}\" is not a power of ten from -9 to 9.");
    }

    [Fact]
    public async Task ParseXml_ValueBeyondInt16_Refused()
    {
        var error = await SingleErrorAsync(List(Control(Power("opModImpLimW", 0, 40_000))));

        error.Message.ShouldBe("DERControl 1, line 6: opModImpLimW value \"40000\" is not a whole number from -32768 to 32767 (Int16).");
    }

    [Fact]
    public async Task ParseXml_ActivePowerWithoutMultiplier_Refused()
    {
        var error = await SingleErrorAsync(List(Control("<csipaus:opModImpLimW><value>5</value></csipaus:opModImpLimW>")));

        error.Message.ShouldBe("DERControl 1, line 6: opModImpLimW needs both <multiplier> (a power of ten) and <value> (watts = value × 10^multiplier).");
    }

    [Fact]
    public async Task ParseXml_LimitTwice_Refused()
    {
        var error = await SingleErrorAsync(List(Control(Power("opModImpLimW", 0, 5) + Power("opModImpLimW", 0, 6))));

        error.Message.ShouldBe("DERControl 1, line 6: <opModImpLimW> appears twice (first on line 6).");
    }

    [Fact]
    public async Task ParseXml_UnknownMemberOfDERControl_Refused()
    {
        var error = await SingleErrorAsync(List(Control(Power("opModImpLimW", 0, 5), more: "<priority>1</priority>")));

        error.Message.ShouldBe("DERControl 1, line 4: <priority> is not a member of a DERControl.");
    }

    [Fact]
    public async Task ParseXml_IntervalStartNotANumber_Refused()
    {
        var xml = List(Control(Power("opModImpLimW", 0, 5))).Replace($"<start>{Ten}</start>", "<start>2026-06-15T10:00:00Z</start>", StringComparison.Ordinal);

        var error = await SingleErrorAsync(xml);

        error.Message.ShouldBe("DERControl 1, line 5: interval start \"2026-06-15T10:00:00Z\" is not a whole number of seconds since 1970-01-01T00:00:00Z.");
    }

    [Fact]
    public async Task ParseXml_NegativeDuration_Refused()
    {
        var error = await SingleErrorAsync(List(Control(Power("opModImpLimW", 0, 5), duration: -900)));

        error.Message.ShouldBe("DERControl 1, line 5: interval duration \"-900\" is not a whole number of seconds from 0 to 4294967295.");
    }

    [Fact]
    public async Task ParseXml_TwoBadControls_EachNumberedAndTheGoodOneLeftOut()
    {
        var xml = List(Control(Power("opModImpLimW", 0, 5)), Control(""), Control(Power("opModGenLimW", 0, 5)));

        var parsed = await ParseXmlAsync("C1", xml);

        parsed.Succeeded.ShouldBeFalse();
        parsed.Errors.Select(e => e.Item).ShouldBe([2, 3]);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task ParseXml_CancelledControl_ACancellationOfItsEventNotAnError(int status)
    {
        var eventStatus = $"<EventStatus><currentStatus>{status}</currentStatus><dateTime>{Ten}</dateTime><potentiallySuperseded>false</potentiallySuperseded></EventStatus>";
        var xml = List(Control(Power("opModImpLimW", 0, 5), "AA", eventStatus), Control(Power("opModImpLimW", 0, 6), "BB"));

        var parsed = await ParseXmlAsync("C1", xml);

        parsed.Errors.ShouldBeEmpty();
        parsed.Envelopes.ShouldHaveSingleItem().EventId.ShouldBe("BB");
        parsed.Skipped.ShouldBeEmpty();
        var cancellation = parsed.Cancellations.ShouldHaveSingleItem();
        (cancellation.NodeId, cancellation.EventId, cancellation.ImportLimitW, cancellation.ExportLimitW).ShouldBe(("C1", "AA", null, null));
        cancellation.End.ShouldBeGreaterThan(cancellation.Start);
    }

    [Fact]
    public async Task ParseXml_SupersededControl_SkippedNotAnError()
    {
        var eventStatus = $"<EventStatus><currentStatus>4</currentStatus><dateTime>{Ten}</dateTime><potentiallySuperseded>false</potentiallySuperseded></EventStatus>";
        var xml = List(Control(Power("opModImpLimW", 0, 5), "AA", eventStatus), Control(Power("opModImpLimW", 0, 6), "BB"));

        var parsed = await ParseXmlAsync("C1", xml);

        parsed.Errors.ShouldBeEmpty();
        parsed.Envelopes.ShouldHaveSingleItem().EventId.ShouldBe("BB");
        parsed.Cancellations.ShouldBeEmpty();
        parsed.Skipped.ShouldHaveSingleItem().ShouldBe(new SkippedControl(1, "AA", "DERControl 1, line 2: event AA is superseded (EventStatus 4) and sets no limit."));
    }

    [Fact]
    public async Task ParseXml_ActiveControl_Kept()
    {
        var xml = List(Control(Power("opModImpLimW", 0, 5), more: "<EventStatus><currentStatus>1</currentStatus></EventStatus>"));

        var parsed = await ParseXmlAsync("C1", xml);

        parsed.Envelopes.ShouldHaveSingleItem();
        parsed.Skipped.ShouldBeEmpty();
    }

    [Fact]
    public async Task ParseXml_ExternalEntityInADtd_RefusedWithoutReadingIt()
    {
        var xml = $"""
            <?xml version="1.0"?>
            <!DOCTYPE DERControl [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
            <DERControl xmlns="urn:ieee:std:2030.5:ns" xmlns:csipaus="https://csipaus.org/ns">
              <mRID>AA</mRID>
              <description>&xxe;</description>
              <interval><duration>900</duration><start>{Ten}</start></interval>
              <DERControlBase><csipaus:opModImpLimW><multiplier>0</multiplier><value>5</value></csipaus:opModImpLimW></DERControlBase>
            </DERControl>
            """;

        var error = await SingleErrorAsync(xml);

        error.Item.ShouldBe(0);
        error.Message.ShouldStartWith("The XML document cannot be read (a DTD or an entity declaration is refused too): ");
        error.Message.ShouldContain("DTD");
        error.Message.ShouldNotContain("root:");
    }

    [Fact]
    public async Task ParseXml_EntityExpansionBomb_Refused()
    {
        const string xml = """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
            <DERControlList xmlns="urn:ieee:std:2030.5:ns">&lol3;</DERControlList>
            """;

        var error = await SingleErrorAsync(xml);

        error.Item.ShouldBe(0);
        error.Message.ShouldContain("DTD");
    }

    [Fact]
    public async Task ParseXml_NotWellFormed_RefusedWithTheLine()
    {
        var error = await SingleErrorAsync(List(Control(Power("opModImpLimW", 0, 5))).Replace("</DERControlBase>", "", StringComparison.Ordinal));

        error.Item.ShouldBe(0);
        error.Message.ShouldContain("Line 7");
    }

    [Fact]
    public async Task ParseXml_LargerThan8MiB_RefusedUnread()
    {
        using var stream = new MemoryStream(new byte[EnvelopeParser.MaxXmlBytes + 1]);

        var parsed = await EnvelopeParser.ParseXmlAsync("C1", stream, CancellationToken.None);

        parsed.Errors.ShouldHaveSingleItem().ShouldBe(new EnvelopeError(0, "The XML document is larger than 8 MiB."));
    }

    [Fact]
    public async Task ParseXml_RootOutsideTheIeeeNamespace_Refused()
    {
        var error = await SingleErrorAsync(List(Control(Power("opModImpLimW", 0, 5))).Replace("urn:ieee:std:2030.5:ns", "http://ieee.org/2030.5", StringComparison.Ordinal));

        error.Message.ShouldBe("The root element <DERControlList> is not in the IEEE 2030.5 namespace \"urn:ieee:std:2030.5:ns\" (it is in \"http://ieee.org/2030.5\").");
    }

    [Fact]
    public async Task ParseXml_OtherRootElement_Refused()
    {
        var error = await SingleErrorAsync("""<DERProgramList xmlns="urn:ieee:std:2030.5:ns" all="0" results="0"/>""");

        error.Message.ShouldBe("The root element is <DERProgramList>; send a DERControlList or a single DERControl.");
    }

    [Fact]
    public async Task ParseXml_OtherElementInTheList_Refused()
    {
        var error = await SingleErrorAsync($"{Head}<DERProgram/></DERControlList>");

        error.Message.ShouldBe("line 1: <DERProgram> in a DERControlList; a DERControlList holds only DERControl elements.");
    }
}
