using System.Security.Cryptography;

namespace Market.Ledger.Tests;

public sealed class HouseholdRecordTests
{
    private static readonly PartyId Household = new(0xD2, 1);
    private static readonly TestHouseholdKey P256 = new(Household);
    private static readonly TestHouseholdKey Ed = TestHouseholdKey.Ed25519(Household);
    private static readonly byte[] LedgerId = SHA256.HashData("ledger"u8);
    private static readonly MandateTerms Mandate = new(1, 500, 0, 3000, 1_767_225_600, 1_767_225_600 + 86_400, 0x7F, 0xFFFFFF, new byte[16], "UTC");

    public static TheoryData<string> Kinds() => ["enrol P-256", "enrol Ed25519", "key revocation", "mandate", "mandate revocation", "cancellation"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Encode_EveryType_DecodesBackAndItsStatementIsSigned(string kind)
    {
        var record = Record(kind);

        var bytes = record.Encode();

        bytes[0].ShouldBe((byte)1);
        bytes.Length.ShouldBe(26 + record.Body.Length + 105);
        HouseholdRecord.Decode(bytes).ShouldBe(record);
        var statement = record.StatementBytes(LedgerId);
        statement.ShouldBe([.. "MarketStatement"u8, 1, .. LedgerId, .. HouseholdBytes(), (byte)record.Type, .. record.Body]);
        record.Signature.Verify(P256.Key, record.StatementHash(LedgerId)).ShouldBeTrue();
    }

    [Fact]
    public void BodyLengths_AreThoseOfTheFormat()
    {
        (Record("enrol P-256").Body.Length, Record("enrol Ed25519").Body.Length, Record("mandate").Body.Length, Record("cancellation").Body.Length)
            .ShouldBe((67, 34, 63 + 3, 32));
    }

    public static TheoryData<string, string> Broken() => new()
    {
        { "26 bytes", "at least 27" },
        { "version 2", "unsupported version 2" },
        { "negative sequence", "sequence" },
        { "zero household", "zero household" },
        { "type 0", "unknown statement type 0" },
        { "type 6 (order)", "unknown statement type 6" },
        { "type 7", "unknown statement type 7" },
        { "unknown role", "unknown role 4" },
        { "unknown algorithm", "does not fit" },
        { "key off the curve", "not a point on the curve" },
        { "mandate with side mask 0", "side mask" },
        { "mandate zone length beyond the record", "does not fit" },
        { "no tail", "does not fit" },
        { "mandate tail", "at least 105" },
        { "tail one byte long", "nodes" },
        { "tail one byte short", "at least 105" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void TryDecode_Broken_IsRefused(string what, string message)
    {
        var enrolment = Record("enrol P-256").Encode();
        var mandate = Record("mandate").Encode();
        var cancellation = Record("cancellation").Encode();
        byte[] bad = what switch
        {
            "26 bytes" => enrolment[..26],
            "version 2" => Set(enrolment, 0, 2),
            "negative sequence" => Set(enrolment, 1, 0x80),
            "zero household" => [.. enrolment[..9], .. new byte[16], .. enrolment[25..]],
            "type 0" => Set(cancellation, 25, 0),
            "type 6 (order)" => Set(cancellation, 25, 6),
            "type 7" => Set(cancellation, 25, 7),
            "unknown role" => Set(enrolment, 26, 4),
            "unknown algorithm" => Set(enrolment, 27, 3),
            "key off the curve" => Set(enrolment, 26 + 2 + 64, (byte)(enrolment[26 + 2 + 64] ^ 1)),
            "mandate with side mask 0" => Set(mandate, 26, 0),
            "mandate zone length beyond the record" => Set(mandate, 26 + 62, 200),
            "no tail" => cancellation[..(26 + 32)],
            "mandate tail" => [.. cancellation[..(26 + 32)], 2, .. new byte[32]],
            "tail one byte long" => [.. cancellation, 0],
            _ => cancellation[..^1],
        };

        HouseholdRecord.TryDecode(bad, out var record, out var error).ShouldBeFalse();
        record.ShouldBeNull();
        error.ShouldNotBeNull().ShouldContain(message);
        Should.Throw<LedgerFormatException>(() => HouseholdRecord.Decode(bad));
    }

    [Fact]
    public void Encode_RecordADecoderRefuses_Throws()
    {
        var record = Record("cancellation");

        Should.Throw<InvalidOperationException>(() => (record with { Type = StatementType.Order }).Encode());
        Should.Throw<InvalidOperationException>(() => (record with { Household = default }).Encode());
        Should.Throw<InvalidOperationException>(() => (record with { Body = new byte[31] }).Encode());
    }

    private static HouseholdRecord Record(string kind)
    {
        var (type, body) = kind switch
        {
            "enrol P-256" => (StatementType.KeyEnrolment, Statement.KeyEnrolmentBody(HouseholdKeyRole.Device, P256.Key)),
            "enrol Ed25519" => (StatementType.KeyEnrolment, Statement.KeyEnrolmentBody(HouseholdKeyRole.Agent, Ed.Key)),
            "key revocation" => (StatementType.KeyRevocation, Statement.HashBody(Ed.KeyId)),
            "mandate" => (StatementType.Mandate, Mandate.EncodeBody()),
            "mandate revocation" => (StatementType.MandateRevocation, Statement.HashBody(SHA256.HashData("m"u8))),
            _ => (StatementType.Cancellation, Statement.HashBody(SHA256.HashData("o"u8))),
        };
        return HouseholdKeys.Record(LedgerId, 42, Household, type, body, P256);
    }

    private static byte[] HouseholdBytes()
    {
        var bytes = new byte[16];
        Household.WriteTo(bytes);
        return bytes;
    }

    private static byte[] Set(byte[] bytes, int offset, byte value)
    {
        var copy = (byte[])bytes.Clone();
        copy[offset] = value;
        return copy;
    }
}
