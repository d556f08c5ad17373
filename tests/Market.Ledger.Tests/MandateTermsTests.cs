using System.Buffers.Binary;

namespace Market.Ledger.Tests;

public sealed class MandateTermsTests
{
    private static readonly long Y2026 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();

    private static readonly MandateTerms Terms = new(
        SideMask: 3, MaxEnergyWh: 2000, LowestSellPrice: 2400, HighestBuyPrice: 3000, ValidFromUnix: Y2026, ValidUntilUnix: Y2026 + (365 * 86_400),
        Days: 0x7F, Hours: 0xFFFFFF, Nonce: [.. Enumerable.Range(1, 16).Select(i => (byte)i)], TimeZone: "Europe/Berlin");

    [Fact]
    public void EncodeBody_Terms_Is63BytesAndTheZoneAndDecodesBack()
    {
        var body = Terms.EncodeBody();

        body.Length.ShouldBe(63 + "Europe/Berlin".Length);
        body[62].ShouldBe((byte)13);
        System.Text.Encoding.ASCII.GetString(body[63..]).ShouldBe("Europe/Berlin");
        MandateTerms.TryDecodeBody(body, out var decoded, out var error).ShouldBeTrue(error);
        decoded.ShouldBe(Terms);
    }

    [Fact]
    public void EncodeBody_Fields_AreAtTheirOffsetsBigEndian()
    {
        var body = Terms.EncodeBody();

        body[0].ShouldBe((byte)3);
        BinaryPrimitives.ReadInt64BigEndian(body.AsSpan(1)).ShouldBe(2000);
        BinaryPrimitives.ReadInt64BigEndian(body.AsSpan(9)).ShouldBe(2400);
        BinaryPrimitives.ReadInt64BigEndian(body.AsSpan(17)).ShouldBe(3000);
        BinaryPrimitives.ReadInt64BigEndian(body.AsSpan(25)).ShouldBe(Y2026);
        BinaryPrimitives.ReadInt64BigEndian(body.AsSpan(33)).ShouldBe(Y2026 + (365 * 86_400));
        body[41].ShouldBe((byte)0x7F);
        BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(42)).ShouldBe(0xFFFFFFu);
        body[46..62].ShouldBe(Terms.Nonce);
    }

    [Theory]
    [InlineData("UTC")]
    [InlineData("America/Argentina/Buenos_Aires")]
    [InlineData("Etc/GMT+5")]
    [InlineData("America/Port-au-Prince")]
    public void TryDecodeBody_KnownZones_AreAccepted(string zone)
    {
        var body = (Terms with { TimeZone = zone }).EncodeBody();

        MandateTerms.TryDecodeBody(body, out var decoded, out _).ShouldBeTrue();
        decoded!.TimeZone.ShouldBe(zone);
    }

    public static TheoryData<string, string> Refusals() => new()
    {
        { "side mask 0", "side mask" },
        { "side mask 4", "side mask" },
        { "energy 0", "most energy" },
        { "energy -1", "most energy" },
        { "until = from", "valid until" },
        { "until < from", "valid until" },
        { "days 0", "days" },
        { "days bit 7", "days" },
        { "hours 0", "hours" },
        { "hours bit 24", "hours" },
        { "hours bit 31", "hours" },
        { "zone empty", "63 bytes" },
        { "zone 65 characters", "1 … 64" },
        { "zone with a dot", "A-Z a-z" },
        { "zone with a space", "A-Z a-z" },
        { "zone not ASCII", "A-Z a-z" },
        { "zone unknown", "unknown time zone" },
        { "length byte too large", "63 bytes" },
        { "length byte too small", "63 bytes" },
        { "62 bytes", "63 bytes" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void TryDecodeBody_BrokenBody_IsRefused(string what, string message)
    {
        var body = Broken(what);

        var ok = MandateTerms.TryDecodeBody(body, out var terms, out var error);

        (ok, terms).ShouldBe((false, null));
        error.ShouldNotBeNull().ShouldContain(message);
    }

    [Fact]
    public void EncodeBody_InvalidTerms_Throws()
    {
        Should.Throw<InvalidOperationException>(() => (Terms with { SideMask = 0 }).EncodeBody());
        Should.Throw<InvalidOperationException>(() => (Terms with { TimeZone = "Mars/Olympus_Mons" }).EncodeBody());
        Should.Throw<InvalidOperationException>(() => (Terms with { Nonce = new byte[15] }).EncodeBody());
    }

    [Fact]
    public void Refuses_EachLimit_NamesItAndInsideAllIsNull()
    {
        var t = Terms with { SideMask = 2, Days = 1 << 3, Hours = 1u << 2 }; // sell, Thursdays, 02:00-02:59 Berlin
        var thursday0145Z = Y2026 + 6300; // 02:45 in Berlin

        t.Refuses(thursday0145Z, OrderSide.Sell, 2400).ShouldBeNull();
        t.Refuses(thursday0145Z, OrderSide.Buy, 2400).ShouldNotBeNull().ShouldContain("buying");
        t.Refuses(thursday0145Z, OrderSide.Sell, 2399).ShouldNotBeNull().ShouldContain("below");
        t.Refuses(thursday0145Z + 900, OrderSide.Sell, 2400).ShouldNotBeNull().ShouldContain("hour 3");
        t.Refuses(thursday0145Z + 86_400, OrderSide.Sell, 2400).ShouldNotBeNull().ShouldContain("Friday");
        (t with { ValidFromUnix = thursday0145Z + 1 }).Refuses(thursday0145Z, OrderSide.Sell, 2400).ShouldNotBeNull().ShouldContain("validity");
        (t with { ValidUntilUnix = thursday0145Z }).Refuses(thursday0145Z, OrderSide.Sell, 2400).ShouldNotBeNull().ShouldContain("validity");
        (t with { ValidUntilUnix = thursday0145Z + 1 }).Refuses(thursday0145Z, OrderSide.Sell, 2400).ShouldBeNull();
        (Terms with { SideMask = 1 }).Refuses(thursday0145Z, OrderSide.Buy, 3001).ShouldNotBeNull().ShouldContain("above");
        (Terms with { SideMask = 1 }).Refuses(thursday0145Z, OrderSide.Buy, 3000).ShouldBeNull();
        (Terms with { SideMask = 1 }).Refuses(thursday0145Z, OrderSide.Sell, 3000).ShouldNotBeNull().ShouldContain("selling");
    }

    [Theory]
    [InlineData("2026-03-29T00:45:00Z", 1)] // 01:45 CET, the last hour before the clocks go forward
    [InlineData("2026-03-29T01:00:00Z", 3)] // 03:00 CEST: 02:00-02:59 does not exist that night
    [InlineData("2026-03-29T01:45:00Z", 3)]
    [InlineData("2026-03-29T02:00:00Z", 4)]
    [InlineData("2026-10-25T00:00:00Z", 2)] // 02:00 CEST
    [InlineData("2026-10-25T00:45:00Z", 2)] // 02:45 CEST
    [InlineData("2026-10-25T01:00:00Z", 2)] // 02:00 CET, the hour again after the clocks go back
    [InlineData("2026-10-25T01:45:00Z", 2)] // 02:45 CET
    [InlineData("2026-10-25T02:00:00Z", 3)]
    [InlineData("2026-07-01T10:00:00Z", 12)] // summer: UTC + 2
    [InlineData("2026-01-01T10:00:00Z", 11)] // winter: UTC + 1
    public void Refuses_EuropeBerlinAcrossDaylightSaving_TheLocalHourCounts(string utc, int localHour)
    {
        var start = DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeSeconds();
        var onlyThatHour = Terms with { Hours = 1u << localHour };
        var allOthers = Terms with { Hours = 0xFFFFFFu & ~(1u << localHour) };

        onlyThatHour.Refuses(start, OrderSide.Sell, 2400).ShouldBeNull();
        allOthers.Refuses(start, OrderSide.Sell, 2400).ShouldNotBeNull().ShouldContain($"hour {localHour}:00");
    }

    [Fact]
    public void Refuses_SpringForwardNight_HourTwoNeverMatches()
    {
        var hourTwo = Terms with { Hours = 1u << 2 };
        var night = new DateTimeOffset(2026, 3, 28, 22, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();

        var allowed = Enumerable.Range(0, 4 * 8).Select(q => night + (q * 900)).Where(s => hourTwo.Refuses(s, OrderSide.Sell, 2400) is null).ToList();

        allowed.ShouldBeEmpty();
    }

    [Fact]
    public void Refuses_FallBackNight_HourTwoMatchesTwoHoursOfIntervals()
    {
        var hourTwo = Terms with { Hours = 1u << 2 };
        var night = new DateTimeOffset(2026, 10, 24, 22, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();

        var allowed = Enumerable.Range(0, 4 * 8).Select(q => night + (q * 900)).Where(s => hourTwo.Refuses(s, OrderSide.Sell, 2400) is null).ToList();

        allowed.Count.ShouldBe(8);
        allowed[0].ShouldBe(new DateTimeOffset(2026, 10, 25, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds());
    }

    [Fact]
    public void Refuses_DayInBerlinNotUtc_SaturdayNightIsSundayInBerlin()
    {
        var sundays = Terms with { Days = 1 << 6 };
        var saturdays = Terms with { Days = 1 << 5 };
        var saturday2330Z = new DateTimeOffset(2026, 3, 28, 23, 30, 0, TimeSpan.Zero).ToUnixTimeSeconds(); // Sunday 00:30 CET

        sundays.Refuses(saturday2330Z, OrderSide.Sell, 2400).ShouldBeNull();
        saturdays.Refuses(saturday2330Z, OrderSide.Sell, 2400).ShouldNotBeNull().ShouldContain("Sunday");
    }

    [Fact]
    public void Refuses_IntervalStartOutsideTheCalendar_IsRefusedNotThrown()
    {
        var always = Terms with { ValidFromUnix = long.MinValue, ValidUntilUnix = long.MaxValue };

        always.Refuses(long.MaxValue - 1, OrderSide.Sell, 2400).ShouldNotBeNull().ShouldContain("calendar");
        always.Refuses(long.MinValue, OrderSide.Sell, 2400).ShouldNotBeNull().ShouldContain("calendar");
    }

    private static byte[] Broken(string what)
    {
        var body = Terms.EncodeBody();
        void I64(int offset, long value) => BinaryPrimitives.WriteInt64BigEndian(body.AsSpan(offset), value);
        void U32(int offset, uint value) => BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(offset), value);
        byte[] WithZone(byte[] zone) => [.. body[..62], (byte)zone.Length, .. zone];
        switch (what)
        {
            case "side mask 0": body[0] = 0; break;
            case "side mask 4": body[0] = 4; break;
            case "energy 0": I64(1, 0); break;
            case "energy -1": I64(1, -1); break;
            case "until = from": I64(33, Y2026); break;
            case "until < from": I64(33, Y2026 - 1); break;
            case "days 0": body[41] = 0; break;
            case "days bit 7": body[41] = 0xFF; break;
            case "hours 0": U32(42, 0); break;
            case "hours bit 24": U32(42, 1u << 24); break;
            case "hours bit 31": U32(42, 0x80000001u); break;
            case "zone empty": return WithZone([]);
            case "zone 65 characters": return WithZone([.. Enumerable.Repeat((byte)'a', 65)]);
            case "zone with a dot": return WithZone("Europe/Berlin."u8.ToArray());
            case "zone with a space": return WithZone("Europe/ Berlin"u8.ToArray());
            case "zone not ASCII": return WithZone("Europe/Z\u00fcrich"u8.ToArray());
            case "zone unknown": return WithZone("Mars/Olympus_Mons"u8.ToArray());
            case "length byte too large": body[62] = 14; break;
            case "length byte too small": body[62] = 12; break;
            case "62 bytes": return body[..62];
            default: throw new ArgumentOutOfRangeException(nameof(what));
        }

        return body;
    }
}
