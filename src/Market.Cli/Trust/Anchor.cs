using System.Diagnostics.CodeAnalysis;
using Market.Ledger;

namespace Market.Cli.Trust;

/// <summary>How a verified ledger relates to what the run trusts.</summary>
internal enum AnchorStatus
{
    /// <summary>Valid, but nothing ties it to a ledger the user trusts (a file without --trust or --ledger).</summary>
    NotAnchored,

    /// <summary>Valid and seen for the first time: accepted and remembered; the genesis key id is printed to compare.</summary>
    FirstContact,

    /// <summary>Valid and its genesis key is the one given with --trust.</summary>
    Pinned,

    /// <summary>Valid, the same genesis key as remembered and it extends every remembered checkpoint.</summary>
    Remembered,

    /// <summary>Its genesis key is not the trusted one: another ledger.</summary>
    OtherLedger,

    /// <summary>It does not extend a checkpoint verified before: history was rewritten, cut or forked.</summary>
    Rewritten,
}

/// <summary>
/// What one run of <c>market ledger verify|follow|receipt</c> trusts, each piece with where it comes from: genesis
/// key ids the ledger must start with (--trust, the ledger remembered for its URL, a mirror's own copy) and
/// checkpoints it must extend (the remembered one, --checkpoint, the mirror's), and where the run remembers what it
/// verified. It turns a verification result into a verdict in those terms (docs/adr/0016-trust-anchor.md).
/// </summary>
internal sealed class Anchor
{
    public const string TrustOption = "--trust";

    private const string PinnedSource = "the key id given with " + TrustOption;

    private readonly List<(string Source, byte[] KeyId)> _genesis = [];
    private readonly List<(string Source, Checkpoint Checkpoint)> _kept = [];
    private readonly List<string> _memories = [];

    private Anchor(KnownLedgers? store, string? ledger, KnownLedger? remembered)
    {
        Store = store;
        Ledger = ledger;
        Remembered = remembered;
        if (store is not null && ledger is not null)
        {
            _memories.Add(store.PathFor(ledger));
        }
    }

    /// <summary>The store of remembered ledgers, when this run remembers one.</summary>
    public KnownLedgers? Store { get; }

    /// <summary>The ledger's name (its URL) under which this run checks and remembers; null for a file on its own.</summary>
    public string? Ledger { get; }

    /// <summary>What the store remembered for <see cref="Ledger"/> when the run started.</summary>
    public KnownLedger? Remembered { get; }

    /// <summary>The genesis key id the ledger must have (all sources agree, see <see cref="Conflict"/>).</summary>
    public byte[]? GenesisKeyId => _genesis.Count > 0 ? _genesis[0].KeyId : null;

    /// <summary>The checkpoints the ledger must extend.</summary>
    public IReadOnlyList<Checkpoint> Kept => [.. _kept.Select(k => k.Checkpoint)];

    public ChainVerifierOptions Options => new() { TrustedGenesisKeyId = GenesisKeyId };

    /// <summary>
    /// The anchor of a run on <paramref name="source"/> (a file or URL): <paramref name="trust"/> pins the genesis key
    /// id; the ledger is <paramref name="ledgerOption"/> or, for a URL, the source itself, and whatever the store
    /// remembers for it is trusted. Null with <paramref name="problem"/> when an option or the store is unusable.
    /// </summary>
    public static Anchor? Resolve(string source, string? ledgerOption, string? trust, string? storeFolder, out string? problem)
    {
        problem = null;
        byte[]? pinned = null;
        if (trust is not null && !TryKeyId(trust, out pinned))
        {
            problem = $"{TrustOption} takes a genesis key id: 64 hex digits, as a first contact and the ledger pages show it";
            return null;
        }

        string? ledger = null;
        if (ledgerOption is not null && !KnownLedgers.TryName(ledgerOption, out ledger))
        {
            problem = $"--ledger takes the market's http or https URL, not {ledgerOption}";
            return null;
        }

        if (ledgerOption is null && IsUrl(source))
        {
            _ = KnownLedgers.TryName(source, out ledger);
        }

        KnownLedgers? store = null;
        KnownLedger? remembered = null;
        if (ledger is not null)
        {
            var folder = KnownLedgers.DefaultFolder(storeFolder);
            if (folder is null)
            {
                problem = $"there is no config folder to remember ledgers in (no home folder): set {KnownLedgers.FolderVariable} or give --known-ledgers";
                return null;
            }

            store = new KnownLedgers(folder);
            if (!store.TryRead(ledger, out remembered, out var why))
            {
                problem = $"what is remembered for {ledger} cannot be read: {why}. Repair it, or forget it deliberately with `market ledger forget {ledger}`";
                return null;
            }

            if (remembered is null && ledgerOption is not null && !IsUrl(source) && pinned is null)
            {
                problem = $"nothing is remembered for {ledger}: verify it online first (`market ledger verify {ledger}`), or pin its genesis key with {TrustOption}";
                return null;
            }
        }

        var anchor = new Anchor(store, ledger, remembered);
        if (pinned is not null)
        {
            anchor.TrustGenesis(PinnedSource, pinned);
        }

        if (remembered is not null)
        {
            var where = $"the ledger remembered for {ledger}";
            anchor.TrustGenesis(where, remembered.GenesisKeyId);
            anchor.Keep($"the checkpoint of {remembered.Checkpoint.Size} blocks remembered for {ledger} ({store!.PathFor(ledger!)})", remembered.Checkpoint);
        }

        return anchor;
    }

    public static bool IsUrl(string source) =>
        source.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || source.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    public void TrustGenesis(string source, byte[] keyId) => _genesis.Add((source, keyId));

    public void Keep(string source, Checkpoint checkpoint) => _kept.Add((source, checkpoint));

    /// <summary>Another place this run remembers what it verified (a mirror's folder).</summary>
    public void RememberIn(string memory) => _memories.Add(memory);

    /// <summary>When two sources name different genesis keys: the verdict that the ledger cannot be trusted, before
    /// anything is read.</summary>
    public string? Conflict()
    {
        var (source, keyId) = _genesis.FirstOrDefault();
        foreach (var (other, otherId) in _genesis.Skip(1))
        {
            if (!otherId.AsSpan().SequenceEqual(keyId))
            {
                return $"NOT THE LEDGER YOU TRUST: the genesis key ids you trust differ: {Hex(keyId)} ({source}) and {Hex(otherId)} ({other}). Nothing was verified: find out which one your community publishes.";
            }
        }

        return null;
    }

    /// <summary>
    /// The verdict in terms of the anchor: for a valid ledger whether and how it is anchored, for a failure whether
    /// it is another ledger or a rewritten history; null for any other failure (plain tampering, reported as such).
    /// </summary>
    /// <param name="result">The verification result.</param>
    /// <param name="genesisSeen">The key id the ledger's block 0 names (also when it failed).</param>
    public (AnchorStatus Status, string Text)? Judge(VerificationResult result, byte[]? genesisSeen)
    {
        ArgumentNullException.ThrowIfNull(result);
        var seen = genesisSeen is null ? "unknown" : Hex(genesisSeen);
        if (result.Failure is { } failure)
        {
            if (failure is { Reason: VerificationFailureReason.UnknownKey, Height: 0 } && _genesis.Count > 0)
            {
                return (AnchorStatus.OtherLedger,
                    $"NOT THE LEDGER YOU TRUST: its genesis key id is {seen}, but the one you trust is {Hex(_genesis[0].KeyId)} ({_genesis[0].Source}). "
                    + "Someone is serving another ledger (or the operator started a new one): do not rely on it, and compare both ids with the one your community publishes.");
            }

            var cut = failure.Reason == VerificationFailureReason.Truncated && _kept.Any(k => k.Checkpoint.Size > result.BlockCount);
            if (failure.Reason == VerificationFailureReason.NotConsistent || cut)
            {
                return (AnchorStatus.Rewritten,
                    $"REWRITTEN: the history verified before has been {(cut ? "truncated" : "rewritten or forked")}: this ledger does not extend {string.Join(" or ", _kept.Select(k => k.Source))} ({failure.Message}). "
                    + "That checkpoint and this ledger's are both signed by the operator: together they prove the change.");
            }

            return null;
        }

        var remembered = _genesis.Where(g => g.Source != PinnedSource).Select(g => g.Source).Concat(_kept.Select(k => k.Source)).Distinct().ToList();
        if (remembered.Count > 0)
        {
            return (AnchorStatus.Remembered,
                $"anchored: the same ledger as verified before (genesis key id {seen}); it extends {string.Join(" and ", _kept.Select(k => k.Source).DefaultIfEmpty(remembered[0]))}");
        }

        if (_genesis.Count > 0)
        {
            return (AnchorStatus.Pinned, _memories.Count > 0
                ? $"first contact with {Ledger ?? _memories[0]}: its genesis key id is the one given with {TrustOption} ({seen}); remembered in {string.Join(" and ", _memories)}"
                : $"anchored: the genesis key id is the one given with {TrustOption} ({seen})");
        }

        if (_memories.Count > 0)
        {
            return (AnchorStatus.FirstContact,
                $"FIRST CONTACT with {Ledger ?? _memories[0]}: nothing was remembered for it, so this run shows the chain is valid, not that it is your community's ledger. "
                + $"Its genesis key id is {seen}: compare it with the one your community publishes (the ledger pages show it too, but they come from the same server). "
                + $"Remembered in {string.Join(" and ", _memories)}: from now on another genesis key or a rewritten history fails.");
        }

        return (AnchorStatus.NotAnchored,
            $"NOT ANCHORED: the chain is valid, but nothing ties it to a ledger you trust: anyone can seal a valid chain with a fresh key. Its genesis key id is {seen}. "
            + $"Compare it with the one your community publishes and give it with {TrustOption} KEYID, or check the file against a ledger verified online before with --ledger URL.");
    }

    /// <summary>Remembers a valid ledger's latest checkpoint in the store (never a smaller one); the line to print,
    /// and whether it is a warning (nothing could be remembered).</summary>
    public (string Line, bool Warning)? Remember(VerificationResult result, Checkpoint latest)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (Store is null || Ledger is null || !result.IsValid || result.KeyIds.Count == 0)
        {
            return null;
        }

        var next = new KnownLedger(Ledger, result.KeyIds[0], result.KeyIds, latest);
        RememberOutcome outcome;
        try
        {
            outcome = Store.Remember(Remembered, next);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            outcome = new RememberOutcome(RememberResult.Unreadable, $"{Store.Folder}: {e.Message}");
        }

        var path = Store.PathFor(Ledger);
        return outcome.Result switch
        {
            RememberResult.Updated => ($"remembered for {Ledger}: the checkpoint of {latest.Size} blocks ({path})", false),
            RememberResult.Kept => ($"remembered for {Ledger}: the checkpoint of {Remembered!.Checkpoint.Size} blocks stays (this ledger's checkpoint is not newer)", false),
            _ => ($"nothing remembered: {outcome.Problem}", true),
        };
    }

    public static bool TryKeyId(string text, [NotNullWhen(true)] out byte[]? keyId)
    {
        keyId = null;
        var hex = text.Trim();
        if (hex.Length != 64 || !hex.All(char.IsAsciiHexDigit))
        {
            return false;
        }

        keyId = Convert.FromHexString(hex);
        return true;
    }

    public static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
