using System.Text;
using System.Text.Json;
using Market.Web.Api;
using Market.Web.Grid;
using static Market.Web.Tests.Grid.GridSamples;

namespace Market.Web.Tests.Grid;

/// <summary>
/// Reading envelopes from the operator's JSON, item by item and numbered from 1: straight from the bytes
/// (<see cref="EnvelopeParser.ParseJson"/>) and from an upload the API's JSON options read
/// (<see cref="EnvelopeParser.Check"/>), which must agree.
/// </summary>
[Trait("Database", "Independent")]
public sealed class EnvelopeParserTests
{
    private const string Good = """{"node":"C1","start":"2026-06-15T10:00:00Z","end":"2026-06-15T10:15:00Z","importLimitW":5000}""";

    /// <summary>The items (JSON, comma-separated) read both ways; both must give the same envelopes and errors.</summary>
    private static ParsedEnvelopes ParseBothWays(string items)
    {
        var json = $$"""{"envelopes":[{{items}}]}""";

        var direct = EnvelopeParser.ParseJson(Encoding.UTF8.GetBytes(json));
        var viaApi = EnvelopeParser.Check(JsonSerializer.Deserialize<EnvelopeUpload>(json, ApiInput.Json)!);

        direct.Envelopes.ShouldBe(viaApi.Envelopes);
        direct.Errors.ShouldBe(viaApi.Errors);
        return direct;
    }

    private static EnvelopeError SingleError(string items)
    {
        var parsed = ParseBothWays(items);

        parsed.Succeeded.ShouldBeFalse();
        return parsed.Errors.ShouldHaveSingleItem();
    }

    private static ParsedEnvelopes ParseJson(string json) => EnvelopeParser.ParseJson(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void ParseJson_EnvelopeOfTheOperator_EveryMember()
    {
        var parsed = ParseBothWays("""{"node":"C17","start":"2026-06-15T10:00:00Z","end":"2026-06-15T10:15:00Z","importLimitW":5000,"exportLimitW":2400,"event":"DOE-2026-06-15-0042"}""");

        parsed.Errors.ShouldBeEmpty();
        parsed.Envelopes.ShouldHaveSingleItem().ShouldBe(new Envelope("C17", TenAm, TenAm.AddMinutes(15), 5000, 2400, "DOE-2026-06-15-0042"));
    }

    [Fact]
    public void ParseJson_OnlyAnExportLimitAndNoEvent_Accepted()
    {
        var parsed = ParseBothWays("""{"node":"F1","start":"2026-06-15T10:00:00Z","end":"2026-06-15T11:00:00Z","exportLimitW":80000,"event":null}""");

        parsed.Envelopes.ShouldHaveSingleItem().ShouldBe(new Envelope("F1", TenAm, TenAm.AddHours(1), null, 80_000, null));
    }

    [Fact]
    public void ParseJson_MemberNamesInOtherCaseAndEscapedStrings_Accepted()
    {
        var parsed = ParseBothWays("""{"NODE":"C\u0031","Start":"2026-06-15T10:00:00Z","END":"2026-06-15T10:15:00Z","ImportLimitW":5000,"\u0065vent":"E"}""");

        parsed.Envelopes.ShouldHaveSingleItem().ShouldBe(new Envelope("C1", TenAm, TenAm.AddMinutes(15), 5000, null, "E"));
    }

    [Fact]
    public void ParseJson_NeitherLimit_Refused()
    {
        var error = SingleError("""{"node":"C1","start":"2026-06-15T10:00:00Z","end":"2026-06-15T10:15:00Z"}""");

        error.ShouldBe(new EnvelopeError(1, "item 1: neither importLimitW nor exportLimitW is given; an envelope limits import, export or both."));
    }

    [Theory]
    [InlineData("""{"start":"2026-06-15T10:00:00Z","end":"2026-06-15T10:15:00Z","importLimitW":1}""")]
    [InlineData("""{"node":"","start":"2026-06-15T10:00:00Z","end":"2026-06-15T10:15:00Z","importLimitW":1}""")]
    [InlineData("""{"node":"C1","start":null,"end":"2026-06-15T10:15:00Z","importLimitW":1}""")]
    [InlineData("""{"node":"C1","start":"2026-06-15T10:00:00Z","importLimitW":1}""")]
    public void ParseJson_NodeStartOrEndMissing_Refused(string item)
    {
        var error = SingleError(item);

        error.Message.ShouldBe("item 1: node, start and end are required.");
    }

    [Theory]
    [InlineData("2026-06-15T12:00:00+02:00")]
    [InlineData("2026-06-15T10:00:00")]
    [InlineData("2026-02-30T10:00:00Z")]
    [InlineData("2026-06-15T24:00:00Z")]
    [InlineData("tomorrow")]
    public void ParseJson_StartNotAUtcTime_Refused(string start)
    {
        var error = SingleError($$"""{"node":"C1","start":"{{start}}","end":"2026-06-15T10:15:00Z","importLimitW":1}""");

        error.Message.ShouldBe($"item 1: start \"{start}\" is not an ISO 8601 UTC time (e.g. 2026-06-15T10:00:00Z).");
    }

    [Fact]
    public void ParseJson_EndNotAUtcTime_Refused()
    {
        var error = SingleError("""{"node":"C1","start":"2026-06-15T10:00:00Z","end":"2026-06-15 10:15","importLimitW":1}""");

        error.Message.ShouldBe("item 1: end \"2026-06-15 10:15\" is not an ISO 8601 UTC time (e.g. 2026-06-15T10:15:00Z).");
    }

    [Theory]
    [InlineData("2026-06-15T10:00:00Z")]
    [InlineData("2026-06-15T10:00:00+00:00")]
    [InlineData("2026-06-15T10:00:00.000Z")]
    [InlineData("2026-06-15T10:00Z")]
    public void ParseJson_UtcTimeInAnyIsoForm_SameInstant(string start)
    {
        var parsed = ParseBothWays($$"""{"node":"C1","start":"{{start}}","end":"2026-06-15T10:15:00Z","importLimitW":1}""");

        parsed.Envelopes.ShouldHaveSingleItem().Start.ShouldBe(TenAm);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65)]
    [InlineData(300)]
    public void ParseJson_EventOutsideOneTo64Characters_Refused(int length)
    {
        var error = SingleError($$"""{"node":"C1","start":"2026-06-15T10:00:00Z","end":"2026-06-15T10:15:00Z","importLimitW":1,"event":"{{new string('E', length)}}"}""");

        error.Message.ShouldBe("item 1: event must be 1 to 64 characters (or absent).");
    }

    [Fact]
    public void ParseJson_NullItem_Refused()
    {
        var error = SingleError($"{Good},null");

        error.ShouldBe(new EnvelopeError(2, "item 2: not an object."));
    }

    [Fact]
    public void ParseJson_SeveralBadItems_EveryOneReportedAndTheGoodOnesParsed()
    {
        var parsed = ParseBothWays($$"""{{Good}},{"node":"C2","start":"soon","end":"2026-06-15T10:15:00Z","importLimitW":1},{"node":"C3","start":"2026-06-15T10:00:00Z","end":"2026-06-15T10:15:00Z"}""");

        parsed.Errors.Select(e => e.Item).ShouldBe([2, 3]);
        parsed.Envelopes.ShouldHaveSingleItem().NodeId.ShouldBe("C1");
    }

    [Fact]
    public void ParseJson_ItemsSharingStrings_SameValues()
    {
        var parsed = ParseBothWays($"{Good},{Good.Replace("C1", "C2", StringComparison.Ordinal)},{Good}");

        parsed.Envelopes.Select(e => e.NodeId).ShouldBe(["C1", "C2", "C1"]);
        parsed.Envelopes.ShouldAllBe(e => e.Start == TenAm && e.End == TenAm.AddMinutes(15));
    }

    [Theory]
    [InlineData("""{"node":"C1","start":"2026-06-15T10:00:00Z","end":"2026-06-15T10:15:00Z","importLimitW":1,"priority":2}""", "item 1: unknown member \"priority\".")]
    [InlineData("""{"node":"C1","Node":"C2","start":"2026-06-15T10:00:00Z","end":"2026-06-15T10:15:00Z","importLimitW":1}""", "item 1: node appears twice.")]
    [InlineData("""{"node":"C1","start":"2026-06-15T10:00:00Z","end":"2026-06-15T10:15:00Z","importLimitW":"5000"}""", "item 1: importLimitW must be a whole number of watts.")]
    [InlineData("""{"node":"C1","start":"2026-06-15T10:00:00Z","end":"2026-06-15T10:15:00Z","exportLimitW":12.5}""", "item 1: exportLimitW must be a whole number of watts.")]
    [InlineData("""{"node":"C1","start":"2026-06-15T10:00:00Z","end":"2026-06-15T10:15:00Z","exportLimitW":1e30}""", "item 1: exportLimitW must be a whole number of watts.")]
    [InlineData("""{"node":17,"start":"2026-06-15T10:00:00Z","end":"2026-06-15T10:15:00Z","importLimitW":1}""", "item 1: node must be a string.")]
    [InlineData("""{"node":"C1","start":{"at":1},"end":"2026-06-15T10:15:00Z","importLimitW":1}""", "item 1: start must be a string.")]
    [InlineData("""[1,2]""", "item 1: not an object.")]
    [InlineData("""17""", "item 1: not an object.")]
    public void ParseJson_ItemTheApiWouldNotRead_OnlyThatItemRefused(string item, string message)
    {
        var parsed = ParseJson($$"""{"envelopes":[{{item}},{{Good}}]}""");

        parsed.Errors.ShouldHaveSingleItem().ShouldBe(new EnvelopeError(1, message));
        parsed.Envelopes.ShouldHaveSingleItem().NodeId.ShouldBe("C1");
    }

    [Theory]
    [InlineData("""{"envelopes":[""")]
    [InlineData("""{"envelopes":[]} x""")]
    [InlineData("""{"envelopes":[] /* note */}""")]
    [InlineData("""{"envelopes":[],}""")]
    public void ParseJson_NotValidJson_OneErrorAtItemZero(string json)
    {
        var parsed = ParseJson(json);

        parsed.Envelopes.ShouldBeEmpty();
        parsed.Errors.ShouldHaveSingleItem().Item.ShouldBe(0);
        parsed.Errors[0].Message.ShouldStartWith("The body is not valid JSON: ");
    }

    [Theory]
    [InlineData("""[]""")]
    [InlineData("""{}""")]
    [InlineData("""{"envelopes":null}""")]
    [InlineData("""{"envelopes":{}}""")]
    [InlineData("""null""")]
    public void ParseJson_NotAnUpload_OneErrorAtItemZero(string json)
    {
        var parsed = ParseJson(json);

        parsed.Errors.ShouldHaveSingleItem().ShouldBe(new EnvelopeError(0, "The body must be an object with an \"envelopes\" array."));
    }

    [Fact]
    public void ParseJson_UnknownMemberOfTheBody_OneErrorAtItemZero()
    {
        var parsed = ParseJson("""{"envelopes":[],"network":"west"}""");

        parsed.Errors.ShouldHaveSingleItem().ShouldBe(new EnvelopeError(0, "The body has an unknown member \"network\"; it holds only \"envelopes\"."));
    }

    [Fact]
    public void ParseJson_EnvelopesTwice_OneErrorAtItemZero()
    {
        var parsed = ParseJson("""{"envelopes":[],"Envelopes":[]}""");

        parsed.Errors.ShouldHaveSingleItem().ShouldBe(new EnvelopeError(0, "The body has \"envelopes\" twice."));
    }

    [Fact]
    public void ParseJson_MoreThanTwoMillionItems_OneErrorAtItemZero()
    {
        var json = $$"""{"envelopes":[{{string.Concat(Enumerable.Repeat("1,", EnvelopeValidator.MaxItems))}}1]}""";

        var parsed = ParseJson(json);

        parsed.Errors.ShouldHaveSingleItem().ShouldBe(new EnvelopeError(0, "The upload holds more than 2,000,000 envelopes; send it in parts."));
    }

    [Fact]
    public void ParseJson_EmptyArray_NoEnvelopesNoErrors()
    {
        var parsed = ParseJson("""{"envelopes":[]}""");

        parsed.Succeeded.ShouldBeTrue();
        parsed.Envelopes.ShouldBeEmpty();
    }

    [Fact]
    public void Check_NoEnvelopesArray_OneErrorAtItemZero()
    {
        var parsed = EnvelopeParser.Check(new EnvelopeUpload(null));

        parsed.Errors.ShouldHaveSingleItem().ShouldBe(new EnvelopeError(0, "The body must be an object with an \"envelopes\" array."));
    }

    [Fact]
    public void Check_MoreThanTwoMillionItems_OneErrorAtItemZero()
    {
        var parsed = EnvelopeParser.Check(new EnvelopeUpload(new EnvelopeUploadItem?[EnvelopeValidator.MaxItems + 1]));

        parsed.Errors.ShouldHaveSingleItem().ShouldBe(new EnvelopeError(0, "The upload holds 2,000,001 envelopes, more than 2,000,000; send it in parts."));
    }
}
