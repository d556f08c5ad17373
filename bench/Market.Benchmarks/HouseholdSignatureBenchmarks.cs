using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using NSec.Cryptography;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;

namespace Market.Benchmarks;

/// <summary>
/// One household signature checked, as the verifier checks every signed order: the candidates for household keys
/// (ECDSA P-256 with SHA-256, what WebCrypto makes non-extractable in every browser; Ed25519, for agents) in the
/// libraries at hand: .NET's built-in ECDsa (OpenSSL on Linux), BouncyCastle, and NSec (libsodium). The message is
/// an order statement's size (about 110 bytes); each key object is made once, as a verifier keeps one per household
/// key. Run with <c>--filter *HouseholdSignatureBenchmarks*</c>.
/// </summary>
[MemoryDiagnoser]
public class HouseholdSignatureBenchmarks
{
    private readonly byte[] _message = new byte[110];
    private ECDsa _p256 = null!;
    private byte[] _p256Signature = [];
    private ECPublicKeyParameters _bouncyP256 = null!;
    private BigInteger _bouncyR = null!;
    private BigInteger _bouncyS = null!;
    private NSec.Cryptography.PublicKey _ed25519 = null!;
    private byte[] _ed25519Signature = [];
    private Ed25519PublicKeyParameters _bouncyEd25519 = null!;

    [GlobalSetup]
    public void Setup()
    {
        RandomNumberGenerator.Fill(_message);

        using var signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _p256Signature = signer.SignData(_message, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var point = signer.ExportParameters(includePrivateParameters: false).Q;
        _p256 = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = point });

        // The curve with BouncyCastle's own P-256 field arithmetic (its generic curve is about five times slower).
        var curve = CustomNamedCurves.GetByName("P-256");
        var domain = new ECDomainParameters(curve);
        _bouncyP256 = new ECPublicKeyParameters(curve.Curve.CreatePoint(new BigInteger(1, point.X), new BigInteger(1, point.Y)), domain);
        _bouncyR = new BigInteger(1, _p256Signature, 0, 32);
        _bouncyS = new BigInteger(1, _p256Signature, 32, 32);

        using var ed = Key.Create(SignatureAlgorithm.Ed25519);
        _ed25519Signature = SignatureAlgorithm.Ed25519.Sign(ed, _message);
        _ed25519 = ed.PublicKey;
        _bouncyEd25519 = new Ed25519PublicKeyParameters(ed.PublicKey.Export(KeyBlobFormat.RawPublicKey));

        if (!DotNetP256() || !BouncyCastleP256() || !NSecEd25519() || !BouncyCastleEd25519())
        {
            throw new InvalidOperationException("a benchmark's signature does not verify");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _p256.Dispose();

    /// <summary>P-256, .NET's ECDsa (OpenSSL).</summary>
    [Benchmark(Baseline = true)]
    public bool DotNetP256() => _p256.VerifyData(_message, _p256Signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <summary>P-256, BouncyCastle's ECDsaSigner (the hash computed first, as the signer expects).</summary>
    [Benchmark]
    public bool BouncyCastleP256()
    {
        var signer = new ECDsaSigner();
        signer.Init(false, _bouncyP256);
        return signer.VerifySignature(SHA256.HashData(_message), _bouncyR, _bouncyS);
    }

    /// <summary>Ed25519, NSec (libsodium).</summary>
    [Benchmark]
    public bool NSecEd25519() => SignatureAlgorithm.Ed25519.Verify(_ed25519, _message, _ed25519Signature);

    /// <summary>Ed25519, BouncyCastle.</summary>
    [Benchmark]
    public bool BouncyCastleEd25519()
    {
        var verifier = new Ed25519Signer();
        verifier.Init(false, _bouncyEd25519);
        verifier.BlockUpdate(_message, 0, _message.Length);
        return verifier.VerifySignature(_ed25519Signature);
    }
}
