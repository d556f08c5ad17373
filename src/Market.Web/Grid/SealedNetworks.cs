using System.Collections.Concurrent;
using Market.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Grid;

/// <summary>The network block in force: its height, header hash and tree.</summary>
/// <param name="Height">The block's height.</param>
/// <param name="HeaderHash">The block's header hash, which the interval's grid-limits block names.</param>
/// <param name="Topology">The network as the verifier reads it.</param>
public sealed record SealedNetwork(long Height, byte[] HeaderHash, GridTopology Topology);

/// <summary>The network blocks as the clearing and the order intake read them.</summary>
public static class SealedNetworks
{
    // Networks change rarely and every interval is cleared on one: decoded once per block height.
    private static readonly ConcurrentDictionary<long, SealedNetwork> Networks = new();

    /// <summary>The newest network block, or null when none is sealed.</summary>
    public static async Task<SealedNetwork?> InForceAsync(MarketDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var block = await db.Blocks.AsNoTracking()
            .Where(b => b.Kind == (byte)BlockKind.Network)
            .OrderByDescending(b => b.Height)
            .Select(b => new { b.Height, b.HeaderHash })
            .FirstOrDefaultAsync(cancellationToken);
        if (block is null)
        {
            return null;
        }

        if (Networks.TryGetValue(block.Height, out var known) && known.HeaderHash.AsSpan().SequenceEqual(block.HeaderHash))
        {
            return known;
        }

        var leaves = await db.BlockLeaves.AsNoTracking()
            .Where(l => l.BlockHeight == block.Height)
            .OrderBy(l => l.Index)
            .Select(l => l.Data)
            .ToListAsync(cancellationToken);
        var nodes = new List<NetworkNodeLeaf>(leaves.Count);
        foreach (var data in leaves)
        {
            nodes.Add(NetworkNodeLeaf.TryDecode(data, out var leaf, out var error) ? leaf : throw new InvalidOperationException($"network block {block.Height}: {error}"));
        }

        if (!GridTopology.TryCreate(nodes, out var topology, out var problem, out _))
        {
            throw new InvalidOperationException($"network block {block.Height}: {problem}");
        }

        var network = new SealedNetwork(block.Height, block.HeaderHash, topology!);
        Networks[block.Height] = network;
        return network;
    }
}
