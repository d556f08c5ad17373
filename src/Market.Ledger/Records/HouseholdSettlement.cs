using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Market.Ledger;

/// <summary>
/// One household's private reconciliation record, version 1 (169 bytes, big-endian): <c>version u8 (=1) |
/// household [16] | interval start i64 | interval end i64 | reconciliation version u32 | reading version u32 |
/// reading hash [32] | export Wh i64 | import Wh i64 | covered by neighbours, provided to neighbours, bought from the
/// utility, sold to the utility (<see cref="PostingTotal"/> each)</c>. The ledger holds only its salted
/// <see cref="Commit">commitment</see>; the household and an authorised auditor get the record with its salt
/// (<see cref="ReconciliationOpening"/>) and check it against the commitment. Who covered whom stays with the
/// operator: the record holds the household's totals per kind, which the settlement rules fix.
/// </summary>
public sealed record HouseholdSettlement
{
    /// <summary>Encoded length in bytes.</summary>
    public const int Size = 169;

    /// <summary>The record format version.</summary>
    public const byte CurrentVersion = 1;

    /// <summary>Length of a salt in bytes.</summary>
    public const int SaltSize = 32;

    /// <summary>What a commitment's preimage starts with (ASCII), so it is never a Merkle leaf or node preimage.</summary>
    public static ReadOnlySpan<byte> DomainTag => "MarketSettlement"u8;

    /// <summary>Pseudonymous household id.</summary>
    public required PartyId Household { get; init; }

    /// <summary>Interval start, Unix seconds.</summary>
    public required long IntervalStart { get; init; }

    /// <summary>Interval end, Unix seconds.</summary>
    public required long IntervalEnd { get; init; }

    /// <summary>The reconciliation version whose block holds the commitment.</summary>
    public required int ReconciliationVersion { get; init; }

    /// <summary>Version of the meter reading used (1, then +1 per correction).</summary>
    public required int ReadingVersion { get; init; }

    /// <summary>SHA-256 of the canonical meter reading used (<see cref="MeterReading.Hash"/>), 32 bytes.</summary>
    public required byte[] ReadingHash { get; init; }

    /// <summary>Metered export, Wh.</summary>
    public required long ExportWh { get; init; }

    /// <summary>Metered import, Wh.</summary>
    public required long ImportWh { get; init; }

    /// <summary>Its shortfall covered by neighbours at the local price (the household pays).</summary>
    public required PostingTotal CoveredByNeighbours { get; init; }

    /// <summary>Its surplus provided to neighbours at the local price (the household is paid).</summary>
    public required PostingTotal ProvidedToNeighbours { get; init; }

    /// <summary>Its residual shortfall bought from the utility at the retail price (at most one posting).</summary>
    public required PostingTotal BoughtFromUtility { get; init; }

    /// <summary>Its residual surplus taken by the utility at the feed-in tariff (at most one posting).</summary>
    public required PostingTotal SoldToUtility { get; init; }

    /// <summary>The 169 canonical bytes.</summary>
    /// <returns>A new array.</returns>
    /// <exception cref="InvalidOperationException">A reading hash that is not 32 bytes, or a negative version or count.</exception>
    public byte[] Encode()
    {
        if (ReadingHash is not { Length: 32 } || ReconciliationVersion < 0 || ReadingVersion < 0)
        {
            throw new InvalidOperationException("the reading hash is 32 bytes and versions are unsigned");
        }

        var bytes = new byte[Size];
        var span = bytes.AsSpan();
        span[0] = CurrentVersion;
        Household.WriteTo(span[1..]);
        BinaryPrimitives.WriteInt64BigEndian(span[17..], IntervalStart);
        BinaryPrimitives.WriteInt64BigEndian(span[25..], IntervalEnd);
        BinaryPrimitives.WriteUInt32BigEndian(span[33..], (uint)ReconciliationVersion);
        BinaryPrimitives.WriteUInt32BigEndian(span[37..], (uint)ReadingVersion);
        ReadingHash.CopyTo(span[41..]);
        BinaryPrimitives.WriteInt64BigEndian(span[73..], ExportWh);
        BinaryPrimitives.WriteInt64BigEndian(span[81..], ImportWh);
        CoveredByNeighbours.WriteTo(span[89..]);
        ProvidedToNeighbours.WriteTo(span[109..]);
        BoughtFromUtility.WriteTo(span[129..]);
        SoldToUtility.WriteTo(span[149..]);
        return bytes;
    }

    /// <summary>
    /// The commitment the household's public record carries: <c>SHA-256("MarketSettlement" ‖ salt ‖ record)</c>.
    /// With a secret random salt it reveals nothing about the record (a reading has little entropy: an unsalted
    /// hash could be inverted by trying readings), and no other record has the same commitment.
    /// </summary>
    /// <param name="salt">32 bytes.</param>
    /// <returns>32 bytes.</returns>
    /// <exception cref="ArgumentException">A salt that is not 32 bytes.</exception>
    public byte[] Commit(ReadOnlySpan<byte> salt)
    {
        if (salt.Length != SaltSize)
        {
            throw new ArgumentException($"a salt is {SaltSize} bytes", nameof(salt));
        }

        var preimage = new byte[DomainTag.Length + SaltSize + Size];
        DomainTag.CopyTo(preimage);
        salt.CopyTo(preimage.AsSpan(DomainTag.Length));
        Encode().CopyTo(preimage.AsSpan(DomainTag.Length + SaltSize));
        return SHA256.HashData(preimage);
    }

    /// <summary>Decodes exactly 169 bytes without throwing. Checks the layout only; the verifier checks the values.</summary>
    /// <param name="bytes">The record.</param>
    /// <param name="record">The record on success.</param>
    /// <param name="error">What is wrong on failure.</param>
    /// <returns>Whether the bytes are a settlement record.</returns>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out HouseholdSettlement? record, out string? error)
    {
        record = null;
        if (bytes.Length != Size)
        {
            error = $"settlement record: expected {Size} bytes, got {bytes.Length}";
            return false;
        }

        var reconciliationVersion = BinaryPrimitives.ReadUInt32BigEndian(bytes[33..]);
        var readingVersion = BinaryPrimitives.ReadUInt32BigEndian(bytes[37..]);
        var countsFit = PostingTotal.TryRead(bytes[89..], out var covered) & PostingTotal.TryRead(bytes[109..], out var provided)
            & PostingTotal.TryRead(bytes[129..], out var bought) & PostingTotal.TryRead(bytes[149..], out var sold);
        error = bytes[0] != CurrentVersion ? $"settlement record: unsupported version {bytes[0]} (expected {CurrentVersion})"
            : reconciliationVersion > int.MaxValue || readingVersion > int.MaxValue || !countsFit ? "settlement record: a version or posting count beyond 2^31-1"
            : null;
        if (error is not null)
        {
            return false;
        }

        record = new HouseholdSettlement
        {
            Household = PartyId.Read(bytes[1..]),
            IntervalStart = BinaryPrimitives.ReadInt64BigEndian(bytes[17..]),
            IntervalEnd = BinaryPrimitives.ReadInt64BigEndian(bytes[25..]),
            ReconciliationVersion = (int)reconciliationVersion,
            ReadingVersion = (int)readingVersion,
            ReadingHash = bytes.Slice(41, 32).ToArray(),
            ExportWh = BinaryPrimitives.ReadInt64BigEndian(bytes[73..]),
            ImportWh = BinaryPrimitives.ReadInt64BigEndian(bytes[81..]),
            CoveredByNeighbours = covered,
            ProvidedToNeighbours = provided,
            BoughtFromUtility = bought,
            SoldToUtility = sold,
        };
        return true;
    }
}
