using System.Collections.Concurrent;
using Market.Ledger;

namespace Market.Cli.Tests.Witness;

/// <summary>Check-then-persist is serialized: parallel add-checkpoint requests never make the witness cosign a
/// smaller tree or two trees that do not extend each other (the race tlog-witness warns about).</summary>
public sealed class WitnessConcurrencyTests : IAsyncLifetime
{
    private readonly LedgerFixture _ledger = new();
    private List<SealedBlock> _chain = null!;
    private FakeLog _log = null!;

    public async Task InitializeAsync()
    {
        _chain = _ledger.Chain(10); // 23 blocks
        _log = await FakeLog.StartAsync(_ledger.Key, _chain);
    }

    public async Task DisposeAsync()
    {
        await _log.DisposeAsync();
        _ledger.Dispose();
    }

    [Fact]
    public async Task AddCheckpoint_ManyParallelRequestsWithDifferentOldSizes_EveryCosignatureExtendsThePreviousOne()
    {
        await using var witness = await WitnessHost.StartAsync(Path.Combine(_ledger.Folder, "witness"), _log);
        (await witness.GrowAsync(_log, 3)).Status.ShouldBe(200);
        var random = new Random(17);
        var requests = Enumerable.Range(0, 48).Select(_ =>
        {
            var old = new[] { 3L, 5, 7, 9, 11, 13, 15, 17, 19 }[random.Next(9)];
            var size = old + 1 + random.Next((int)(23 - old));
            return (Old: old, Size: size);
        }).ToList();
        var cosigned = new ConcurrentBag<(long Old, long Size)>();

        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (r, _) =>
        {
            var (status, _, body) = await witness.AddCheckpointAsync(r.Old, _log.ConsistencyProof(r.Old, r.Size), _log.Note(r.Size));
            status.ShouldBeOneOf([200, 409], body);
            if (status == 200)
            {
                cosigned.Add(r);
            }
        });

        // The cosigned checkpoints form one chain: each from the size cosigned before it, each larger.
        var chain = cosigned.OrderBy(c => c.Size).ToList();
        chain.ShouldNotBeEmpty();
        chain[0].Old.ShouldBe(3);
        for (var i = 1; i < chain.Count; i++)
        {
            chain[i].Old.ShouldBe(chain[i - 1].Size);
        }

        witness.Witness.State.Size.ShouldBe(chain[^1].Size);
        witness.Witness.Replica.Size.ShouldBe(chain[^1].Size);
        (await witness.Client.GetByteArrayAsync(new Uri("api/ledger/export", UriKind.Relative))).ShouldBe(_log.Export(0, chain[^1].Size));
    }

    [Fact]
    public async Task AddCheckpoint_SameGrowthInParallel_CosignedOnceThenConflict()
    {
        await using var witness = await WitnessHost.StartAsync(Path.Combine(_ledger.Folder, "witness"), _log);
        (await witness.GrowAsync(_log, 5)).Status.ShouldBe(200);

        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
            witness.AddCheckpointAsync(5, _log.ConsistencyProof(5, 7 + i), _log.Note(7 + i))));

        answers.Count(a => a.Status == 200).ShouldBe(1);
        answers.Where(a => a.Status != 200).ShouldAllBe(a => a.Status == 409);
        var winner = 7 + Array.FindIndex(answers, a => a.Status == 200);
        witness.Witness.State.Size.ShouldBe(winner);
        answers.Where(a => a.Status == 409).ShouldAllBe(a => a.Body == $"{winner}\n");
    }
}
