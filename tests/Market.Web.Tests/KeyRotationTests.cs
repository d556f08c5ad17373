using System.Net;
using Market.Ledger;
using Market.Replay;
using Market.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Tests;

/// <summary>Rotating the operator's signing key: sealed by the old key, used from then on, safe across restarts and nodes.</summary>
public sealed class KeyRotationTests
{
    private static async Task<VerificationResult> VerifyExportAsync(MarketFactory app)
    {
        using var export = new MemoryStream();
        await app.Get<LedgerPublication>().WriteExportAsync(export);
        export.Position = 0;
        return ChainVerifier.VerifyExport(export, new MatchingReplayer());
    }

    private static async Task<BlockHeader> HeaderAsync(MarketFactory app, long height)
    {
        await using var db = app.CreateDb();
        return BlockHeader.Decode(await db.Blocks.Where(b => b.Height == height).Select(b => b.Header).SingleAsync());
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Rotate_ThenClear_KeyEventSignedByTheOldKeyTheNewKeySignsTheRestAndTheChainVerifies()
    {
        await using var app = new MarketFactory();
        _ = app.Server;
        var keys = app.Get<SigningKeyStore>();
        var old = keys.Key;
        await app.TradeAndClearAsync();

        var rotated = await app.Get<KeyRotationService>().RotateAsync();
        await app.TradeAndClearAsync(sellPrice: 1600);

        rotated.PreviousKeyId.ShouldBe(Convert.ToHexStringLower(old.KeyId));
        rotated.KeyId.ShouldNotBe(rotated.PreviousKeyId);
        Convert.ToHexStringLower(keys.Key.KeyId).ShouldBe(rotated.KeyId);
        // The key file is the new key; the old one is kept beside it, owner-only; nothing is left staged.
        Convert.ToHexStringLower(SigningKey.FromPrivateKey(Convert.FromHexString(File.ReadAllText(keys.Path).Trim())).KeyId).ShouldBe(rotated.KeyId);
        var retired = Directory.GetFiles(Path.GetDirectoryName(keys.Path)!, Path.GetFileName(keys.Path) + ".retired-*").ShouldHaveSingleItem();
        SigningKey.FromPrivateKey(Convert.FromHexString(File.ReadAllText(retired).Trim())).KeyId.ShouldBe(old.KeyId);
        File.GetUnixFileMode(retired).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.GetUnixFileMode(keys.Path).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Directory.GetFiles(Path.GetDirectoryName(keys.Path)!, Path.GetFileName(keys.Path) + ".*").Where(f => f != keys.Path)
            .ShouldAllBe(f => f.Contains(".retired-", StringComparison.Ordinal), "nothing staged or half-written is left");
        (await HeaderAsync(app, rotated.BlockHeight)).Kind.ShouldBe(BlockKind.KeyEvent);
        var report = await VerifyExportAsync(app);
        report.IsValid.ShouldBeTrue(report.Failure?.ToString());
        (await app.Get<LedgerPublication>().LatestCheckpointAsync())!.KeyId.ShouldBe(keys.Key.KeyId);
        await using var db = app.CreateDb();
        (await db.Blocks.MaxAsync(b => b.Height)).ShouldBeGreaterThan(rotated.BlockHeight);
    }

    [Fact]
    public async Task Restart_AfterARotation_StartsWithTheNewKey()
    {
        await using var first = new MarketFactory();
        _ = first.Server;
        var rotated = await first.Get<KeyRotationService>().RotateAsync();

        await using var second = new MarketFactory(first.DataDirectory);
        _ = second.Server;
        await second.TradeAndClearAsync();

        Convert.ToHexStringLower(second.Get<SigningKeyStore>().Key.KeyId).ShouldBe(rotated.KeyId);
        (await second.Get<LedgerReader>().VerifyAsync()).IsValid.ShouldBeTrue();
    }

    [Fact]
    public async Task Start_RotationSealedButTheKeyFileNotYetReplaced_FinishesTheRotation()
    {
        await using var first = new MarketFactory();
        _ = first.Server;
        var keys = first.Get<SigningKeyStore>();
        var oldKeyFile = await File.ReadAllTextAsync(keys.Path);
        var rotated = await first.Get<KeyRotationService>().RotateAsync();
        // As if the process died between committing the key event and renaming the staged key over the key file.
        var newKeyFile = await File.ReadAllTextAsync(keys.Path);
        var staged = keys.StagedPath(SigningKey.FromPrivateKey(Convert.FromHexString(newKeyFile.Trim())));
        await File.WriteAllTextAsync(staged, newKeyFile);
        await File.WriteAllTextAsync(keys.Path, oldKeyFile);

        await using var second = new MarketFactory(first.DataDirectory);
        _ = second.Server;
        await second.TradeAndClearAsync();

        Convert.ToHexStringLower(second.Get<SigningKeyStore>().Key.KeyId).ShouldBe(rotated.KeyId);
        (await File.ReadAllTextAsync(keys.Path)).Trim().ShouldBe(newKeyFile.Trim());
        File.Exists(staged).ShouldBeFalse();
        (await VerifyExportAsync(second)).IsValid.ShouldBeTrue();
    }

    [Fact]
    public async Task Start_StagedKeyThatWasNeverSealedAndAHalfWrittenOne_BothDroppedAndTheKeyUnchanged()
    {
        await using var first = new MarketFactory();
        _ = first.Server;
        var keys = first.Get<SigningKeyStore>();
        var current = keys.Key.KeyId;
        var never = SigningKey.Generate();
        await File.WriteAllTextAsync(keys.StagedPath(never), Convert.ToHexStringLower(never.PrivateKey));
        var torn = keys.Path + ".next-0123456789abcdef";
        await File.WriteAllTextAsync(torn, "3fa9");

        await using var second = new MarketFactory(first.DataDirectory);
        _ = second.Server;
        await second.TradeAndClearAsync();

        second.Get<SigningKeyStore>().Key.KeyId.ShouldBe(current);
        File.Exists(keys.StagedPath(never)).ShouldBeFalse();
        File.Exists(torn).ShouldBeFalse();
        (await VerifyExportAsync(second)).IsValid.ShouldBeTrue();
    }

    [Fact]
    public async Task SecondNode_RotatedByTheFirstOnTheSharedKeyFile_ReadsTheNewKeyAndSealsWithIt()
    {
        await using var a = new MarketFactory();
        _ = a.Server;
        await using var b = new MarketFactory(a.DataDirectory);
        _ = b.Server;
        var before = b.Get<SigningKeyStore>().Key.KeyId;

        var rotated = await a.Get<KeyRotationService>().RotateAsync();
        await b.TradeAndClearAsync();

        before.ShouldNotBe(b.Get<SigningKeyStore>().Key.KeyId);
        Convert.ToHexStringLower(b.Get<SigningKeyStore>().Key.KeyId).ShouldBe(rotated.KeyId);
        var report = await VerifyExportAsync(b);
        report.IsValid.ShouldBeTrue(report.Failure?.ToString());
    }

    [Fact]
    public async Task SecondNode_HoldingTheRetiredKey_RefusesToSealAndTheChainStaysValid()
    {
        await using var a = new MarketFactory();
        _ = a.Server;
        var ownCopy = Path.Combine(a.DataDirectory, "node-b-signing-key.hex");
        File.Copy(a.Get<SigningKeyStore>().Path, ownCopy);
        await using var b = new MarketFactory(a.DataDirectory);
        b.Settings["Market:SigningKeyPath"] = ownCopy;
        _ = b.Server;
        await a.Get<KeyRotationService>().RotateAsync();
        int blocks;
        await using (var db = a.CreateDb())
        {
            blocks = await db.Blocks.CountAsync();
        }

        var refused = await Should.ThrowAsync<InvalidOperationException>(() => b.TradeAndClearAsync());

        refused.Message.ShouldContain("retired");
        await using (var db = a.CreateDb())
        {
            (await db.Blocks.CountAsync()).ShouldBe(blocks);
        }

        (await VerifyExportAsync(a)).IsValid.ShouldBeTrue();
    }

    [Fact]
    public async Task Api_OperatorToken_RotatesAndOthersAreRefused()
    {
        await using var app = new MarketFactory();
        _ = app.Server;
        using var household = await ApiClient.ForAsync(app, "anna@demo.energy");
        using var operatorClient = await ApiClient.ForAsync(app, "operator@demo.energy");

        using var refused = await household.PostAsync(new Uri("/api/ledger/key-rotations", UriKind.Relative), null);
        using var response = await operatorClient.PostAsync(new Uri("/api/ledger/key-rotations", UriKind.Relative), null);

        refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        body.ShouldContain(Convert.ToHexStringLower(app.Get<SigningKeyStore>().Key.KeyId));
    }
}
