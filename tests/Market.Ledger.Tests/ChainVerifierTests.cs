namespace Market.Ledger.Tests;

public sealed class ChainVerifierTests
{
    [Fact]
    public void Verify_ValidChain_IsValidWithCounts()
    {
        var chain = TestChain.Valid;

        var result = ChainVerifier.Verify(chain.Blocks, chain.Checkpoint, new FakeReplayer(), chain.Kept);

        result.Failure.ShouldBeNull();
        result.IsValid.ShouldBeTrue();
        (result.BlockCount, result.TradeCount, result.OrderCount, result.PendingOrderBooks).ShouldBe((13L, 12L, 24L, 0));
        result.LedgerRoot.ShouldBe(chain.Checkpoint.Root);
        result.ReplayPerformed.ShouldBeTrue();
        result.KeyIds.ShouldBe([TestChain.KeyA.KeyId, TestChain.KeyB.KeyId]);
    }

    [Fact]
    public void Complete_SeveralKeptCheckpointsOneFromAnotherHistory_NotConsistent()
    {
        var chain = TestChain.Valid;
        var verifier = new ChainVerifier(new FakeReplayer());
        chain.Blocks.ForEach(b => verifier.Append(b));
        var foreign = chain.Kept with { Root = chain.Checkpoint.Root };

        var result = verifier.Complete(chain.Checkpoint, [chain.Kept, foreign]);

        result.Failure!.Reason.ShouldBe(VerificationFailureReason.NotConsistent);
    }

    [Fact]
    public void Complete_SeveralKeptCheckpointsAllExtended_IsValid()
    {
        var chain = TestChain.Valid;
        var verifier = new ChainVerifier(new FakeReplayer());
        chain.Blocks.ForEach(b => verifier.Append(b));

        var result = verifier.Complete(chain.Checkpoint, [chain.Kept, chain.Checkpoint]);

        (result.IsValid, result.CheckpointSize).ShouldBe((true, 13L));
    }

    [Fact]
    public void Verify_ValidChainWithoutReplayer_IsValidButSaysReplaySkipped()
    {
        var chain = TestChain.Valid;

        var result = ChainVerifier.Verify(chain.Blocks, chain.Checkpoint, replayer: null);

        (result.IsValid, result.ReplayPerformed).ShouldBe((true, false));
    }

    [Fact]
    public void Verify_TrustedGenesisKeyMatches_IsValid()
    {
        var chain = TestChain.Valid;
        var options = new ChainVerifierOptions { TrustedGenesisKeyId = TestChain.KeyA.KeyId };

        var result = ChainVerifier.Verify(chain.Blocks, chain.Checkpoint, new FakeReplayer(), options: options);

        result.IsValid.ShouldBeTrue();
    }

    [Fact]
    public void Verify_TradesOfValidChain_AreThreePerIntervalAtOnePrice()
    {
        var chain = TestChain.Valid;

        var trades = chain.Blocks[6].Leaves.Select(l => TradeLeaf.Decode(l.Span)).ToList();

        trades.Select(t => (t.TradeId, t.BuySequence, t.SellSequence, t.EnergyWh, t.Price, t.Amount))
            .ShouldBe([(4L, 12L, 11L, 2000L, 2510L, 5020L), (5L, 14L, 11L, 1000L, 2510L, 2510L), (6L, 14L, 13L, 1500L, 2510L, 3765L)]);
    }

    [Fact]
    public void Append_AfterFailure_StaysFailedAtTheFirstFailure()
    {
        var chain = TestChain.Valid;
        var verifier = new ChainVerifier(new FakeReplayer());
        var blocks = chain.Copy();
        blocks[4] = TestChain.WithHeaderByte(blocks[4], 100, b => (byte)(b ^ 1));

        var accepted = blocks.Select(verifier.Append).ToList();

        accepted.ShouldBe([true, true, true, true, false, false, false, false, false, false, false, false, false]);
        verifier.Failure!.Height.ShouldBe(4);
    }

    [Fact]
    public void Complete_NoBlocks_FailsWithEmptyChain()
    {
        var verifier = new ChainVerifier(new FakeReplayer());

        var result = verifier.Complete(TestChain.Valid.Checkpoint);

        result.Failure!.Reason.ShouldBe(VerificationFailureReason.EmptyChain);
    }

    [Fact]
    public void Verify_ReplayerDoesNotSupportMechanism_FailsWithReplayUnsupported()
    {
        var chain = TestChain.Valid;

        var result = ChainVerifier.Verify(chain.Blocks, chain.Checkpoint, new NullReplayer());

        (result.Failure!.Reason, result.Failure.Height).ShouldBe((VerificationFailureReason.ReplayUnsupported, 4L));
    }

    [Fact]
    public void Verify_ChainWithoutRulesBlock_FailsWithRulesMissing()
    {
        var chain = TestChain.Build(withRules: false);

        var result = ChainVerifier.Verify(chain.Blocks, chain.Checkpoint, new FakeReplayer());

        (result.Failure!.Reason, result.Failure.Height).ShouldBe((VerificationFailureReason.RulesMissing, 3L));
    }

    // Blocks an export reader rejects before the verifier sees them (tests/tamper-cases has them as malformed exports)
    // can still reach it from elsewhere, e.g. read from a database.
    [Fact]
    public void Verify_TruncatedSignatureNotFromAnExport_FailsWithBadSignature()
    {
        var blocks = TestChain.Valid.Copy();
        blocks[6] = new LedgerBlock(blocks[6].HeaderBytes, blocks[6].Signature[..63], blocks[6].Leaves);

        var failure = ChainVerifier.Verify(blocks, TestChain.Valid.Checkpoint, new FakeReplayer()).Failure!;

        (failure.Reason, failure.Height).ShouldBe((VerificationFailureReason.BadSignature, 6L));
    }

    [Fact]
    public void Verify_UnknownHeaderKindNotFromAnExport_FailsWithMalformedHeader()
    {
        var blocks = TestChain.Valid.Copy();
        blocks[6] = TestChain.WithHeaderByte(blocks[6], 2, _ => 10);

        var failure = ChainVerifier.Verify(blocks, TestChain.Valid.Checkpoint, new FakeReplayer()).Failure!;

        (failure.Reason, failure.Height).ShouldBe((VerificationFailureReason.MalformedHeader, 6L));
    }

    [Fact]
    public void Verify_FailureToString_NamesReasonHeightLeafAndTrade()
    {
        var chain = TestChain.Valid;
        var blocks = chain.Copy();
        blocks[6] = TestChain.Resign(blocks[6], TestChain.KeyA, leaves: TestChain.MapTrades(blocks[6], t => t.Select((x, i) => i == 1 ? x with { Amount = x.Amount + 1 } : x)));

        var failure = ChainVerifier.Verify(blocks, chain.Checkpoint, new FakeReplayer()).Failure!;

        failure.ToString().ShouldStartWith("AmountMismatch at height 6, leaf 1, trade 5: ");
    }

    private sealed class NullReplayer : IClearingReplayer
    {
        public IReadOnlyList<ReplayedTrade>? Replay(IReadOnlyList<OrderLeaf> orders, byte mechanism, int rulesVersion) => null;
    }
}
