using static Market.Ledger.Tests.HouseholdChain;

namespace Market.Ledger.Tests;

/// <summary>The household checks of the chain verifier (docs/ledger-format.md §8) beyond the shared tamper cases.</summary>
public sealed class HouseholdVerificationTests
{
    private const int Households = 40;
    private const int OrdersPerHousehold = 13;

    private static readonly Lazy<(List<LedgerBlock> Prefix, OrderLeaf[] Orders)> ManySubmissions = new(BuildManySubmissions);

    [Fact]
    public void Verify_HouseholdChain_IsValid()
    {
        var result = ChainVerifier.Verify(Blocks, HouseholdChain.Checkpoint, new FakeReplayer());

        result.IsValid.ShouldBeTrue(result.Failure?.ToString());
        (result.BlockCount, result.TradeCount).ShouldBe((10, 5));
    }

    [Fact]
    public void Verify_AnotherHouseholdCancelsAnOrder_TheOrderStaysValidInItsBook()
    {
        var y = Book2()[0].StatementHash(LedgerId, Start2, Start2 + Length);
        var (blocks, checkpoint) = Build(blockB: [.. BlockB(), HouseholdKeys.Record(LedgerId, 9, H2, StatementType.Cancellation, Statement.HashBody(y), E2)]);

        var result = ChainVerifier.Verify(blocks, checkpoint, new FakeReplayer());

        result.IsValid.ShouldBeTrue(result.Failure?.ToString());
    }

    [Fact]
    public void Verify_OwnerCancelsAfterAnotherHouseholdCancelledTheSameHash_OrderInALaterBookIsCancelledOrderInBook()
    {
        var (blocks, checkpoint) = Build(
            blockA: [.. BlockA(), HouseholdKeys.Record(LedgerId, 6, H2, StatementType.Cancellation, Statement.HashBody(XHash), E2)],
            books: (i, orders) => i == 2 ? [.. orders, YAndX()[1]] : orders);

        var failure = ChainVerifier.Verify(blocks, checkpoint, new FakeReplayer()).Failure;

        (failure?.Reason, failure?.Height, failure?.LeafIndex).ShouldBe((VerificationFailureReason.CancelledOrderInBook, 8L, 2));
    }

    [Fact]
    public void Verify_OwnerCancelsBeforeAnotherHouseholdCancelsTheSameHash_OrderInALaterBookIsCancelledOrderInBook()
    {
        var (blocks, checkpoint) = Build(
            blockB: [.. BlockB(), HouseholdKeys.Record(LedgerId, 9, H2, StatementType.Cancellation, Statement.HashBody(XHash), E2)],
            books: (i, orders) => i == 2 ? [.. orders, YAndX()[1]] : orders);

        var failure = ChainVerifier.Verify(blocks, checkpoint, new FakeReplayer()).Failure;

        (failure?.Reason, failure?.Height, failure?.LeafIndex).ShouldBe((VerificationFailureReason.CancelledOrderInBook, 8L, 2));
    }

    [Fact]
    public void Verify_OnlyAnotherHouseholdCancelledTheHash_OrderInALaterBookIsValid()
    {
        var (blocks, checkpoint) = Build(
            blockA: [.. BlockA(), HouseholdKeys.Record(LedgerId, 6, H2, StatementType.Cancellation, Statement.HashBody(XHash), E2)],
            blockB: [.. BlockB().Where(r => r.Type != StatementType.Cancellation)],
            books: (i, orders) => i == 2 ? [.. orders, YAndX()[1]] : orders);

        var result = ChainVerifier.Verify(blocks, checkpoint, new FakeReplayer());

        result.IsValid.ShouldBeTrue(result.Failure?.ToString());
    }

    [Fact]
    public void Append_ManyDistinctSubmissionsAllValid_AcceptsTheBook()
    {
        var failure = AppendBook(ManySubmissions.Value.Orders);

        failure.ShouldBeNull();
    }

    [Theory]
    [InlineData(new[] { 517 }, 517)]
    [InlineData(new[] { 300, 17 }, 17)]
    [InlineData(new[] { 9, 10, 11, 500 }, 9)]
    [InlineData(new[] { 0, 519 }, 0)]
    public void Append_ManyDistinctSubmissionsSomeSignaturesBad_ReportsTheFirstBadLeafInLeafOrder(int[] bad, int expected)
    {
        var orders = ManySubmissions.Value.Orders.Select((o, i) => bad.Contains(i) ? WithBadSignature(o) : o).ToArray();

        var failure = AppendBook(orders);

        (failure?.Reason, failure?.LeafIndex).ShouldBe((VerificationFailureReason.HouseholdSignatureInvalid, expected));
    }

    [Fact]
    public void Append_BadSignatureAfterAReplayedNonce_ReportsTheReplayedNonce()
    {
        var orders = ManySubmissions.Value.Orders.ToArray();
        orders[450] = WithBadSignature(orders[450]);
        orders[200] = Resigned(orders[200] with { Nonce = orders[200 - Households].Nonce });

        var failure = AppendBook(orders);

        (failure?.Reason, failure?.LeafIndex).ShouldBe((VerificationFailureReason.OrderReplayed, 200));
    }

    [Fact]
    public void Append_BadSignatureBeforeAReplayedNonceAndABadPrice_ReportsTheBadSignature()
    {
        var orders = ManySubmissions.Value.Orders.ToArray();
        orders[120] = WithBadSignature(orders[120]);
        orders[200] = Resigned(orders[200] with { Nonce = orders[200 - Households].Nonce });
        orders[300] = orders[300] with { LimitPrice = 10_001 };

        var failure = AppendBook(orders);

        (failure?.Reason, failure?.LeafIndex).ShouldBe((VerificationFailureReason.HouseholdSignatureInvalid, 120));
    }

    [Fact]
    public void Append_BadPriceBeforeABadSignature_ReportsTheBadPrice()
    {
        var orders = ManySubmissions.Value.Orders.ToArray();
        orders[100] = orders[100] with { LimitPrice = 10_001 };
        orders[300] = WithBadSignature(orders[300]);

        var failure = AppendBook(orders);

        (failure?.Reason, failure?.LeafIndex).ShouldBe((VerificationFailureReason.PriceOutOfBounds, 100));
    }

    /// <summary>Genesis, rules and a household block enrolling 40 households of TestChain's ledger; a book of 520
    /// orders for its first interval, every order its own submission (520 distinct signatures).</summary>
    private static (List<LedgerBlock> Prefix, OrderLeaf[] Orders) BuildManySubmissions()
    {
        var genesis = BlockSealer.SealGenesis(TestChain.KeyA, TestChain.Genesis);
        var rules = BlockSealer.SealRules(genesis.NextTip, TestChain.KeyA, TestChain.Rules, TestChain.Genesis.AddSeconds(1));
        var parties = Enumerable.Range(1, Households).Select(p => new PartyId(0xC0, (ulong)p)).ToList();
        var households = HouseholdKeys.SealEnrolments(rules.NextTip, TestChain.KeyA, TestChain.LedgerId, parties, TestChain.Genesis.AddSeconds(2));
        var orders = Enumerable.Range(0, Households * OrdersPerHousehold)
            .Select(i => HouseholdKeys.Order(i + 1, parties[i % Households], i % 2 == 0 ? OrderSide.Buy : OrderSide.Sell, 100 + i, 1000 + (i * 7)))
            .ToList();
        var start = TestChain.FirstIntervalStart;
        return ([genesis, rules, households], HouseholdKeys.SignBook(TestChain.LedgerId, start, start + TestChain.IntervalLength, orders, perSubmission: 1));
    }

    private static OrderLeaf Resigned(OrderLeaf order) =>
        HouseholdKeys.SignBook(TestChain.LedgerId, TestChain.FirstIntervalStart, TestChain.FirstIntervalStart + TestChain.IntervalLength, [order], perSubmission: 1)[0];

    private static OrderLeaf WithBadSignature(OrderLeaf order)
    {
        var signature = ((SignedOrder)order.Authorization).Signature;
        var bytes = (byte[])signature.Signature.Clone();
        bytes[40] ^= 0x01;
        return order with { Authorization = new SignedOrder(signature with { Signature = bytes }) };
    }

    private static VerificationFailure? AppendBook(OrderLeaf[] orders)
    {
        var (prefix, _) = ManySubmissions.Value;
        var verifier = new ChainVerifier(replayer: null);
        foreach (var block in prefix)
        {
            verifier.Append(block).ShouldBeTrue(verifier.Failure?.ToString());
        }

        var start = TestChain.FirstIntervalStart;
        var book = BlockSealer.SealOrderBook(((SealedBlock)prefix[^1]).NextTip, TestChain.KeyA, start, start + TestChain.IntervalLength,
            TestChain.Rules.Mechanism, TestChain.Rules.RulesVersion, orders, TestChain.Gate(0));
        verifier.Append(book);
        return verifier.Failure;
    }
}
