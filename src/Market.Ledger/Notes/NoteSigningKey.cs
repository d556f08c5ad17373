using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using BcEd25519 = Org.BouncyCastle.Math.EC.Rfc8032.Ed25519;

namespace Market.Ledger;

/// <summary>
/// An Ed25519 signing key for notes in Go's (golang.org/x/mod/sumdb/note) text form
/// <c>PRIVATE+KEY+&lt;name&gt;+&lt;8 hex key id&gt;+&lt;base64(type ‖ 32-byte seed)&gt;</c>. The key id is that of the
/// matching <see cref="VerifierKey"/>. Type 0x01 signs notes (the log), 0x04 cosigns checkpoints (a witness).
/// Keep the encoded form secret: anyone holding it can sign.
/// </summary>
public sealed class NoteSigningKey
{
    private const string Prefix = "PRIVATE+KEY+";

    private readonly byte[] _seed;
    private readonly byte[] _publicKey;

    private NoteSigningKey(string name, byte type, byte[] seed)
    {
        _seed = seed;
        _publicKey = new byte[BcEd25519.PublicKeySize];
        BcEd25519.GeneratePublicKey(seed, 0, _publicKey, 0);
        VerifierKey = NoteVerifierKey.Create(name, type, _publicKey);
    }

    /// <summary>The key name.</summary>
    public string Name => VerifierKey.Name;

    /// <summary><see cref="NoteVerifierKey.Ed25519"/> or <see cref="NoteVerifierKey.CosignatureV1"/>.</summary>
    public byte Type => VerifierKey.Type;

    /// <summary>The public half.</summary>
    public NoteVerifierKey VerifierKey { get; }

    /// <summary>A new key from the system's random number generator.</summary>
    /// <param name="name">A valid key name.</param>
    /// <param name="type">0x01 or 0x04.</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException">A bad name or type.</exception>
    public static NoteSigningKey Generate(string name, byte type) => FromSeed(name, type, RandomNumberGenerator.GetBytes(32));

    /// <summary>A key from a 32-byte Ed25519 seed (RFC 8032 private key).</summary>
    /// <param name="name">A valid key name.</param>
    /// <param name="type">0x01 or 0x04.</param>
    /// <param name="seed">32 bytes.</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException">A bad name, type or seed length.</exception>
    public static NoteSigningKey FromSeed(string name, byte type, ReadOnlySpan<byte> seed)
    {
        if (seed.Length != 32)
        {
            throw new ArgumentException("an Ed25519 seed is 32 bytes", nameof(seed));
        }

        return new NoteSigningKey(name, type, seed.ToArray());
    }

    /// <summary>Parses the Go text form strictly (the key id must match the name, type and derived public key).</summary>
    /// <param name="skey">The encoded key.</param>
    /// <param name="key">The key on success.</param>
    /// <param name="error">What is wrong on failure (never the key material).</param>
    /// <returns>Whether it parsed.</returns>
    public static bool TryParse(string skey, [NotNullWhen(true)] out NoteSigningKey? key, out string? error)
    {
        key = null;
        if (skey is null || !skey.StartsWith(Prefix, StringComparison.Ordinal))
        {
            error = "a signing key starts with PRIVATE+KEY+";
            return false;
        }

        var rest = skey[Prefix.Length..];
        var first = rest.IndexOf('+', StringComparison.Ordinal);
        var second = first < 0 ? -1 : rest.IndexOf('+', first + 1);
        if (first < 0 || second < 0)
        {
            error = "a signing key is PRIVATE+KEY+<name>+<key id>+<base64 seed>";
            return false;
        }

        var name = rest[..first];
        if (!NoteEncoding.IsValidKeyName(name))
        {
            error = "the key name is empty or has whitespace, '+' or control characters";
            return false;
        }

        if (!NoteEncoding.TryParseKeyId(rest[(first + 1)..second], out var keyId))
        {
            error = "the key id is not 8 lowercase hex digits";
            return false;
        }

        if (!NoteEncoding.TryDecodeBase64(rest[(second + 1)..], out var bytes) || bytes.Length < 1)
        {
            error = "the key material is not canonical base64";
            return false;
        }

        if (bytes[0] is not (NoteVerifierKey.Ed25519 or NoteVerifierKey.CosignatureV1))
        {
            error = $"unsupported signature type 0x{bytes[0]:x2} (0x01 or 0x04)";
            return false;
        }

        if (bytes.Length != 33)
        {
            error = "an Ed25519 seed is 32 bytes";
            return false;
        }

        var parsed = new NoteSigningKey(name, bytes[0], bytes[1..]);
        if (parsed.VerifierKey.KeyId != keyId)
        {
            error = "the key id does not match the name and key";
            return false;
        }

        key = parsed;
        error = null;
        return true;
    }

    /// <summary>The Go text form (secret).</summary>
    /// <returns><c>PRIVATE+KEY+name+keyid+base64(type ‖ seed)</c>.</returns>
    public string Encode()
    {
        var material = new byte[33];
        material[0] = Type;
        _seed.CopyTo(material, 1);
        return $"{Prefix}{Name}+{NoteEncoding.FormatKeyId(VerifierKey.KeyId)}+{Convert.ToBase64String(material)}";
    }

    /// <summary>A raw Ed25519 signature (RFC 8032, deterministic).</summary>
    /// <param name="message">The bytes to sign.</param>
    /// <returns>64 bytes.</returns>
    public byte[] Sign(ReadOnlySpan<byte> message)
    {
        var signature = new byte[BcEd25519.SignatureSize];
        var m = message.ToArray();
        BcEd25519.Sign(_seed, 0, _publicKey, 0, m, 0, m.Length, signature, 0);
        return signature;
    }

    /// <summary>Never the secret: the verifier key's text.</summary>
    /// <returns>The vkey.</returns>
    public override string ToString() => VerifierKey.Encode();
}
