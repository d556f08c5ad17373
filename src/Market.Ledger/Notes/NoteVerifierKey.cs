using System.Diagnostics.CodeAnalysis;

namespace Market.Ledger;

/// <summary>
/// A C2SP signed-note verifier key ("vkey"): <c>&lt;name&gt;+&lt;8 hex key id&gt;+&lt;base64(type ‖ public key)&gt;</c>.
/// Two types are supported, both Ed25519 with a 32-byte public key: <see cref="Ed25519"/> (plain note signatures,
/// the log key) and <see cref="CosignatureV1"/> (tlog-cosignature, witness keys). The key id is
/// <c>SHA-256(name ‖ "\n" ‖ type ‖ key)[:4]</c> read big-endian. Immutable.
/// </summary>
public sealed class NoteVerifierKey
{
    /// <summary>signed-note type 0x01: Ed25519 over the note text (the log key).</summary>
    public const byte Ed25519 = 0x01;

    /// <summary>signed-note type 0x04: timestamped Ed25519 checkpoint cosignatures (c2sp.org/tlog-cosignature).</summary>
    public const byte CosignatureV1 = 0x04;

    /// <summary>Length of an Ed25519 public key.</summary>
    public const int PublicKeySize = 32;

    private readonly byte[] _publicKey;

    private NoteVerifierKey(string name, byte type, byte[] publicKey)
    {
        Name = name;
        Type = type;
        _publicKey = publicKey;
        KeyId = NoteEncoding.KeyIdOf(name, type, publicKey);
    }

    /// <summary>The key name (for a log key, the log's origin).</summary>
    public string Name { get; }

    /// <summary>The signature type: <see cref="Ed25519"/> or <see cref="CosignatureV1"/>.</summary>
    public byte Type { get; }

    /// <summary>The 32-byte Ed25519 public key (a copy).</summary>
    public byte[] PublicKey => (byte[])_publicKey.Clone();

    /// <summary>SHA-256(name ‖ "\n" ‖ type ‖ key)[:4], big-endian.</summary>
    public uint KeyId { get; }

    internal byte[] PublicKeyBytes => _publicKey;

    /// <summary>A key from its parts; the key id is computed.</summary>
    /// <param name="name">A valid key name: non-empty, no whitespace, no "+", no control characters.</param>
    /// <param name="type"><see cref="Ed25519"/> or <see cref="CosignatureV1"/>.</param>
    /// <param name="publicKey">32 bytes.</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException">A bad name, type or key length.</exception>
    public static NoteVerifierKey Create(string name, byte type, ReadOnlySpan<byte> publicKey)
    {
        if (!NoteEncoding.IsValidKeyName(name))
        {
            throw new ArgumentException("a key name is non-empty, without whitespace, '+' or control characters", nameof(name));
        }

        if (type is not (Ed25519 or CosignatureV1))
        {
            throw new ArgumentException($"unsupported signature type 0x{type:x2} (0x01 or 0x04)", nameof(type));
        }

        if (publicKey.Length != PublicKeySize)
        {
            throw new ArgumentException("an Ed25519 public key is 32 bytes", nameof(publicKey));
        }

        return new NoteVerifierKey(name, type, publicKey.ToArray());
    }

    /// <summary>Parses a vkey strictly: a valid name, exactly 8 lowercase hex digits, canonical base64 of a type
    /// byte and 32 key bytes, a supported type and a key id that matches the name, type and key.</summary>
    /// <param name="vkey">The vkey text (no surrounding whitespace).</param>
    /// <param name="key">The key on success.</param>
    /// <param name="error">What is wrong on failure.</param>
    /// <returns>Whether it parsed.</returns>
    public static bool TryParse(string vkey, [NotNullWhen(true)] out NoteVerifierKey? key, out string? error)
    {
        key = null;
        if (vkey is null)
        {
            error = "no vkey";
            return false;
        }

        var first = vkey.IndexOf('+', StringComparison.Ordinal);
        var second = first < 0 ? -1 : vkey.IndexOf('+', first + 1);
        if (first < 0 || second < 0)
        {
            error = "a vkey is <name>+<key id>+<base64 key>";
            return false;
        }

        var name = vkey[..first];
        var hex = vkey[(first + 1)..second];
        var material = vkey[(second + 1)..];
        if (!NoteEncoding.IsValidKeyName(name))
        {
            error = "the key name is empty or has whitespace, '+' or control characters";
            return false;
        }

        if (!NoteEncoding.TryParseKeyId(hex, out var keyId))
        {
            error = "the key id is not 8 lowercase hex digits";
            return false;
        }

        if (!NoteEncoding.TryDecodeBase64(material, out var bytes) || bytes.Length < 1)
        {
            error = "the key material is not canonical base64";
            return false;
        }

        if (bytes[0] is not (Ed25519 or CosignatureV1))
        {
            error = $"unsupported signature type 0x{bytes[0]:x2} (0x01 or 0x04)";
            return false;
        }

        if (bytes.Length != 1 + PublicKeySize)
        {
            error = "an Ed25519 public key is 32 bytes";
            return false;
        }

        var parsed = new NoteVerifierKey(name, bytes[0], bytes[1..]);
        if (parsed.KeyId != keyId)
        {
            error = "the key id does not match the name and key";
            return false;
        }

        key = parsed;
        error = null;
        return true;
    }

    /// <summary>The vkey text.</summary>
    /// <returns><c>name+keyid+base64(type ‖ key)</c>.</returns>
    public string Encode()
    {
        var material = new byte[1 + PublicKeySize];
        material[0] = Type;
        _publicKey.CopyTo(material, 1);
        return $"{Name}+{NoteEncoding.FormatKeyId(KeyId)}+{Convert.ToBase64String(material)}";
    }

    /// <summary>The vkey text, as <see cref="Encode"/>.</summary>
    /// <returns>The vkey.</returns>
    public override string ToString() => Encode();

    /// <summary>Whether both wrap the same public key, whatever their names, ids or types (tlog-policy's
    /// "duplicate").</summary>
    /// <param name="other">Another key.</param>
    /// <returns>True for the same 32 key bytes.</returns>
    public bool SameKey(NoteVerifierKey other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return _publicKey.AsSpan().SequenceEqual(other._publicKey);
    }

    /// <summary>Ed25519 (RFC 8032) verification with this key.</summary>
    internal bool VerifyEd25519(byte[] message, ReadOnlySpan<byte> signature) =>
        signature.Length == 64
        && Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.Verify(signature.ToArray(), 0, _publicKey, 0, message, 0, message.Length);
}
