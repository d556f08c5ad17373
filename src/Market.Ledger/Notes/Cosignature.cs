using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Market.Ledger;

/// <summary>
/// c2sp.org/tlog-cosignature v1 with Ed25519 (signature type 0x04): a witness signs
/// <c>"cosignature/v1\ntime &lt;T&gt;\n" ‖ checkpoint body</c>; the signature line carries
/// <c>timestamp u64 big-endian ‖ 64-byte signature</c> after the key id. The timestamp is POSIX seconds, ≤ 2^63 − 1.
/// </summary>
public static class Cosignature
{
    /// <summary>Length of the bytes after the key id: timestamp and Ed25519 signature.</summary>
    public const int SignatureSize = 72;

    /// <summary>The signed message.</summary>
    /// <param name="checkpointBody">The whole checkpoint note text, ending in "\n".</param>
    /// <param name="timestamp">POSIX seconds, ≥ 0.</param>
    /// <returns>UTF-8 bytes of <c>"cosignature/v1\ntime T\n" + body</c>.</returns>
    public static byte[] Message(string checkpointBody, long timestamp)
    {
        ArgumentNullException.ThrowIfNull(checkpointBody);
        ArgumentOutOfRangeException.ThrowIfNegative(timestamp);
        return Encoding.UTF8.GetBytes($"cosignature/v1\ntime {timestamp.ToString(CultureInfo.InvariantCulture)}\n{checkpointBody}");
    }

    /// <summary>A witness's cosignature line over a checkpoint body.</summary>
    /// <param name="checkpointBody">The checkpoint note text.</param>
    /// <param name="timestamp">POSIX seconds, ≥ 0.</param>
    /// <param name="witnessKey">A type 0x04 key.</param>
    /// <returns>The signature line.</returns>
    /// <exception cref="ArgumentException">A key of another type or a body that is not a valid note text.</exception>
    public static NoteSignature Sign(string checkpointBody, long timestamp, NoteSigningKey witnessKey)
    {
        ArgumentNullException.ThrowIfNull(witnessKey);
        if (witnessKey.Type != NoteVerifierKey.CosignatureV1)
        {
            throw new ArgumentException("cosignatures use a type 0x04 key", nameof(witnessKey));
        }

        if (!SignedNote.IsValidText(checkpointBody))
        {
            throw new ArgumentException("the checkpoint body is not a valid note text", nameof(checkpointBody));
        }

        var bytes = new byte[SignatureSize];
        BinaryPrimitives.WriteInt64BigEndian(bytes, timestamp);
        witnessKey.Sign(Message(checkpointBody, timestamp)).CopyTo(bytes, 8);
        return new NoteSignature(witnessKey.Name, witnessKey.VerifierKey.KeyId, bytes);
    }

    /// <summary>Verifies a cosignature line from <paramref name="witnessKey"/>: type 0x04, matching name and key id,
    /// 72 bytes, a timestamp ≤ 2^63 − 1 and a valid signature.</summary>
    /// <param name="checkpointBody">The checkpoint note text.</param>
    /// <param name="signature">The line.</param>
    /// <param name="witnessKey">The witness key.</param>
    /// <param name="timestamp">The cosignature's time (POSIX seconds) when valid, else 0.</param>
    /// <returns>Whether it verifies.</returns>
    public static bool TryVerify(string checkpointBody, NoteSignature signature, NoteVerifierKey witnessKey, out long timestamp)
    {
        timestamp = 0;
        if (checkpointBody is null || signature is null || witnessKey is null
            || witnessKey.Type != NoteVerifierKey.CosignatureV1 || !signature.IsFrom(witnessKey)
            || signature.Signature is not { Length: SignatureSize })
        {
            return false;
        }

        var time = BinaryPrimitives.ReadUInt64BigEndian(signature.Signature);
        if (time > long.MaxValue)
        {
            return false;
        }

        if (!witnessKey.VerifyEd25519(Message(checkpointBody, (long)time), signature.Signature.AsSpan(8)))
        {
            return false;
        }

        timestamp = (long)time;
        return true;
    }
}
