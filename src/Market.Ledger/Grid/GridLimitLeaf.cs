using System.Buffers.Binary;
using System.Text;

namespace Market.Ledger;

/// <summary>
/// Canonical grid-limits leaf, version 1 (a node whose limits for the interval differ from its static capacities;
/// big-endian): <c>version u8 (=1) | node index u32 | export limit Wh i64 | import limit Wh i64 |
/// event id length u8 (0..64) | event id UTF-8 ([A-Za-z0-9._-])</c>; 22 to 86 bytes.
/// </summary>
/// <param name="Node">The node's index in the network in force (not the root).</param>
/// <param name="ExportLimitWh">Most net energy the node's subtree may send up in the interval, in Wh (≥ 0).</param>
/// <param name="ImportLimitWh">Most net energy the node's subtree may take down in the interval, in Wh (≥ 0).</param>
/// <param name="EventId">The network operator's id of the event that set the limits (e.g. a flexibility call); may be empty.</param>
public readonly record struct GridLimitLeaf(int Node, long ExportLimitWh, long ImportLimitWh, string EventId)
{
    /// <summary>The leaf format version.</summary>
    public const byte CurrentVersion = 1;

    private const int FixedSize = 1 + 4 + 8 + 8 + 1;

    /// <summary>The canonical bytes.</summary>
    /// <returns>A new array.</returns>
    /// <exception cref="InvalidOperationException">A negative node, or an event id longer than 64 or with other characters.</exception>
    public byte[] Encode()
    {
        var id = EventId ?? string.Empty;
        if (Node < 0 || (id.Length > 0 && !NetworkNodeLeaf.IsValidId(id)))
        {
            throw new InvalidOperationException("the node is not negative; an event id is 0 to 64 characters of [A-Za-z0-9._-]");
        }

        var bytes = new byte[FixedSize + id.Length];
        bytes[0] = CurrentVersion;
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(1), (uint)Node);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(5), ExportLimitWh);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(13), ImportLimitWh);
        bytes[21] = (byte)id.Length;
        Encoding.ASCII.GetBytes(id, bytes.AsSpan(22));
        return bytes;
    }

    /// <summary>Decodes one leaf without throwing; checks its own fields (limits not negative), not the network.</summary>
    /// <param name="bytes">The leaf.</param>
    /// <param name="leaf">The limits on success.</param>
    /// <param name="error">What is wrong on failure.</param>
    /// <returns>Whether the bytes are a valid limits leaf.</returns>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, out GridLimitLeaf leaf, out string? error)
    {
        leaf = default;
        if (bytes.Length < FixedSize || bytes[0] != CurrentVersion)
        {
            error = bytes.Length < FixedSize ? $"grid limits: at least {FixedSize} bytes, got {bytes.Length}" : $"grid limits: unsupported version {bytes[0]} (expected 1)";
            return false;
        }

        var idLength = bytes[21];
        if (idLength > NetworkNodeLeaf.MaxIdLength || bytes.Length != FixedSize + idLength)
        {
            error = $"grid limits: the event id length {idLength} must be 0..64 and match the leaf's {bytes.Length} bytes";
            return false;
        }

        var id = Encoding.ASCII.GetString(bytes[22..]);
        if (id.Length > 0 && !NetworkNodeLeaf.IsValidId(id))
        {
            error = "grid limits: the event id has characters outside [A-Za-z0-9._-]";
            return false;
        }

        var node = BinaryPrimitives.ReadUInt32BigEndian(bytes[1..]);
        if (node > int.MaxValue)
        {
            error = "grid limits: node index beyond 2^31-1";
            return false;
        }

        leaf = new GridLimitLeaf((int)node, BinaryPrimitives.ReadInt64BigEndian(bytes[5..]), BinaryPrimitives.ReadInt64BigEndian(bytes[13..]), id);
        error = null;
        return true;
    }
}
