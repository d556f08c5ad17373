using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace Market.Ledger;

/// <summary>
/// One signature line of a signed note: <c>"— &lt;name&gt; base64(4-byte key id ‖ signature)\n"</c> (U+2014 EM DASH,
/// space). <paramref name="Signature"/> is what follows the key id: 64 bytes for a type 0x01 signature, 72 (an 8-byte
/// big-endian timestamp then 64) for a 0x04 cosignature; a line from an unknown key may carry any non-empty length.
/// </summary>
/// <param name="Name">The key name.</param>
/// <param name="KeyId">The key id.</param>
/// <param name="Signature">The signature bytes after the key id (at least one).</param>
public sealed record NoteSignature(string Name, uint KeyId, byte[] Signature)
{
    /// <summary>"— ": U+2014 EM DASH and a space, the start of every signature line.</summary>
    public const string LinePrefix = "\u2014 ";

    /// <summary>The line, with its trailing "\n".</summary>
    /// <returns>The line.</returns>
    /// <exception cref="InvalidOperationException">An invalid name or an empty signature.</exception>
    public string ToLine()
    {
        if (!NoteEncoding.IsValidKeyName(Name) || Signature is not { Length: > 0 })
        {
            throw new InvalidOperationException("a signature line needs a valid key name and a non-empty signature");
        }

        var bytes = new byte[4 + Signature.Length];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, KeyId);
        Signature.CopyTo(bytes, 4);
        return $"{LinePrefix}{Name} {Convert.ToBase64String(bytes)}\n";
    }

    /// <summary>Parses one line (without its "\n"): the em dash and space, a valid key name, one space, canonical
    /// base64 of at least 5 bytes (key id and signature).</summary>
    /// <param name="line">The line without the newline.</param>
    /// <param name="signature">The signature on success.</param>
    /// <param name="error">What is wrong on failure.</param>
    /// <returns>Whether it parsed.</returns>
    public static bool TryParseLine(string line, [NotNullWhen(true)] out NoteSignature? signature, out string? error)
    {
        signature = null;
        if (line is null || !line.StartsWith(LinePrefix, StringComparison.Ordinal))
        {
            error = "a signature line starts with an em dash (U+2014) and a space";
            return false;
        }

        var body = line[LinePrefix.Length..];
        var space = body.IndexOf(' ', StringComparison.Ordinal);
        if (space < 0)
        {
            error = "a signature line is \"— <name> <base64>\"";
            return false;
        }

        var name = body[..space];
        if (!NoteEncoding.IsValidKeyName(name))
        {
            error = "the key name is empty or has whitespace, '+' or control characters";
            return false;
        }

        if (!NoteEncoding.TryDecodeBase64(body[(space + 1)..], out var bytes))
        {
            error = "the signature is not canonical base64";
            return false;
        }

        if (bytes.Length < 5)
        {
            error = "a signature is a 4-byte key id and at least one byte";
            return false;
        }

        signature = new NoteSignature(name, BinaryPrimitives.ReadUInt32BigEndian(bytes), bytes[4..]);
        error = null;
        return true;
    }

    /// <summary>Whether this line claims to be from <paramref name="key"/> (same name and key id).</summary>
    /// <param name="key">A verifier key.</param>
    /// <returns>True when name and id match.</returns>
    public bool IsFrom(NoteVerifierKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return KeyId == key.KeyId && string.Equals(Name, key.Name, StringComparison.Ordinal);
    }
}
