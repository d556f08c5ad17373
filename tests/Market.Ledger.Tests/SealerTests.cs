using System.Security.Cryptography;

namespace Market.Ledger.Tests;

public sealed class SealerTests
{
    [Fact]
    public void SealGenesis_Key_IsHeightZeroKeyEventIntroducingTheSigner()
    {
        var key = TestChain.KeyA;

        var genesis = BlockSealer.SealGenesis(key, TestChain.Genesis);

        genesis.Header.Kind.ShouldBe(BlockKind.KeyEvent);
        genesis.Header.Height.ShouldBe(0);
        genesis.Header.PreviousHash.ShouldBe(new byte[32]);
        genesis.Header.KeyId.ShouldBe(key.KeyId);
        KeyRecord.Decode(genesis.Leaves.GetSpan(0)).ShouldBe(new KeyRecord(KeyAction.Introduce, key.PublicKey));
        genesis.HeaderHash.ShouldBe(SHA256.HashData(genesis.HeaderBytes));
        Signatures.Verify(key.PublicKey, genesis.HeaderHash, genesis.Signature).ShouldBeTrue();
        genesis.NextTip.ShouldBe(new ChainTip(1, genesis.HeaderHash, 1, TestChain.Genesis.ToUnixTimeMilliseconds()));
    }

    [Fact]
    public void SealClearing_Trades_NumbersFromTipAndComputesAmounts()
    {
        var chain = TestChain.Valid;
        var book = chain.Blocks[5];
        var fills = new[] { new TradeFill(new PartyId(1, 1), new PartyId(2, 2), 12, 11, 1500, 2501) };
        var tip = new ChainTip(100, new byte[32], 41, 0);

        var block = BlockSealer.SealClearing(tip, TestChain.KeyA, book.Header, fills, TestChain.Gate(1));

        var trade = TradeLeaf.Decode(block.Leaves.GetSpan(0));
        (trade.TradeId, trade.Amount, trade.IntervalStart, trade.IntervalEnd).ShouldBe((41L, 3752L, book.Header.IntervalStart, book.Header.IntervalEnd));
        block.Header.Reference.ShouldBe(book.HeaderHash);
        block.Header.PayloadRoot.ShouldBe(Reference.Root(block.Leaves.ToArrays()));
        block.NextTip.NextTradeId.ShouldBe(42);
    }

    [Fact]
    public void SealOrderBook_SequencesNotIncreasing_Throws()
    {
        var orders = TestChain.Orders(0).Reverse().ToArray();
        var tip = TestChain.Valid.Blocks[1].NextTip;

        var act = () => BlockSealer.SealOrderBook(tip, TestChain.KeyA, TestChain.FirstIntervalStart, TestChain.FirstIntervalStart + 900, 1, 1, orders, TestChain.Gate(0));

        Should.Throw<ArgumentException>(act);
    }

    [Fact]
    public void Seal_TimeBeforeTip_Throws()
    {
        var tip = TestChain.Valid.Blocks[^1].NextTip;

        var act = () => BlockSealer.SealRules(tip, TestChain.KeyB, TestChain.Rules with { RulesVersion = 2 }, TestChain.Genesis);

        Should.Throw<ArgumentException>(act);
    }

    [Fact]
    public void SealRules_OnGenesisTip_Throws()
    {
        var tip = ChainTip.Genesis;

        var act = () => BlockSealer.SealRules(tip, TestChain.KeyA, TestChain.Rules, TestChain.Genesis);

        Should.Throw<ArgumentException>(act);
    }

    [Fact]
    public void SealOrderBook_EmptyBook_HasEmptyTreeRoot()
    {
        var tip = TestChain.Valid.Blocks[1].NextTip;

        var block = BlockSealer.SealOrderBook(tip, TestChain.KeyA, TestChain.FirstIntervalStart, TestChain.FirstIntervalStart + 900, 1, 1, [], TestChain.Gate(0));

        block.Header.LeafCount.ShouldBe(0);
        block.Header.PayloadRoot.ShouldBe(MerkleTree.EmptyRoot());
    }

    [Fact]
    public void ChainTipAfter_LastHeader_ContinuesTheChain()
    {
        var chain = TestChain.Valid;
        var last = chain.Blocks[^1];

        var tip = ChainTip.After(last.Header, 13);

        tip.ShouldBe(last.NextTip);
    }

    [Fact]
    public void SealClearing_LargeBlock_RootEqualsNaiveRfc9162()
    {
        var fills = Enumerable.Range(0, 3000).Select(i => new TradeFill(new PartyId(1, (ulong)i), new PartyId(2, (ulong)i), i, i + 1, 1000 + i, 2000)).ToArray();
        var tip = new ChainTip(5, new byte[32], 1, 0);

        var block = BlockSealer.SealClearing(tip, TestChain.KeyA, Enumerable.Repeat((byte)1, 32).ToArray(), 0, 900, 1, 1, fills, DateTimeOffset.UnixEpoch);

        block.Header.PayloadRoot.ShouldBe(Reference.Root(block.Leaves.ToArrays()));
    }
}
