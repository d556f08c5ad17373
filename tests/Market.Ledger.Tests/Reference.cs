using System.Security.Cryptography;

namespace Market.Ledger.Tests;

/// <summary>A deliberately naive RFC 9162 implementation (recursive MTH) to cross-check the fast one.</summary>
internal static class Reference
{
    public static byte[] LeafHash(byte[] leaf) => SHA256.HashData([0x00, .. leaf]);

    public static byte[] NodeHash(byte[] left, byte[] right) => SHA256.HashData([0x01, .. left, .. right]);

    public static byte[] Root(IReadOnlyList<byte[]> leaves) => Mth(leaves, 0, leaves.Count);

    private static byte[] Mth(IReadOnlyList<byte[]> leaves, int start, int end)
    {
        var n = end - start;
        if (n == 0)
        {
            return SHA256.HashData([]);
        }

        if (n == 1)
        {
            return LeafHash(leaves[start]);
        }

        var k = 1;
        while (k * 2 < n)
        {
            k *= 2;
        }

        return NodeHash(Mth(leaves, start, start + k), Mth(leaves, start + k, end));
    }
}
