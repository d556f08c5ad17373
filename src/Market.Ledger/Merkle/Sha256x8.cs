using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Market.Ledger;

/// <summary>
/// SHA-256 of eight equal-length messages at once, one message per 32-bit lane of a 256-bit vector (FIPS 180-4,
/// computed exactly as the scalar algorithm; tests compare it with <see cref="System.Security.Cryptography.SHA256"/>
/// on random inputs). The ledger hashes many short messages of one length (all leaves of a block, all nodes of a
/// tree level); per-call overhead, not the compression function, dominates the platform SHA-256 for those, and
/// eight-way SIMD removes it. Used only where hardware acceleration for 256-bit vectors is available.
/// </summary>
internal static class Sha256x8
{
    public const int Lanes = 8;

    private static readonly uint[] K =
    [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ];

    private static readonly uint[] Initial = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

    /// <summary>Whether the vector path is hardware accelerated here (otherwise callers use the platform hash).</summary>
    public static bool IsSupported => Vector256.IsHardwareAccelerated && Avx2.IsSupported;

    /// <summary>
    /// Hashes <paramref name="count"/> messages <c>prefix ‖ data[i·size .. (i+1)·size)</c> into 32-byte digests at
    /// <c>output[i·32]</c>. The output may overlap the input as long as digest i lies at or before message i's
    /// start (each batch reads its eight messages before it writes).
    /// </summary>
    public static void HashPrefixed(byte prefix, ReadOnlySpan<byte> data, int size, int count, Span<byte> output) =>
        Hash(prefix, data, size, count, output);

    /// <summary>
    /// Hashes <paramref name="count"/> messages <c>data[i·size .. (i+1)·size)</c> (no prefix) into 32-byte digests at
    /// <c>output[i·32]</c>, with the same overlap rule as <see cref="HashPrefixed"/>.
    /// </summary>
    public static void Hash(ReadOnlySpan<byte> data, int size, int count, Span<byte> output) =>
        Hash(-1, data, size, count, output);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call (CLI runs are one-shot)
    private static void Hash(int prefix, ReadOnlySpan<byte> data, int size, int count, Span<byte> output)
    {
        var skip = prefix >= 0 ? 1 : 0;
        var length = size + skip;
        var blocks = (length + 8 + 64) / 64;
        Span<byte> padded = stackalloc byte[Lanes * blocks * 64];
        padded.Clear();
        for (var lane = 0; lane < Lanes; lane++)
        {
            var message = padded.Slice(lane * blocks * 64, blocks * 64);
            if (prefix >= 0)
            {
                message[0] = (byte)prefix;
            }

            message[length] = 0x80;
            BinaryPrimitives.WriteUInt64BigEndian(message[^8..], (ulong)length * 8);
        }

        Span<Vector256<uint>> state = stackalloc Vector256<uint>[8];
        Span<Vector256<uint>> w = stackalloc Vector256<uint>[16];
        for (var first = 0; first < count; first += Lanes)
        {
            var lanes = Math.Min(Lanes, count - first);
            for (var lane = 0; lane < Lanes; lane++)
            {
                // Unused lanes repeat the last message; their digests are dropped.
                var source = data.Slice((first + Math.Min(lane, lanes - 1)) * size, size);
                source.CopyTo(padded.Slice((lane * blocks * 64) + skip, size));
            }

            for (var i = 0; i < 8; i++)
            {
                state[i] = Vector256.Create(Initial[i]);
            }

            for (var block = 0; block < blocks; block++)
            {
                for (var t = 0; t < 16; t++)
                {
                    var offset = (block * 64) + (t * 4);
                    var stride = blocks * 64;
                    w[t] = Vector256.Create(
                        BinaryPrimitives.ReadUInt32BigEndian(padded[offset..]),
                        BinaryPrimitives.ReadUInt32BigEndian(padded[(stride + offset)..]),
                        BinaryPrimitives.ReadUInt32BigEndian(padded[((2 * stride) + offset)..]),
                        BinaryPrimitives.ReadUInt32BigEndian(padded[((3 * stride) + offset)..]),
                        BinaryPrimitives.ReadUInt32BigEndian(padded[((4 * stride) + offset)..]),
                        BinaryPrimitives.ReadUInt32BigEndian(padded[((5 * stride) + offset)..]),
                        BinaryPrimitives.ReadUInt32BigEndian(padded[((6 * stride) + offset)..]),
                        BinaryPrimitives.ReadUInt32BigEndian(padded[((7 * stride) + offset)..]));
                }

                Compress(state, w);
            }

            for (var lane = 0; lane < lanes; lane++)
            {
                var digest = output.Slice((first + lane) * 32, 32);
                for (var i = 0; i < 8; i++)
                {
                    BinaryPrimitives.WriteUInt32BigEndian(digest[(i * 4)..], state[i].GetElement(lane));
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Compress(Span<Vector256<uint>> state, Span<Vector256<uint>> w)
    {
        var a = state[0];
        var b = state[1];
        var c = state[2];
        var d = state[3];
        var e = state[4];
        var f = state[5];
        var g = state[6];
        var h = state[7];
        var k = K;
        for (var t = 0; t < 64; t++)
        {
            Vector256<uint> wt;
            if (t < 16)
            {
                wt = w[t];
            }
            else
            {
                var w15 = w[(t - 15) & 15];
                var w2 = w[(t - 2) & 15];
                var s0 = Rotr(w15, 7) ^ Rotr(w15, 18) ^ Vector256.ShiftRightLogical(w15, 3);
                var s1 = Rotr(w2, 17) ^ Rotr(w2, 19) ^ Vector256.ShiftRightLogical(w2, 10);
                wt = w[t & 15] + s0 + w[(t - 7) & 15] + s1;
                w[t & 15] = wt;
            }

            var t1 = h + (Rotr(e, 6) ^ Rotr(e, 11) ^ Rotr(e, 25)) + ((e & f) ^ Vector256.AndNot(g, e)) + Vector256.Create(k[t]) + wt;
            var t2 = (Rotr(a, 2) ^ Rotr(a, 13) ^ Rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            h = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }

        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
        state[4] += e;
        state[5] += f;
        state[6] += g;
        state[7] += h;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Rotr(Vector256<uint> x, [System.Diagnostics.CodeAnalysis.ConstantExpected] byte n) =>
        Avx512F.VL.IsSupported
            ? Avx512F.VL.RotateRight(x, n)
            : Vector256.ShiftRightLogical(x, n) | Vector256.ShiftLeft(x, 32 - n);
}
