using System.Buffers.Binary;

namespace Market.Ledger;

/// <summary>
/// The public part of one household's reconciliation record, version 2 (66 bytes, big-endian):
/// <c>version u8 (=2) | type u8 (=2) | household [16] | sold Wh i64 | bought Wh i64 | commitment [32]</c>.
/// Sold and bought are public anyway (the clearing block's trades); the metered export and import, the reading and
/// the imbalance postings are in the household's <see cref="HouseholdSettlement"/>, of which the ledger holds only a
/// salted commitment (<see cref="HouseholdSettlement.Commit"/>) that the household and an authorised auditor can
/// open (<see cref="ReconciliationOpening"/>).
/// </summary>
public sealed record HouseholdReconciliationLeaf
{
    /// <summary>Encoded length in bytes.</summary>
    public const int Size = 66;

    /// <summary>The record format version.</summary>
    public const byte CurrentVersion = 2;

    /// <summary>The record type byte of a household record.</summary>
    public const byte RecordType = 2;

    /// <summary>Pseudonymous household id (not zero: zero is the utility).</summary>
    public required PartyId Household { get; init; }

    /// <summary>Energy sold in the interval's trades, Wh.</summary>
    public required long SoldWh { get; init; }

    /// <summary>Energy bought in the interval's trades, Wh.</summary>
    public required long BoughtWh { get; init; }

    /// <summary>The salted commitment to the household's settlement record, 32 bytes.</summary>
    public required byte[] Commitment { get; init; }

    /// <summary>The 66 canonical bytes.</summary>
    /// <returns>A new array.</returns>
    /// <exception cref="InvalidOperationException">A commitment that is not 32 bytes.</exception>
    public byte[] Encode()
    {
        if (Commitment is not { Length: 32 })
        {
            throw new InvalidOperationException("the commitment is 32 bytes");
        }

        var bytes = new byte[Size];
        var span = bytes.AsSpan();
        span[0] = CurrentVersion;
        span[1] = RecordType;
        Household.WriteTo(span[2..]);
        BinaryPrimitives.WriteInt64BigEndian(span[18..], SoldWh);
        BinaryPrimitives.WriteInt64BigEndian(span[26..], BoughtWh);
        Commitment.CopyTo(span[34..]);
        return bytes;
    }

    /// <summary>Decodes a household record without throwing. Checks the layout only (length, version, type); the
    /// verifier checks the values.</summary>
    /// <param name="bytes">The leaf.</param>
    /// <param name="leaf">The record on success.</param>
    /// <param name="error">What is wrong on failure.</param>
    /// <returns>Whether the bytes are a household record.</returns>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out HouseholdReconciliationLeaf? leaf, out string? error)
    {
        leaf = null;
        error = bytes.Length != Size ? $"household reconciliation: expected {Size} bytes, got {bytes.Length}"
            : bytes[0] != CurrentVersion ? $"household reconciliation: unsupported version {bytes[0]} (expected {CurrentVersion})"
            : bytes[1] != RecordType ? $"household reconciliation: record type {bytes[1]} (expected {RecordType})"
            : null;
        if (error is not null)
        {
            return false;
        }

        leaf = new HouseholdReconciliationLeaf
        {
            Household = PartyId.Read(bytes[2..]),
            SoldWh = BinaryPrimitives.ReadInt64BigEndian(bytes[18..]),
            BoughtWh = BinaryPrimitives.ReadInt64BigEndian(bytes[26..]),
            Commitment = bytes.Slice(34, 32).ToArray(),
        };
        return true;
    }

    /// <summary>Orders party ids as their 16 big-endian bytes.</summary>
    internal static int Compare(PartyId a, PartyId b) => a.High != b.High ? a.High.CompareTo(b.High) : a.Low.CompareTo(b.Low);
}
