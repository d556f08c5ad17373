namespace Market.Ledger.Tests;

public sealed class EncodingTests
{
    private static readonly OrderLeaf Order = new(7, new PartyId(0x0102030405060708, 0x090a0b0c0d0e0f10), OrderSide.Sell, 1500, 2501,
        Convert.FromHexString("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"), new MandateOrder([.. Enumerable.Repeat((byte)0x33, 32)]));

    private static readonly TradeLeaf Trade = new(1, 1_767_229_200, 1_767_230_100, new PartyId(1, 2), new PartyId(3, 4), 12, 11, 1500, 2501, 3752);

    [Fact]
    public void OrderLeafEncode_KnownMandateOrder_GivesDocumentedBytes()
    {
        var expected = Convert.FromHexString("02" + "0000000000000007" + "0102030405060708090a0b0c0d0e0f10" + "02" + "00000000000005dc" + "00000000000009c5"
            + "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf" + "02" + string.Concat(Enumerable.Repeat("33", 32)));

        var bytes = Order.Encode();

        bytes.ShouldBe(expected);
    }

    [Fact]
    public void OrderLeafDecode_EncodedOrder_RoundTrips()
    {
        var bytes = Order.Encode();

        var decoded = OrderLeaf.Decode(bytes);

        decoded.ShouldBe(Order);
    }

    [Fact]
    public void OrderLeafDecode_SignedOrder_RoundTripsWithItsPath()
    {
        var signed = TestChain.Orders(0)[0];

        var decoded = OrderLeaf.Decode(signed.Encode());

        decoded.ShouldBe(signed);
        signed.Encode().Length.ShouldBe(163 + 0);
    }

    [Theory]
    [InlineData(58)]
    [InlineData(90)]
    [InlineData(92)]
    public void OrderLeafDecode_MandateTailOfWrongLength_Throws(int length)
    {
        var bytes = Order.Encode().Concat(new byte[2]).Take(length).ToArray();

        var error = Should.Throw<LedgerFormatException>(() => OrderLeaf.Decode(bytes));

        error.Message.ShouldStartWith("order leaf: ");
    }

    [Fact]
    public void OrderLeafDecode_SignedTailWithAPathOfTheWrongLength_Throws()
    {
        var signature = new HouseholdSignature(new byte[32], new byte[64], 8, 3, [new byte[32], new byte[32], new byte[32]]);
        var bytes = (Order with { Authorization = new SignedOrder(signature) }).Encode();

        var ok = OrderLeaf.TryDecode(bytes.AsSpan(0, bytes.Length - 32), out _, out var error);

        ok.ShouldBeFalse();
        error.ShouldBe("order leaf: signed authorisation: the path of index 3 in 8 is 3 nodes, got 64 bytes");
    }

    [Fact]
    public void OrderLeafDecode_UnknownAuthorisation_Throws()
    {
        var bytes = Order.Encode();
        bytes[58] = 3;

        var error = Should.Throw<LedgerFormatException>(() => OrderLeaf.Decode(bytes));

        error.Message.ShouldBe("order leaf: authorisation: unknown kind 3 (1 signed, 2 mandate)");
    }

    [Fact]
    public void OrderLeafDecode_Version1_ThrowsUnsupportedVersion()
    {
        var bytes = Order.Encode();
        bytes[0] = 1;

        var error = Should.Throw<LedgerFormatException>(() => OrderLeaf.Decode(bytes));

        error.Message.ShouldBe("order leaf: unsupported version 1 (expected 2)");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void OrderLeafDecode_UnknownSide_Throws(byte side)
    {
        var bytes = Order.Encode();
        bytes[25] = side;

        var error = Should.Throw<LedgerFormatException>(() => OrderLeaf.Decode(bytes));

        error.Message.ShouldContain("side must be 1 (buy) or 2 (sell)");
    }

    [Fact]
    public void OrderLeafDecode_SequenceWithTopBitSet_Throws()
    {
        var bytes = Order.Encode();
        bytes[1] = 0x80;

        var ok = OrderLeaf.TryDecode(bytes, out _, out var error);

        (ok, error).ShouldBe((false, "order leaf: sequence beyond 2^63-1"));
    }

    [Fact]
    public void TradeLeafEncode_KnownTrade_GivesDocumentedBytes()
    {
        var expected = Convert.FromHexString(
            "01" + "0000000000000001" + "000000006955c710" + "000000006955ca94"
            + "00000000000000010000000000000002" + "00000000000000030000000000000004"
            + "000000000000000c" + "000000000000000b" + "00000000000005dc" + "00000000000009c5" + "0000000000000ea8");

        var bytes = Trade.Encode();

        bytes.ShouldBe(expected);
    }

    [Fact]
    public void TradeLeafDecode_EncodedTrade_RoundTrips()
    {
        var bytes = Trade.Encode();

        var decoded = TradeLeaf.Decode(bytes);

        decoded.ShouldBe(Trade);
    }

    [Fact]
    public void TradeLeafDecode_WrongLengthOrVersion_ThrowsClearErrors()
    {
        var shorter = Trade.Encode()[..96];
        var versioned = Trade.Encode();
        versioned[0] = 0;

        var errors = (Should.Throw<LedgerFormatException>(() => TradeLeaf.Decode(shorter)).Message,
            Should.Throw<LedgerFormatException>(() => TradeLeaf.Decode(versioned)).Message);

        errors.ShouldBe(("trade leaf: expected 97 bytes, got 96", "trade leaf: unsupported version 0 (expected 1)"));
    }

    [Fact]
    public void TradeLeafCreate_Fill_ComputesAmountHalfUp()
    {
        var fill = new TradeFill(new PartyId(1, 2), new PartyId(3, 4), 12, 11, 1500, 2501);

        var trade = TradeLeaf.Create(1, 1_767_229_200, 1_767_230_100, fill);

        trade.ShouldBe(Trade);
    }

    [Fact]
    public void KeyRecord_EncodeDecode_RoundTripsAndIs34Bytes()
    {
        var record = new KeyRecord(KeyAction.Retire, TestChain.KeyA.PublicKey);

        var bytes = record.Encode();

        bytes.Length.ShouldBe(34);
        bytes[0].ShouldBe((byte)2);
        KeyRecord.Decode(bytes).ShouldBe(record);
    }

    [Fact]
    public void KeyRecordDecode_NotAPoint_Throws()
    {
        var bytes = new KeyRecord(KeyAction.Introduce, TestChain.KeyA.PublicKey).Encode();
        bytes[1] = 0x04;

        var error = Should.Throw<LedgerFormatException>(() => KeyRecord.Decode(bytes));

        error.Message.ShouldBe("key record: not a compressed secp256k1 public key");
    }

    [Fact]
    public void KeyRecordDecode_UnknownAction_Throws()
    {
        var bytes = new KeyRecord(KeyAction.Introduce, TestChain.KeyA.PublicKey).Encode();
        bytes[0] = 3;

        var error = Should.Throw<LedgerFormatException>(() => KeyRecord.Decode(bytes));

        error.Message.ShouldBe("key record: action must be 1 (introduce) or 2 (retire), got 3");
    }

    [Fact]
    public void RulesRecordEncode_KnownRules_GivesDocumentedBytes()
    {
        var rules = new RulesRecord(1, 1, 900, 300, 0, 10_000, 1_767_229_200);

        var bytes = rules.Encode();

        bytes.ShouldBe(Convert.FromHexString("01" + "0001" + "01" + "00000384" + "0000012c" + "0000000000000000" + "0000000000002710" + "000000006955c710"));
        RulesRecord.Decode(bytes).ShouldBe(rules);
    }

    [Theory]
    [InlineData(0, 1, 900, 300, 0, 10, 0, "rules version must be in 1..65535")]
    [InlineData(1, 0, 900, 300, 0, 10, 0, "mechanism must not be 0")]
    [InlineData(1, 1, 0, 300, 0, 10, 0, "interval length must be positive")]
    [InlineData(1, 1, 900, 300, -1, 10, 0, "price floor must not be negative")]
    [InlineData(1, 1, 900, 300, 20, 10, 0, "price ceiling must not be below the floor")]
    [InlineData(1, 1, 900, 300, 0, 10, 60, "effective-from must be aligned to the interval length")]
    public void RulesRecordValidate_InvalidValue_SaysWhat(int version, byte mechanism, int length, int lead, long floor, long ceiling, long from, string message)
    {
        var rules = new RulesRecord(version, mechanism, length, lead, floor, ceiling, from);

        var ok = rules.Validate(out var error);

        (ok, error).ShouldBe((false, message));
    }

    [Fact]
    public void BlockHeaderEncode_Always_Is170BytesAndRoundTrips()
    {
        var header = TestChain.Valid.Blocks[6].Header;

        var bytes = header.Encode();

        bytes.Length.ShouldBe(BlockHeader.Size);
        BlockHeader.Decode(bytes).ShouldBe(header);
        BlockHeader.Hash(bytes).ShouldBe(header.Hash());
    }

    [Fact]
    public void BlockHeaderEncode_KnownHeader_PlacesFieldsAtDocumentedOffsets()
    {
        var header = new BlockHeader
        {
            Kind = BlockKind.Clearing,
            Height = 5,
            PreviousHash = Filled(0xAA),
            PayloadRoot = Filled(0xBB),
            LeafCount = 3,
            IntervalStart = 1_767_229_200,
            IntervalEnd = 1_767_230_100,
            SealedAtUnixMs = 1_767_228_901_000,
            KeyId = Filled(0xCC),
            Reference = Filled(0xDD),
            Mechanism = 1,
            RulesVersion = 1,
        };

        var bytes = header.Encode();

        Convert.ToHexStringLower(bytes).ShouldBe(
            "0001" + "03" + "0000000000000005" + new string('a', 64) + new string('b', 64) + "00000003"
            + "000000006955c710" + "000000006955ca94" + "0000019b770d0688" + new string('c', 64) + new string('d', 64)
            + "01" + "0001");
    }

    [Fact]
    public void BlockHeaderDecode_WrongLengthVersionOrKind_FailsWithClearErrors()
    {
        var bytes = TestChain.Valid.Blocks[6].HeaderBytes;
        var version2 = (byte[])bytes.Clone();
        version2[1] = 2;
        var kind0 = (byte[])bytes.Clone();
        kind0[2] = 0;

        var errors = new[] { bytes[..169], version2, kind0 }
            .Select(b => Should.Throw<LedgerFormatException>(() => BlockHeader.Decode(b)).Message).ToList();

        errors.ShouldBe(["block header: expected 170 bytes, got 169", "block header: unsupported version 2 (expected 1)", "block header: unknown kind 0"]);
    }

    [Fact]
    public void PartyIdToString_Always_Is32LowerCaseHexDigits()
    {
        var id = new PartyId(0x0102030405060708, 0x090A0B0C0D0E0F10);

        var text = id.ToString();

        text.ShouldBe("0102030405060708090a0b0c0d0e0f10");
        PartyId.Parse(text.ToUpperInvariant()).ShouldBe(id);
        PartyId.FromBytes(id.ToByteArray()).ShouldBe(id);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0102")]
    [InlineData("zz02030405060708090a0b0c0d0e0f10")]
    public void PartyIdTryParse_NotThirtyTwoHexDigits_Fails(string text)
    {
        var ok = PartyId.TryParse(text, out _);

        ok.ShouldBeFalse();
    }

    [Fact]
    public void PartyIdPseudonymise_SameSecretAndAccount_IsStableAndSecretDependent()
    {
        var a = PartyId.Pseudonymise([1, 2, 3], "account-42");

        var again = PartyId.Pseudonymise([1, 2, 3], "account-42");
        var otherSecret = PartyId.Pseudonymise([1, 2, 4], "account-42");

        (a == again, a == otherSecret).ShouldBe((true, false));
    }

    private static byte[] Filled(byte value) => Enumerable.Repeat(value, 32).ToArray();
}
