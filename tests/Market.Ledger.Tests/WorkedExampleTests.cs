namespace Market.Ledger.Tests;

/// <summary>Rebuilds the worked example of docs/ledger-format.md §12 and checks the published values.</summary>
public sealed class WorkedExampleTests
{
    private static readonly SigningKey Key = SigningKey.FromPrivateKey(Convert.FromHexString("1111111111111111111111111111111111111111111111111111111111111111"));

    /// <summary>The households' P-256 keys: private scalars a1…a1 (party …01) and a2…a2 (party …02).</summary>
    internal static readonly TestHouseholdKey Seller = TestHouseholdKey.FromPrivateKey(Convert.FromHexString(string.Concat(Enumerable.Repeat("a1", 32))));

    internal static readonly TestHouseholdKey Buyer = TestHouseholdKey.FromPrivateKey(Convert.FromHexString(string.Concat(Enumerable.Repeat("a2", 32))));

    internal static readonly PartyId SellerId = new(0, 1);

    internal static readonly PartyId BuyerId = new(0, 2);

    private static readonly Lazy<(SealedBlock[] Blocks, Checkpoint Checkpoint, MerkleTree Tree)> Example = new(() =>
    {
        var t0 = DateTimeOffset.FromUnixTimeSeconds(1_767_225_600);
        var genesis = BlockSealer.SealGenesis(Key, t0);
        var rules = BlockSealer.SealRules(genesis.NextTip, Key, new RulesRecord(1, 1, 900, 300, 0, 10_000, 1_767_229_200), t0.AddSeconds(1));
        var ledgerId = genesis.HeaderHash;
        HouseholdRecord[] enrolments =
        [
            HouseholdKeys.Record(ledgerId, 1, SellerId, StatementType.KeyEnrolment, Statement.KeyEnrolmentBody(HouseholdKeyRole.Device, Seller.Key), Seller),
            HouseholdKeys.Record(ledgerId, 2, BuyerId, StatementType.KeyEnrolment, Statement.KeyEnrolmentBody(HouseholdKeyRole.Device, Buyer.Key), Buyer),
        ];
        var households = BlockSealer.SealHousehold(rules.NextTip, Key, enrolments, t0.AddSeconds(2));
        OrderLeaf[] orders = [SignedOrder(3, SellerId, OrderSide.Sell, 3000, 2000, 0x01, Seller, ledgerId), SignedOrder(4, BuyerId, OrderSide.Buy, 2000, 3000, 0x02, Buyer, ledgerId)];
        var book = BlockSealer.SealOrderBook(households.NextTip, Key, 1_767_229_200, 1_767_230_100, 1, 1, orders, DateTimeOffset.FromUnixTimeMilliseconds(1_767_228_900_000));
        var clearing = BlockSealer.SealClearing(book.NextTip, Key, book.Header, [new TradeFill(BuyerId, SellerId, 4, 3, 2000, 2000)], DateTimeOffset.FromUnixTimeMilliseconds(1_767_228_901_000));
        SealedBlock[] blocks = [genesis, rules, households, book, clearing];
        var tree = MerkleTree.FromLeaves(blocks.Select(b => b.HeaderHash));
        var checkpoint = Checkpoint.Create(5, tree.Root(), DateTimeOffset.FromUnixTimeMilliseconds(1_767_228_902_000), Key);
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
            "92d7ef1c48767ae98f352a9b701bf02132673e7b7c1200ecdb8db056b0a4ef6f",
            "24411cd556ad645ed506613bc365e1cb5779c0b779ca24b29e48467b21228c3a",
            "b919cc6979786bf3b7e842d289c03c85d29986a2c3b41bf4bc36b4419fa691dc"]);
    }

    [Fact]
    public void ClearingBlock_Example_HasPublishedLeafHeaderAndSignature()
    {
        var clearing = Example.Value.Blocks[4];

        var (leaf, header, signature) = (Hex(clearing.Leaves.GetSpan(0)), Hex(clearing.HeaderBytes), Hex(clearing.Signature));

        leaf.ShouldBe("010000000000000001000000006955c710000000006955ca9400000000000000000000000000000002000000000000000000000000000000010000000000000004000000000000000300000000000007d000000000000007d00000000000000fa0");
        header.ShouldBe("000103000000000000000424411cd556ad645ed506613bc365e1cb5779c0b779ca24b29e48467b21228c3a531a5af01088879c2c138bcdccb0cdb76dd18085a940c541e501c0bbeb8dab5100000001000000006955c710000000006955ca940000019b770d06885b6b92b37b765963ab61d52a3171a54da33778c13118108f918e78cd2a8e3c1524411cd556ad645ed506613bc365e1cb5779c0b779ca24b29e48467b21228c3a010001");
        signature.ShouldBe("278f498af8f3d265be107847ff40a0b4937636e3ee20285a7f756d462aa9c9203dc7520960d9459fd7a4ffd4530d64f9ae4be82bedcf4dae5d50ce8ba1aaeacd");
    }

    [Fact]
    public void OrderBook_Example_HasPublishedRoot()
    {
        var book = Example.Value.Blocks[3];

        var root = Hex(book.Header.PayloadRoot);

        root.ShouldBe("ba5ad7f80d6f09a3152dd2be5dfdf230b5587a37bfe6be229015fc82a072ad84");
    }

    [Fact]
    public void Checkpoint_Example_HasPublishedBytesDigestAndSignature()
    {
        var checkpoint = Example.Value.Checkpoint;

        var (bytes, digest, signature) = (Hex(checkpoint.Encode()), Hex(checkpoint.Digest()), Hex(checkpoint.Signature));

        bytes.ShouldBe("4d61726b6574436865636b706f696e740001000000000000000579fbad727c7da638fd7704cc4650feda8af709de661a0a630f450b13d416f75d0000019b770d0a705b6b92b37b765963ab61d52a3171a54da33778c13118108f918e78cd2a8e3c15");
        digest.ShouldBe("5aabcd2833a15c46f4056aa7ce0eccb396e905624f59caac0e723996dfea8736");
        signature.ShouldBe("f1f304b0957a9bde016335daac18c92603c45a16b1e30601a51666e7680ccd030869e1770352ce8b713570105d5883c9015b05eae14e95b2a74a8b606389a14b");
    }

    [Fact]
    public void Proofs_Example_ArePublishedNodes()
    {
        var tree = Example.Value.Tree;

        var (headerProof, consistency) = (tree.InclusionProof(4, 5).Select(Hex).ToList(), tree.ConsistencyProof(2, 5).Select(Hex).ToList());

        headerProof.ShouldBe(["684210e63683fdbe08ae3af549f965d34c0addf098876998cbad61ea264674b0"]);
        consistency.ShouldBe(["faedafc0a0e8d3d879851e10b456ba18179cf6f13e4338e6fbaf089c0411326d", "5039af46c9bc9f8d7b056d73aba1477e4cef5ff68781a2919cc41bda657aed88"]);
    }

    [Fact]
    public void SignedOrder_Example_HasPublishedStatementRootMessageAndLeaf()
    {
        var (blocks, _, _) = Example.Value;
        var order = OrderLeaf.Decode(blocks[3].Leaves.GetSpan(0));

        var statement = order.StatementBytes(blocks[0].HeaderHash, 1_767_229_200, 1_767_230_100);
        var root = HouseholdSignature.SubmissionRoot([Statement.Hash(statement)]);

        Hex(Seller.PublicKeyBytes).ShouldBe("04c00aac349effd31a0ff2d6ecd4426b5907919dccf65b2ee383b37ba2541435595d064a59d4c1bae47bb7875ea428fcdcd5da75ae6ebbcfcb3bb98e2d00d55229");
        Hex(Seller.KeyId).ShouldBe("7e3c5b1a56be20dea42e24a9bad084ec05c0ea70f84d250f36c048faf1806411");
        Hex(statement).ShouldBe("4d61726b657453746174656d656e7401744a83899daf93c43fff6fcc3b52b478be9016f30afbd465ab8b304f7e4f95080000000000000000000000000000000106000000006955c710000000006955ca94020000000000000bb800000000000007d001010101010101010101010101010101");
        Hex(Statement.Hash(statement)).ShouldBe("4e5a13a2e29973d882c81901562675bd99ade050e75dd59aa194ee84e5d40671");
        Hex(root).ShouldBe("9cb06f4d5c0f1f5bb3b2f38f7a9c3735eaf4968d8302624314a12e26136d3387");
        Hex(HouseholdSignature.SignedMessage(root)).ShouldBe("4d61726b65745375626d697373696f6e9cb06f4d5c0f1f5bb3b2f38f7a9c3735eaf4968d8302624314a12e26136d3387");
        Hex(blocks[3].Leaves.GetSpan(0)).ShouldBe("02000000000000000300000000000000000000000000000001020000000000000bb800000000000007d001010101010101010101010101010101017e3c5b1a56be20dea42e24a9bad084ec05c0ea70f84d250f36c048faf18064114c209d7c34128882b544b53d688d78e65d6ad9285eacc7719123ce9a386db6ad2876a995f279ce5b81bbde33957d2c68ab70983c299f1d5f23ebad3e59ce34700000000100000000");
        ((SignedOrder)order.Authorization).Signature.Verify(Seller.Key, Statement.Hash(statement)).ShouldBeTrue();
    }

    [Fact]
    public void HouseholdBlock_Example_HasPublishedStatementRootRecordAndRoot()
    {
        var (blocks, _, _) = Example.Value;
        var record = HouseholdRecord.Decode(blocks[2].Leaves.GetSpan(0));

        var statement = record.StatementBytes(blocks[0].HeaderHash);
        var root = HouseholdSignature.SubmissionRoot([Statement.Hash(statement)]);

        Hex(statement).ShouldBe("4d61726b657453746174656d656e7401744a83899daf93c43fff6fcc3b52b478be9016f30afbd465ab8b304f7e4f95080000000000000000000000000000000101010104c00aac349effd31a0ff2d6ecd4426b5907919dccf65b2ee383b37ba2541435595d064a59d4c1bae47bb7875ea428fcdcd5da75ae6ebbcfcb3bb98e2d00d55229");
        Hex(Statement.Hash(statement)).ShouldBe("11f6d44e688b63328a60575dde01bbd06a378dc362a1892de25f8ffc221b81ef");
        Hex(root).ShouldBe("e94ad900f19dba0975a5e05d3014819232dfc4815ddf4ac943eeae680641b7ff");
        Hex(blocks[2].Leaves.GetSpan(0)).ShouldBe("0100000000000000010000000000000000000000000000000101010104c00aac349effd31a0ff2d6ecd4426b5907919dccf65b2ee383b37ba2541435595d064a59d4c1bae47bb7875ea428fcdcd5da75ae6ebbcfcb3bb98e2d00d55229017e3c5b1a56be20dea42e24a9bad084ec05c0ea70f84d250f36c048faf1806411add96a5122e0f3f591ffbcb2782cfaa0a348cfe9fb5f97e07709a27b25f86078c7414dde51b18fd01a694880fb0e0108cbd71eb088e307eeaf50aa6dae3c76b70000000100000000");
        Hex(blocks[2].Header.PayloadRoot).ShouldBe("72e51858ea262904a9ad49ba5c44817fb65ff193a23cd26e9e8f8f49408f5b46");
        Hex(Buyer.PublicKeyBytes).ShouldBe("04967569ac3c6c2e8309bb0cd6516567550a208a71040b3fd0dde8a41552c7906a32b4561618476e62f76986aa87efa48b906e547fd139fc3e071bb9caf70f0d23");
        Hex(Buyer.KeyId).ShouldBe("a95f356881b5775b7bd1590ddd3af5319eddaae1e46b0a24c7f505536105f3c0");
        record.Signature.Verify(Seller.Key, Statement.Hash(statement)).ShouldBeTrue();
    }

    [Fact]
    public void Verify_Example_IsValidWithTheRulesReplay()
    {
        var (blocks, checkpoint, _) = Example.Value;

        var result = ChainVerifier.Verify(blocks, checkpoint, new FakeReplayer(), options: new ChainVerifierOptions { TrustedGenesisKeyId = Key.KeyId });

        result.IsValid.ShouldBeTrue(result.Failure?.ToString());
    }

    private static OrderLeaf SignedOrder(long sequence, PartyId owner, OrderSide side, long energy, long price, byte nonce, TestHouseholdKey key, byte[] ledgerId)
    {
        var order = new OrderLeaf(sequence, owner, side, energy, price, [.. Enumerable.Repeat(nonce, 16)], new MandateOrder(new byte[32]));
        var hash = order.StatementHash(ledgerId, 1_767_229_200, 1_767_230_100);
        return order with { Authorization = new SignedOrder(key.SignSubmission([hash])[0]) };
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);
}
