using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Market.Ledger;

/// <summary>
/// A block header, version 1: a fixed 170-byte big-endian layout.
/// <code>
/// offset size field
///      0    2 version u16 (=1)
///      2    1 kind u8 (1 key event, 2 order book, 3 clearing, 4 rules, 5 reconciliation, 6 household, 7 witness policy, 8 network, 9 grid limits)
///      3    8 height u64
///     11   32 previous header hash (zero at height 0)
///     43   32 payload root (RFC 9162 root over the leaves; SHA-256("") when there are none)
///     75    4 leaf count u32
///     79    8 interval start i64, Unix s (0 unless order book / clearing)
///     87    8 interval end i64, Unix s (0 unless order book / clearing)
///     95    8 sealed at i64, Unix ms
///    103   32 key id (SHA-256 of the signer's compressed public key)
///    135   32 reference (clearing: header hash of its order-book block; reconciliation: of its clearing block; otherwise zero)
///    167    1 mechanism u8 (order book / clearing; otherwise 0)
///    168    2 rules version u16 (order book / clearing; otherwise 0)
/// </code>
/// The header hash is SHA-256 of these 170 bytes; the block signature is over that hash.
/// </summary>
public sealed record BlockHeader
{
    /// <summary>Encoded length in bytes.</summary>
    public const int Size = 170;

    /// <summary>The header format version written by <see cref="Encode"/>.</summary>
    public const ushort CurrentVersion = 1;

    /// <summary>Header format version; 1.</summary>
    public int Version { get; init; } = CurrentVersion;

    /// <summary>Block kind.</summary>
    public required BlockKind Kind { get; init; }

    /// <summary>Height: 0 for genesis, then +1 per block.</summary>
    public required long Height { get; init; }

    /// <summary>Header hash of the previous block (32 bytes; zero at height 0).</summary>
    public required byte[] PreviousHash { get; init; }

    /// <summary>RFC 9162 root over the block's leaves (32 bytes).</summary>
    public required byte[] PayloadRoot { get; init; }

    /// <summary>Number of leaves.</summary>
    public required int LeafCount { get; init; }

    /// <summary>Interval start, Unix seconds (0 for key-event and rules blocks).</summary>
    public long IntervalStart { get; init; }

    /// <summary>Interval end (exclusive), Unix seconds (0 for key-event and rules blocks).</summary>
    public long IntervalEnd { get; init; }

    /// <summary>Sealing time, Unix milliseconds.</summary>
    public required long SealedAtUnixMs { get; init; }

    /// <summary>Key id of the signing key (32 bytes).</summary>
    public required byte[] KeyId { get; init; }

    /// <summary>Clearing blocks: header hash of the order-book block; otherwise 32 zero bytes.</summary>
    public byte[] Reference { get; init; } = new byte[32];

    /// <summary>Clearing mechanism (order-book and clearing blocks; otherwise 0).</summary>
    public byte Mechanism { get; init; }

    /// <summary>Rules version (order-book and clearing blocks; otherwise 0).</summary>
    public int RulesVersion { get; init; }

    /// <summary>The 170 canonical bytes.</summary>
    /// <returns>A new array.</returns>
    public byte[] Encode()
    {
        var bytes = new byte[Size];
        EncodeTo(bytes);
        return bytes;
    }

    /// <summary>Writes the 170 canonical bytes.</summary>
    /// <param name="destination">At least 170 bytes.</param>
    /// <exception cref="InvalidOperationException">A hash that is not 32 bytes or a value outside its field.</exception>
    public void EncodeTo(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            throw new ArgumentException($"destination needs {Size} bytes", nameof(destination));
        }

        if (Version is < 0 or > ushort.MaxValue || RulesVersion is < 0 or > ushort.MaxValue || Height < 0 || LeafCount < 0)
        {
            throw new InvalidOperationException("version and rules version are u16; height and leaf count not negative");
        }

        Require32(PreviousHash, nameof(PreviousHash));
        Require32(PayloadRoot, nameof(PayloadRoot));
        Require32(KeyId, nameof(KeyId));
        Require32(Reference, nameof(Reference));

        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)Version);
        destination[2] = (byte)Kind;
        BinaryPrimitives.WriteInt64BigEndian(destination[3..], Height);
        PreviousHash.CopyTo(destination[11..]);
        PayloadRoot.CopyTo(destination[43..]);
        BinaryPrimitives.WriteUInt32BigEndian(destination[75..], (uint)LeafCount);
        BinaryPrimitives.WriteInt64BigEndian(destination[79..], IntervalStart);
        BinaryPrimitives.WriteInt64BigEndian(destination[87..], IntervalEnd);
        BinaryPrimitives.WriteInt64BigEndian(destination[95..], SealedAtUnixMs);
        KeyId.CopyTo(destination[103..]);
        Reference.CopyTo(destination[135..]);
        destination[167] = Mechanism;
        BinaryPrimitives.WriteUInt16BigEndian(destination[168..], (ushort)RulesVersion);
    }

    /// <summary>The header hash: SHA-256 of the 170 encoded bytes.</summary>
    /// <returns>32 bytes.</returns>
    public byte[] Hash()
    {
        Span<byte> bytes = stackalloc byte[Size];
        EncodeTo(bytes);
        return SHA256.HashData(bytes);
    }

    /// <summary>The header hash of encoded header bytes: SHA-256(bytes).</summary>
    /// <param name="headerBytes">The encoded header.</param>
    /// <returns>32 bytes.</returns>
    public static byte[] Hash(ReadOnlySpan<byte> headerBytes) => SHA256.HashData(headerBytes);

    /// <summary>Decodes exactly 170 bytes.</summary>
    /// <param name="bytes">The header bytes.</param>
    /// <returns>The header.</returns>
    /// <exception cref="LedgerFormatException">Wrong length, version or kind, or a height beyond 2^63−1.</exception>
    public static BlockHeader Decode(ReadOnlySpan<byte> bytes) =>
        TryDecode(bytes, out var header, out var error) ? header : throw new LedgerFormatException(error!);

    /// <summary>Decodes exactly 170 bytes without throwing.</summary>
    /// <param name="bytes">The header bytes.</param>
    /// <param name="header">The header on success.</param>
    /// <param name="error">What is wrong on failure.</param>
    /// <returns>Whether the bytes are a version-1 header.</returns>
    public static bool TryDecode(
        ReadOnlySpan<byte> bytes,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out BlockHeader? header,
        out string? error)
    {
        header = null;
        if (bytes.Length != Size)
        {
            error = $"block header: expected {Size} bytes, got {bytes.Length}";
            return false;
        }

        var version = BinaryPrimitives.ReadUInt16BigEndian(bytes);
        if (version != CurrentVersion)
        {
            error = $"block header: unsupported version {version} (expected {CurrentVersion})";
            return false;
        }

        var kind = bytes[2];
        if (kind is < (byte)BlockKind.KeyEvent or > (byte)BlockKind.GridLimits)
        {
            error = $"block header: unknown kind {kind}";
            return false;
        }

        var height = BinaryPrimitives.ReadInt64BigEndian(bytes[3..]);
        var leafCount = BinaryPrimitives.ReadUInt32BigEndian(bytes[75..]);
        if (height < 0 || leafCount > int.MaxValue)
        {
            error = "block header: height beyond 2^63-1 or leaf count beyond 2^31-1";
            return false;
        }

        header = new BlockHeader
        {
            Version = version,
            Kind = (BlockKind)kind,
            Height = height,
            PreviousHash = bytes.Slice(11, 32).ToArray(),
            PayloadRoot = bytes.Slice(43, 32).ToArray(),
            LeafCount = (int)leafCount,
            IntervalStart = BinaryPrimitives.ReadInt64BigEndian(bytes[79..]),
            IntervalEnd = BinaryPrimitives.ReadInt64BigEndian(bytes[87..]),
            SealedAtUnixMs = BinaryPrimitives.ReadInt64BigEndian(bytes[95..]),
            KeyId = bytes.Slice(103, 32).ToArray(),
            Reference = bytes.Slice(135, 32).ToArray(),
            Mechanism = bytes[167],
            RulesVersion = BinaryPrimitives.ReadUInt16BigEndian(bytes[168..]),
        };
        error = null;
        return true;
    }

    /// <summary>Value equality over all fields (hash fields compared byte by byte).</summary>
    /// <param name="other">The other header.</param>
    /// <returns>Whether both encode to the same bytes.</returns>
    public bool Equals(BlockHeader? other) =>
        other is not null
        && Version == other.Version && Kind == other.Kind && Height == other.Height
        && PreviousHash.AsSpan().SequenceEqual(other.PreviousHash) && PayloadRoot.AsSpan().SequenceEqual(other.PayloadRoot)
        && LeafCount == other.LeafCount && IntervalStart == other.IntervalStart && IntervalEnd == other.IntervalEnd
        && SealedAtUnixMs == other.SealedAtUnixMs && KeyId.AsSpan().SequenceEqual(other.KeyId)
        && Reference.AsSpan().SequenceEqual(other.Reference) && Mechanism == other.Mechanism
        && RulesVersion == other.RulesVersion;

    /// <summary>Hash over the identifying fields.</summary>
    /// <returns>The hash code.</returns>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Kind);
        hash.Add(Height);
        hash.AddBytes(PayloadRoot);
        hash.AddBytes(PreviousHash);
        return hash.ToHashCode();
    }

    /// <summary>The fields with hashes in hex, for logs and test output.</summary>
    /// <returns>A one-line description.</returns>
    public override string ToString() =>
        $"BlockHeader {{ Version = {Version}, Kind = {Kind}, Height = {Height}, PreviousHash = {Hex(PreviousHash)}, "
        + $"PayloadRoot = {Hex(PayloadRoot)}, LeafCount = {LeafCount}, Interval = [{IntervalStart}, {IntervalEnd}), "
        + $"SealedAtUnixMs = {SealedAtUnixMs}, KeyId = {Hex(KeyId)}, Reference = {Hex(Reference)}, "
        + $"Mechanism = {Mechanism}, RulesVersion = {RulesVersion} }}";

    private static string Hex(byte[]? value) => value is null ? "null" : Convert.ToHexStringLower(value);

    private static void Require32(byte[] value, string name)
    {
        if (value is null || value.Length != 32)
        {
            throw new InvalidOperationException($"{name} must be 32 bytes");
        }
    }
}
