using System.Buffers.Binary;
using System.Text;

namespace Market.Ledger;

/// <summary>The kind of a node of the community's network (byte 6 of a <see cref="NetworkNodeLeaf"/>).</summary>
public enum NetworkNodeKind : byte
{
    /// <summary>The community's connection to the upstream grid: the root, exactly one.</summary>
    Community = 1,

    /// <summary>A transformer, directly under the community.</summary>
    Transformer = 2,

    /// <summary>A feeder, directly under a transformer.</summary>
    Feeder = 3,

    /// <summary>A household's connection point, directly under a feeder.</summary>
    Connection = 4,
}

/// <summary>
/// Canonical network node leaf, version 1 (leaf i of a network block is node i; big-endian):
/// <c>version u8 (=1) | parent i32 (-1 for the root) | kind u8 | export capacity W i64 (-1 unlimited) |
/// import capacity W i64 (-1 unlimited) | household [16] (zero unless a connection with a household) |
/// id length u8 (1..64) | node id UTF-8 ([A-Za-z0-9._-])</c>; 40 to 103 bytes.
/// </summary>
/// <param name="Parent">Index of the parent node in the same block, or -1 for the root.</param>
/// <param name="Kind">The node's kind.</param>
/// <param name="ExportCapacityW">Most power the node's line carries up to its parent in watts, or -1 for no limit.</param>
/// <param name="ImportCapacityW">Most power the node's line carries down from its parent in watts, or -1 for no limit.</param>
/// <param name="Household">The household at a connection; zero for no household and for every other kind.</param>
/// <param name="NodeId">The operator's name for the node: 1 to 64 characters of <c>[A-Za-z0-9._-]</c>, unique in the block.</param>
public readonly record struct NetworkNodeLeaf(
    int Parent,
    NetworkNodeKind Kind,
    long ExportCapacityW,
    long ImportCapacityW,
    PartyId Household,
    string NodeId)
{
    /// <summary>The leaf format version.</summary>
    public const byte CurrentVersion = 1;

    /// <summary>The capacity that means "no limit".</summary>
    public const long Unlimited = -1;

    /// <summary>The longest node id in bytes.</summary>
    public const int MaxIdLength = 64;

    private const int FixedSize = 1 + 4 + 1 + 8 + 8 + 16 + 1;

    /// <summary>The canonical bytes.</summary>
    /// <returns>A new array.</returns>
    /// <exception cref="InvalidOperationException">The node id is empty, too long or has other characters.</exception>
    public byte[] Encode()
    {
        if (!IsValidId(NodeId))
        {
            throw new InvalidOperationException("a node id is 1 to 64 characters of [A-Za-z0-9._-]");
        }

        var bytes = new byte[FixedSize + NodeId.Length];
        bytes[0] = CurrentVersion;
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(1), Parent);
        bytes[5] = (byte)Kind;
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(6), ExportCapacityW);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(14), ImportCapacityW);
        Household.WriteTo(bytes.AsSpan(22));
        bytes[38] = (byte)NodeId.Length;
        Encoding.ASCII.GetBytes(NodeId, bytes.AsSpan(39));
        return bytes;
    }

    /// <summary>Decodes one leaf without throwing; checks its own fields, not the tree.</summary>
    /// <param name="bytes">The leaf.</param>
    /// <param name="leaf">The node on success.</param>
    /// <param name="error">What is wrong on failure.</param>
    /// <returns>Whether the bytes are a valid network node leaf.</returns>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, out NetworkNodeLeaf leaf, out string? error)
    {
        leaf = default;
        if (bytes.Length < FixedSize || bytes[0] != CurrentVersion)
        {
            error = bytes.Length < FixedSize ? $"network node: at least {FixedSize + 1} bytes, got {bytes.Length}" : $"network node: unsupported version {bytes[0]} (expected 1)";
            return false;
        }

        var idLength = bytes[38];
        if (idLength is 0 or > MaxIdLength || bytes.Length != FixedSize + idLength)
        {
            error = $"network node: the id length {idLength} must be 1..64 and match the leaf's {bytes.Length} bytes";
            return false;
        }

        var id = Encoding.ASCII.GetString(bytes[39..]);
        if (!IsValidId(id))
        {
            error = "network node: the id has characters outside [A-Za-z0-9._-]";
            return false;
        }

        var kind = bytes[5];
        if (kind is < (byte)NetworkNodeKind.Community or > (byte)NetworkNodeKind.Connection)
        {
            error = $"network node: unknown kind {kind}";
            return false;
        }

        leaf = new NetworkNodeLeaf(
            BinaryPrimitives.ReadInt32BigEndian(bytes[1..]),
            (NetworkNodeKind)kind,
            BinaryPrimitives.ReadInt64BigEndian(bytes[6..]),
            BinaryPrimitives.ReadInt64BigEndian(bytes[14..]),
            PartyId.Read(bytes[22..]),
            id);
        if (leaf.ExportCapacityW < Unlimited || leaf.ImportCapacityW < Unlimited)
        {
            error = "network node: a capacity is below -1 (unlimited)";
            return false;
        }

        if (leaf.Household != default && leaf.Kind != NetworkNodeKind.Connection)
        {
            error = "network node: only a connection has a household";
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>Whether a node id is 1 to 64 characters of <c>[A-Za-z0-9._-]</c>.</summary>
    /// <param name="id">The id.</param>
    /// <returns>Whether it is valid.</returns>
    public static bool IsValidId(string? id) =>
        id is { Length: > 0 and <= MaxIdLength } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
}
