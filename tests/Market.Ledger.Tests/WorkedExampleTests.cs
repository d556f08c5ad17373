namespace Market.Ledger.Tests;

/// <summary>Rebuilds the worked example of docs/ledger-format.md §12 and checks the published values.</summary>
public sealed class WorkedExampleTests
{
    private static readonly SigningKey Key = SigningKey.FromPrivateKey(Convert.FromHexString("1111111111111111111111111111111111111111111111111111111111111111"));

    private static readonly Lazy<(SealedBlock[] Blocks, Checkpoint Checkpoint, MerkleTree Tree)> Example = new(() =>
    {
        var t0 = DateTimeOffset.FromUnixTimeSeconds(1_767_225_600);
        var genesis = BlockSealer.SealGenesis(Key, t0);
        var rules = BlockSealer.SealRules(genesis.NextTip, Key, new RulesRecord(1, 1, 900, 300, 0, 10_000, 1_767_229_200), t0.AddSeconds(1));
        OrderLeaf[] orders = [new(1, new PartyId(0, 1), OrderSide.Sell, 3000, 2000), new(2, new PartyId(0, 2), OrderSide.Buy, 2000, 3000)];
        var book = BlockSealer.SealOrderBook(rules.NextTip, Key, 1_767_229_200, 1_767_230_100, 1, 1, orders, DateTimeOffset.FromUnixTimeMilliseconds(1_767_228_900_000));
        var clearing = BlockSealer.SealClearing(book.NextTip, Key, book.Header, [new TradeFill(new PartyId(0, 2), new PartyId(0, 1), 2, 1, 2000, 2000)], DateTimeOffset.FromUnixTimeMilliseconds(1_767_228_901_000));
        SealedBlock[] blocks = [genesis, rules, book, clearing];
        var tree = MerkleTree.FromLeaves(blocks.Select(b => b.HeaderHash));
        var checkpoint = Checkpoint.Create(4, tree.Root(), DateTimeOffset.FromUnixTimeMilliseconds(1_767_228_902_000), Key);
        return (blocks, checkpoint, tree);
    });

    [Fact]
    public void Key_Example_HasPublishedPublicKeyAndKeyId()
    {
        var key = Key;

        var (publicKey, keyId) = (Hex(key.PublicKey), Hex(key.KeyId));

        (publicKey, keyId).ShouldBe(("034f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa", "5b6b92b37b765963ab61d52a3171a54da33778c13118108f918e78cd2a8e3c15"));
    }

    [Fact]
    public void HeaderHashes_Example_ArePublishedValues()
    {
        var blocks = Example.Value.Blocks;

        var hashes = blocks.Select(b => Hex(b.HeaderHash)).ToList();

        hashes.ShouldBe([
            "744a83899daf93c43fff6fcc3b52b478be9016f30afbd465ab8b304f7e4f9508",
            "3727e2ae04e0514694dfd5e6cb06874e785f0727ea395e824323bb8365ce6346",
            "d7a58e03d0f6326dd9a2e61f223c7281c4b8238247aaf87e7f7c9b15bdbaae27",
            "de7c1a6b3b94c1a9830ad45a5f775decf16e097ad1d8f3f732bf43f535e5bb38"]);
    }

    [Fact]
    public void ClearingBlock_Example_HasPublishedLeafHeaderAndSignature()
    {
        var clearing = Example.Value.Blocks[3];

        var (leaf, header, signature) = (Hex(clearing.Leaves.GetSpan(0)), Hex(clearing.HeaderBytes), Hex(clearing.Signature));

        leaf.ShouldBe("010000000000000001000000006955c710000000006955ca9400000000000000000000000000000002000000000000000000000000000000010000000000000002000000000000000100000000000007d000000000000007d00000000000000fa0");
        header.ShouldBe("0001030000000000000003d7a58e03d0f6326dd9a2e61f223c7281c4b8238247aaf87e7f7c9b15bdbaae271ded79aea5148a243b198fb8a7eabb7035eaae0c6661126bbe7b8f8a144fbc0700000001000000006955c710000000006955ca940000019b770d06885b6b92b37b765963ab61d52a3171a54da33778c13118108f918e78cd2a8e3c15d7a58e03d0f6326dd9a2e61f223c7281c4b8238247aaf87e7f7c9b15bdbaae27010001");
        signature.ShouldBe("8ea8825cd1e5ff15a908a84292426400900147a0bab7b5b79c88cfaf8d09683d53b342ce04d1eba708e26aa02a972324af8680e15e18468e2344bdee91cfbfc9");
    }

    [Fact]
    public void OrderBook_Example_HasPublishedRoot()
    {
        var book = Example.Value.Blocks[2];

        var root = Hex(book.Header.PayloadRoot);

        root.ShouldBe("45e2e4ac0d9ecde8e32e32fad214360e2e765c0cc6e19991d918038bf6e5f57d");
    }

    [Fact]
    public void Checkpoint_Example_HasPublishedBytesDigestAndSignature()
    {
        var checkpoint = Example.Value.Checkpoint;

        var (bytes, digest, signature) = (Hex(checkpoint.Encode()), Hex(checkpoint.Digest()), Hex(checkpoint.Signature));

        bytes.ShouldBe("4d61726b6574436865636b706f696e740001000000000000000436d8839c048efcb02ea36e0740cba3651c47ee62ca753d3b799f67ec5eee565d0000019b770d0a705b6b92b37b765963ab61d52a3171a54da33778c13118108f918e78cd2a8e3c15");
        digest.ShouldBe("f2e3896e10c5a348cfd05f56d57c604f91bc4a60d5428e20f303ea0063fbcc73");
        signature.ShouldBe("116b621bb33dadb6aec5edb30ff9d6bd41e617848f79f43f99a63c1e3aea2c680d5e8638e774f3dc469bfbb6c59f9524ff948b068b7246c8aea2b4016fd0f8ce");
    }

    [Fact]
    public void Proofs_Example_ArePublishedNodes()
    {
        var tree = Example.Value.Tree;

        var (headerProof, consistency) = (tree.InclusionProof(3, 4).Select(Hex).ToList(), tree.ConsistencyProof(2, 4).Select(Hex).ToList());

        headerProof.ShouldBe(["bb7895918f8abfc4456fe449cc967416cfa7bea74cdfb0207faae252a45b6399", "f604f2d6ab0cec47154b29242440c6c47508999117e48cf6478d0961ba445e9b"]);
        consistency.ShouldBe(["666ca91e7926303ac600398cf76430caa0a9f667a4f448e89e061076d6d16eef"]);
    }

    [Fact]
    public void Verify_Example_IsValidWithTheRulesReplay()
    {
        var (blocks, checkpoint, _) = Example.Value;

        var result = ChainVerifier.Verify(blocks, checkpoint, new FakeReplayer(), options: new ChainVerifierOptions { TrustedGenesisKeyId = Key.KeyId });

        result.IsValid.ShouldBeTrue(result.Failure?.ToString());
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);
}
