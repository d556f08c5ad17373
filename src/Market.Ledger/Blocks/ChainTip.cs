namespace Market.Ledger;

/// <summary>
/// Where the next block goes: its height, the previous header hash (zero before genesis), the next global trade id
/// and the previous block's sealing time (the sealer refuses to go back in time).
/// </summary>
public readonly record struct ChainTip
{
    private readonly byte[]? _previousHeaderHash;

    /// <summary>Creates a tip.</summary>
    /// <param name="nextHeight">Height of the next block (0 for genesis).</param>
    /// <param name="previousHeaderHash">Header hash of the last block (32 bytes; zero before genesis).</param>
    /// <param name="nextTradeId">Trade id of the next trade (1 on a new chain).</param>
    /// <param name="lastSealedAtUnixMs">Sealing time of the last block, Unix ms (0 before genesis).</param>
    public ChainTip(long nextHeight, ReadOnlySpan<byte> previousHeaderHash, long nextTradeId, long lastSealedAtUnixMs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(nextHeight);
        ArgumentOutOfRangeException.ThrowIfLessThan(nextTradeId, 1);
        if (previousHeaderHash.Length != 32)
        {
            throw new ArgumentException("the previous header hash is 32 bytes", nameof(previousHeaderHash));
        }

        NextHeight = nextHeight;
        _previousHeaderHash = previousHeaderHash.ToArray();
        NextTradeId = nextTradeId;
        LastSealedAtUnixMs = lastSealedAtUnixMs;
    }

    /// <summary>The tip of an empty chain: height 0, zero hash, trade id 1.</summary>
    public static ChainTip Genesis => new(0, new byte[32], 1, 0);

    /// <summary>Height of the next block.</summary>
    public long NextHeight { get; }

    /// <summary>Header hash of the last block; zero before genesis.</summary>
    public ReadOnlySpan<byte> PreviousHeaderHash => _previousHeaderHash ?? new byte[32];

    /// <summary>Global id of the next trade (1-based).</summary>
    public long NextTradeId { get; }

    /// <summary>Sealing time of the last block, Unix ms.</summary>
    public long LastSealedAtUnixMs { get; }

    /// <summary>Value equality including the hash bytes.</summary>
    /// <param name="other">The other tip.</param>
    /// <returns>Whether both are equal.</returns>
    public bool Equals(ChainTip other) =>
        NextHeight == other.NextHeight && NextTradeId == other.NextTradeId
        && LastSealedAtUnixMs == other.LastSealedAtUnixMs && PreviousHeaderHash.SequenceEqual(other.PreviousHeaderHash);

    /// <summary>Hash over height and trade id.</summary>
    /// <returns>The hash code.</returns>
    public override int GetHashCode() => HashCode.Combine(NextHeight, NextTradeId, LastSealedAtUnixMs);

    /// <summary>Recovers the tip from the last stored block.</summary>
    /// <param name="lastHeader">The last block's header.</param>
    /// <param name="nextTradeId">1 + the last trade id sealed so far (1 when none).</param>
    /// <returns>The tip after that block.</returns>
    public static ChainTip After(BlockHeader lastHeader, long nextTradeId)
    {
        ArgumentNullException.ThrowIfNull(lastHeader);
        return new ChainTip(lastHeader.Height + 1, lastHeader.Hash(), nextTradeId, lastHeader.SealedAtUnixMs);
    }
}
