namespace Market.Ledger.Tests.TamperCases;

/// <summary>
/// The shared tamper cases (tests/tamper-cases): the committed files are exactly what the generator makes, and the
/// C# verifier reads every export and reports what the manifest says, with the clearing replay (as
/// <c>market ledger verify</c>) and without it (as the browser).
/// </summary>
public sealed class TamperCaseTests
{
    private static readonly Lazy<List<TamperCase>> Generated = new(TamperCaseFiles.Cases);

    public static TheoryData<string> CommittedCases() =>
        [.. TamperCaseFiles.ReadManifest(File.ReadAllBytes(Path.Combine(TamperCaseFiles.Folder, TamperCaseFiles.ManifestName)))
            .Select(e => e.File)];

    [Fact]
    public void Generate_CommittedFiles_AreByteForByteWhatTheGeneratorMakes()
    {
        var generated = TamperCaseFiles.Generate(Generated.Value);
        if (Environment.GetEnvironmentVariable(TamperCaseFiles.WriteVariable) == "1")
        {
            TamperCaseFiles.Write(generated);
        }

        var committed = TamperCaseFiles.ReadCommitted();

        var differing = generated.Keys.Union(committed.Keys)
            .Where(name => !generated.TryGetValue(name, out var g) || !committed.TryGetValue(name, out var c) || !g.AsSpan().SequenceEqual(c))
            .ToList();
        differing.ShouldBeEmpty(
            $"tests/tamper-cases differs from what the generator makes ({differing.Count} files). Regenerate with "
            + $"`{TamperCaseFiles.WriteVariable}=1 dotnet test tests/Market.Ledger.Tests --filter FullyQualifiedName~TamperCaseTests.Generate_` and commit the files");
    }

    [Fact]
    public void Generate_Twice_GivesTheSameBytes()
    {
        var first = TamperCaseFiles.Generate(Generated.Value);

        var second = TamperCaseFiles.Generate(TamperCaseFiles.Cases());

        second.Keys.ShouldBe(first.Keys);
        second.Where(f => !f.Value.AsSpan().SequenceEqual(first[f.Key])).Select(f => f.Key).ShouldBeEmpty();
    }

    [Fact]
    public void Manifest_ReadBack_HasEveryCaseWithItsVerdicts()
    {
        var cases = Generated.Value;

        var entries = TamperCaseFiles.ReadManifest(TamperCaseFiles.Manifest(cases));

        entries.Select(e => (e.File, e.Name, e.Expected, e.WithoutReplay, e.KeptCheckpoint, e.Openings, e.WithoutOpenings))
            .ShouldBe(cases.Select(c => (c.FileName, c.Name, c.Expected, c.WithoutReplay, c.KeptFileName, c.Openings?.FileName, c.WithoutOpenings)));
    }

    [Fact]
    public void Cases_EveryReasonAnExportCanShow_HasACase()
    {
        // The meter readings are in no export nor openings file (personal data): their reasons need a reading source. Inclusion
        // proofs and trusted keys are a receipt's; acceptance receipts and proofs of omission have their own.
        VerificationFailureReason[] notInExports =
        [
            VerificationFailureReason.ReadingMissing, VerificationFailureReason.ReadingMismatch,
            VerificationFailureReason.InclusionProofInvalid, VerificationFailureReason.UntrustedKey,
            VerificationFailureReason.ReceiptInvalid, VerificationFailureReason.OrderIncluded,

            // Checkpoint notes are published beside the export, not in it (ChainVerifier.CheckNote).
            VerificationFailureReason.CheckpointNoteInvalid, VerificationFailureReason.WitnessQuorumNotMet,

            // The matching engine's second opinion on a certificate the verifier's own check already passed: only a
            // disagreement between the two (a bug) shows it (Market.Replay.Tests).
            VerificationFailureReason.GridCertificateFailed,
        ];

        var covered = Generated.Value.SelectMany(c => new[] { c.Expected.Reason, c.WithoutReplay?.Reason, c.WithoutOpenings?.Reason }).OfType<VerificationFailureReason>().ToHashSet();

        Enum.GetValues<VerificationFailureReason>().Except(notInExports).Where(r => !covered.Contains(r)).ShouldBeEmpty();
    }

    [Theory]
    [MemberData(nameof(CommittedCases))]
    public void VerifyExport_SharedCaseWithReplay_ReportsTheManifestVerdict(string file)
    {
        var entry = Entry(file);

        var verdict = Verify(entry, new FakeReplayer());

        verdict.ShouldBe(entry.Expected);
    }

    [Theory]
    [MemberData(nameof(CommittedCases))]
    public void VerifyExport_SharedCaseWithoutReplay_ReportsTheManifestVerdictWithoutReplay(string file)
    {
        var entry = Entry(file);

        var verdict = Verify(entry, replayer: null);

        verdict.ShouldBe(entry.WithoutReplay ?? entry.Expected);
    }

    [Theory]
    [MemberData(nameof(CommittedCases))]
    public void VerifyExport_SharedCaseWithoutOpenings_ReportsTheManifestVerdictWithoutOpenings(string file)
    {
        var entry = Entry(file);

        var verdict = Verify(entry, new FakeReplayer(), withOpenings: false);

        verdict.ShouldBe(entry.WithoutOpenings ?? entry.Expected);
    }

    private static ManifestEntry Entry(string file) =>
        TamperCaseFiles.ReadManifest(File.ReadAllBytes(Path.Combine(TamperCaseFiles.Folder, TamperCaseFiles.ManifestName))).Single(e => e.File == file);

    /// <summary>Reads the export file and verifies it as <c>market ledger verify</c> does, with the case's kept
    /// checkpoint, trusted genesis key and (unless told not to) openings.</summary>
    private static Verdict Verify(ManifestEntry entry, IClearingReplayer? replayer, bool withOpenings = true)
    {
        var kept = entry.KeptCheckpoint is { } keptFile
            ? TamperCaseFiles.ReadCheckpoint(File.ReadAllBytes(Path.Combine(TamperCaseFiles.Folder, keptFile)))
            : null;
        IReadOnlyList<ReconciliationOpening>? openings = null;
        if (withOpenings && entry.Openings is { } openingsFile)
        {
            using var stream = File.OpenRead(Path.Combine(TamperCaseFiles.Folder, openingsFile));
            openings = OpeningsFile.Read(stream);
        }

        var options = new ChainVerifierOptions { TrustedGenesisKeyId = entry.TrustedGenesisKeyId, Openings = openings };
        using var export = File.OpenRead(Path.Combine(TamperCaseFiles.Folder, entry.File));
        return Verdict.Of(ChainVerifier.VerifyExport(export, replayer, kept, options));
    }
}
