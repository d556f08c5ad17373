namespace Market.Ledger;

/// <summary>
/// A key record, the leaf of a key-event block (34 bytes): <c>action u8 (1 introduce, 2 retire) | public key [33]</c>
/// (compressed secp256k1 point).
/// </summary>
public readonly record struct KeyRecord
{
    /// <summary>Encoded length in bytes.</summary>
    public const int Size = 1 + Signatures.PublicKeySize;

    private readonly byte[]? _publicKey;

    /// <summary>Creates a record.</summary>
    /// <param name="action">Introduce or retire.</param>
    /// <param name="publicKey">33-byte compressed public key.</param>
    /// <exception cref="ArgumentException">Not a valid compressed key, or an undefined action.</exception>
    public KeyRecord(KeyAction action, ReadOnlySpan<byte> publicKey)
    {
        if (action is not (KeyAction.Introduce or KeyAction.Retire))
        {
            throw new ArgumentOutOfRangeException(nameof(action), action, "action must be Introduce (1) or Retire (2)");
        }

        if (!Signatures.IsValidPublicKey(publicKey))
        {
            throw new ArgumentException("not a 33-byte compressed secp256k1 public key", nameof(publicKey));
        }

        Action = action;
        _publicKey = publicKey.ToArray();
    }

    private KeyRecord(KeyAction action, byte[] validatedPublicKey)
    {
        Action = action;
        _publicKey = validatedPublicKey;
    }

    /// <summary>Introduce or retire.</summary>
    public KeyAction Action { get; }

    /// <summary>The 33-byte compressed public key.</summary>
    public ReadOnlySpan<byte> PublicKey => _publicKey;

    /// <summary>SHA-256 of the public key.</summary>
    /// <returns>32-byte key id.</returns>
    public byte[] KeyId() => Signatures.KeyId(PublicKey);

    /// <summary>The 34 canonical bytes.</summary>
    /// <returns>A new array.</returns>
    public byte[] Encode()
    {
        var bytes = new byte[Size];
        EncodeTo(bytes);
        return bytes;
    }

    /// <summary>Writes the 34 canonical bytes.</summary>
    /// <param name="destination">At least 34 bytes.</param>
    public void EncodeTo(Span<byte> destination)
    {
        if (_publicKey is null)
        {
            throw new InvalidOperationException("default(KeyRecord) has no key");
        }

        destination[0] = (byte)Action;
        _publicKey.CopyTo(destination[1..]);
    }

    /// <summary>Decodes exactly 34 bytes.</summary>
    /// <param name="bytes">The leaf.</param>
    /// <returns>The record.</returns>
    /// <exception cref="LedgerFormatException">Wrong length, action, or not a valid compressed point.</exception>
    public static KeyRecord Decode(ReadOnlySpan<byte> bytes) =>
        TryDecode(bytes, out var record, out var error) ? record : throw new LedgerFormatException(error!);

    /// <summary>Decodes exactly 34 bytes without throwing.</summary>
    /// <param name="bytes">The leaf.</param>
    /// <param name="record">The record on success.</param>
    /// <param name="error">What is wrong on failure.</param>
    /// <returns>Whether the bytes are a valid key record.</returns>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, out KeyRecord record, out string? error)
    {
        record = default;
        if (bytes.Length != Size)
        {
            error = $"key record: expected {Size} bytes, got {bytes.Length}";
            return false;
        }

        if (bytes[0] is not ((byte)KeyAction.Introduce or (byte)KeyAction.Retire))
        {
            error = $"key record: action must be 1 (introduce) or 2 (retire), got {bytes[0]}";
            return false;
        }

        if (!Signatures.IsValidPublicKey(bytes[1..]))
        {
            error = "key record: not a compressed secp256k1 public key";
            return false;
        }

        record = new KeyRecord((KeyAction)bytes[0], bytes[1..].ToArray());
        error = null;
        return true;
    }

    /// <summary>Value equality: same action and same key bytes.</summary>
    /// <param name="other">The other record.</param>
    /// <returns>Whether both are equal.</returns>
    public bool Equals(KeyRecord other) => Action == other.Action && PublicKey.SequenceEqual(other.PublicKey);

    /// <summary>Hash over action and key bytes.</summary>
    /// <returns>The hash code.</returns>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Action);
        hash.AddBytes(PublicKey);
        return hash.ToHashCode();
    }

    /// <summary>"Introduce 02ab…".</summary>
    /// <returns>Action and hex key.</returns>
    public override string ToString() => $"{Action} {Convert.ToHexStringLower(PublicKey)}";
}
