namespace Market.Ledger;

/// <summary>
/// One block as stored, exported and verified: the 170 header bytes, the 64-byte signature over the header hash, and
/// the leaves. Nothing here is trusted; <see cref="ChainVerifier"/> checks it.
/// </summary>
public class LedgerBlock
{
    /// <summary>Creates a block from its stored parts (no validation here).</summary>
    /// <param name="headerBytes">The encoded header (170 bytes when well-formed).</param>
    /// <param name="signature">The signature (64 bytes when well-formed).</param>
    /// <param name="leaves">The leaves in order.</param>
    public LedgerBlock(byte[] headerBytes, byte[] signature, LeafList leaves)
    {
        ArgumentNullException.ThrowIfNull(headerBytes);
        ArgumentNullException.ThrowIfNull(signature);
        ArgumentNullException.ThrowIfNull(leaves);
        HeaderBytes = headerBytes;
        Signature = signature;
        Leaves = leaves;
    }

    /// <summary>Creates a block from stored parts with one array per leaf (e.g. rows loaded from a database).</summary>
    /// <param name="headerBytes">The encoded header.</param>
    /// <param name="signature">The signature.</param>
    /// <param name="leaves">The leaves in order.</param>
    public LedgerBlock(byte[] headerBytes, byte[] signature, IEnumerable<byte[]> leaves)
        : this(headerBytes, signature, LeafList.FromArrays(leaves))
    {
    }

    /// <summary>The encoded header. Do not modify.</summary>
    public byte[] HeaderBytes { get; }

    /// <summary>64 bytes r ‖ s over SHA-256(<see cref="HeaderBytes"/>). Do not modify.</summary>
    public byte[] Signature { get; }

    /// <summary>The leaves in order.</summary>
    public LeafList Leaves { get; }
}
