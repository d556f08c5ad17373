using System.Text;
using Market.Ledger;

namespace Market.Cli.Tests.Witness;

/// <summary>POST /add-checkpoint answers exactly as C2SP tlog-witness says, and the monitoring endpoint.</summary>
public sealed class WitnessProtocolTests : IAsyncLifetime
{
    private readonly LedgerFixture _ledger = new();
    private List<SealedBlock> _chain = null!;
    private FakeLog _log = null!;
    private WitnessHost _witness = null!;

    public async Task InitializeAsync()
    {
        _chain = _ledger.Chain(3);
        _log = await FakeLog.StartAsync(_ledger.Key, _chain);
        _witness = await WitnessHost.StartAsync(Path.Combine(_ledger.Folder, "witness"), _log);
    }

    public async Task DisposeAsync()
    {
        await _witness.DisposeAsync();
        await _log.DisposeAsync();
        _ledger.Dispose();
    }

    [Fact]
    public async Task AddCheckpoint_FirstCheckpoint_CosignsWithTheWitnessKey()
    {
        var (status, _, body) = await _witness.GrowAsync(_log, 9);

        status.ShouldBe(200, body);
        body.ShouldEndWith("\n");
        NoteSignature.TryParseLine(body.TrimEnd('\n'), out var line, out var error).ShouldBeTrue(error);
        Cosignature.TryVerify(new CheckpointNote(FakeLog.Origin, 9, FakeLog.Root(_chain, 9), []).Body(), line!, _witness.Witness.VerifierKey, out var timestamp).ShouldBeTrue();
        timestamp.ShouldBeGreaterThan(0);
        _witness.Witness.State.Size.ShouldBe(9);
    }

    [Fact]
    public async Task AddCheckpoint_InTwoSteps_GrowsWithTheConsistencyProof()
    {
        (await _witness.GrowAsync(_log, 5)).Status.ShouldBe(200);

        var (status, _, body) = await _witness.GrowAsync(_log, 9);

        status.ShouldBe(200, body);
        _witness.Witness.State.Size.ShouldBe(9);
        _witness.Witness.Replica.Size.ShouldBe(9);
    }

    [Fact]
    public async Task AddCheckpoint_UnknownOrigin_NotFound()
    {
        var other = NoteSigningKey.Generate("other.example/log", NoteVerifierKey.Ed25519);
        var body = new CheckpointNote("other.example/log", 9, FakeLog.Root(_chain, 9), []).Body();
        var note = new SignedNote(body, [SignedNote.Sign(body, other)]).Encode();

        var (status, _, _) = await _witness.AddCheckpointAsync(0, [], note);

        status.ShouldBe(404);
    }

    [Fact]
    public async Task AddCheckpoint_SignedByAnotherKeyOfTheSameName_Forbidden()
    {
        var impostor = NoteSigningKey.Generate(FakeLog.Origin, NoteVerifierKey.Ed25519);
        var body = new CheckpointNote(FakeLog.Origin, 9, FakeLog.Root(_chain, 9), []).Body();
        var note = new SignedNote(body, [SignedNote.Sign(body, impostor)]).Encode();

        var (status, _, _) = await _witness.AddCheckpointAsync(0, [], note);

        status.ShouldBe(403);
        _witness.Witness.State.Size.ShouldBe(0);
    }

    [Fact]
    public async Task AddCheckpoint_LogSignatureDoesNotVerify_Forbidden()
    {
        SignedNote.TryParse(_log.Note(9), out var note, out _).ShouldBeTrue();
        var signature = note!.Signatures[0];
        var bad = signature.Signature.ToArray();
        bad[^1] ^= 1;
        var forged = new SignedNote(note.Text, [signature with { Signature = bad }]).Encode();

        var (status, _, _) = await _witness.AddCheckpointAsync(0, [], forged);

        status.ShouldBe(403);
    }

    [Fact]
    public async Task AddCheckpoint_WhileTheMarketChangesItsKey_EitherKeyCosigned()
    {
        var next = NoteSigningKey.Generate(FakeLog.Origin, NoteVerifierKey.Ed25519);
        await using var both = await WitnessHost.StartAsync(Path.Combine(_ledger.Folder, "both"), _log,
            logKeys: [_log.NoteKey.VerifierKey.Encode(), next.VerifierKey.Encode()]);

        var old = await both.AddCheckpointAsync(0, [], _log.Note(5));
        var renewed = await both.AddCheckpointAsync(5, _log.ConsistencyProof(5, 9), FakeLog.SignedNoteFor(next, 9, FakeLog.Root(_chain, 9)));

        old.Status.ShouldBe(200);
        renewed.Status.ShouldBe(200, renewed.Body);
        SignedNote.TryParse(both.Witness.CosignedNote!, out var kept, out _).ShouldBeTrue();
        kept!.VerifyBy(next.VerifierKey).ShouldBe(true);
    }

    [Fact]
    public async Task AddCheckpoint_OldLargerThanSize_BadRequest()
    {
        var (status, _, _) = await _witness.AddCheckpointAsync(9, [], _log.Note(5));

        status.ShouldBe(400);
    }

    [Theory]
    [InlineData("old 01\n\n")]
    [InlineData("old -1\n\n")]
    [InlineData("old x\n\n")]
    [InlineData("new 0\n\n")]
    [InlineData("old 0\n")]
    [InlineData("old 0\nnot base64!\n\n")]
    [InlineData("old 0\nAAAA\n\n")]
    public async Task AddCheckpoint_MalformedRequest_BadRequest(string head)
    {
        var (status, _, _) = await _witness.PostAsync(new StringContent(head + _log.Note(9), Encoding.UTF8));

        status.ShouldBe(400);
    }

    [Fact]
    public async Task AddCheckpoint_MalformedNote_BadRequest()
    {
        var (status, _, _) = await _witness.PostAsync(new StringContent("old 0\n\nmarket.example/ledger\n9\n", Encoding.UTF8));

        status.ShouldBe(400);
    }

    [Fact]
    public async Task AddCheckpoint_SixtyFourProofLines_BadRequest()
    {
        (await _witness.GrowAsync(_log, 5)).Status.ShouldBe(200);
        var proof = Enumerable.Range(0, 64).Select(_ => new byte[32]).ToList();

        var (status, _, _) = await _witness.AddCheckpointAsync(5, proof, _log.Note(9));

        status.ShouldBe(400);
    }

    [Fact]
    public async Task AddCheckpoint_BodyOver64KiB_BadRequest()
    {
        var body = "old 0\n\n" + _log.Note(9) + new string('x', 65 * 1024);

        var (status, _, _) = await _witness.PostAsync(new StringContent(body, Encoding.UTF8));

        status.ShouldBe(400);
    }

    [Fact]
    public async Task AddCheckpoint_OldSizeNotTheCosignedOne_ConflictWithTheCosignedSize()
    {
        (await _witness.GrowAsync(_log, 5)).Status.ShouldBe(200);

        var (status, contentType, body) = await _witness.AddCheckpointAsync(3, _log.ConsistencyProof(3, 9), _log.Note(9));

        status.ShouldBe(409);
        contentType.ShouldBe("text/x.tlog.size");
        body.ShouldBe("5\n");
    }

    [Fact]
    public async Task AddCheckpoint_NeverCosigned_ConflictWithZero()
    {
        var (status, _, body) = await _witness.AddCheckpointAsync(5, _log.ConsistencyProof(5, 9), _log.Note(9));

        status.ShouldBe(409);
        body.ShouldBe("0\n");
    }

    [Fact]
    public async Task AddCheckpoint_ProofDoesNotVerify_Unprocessable()
    {
        (await _witness.GrowAsync(_log, 5)).Status.ShouldBe(200);

        var (status, _, _) = await _witness.AddCheckpointAsync(5, _log.ConsistencyProof(4, 9), _log.Note(9));

        status.ShouldBe(422);
        _witness.Witness.State.Size.ShouldBe(5);
        Directory.Exists(_witness.EvidenceFolder).ShouldBeFalse();
    }

    [Fact]
    public async Task AddCheckpoint_OldZeroWithAProof_Unprocessable()
    {
        var (status, _, _) = await _witness.AddCheckpointAsync(0, _log.ConsistencyProof(4, 9), _log.Note(9));

        status.ShouldBe(422);
    }

    [Fact]
    public async Task AddCheckpoint_SizeZeroWithAnotherRoot_Unprocessable()
    {
        var (status, _, _) = await _witness.AddCheckpointAsync(0, [], _log.SignedNoteFor(0, new byte[32]));

        status.ShouldBe(422);
    }

    [Fact]
    public async Task AddCheckpoint_SizeZeroWithTheEmptyRoot_Cosigned()
    {
        var (status, _, _) = await _witness.AddCheckpointAsync(0, [], _log.SignedNoteFor(0, MerkleTree.EmptyRoot()));

        status.ShouldBe(200);
    }

    [Fact]
    public async Task AddCheckpoint_SameCheckpointAgain_CosignedAgain()
    {
        (await _witness.GrowAsync(_log, 9)).Status.ShouldBe(200);

        var (status, _, _) = await _witness.AddCheckpointAsync(9, [], _log.Note(9));

        status.ShouldBe(200);
        _witness.Witness.State.Size.ShouldBe(9);
    }

    [Fact]
    public async Task Monitoring_NothingCosigned_NotFound()
    {
        using var response = await _witness.Client.GetAsync(new Uri(_witness.Witness.Config.OriginHash + "/checkpoint", UriKind.Relative));

        ((int)response.StatusCode).ShouldBe(404);
    }

    [Fact]
    public async Task Monitoring_AfterCosigning_ServesTheNoteWithTheLogsAndTheWitnesssSignatures()
    {
        (await _witness.GrowAsync(_log, 9)).Status.ShouldBe(200);

        var text = await _witness.Client.GetStringAsync(new Uri(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(FakeLog.Origin))) + "/checkpoint", UriKind.Relative));

        SignedNote.TryParse(text, out var note, out var error).ShouldBeTrue(error);
        note!.VerifyBy(_log.NoteKey.VerifierKey).ShouldBe(true);
        var cosignature = note.Signatures.Single(s => s.IsFrom(_witness.Witness.VerifierKey));
        Cosignature.TryVerify(note.Text, cosignature, _witness.Witness.VerifierKey, out _).ShouldBeTrue();
        (await _witness.Client.GetStringAsync(new Uri("api/ledger/checkpoint.note", UriKind.Relative))).ShouldBe(text);
    }
}
