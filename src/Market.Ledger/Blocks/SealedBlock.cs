namespace Market.Ledger;

/// <summary>A block just produced by <see cref="BlockSealer"/>: the stored parts plus the decoded header, its hash
/// and the chain tip to seal the next block on.</summary>
public sealed class SealedBlock : LedgerBlock
{
    internal SealedBlock(BlockHeader header, byte[] headerBytes, byte[] headerHash, byte[] signature, LeafList leaves, ChainTip nextTip)
        : base(headerBytes, signature, leaves)
    {
        Header = header;
        HeaderHash = headerHash;
        NextTip = nextTip;
    }

    /// <summary>The header.</summary>
    public BlockHeader Header { get; }

    /// <summary>SHA-256 of the header bytes (32 bytes). Do not modify.</summary>
    public byte[] HeaderHash { get; }

    /// <summary>The tip after this block: height + 1, this header hash, the next trade id.</summary>
    public ChainTip NextTip { get; }
}
