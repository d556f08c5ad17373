using Market.Ledger;

namespace Market.Cli.Tests.Witness;

/// <summary>When the ledger seals a witness policy (block kind 7), a note is cosigned only if it also holds under
/// it: the sealed origin and a signature of a sealed log key.</summary>
public sealed class WitnessPolicyTests : IDisposable
{
    private readonly LedgerFixture _ledger = new();

    public void Dispose() => _ledger.Dispose();

    [Fact]
    public async Task AddCheckpoint_NoteSignedByTheSealedLogKey_Cosigned()
    {
        var chain = WithPolicy(FakeLog.DefaultNoteKey.VerifierKey);
        await using var log = await FakeLog.StartAsync(_ledger.Key, chain);
        await using var witness = await WitnessHost.StartAsync(Path.Combine(_ledger.Folder, "witness"), log);

        var (status, _, body) = await witness.GrowAsync(log, chain.Count);

        status.ShouldBe(200, body);
    }

    [Fact]
    public async Task AddCheckpoint_LedgerSealsAnotherLogKey_Unprocessable()
    {
        var sealedKey = NoteSigningKey.Generate(FakeLog.Origin, NoteVerifierKey.Ed25519).VerifierKey;
        var chain = WithPolicy(sealedKey);
        await using var log = await FakeLog.StartAsync(_ledger.Key, chain);
        await using var witness = await WitnessHost.StartAsync(Path.Combine(_ledger.Folder, "witness"), log);

        var (status, _, body) = await witness.GrowAsync(log, chain.Count);

        status.ShouldBe(422);
        body.ShouldContain("sealed witness policy");
        witness.Witness.State.Size.ShouldBe(0);
    }

    private List<SealedBlock> WithPolicy(NoteVerifierKey logKey)
    {
        var chain = _ledger.Chain(2);
        var witnessKey = NoteSigningKey.Generate("witness.example/w1", NoteVerifierKey.CosignatureV1).VerifierKey;
        var policy = WitnessPolicy.Create(logKey, null, [("w1", witnessKey, null)], 1);
        chain.Add(BlockSealer.SealWitnessPolicy(chain[^1].NextTip, _ledger.Key, policy, DateTimeOffset.FromUnixTimeMilliseconds(chain[^1].Header.SealedAtUnixMs)));
        return chain;
    }
}
