using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Market.Ledger;

namespace Market.E2E.Verifier;

/// <summary>
/// The vector checks of tests/Market.Ledger.Tests (MerkleVectorTests, Secp256k1VectorTests, WycheproofTests) as
/// browser checks: the same inputs and the same expected verdicts, computed here exactly as the C# tests compute
/// them, so both sides provably agree.
/// </summary>
internal static class VectorChecks
{
    private static readonly string[] HashFields = ["leafHash_hex", "root_hex", "root1_hex", "root2_hex"];
    private static readonly BigInteger N = BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    private static readonly BigInteger HalfN = N >> 1;

    /// <summary>Roots, perfect subtrees, hasher vectors, classic proofs and every golden probe of merkle_vectors.json.</summary>
    public static BrowserChecks Merkle(JsonElement root)
    {
        var checks = new BrowserChecks();
        var leaves = VectorFiles.HexList(root.GetProperty("leaf_inputs_hex"));
        var roots = root.GetProperty("root_hashes_by_tree_size");
        for (var size = 0; size < roots.GetArrayLength(); size++)
        {
            checks.Add($"root of {size} leaves", "merkleRoot", VectorFiles.Hex(roots[size]), (object)leaves.Take(size).ToArray());
        }

        var levels = root.GetProperty("node_hashes_by_level");
        for (var level = 0; level < levels.GetArrayLength(); level++)
        {
            var width = 1 << level;
            for (var i = 0; i < levels[level].GetArrayLength(); i++)
            {
                checks.Add($"level {level} node {i}", "merkleRoot", VectorFiles.Hex(levels[level][i]), (object)leaves.Skip(i * width).Take(width).ToArray());
            }
        }

        var hasher = root.GetProperty("hasher_vectors");
        checks.Add("empty root", "merkleRoot", VectorFiles.Hex(hasher[0].GetProperty("want")), (object)Array.Empty<string>());
        checks.Add("empty leaf", "hashLeaf", VectorFiles.Hex(hasher[1].GetProperty("want")), string.Empty);
        checks.Add("leaf L123456", "hashLeaf", VectorFiles.Hex(hasher[2].GetProperty("want")), Ascii(hasher[2].GetProperty("leaf_ascii")));
        checks.Add("node N123 N456", "hashChildren", VectorFiles.Hex(hasher[3].GetProperty("want")),
            Ascii(hasher[3].GetProperty("left_ascii")), Ascii(hasher[3].GetProperty("right_ascii")));

        var leafBytes = leaves.Select(Convert.FromHexString).ToList();
        var tree = MerkleTree.FromLeaves(leafBytes);
        foreach (var vector in root.GetProperty("classic_inclusion_proofs").GetProperty("vectors").EnumerateArray())
        {
            var size = vector.GetProperty("size").GetInt64();
            var index = vector.GetProperty("leaf_1based").GetInt64() - 1;
            if (size == 0)
            {
                checks.Add("classic inclusion in the empty tree", "verifyInclusion", false,
                    Hex(MerkleTree.HashLeaf([])), -1, 0, Array.Empty<string>(), Hex(MerkleTree.EmptyRoot()));
                continue;
            }

            checks.Add($"classic inclusion {index}/{size}", "verifyInclusion", true,
                Hex(tree.LeafHash(index)), index, size, VectorFiles.HexList(vector.GetProperty("proof")), VectorFiles.Hex(roots[(int)size]));
        }

        foreach (var vector in root.GetProperty("classic_consistency_proofs").GetProperty("vectors").EnumerateArray())
        {
            var size1 = vector.GetProperty("size1").GetInt32();
            var size2 = vector.GetProperty("size2").GetInt32();
            checks.Add($"classic consistency {size1}->{size2}", "verifyConsistency", true,
                size1, size2, VectorFiles.HexList(vector.GetProperty("proof")), VectorFiles.Hex(roots[size1]), VectorFiles.Hex(roots[size2]));
        }

        foreach (var probe in root.GetProperty("probes").GetProperty("inclusion").EnumerateArray())
        {
            checks.Add(Describe(probe), "verifyInclusion", !probe.GetProperty("wantErr").GetBoolean() && AllHashes32(probe),
                VectorFiles.Hex(probe.GetProperty("leafHash_hex")), U64(probe.GetProperty("leafIdx")), U64(probe.GetProperty("treeSize")),
                VectorFiles.HexList(probe.GetProperty("proof_hex")), VectorFiles.Hex(probe.GetProperty("root_hex")));
        }

        foreach (var probe in root.GetProperty("probes").GetProperty("consistency").EnumerateArray())
        {
            checks.Add(Describe(probe), "verifyConsistency", !probe.GetProperty("wantErr").GetBoolean() && AllHashes32(probe),
                U64(probe.GetProperty("size1")), U64(probe.GetProperty("size2")), VectorFiles.HexList(probe.GetProperty("proof_hex")),
                VectorFiles.Hex(probe.GetProperty("root1_hex")), VectorFiles.Hex(probe.GetProperty("root2_hex")));
        }

        AddNon32ByteRejections(checks, tree, leafBytes[0]);
        return checks;
    }

    /// <summary>Every verify vector of secp256k1_vectors.json, through noble's verify and through the per-key table
    /// the chain verifier uses.</summary>
    public static BrowserChecks Secp256k1(JsonElement root)
    {
        var checks = new BrowserChecks();
        foreach (var vector in root.GetProperty("text_vectors").EnumerateArray())
        {
            var key = VectorFiles.Hex(vector.GetProperty("pubkey_compressed"));
            var digest = VectorFiles.Hex(vector.GetProperty("msg_sha256"));
            var r = VectorFiles.Hex(vector.GetProperty("r"));
            var name = $"text vector {vector.GetProperty("message_utf8").GetString()}";
            AddSignature(checks, name + " low-S", key, digest, r + VectorFiles.Hex(vector.GetProperty("s")), true, tableBits: 8);
            AddSignature(checks, name + " high-S", key, digest, r + VectorFiles.Hex(vector.GetProperty("s_high_form")), false, tableBits: 8);
        }

        foreach (var vector in root.GetProperty("noble_valid").EnumerateArray())
        {
            var key = Hex(SigningKey.FromPrivateKey(VectorFiles.Bytes(vector.GetProperty("d"))).PublicKey);
            var digest = VectorFiles.Hex(vector.GetProperty("m_hash"));
            var r = VectorFiles.Hex(vector.GetProperty("r"));
            var s = VectorFiles.Hex(vector.GetProperty("s"));
            var name = $"noble valid d={VectorFiles.Hex(vector.GetProperty("d"))}";
            AddSignature(checks, name, key, digest, r + s, true, tableBits: 2);
            AddSignature(checks, name + " as high-S", key, digest, r + Scalar(N - Unsigned(s)), false, tableBits: 2);
        }

        foreach (var vector in root.GetProperty("noble_invalid").GetProperty("verify").EnumerateArray())
        {
            AddSignature(checks, $"noble invalid: {vector.GetProperty("description").GetString()}", VectorFiles.Hex(vector.GetProperty("Q")),
                VectorFiles.Hex(vector.GetProperty("m")), VectorFiles.Hex(vector.GetProperty("signature")), false, tableBits: 4);
        }

        return checks;
    }

    /// <summary>One Wycheproof ecdsa_secp256k1_sha256 case.</summary>
    public sealed record WycheproofCase(int TcId, string Result, string Comment, string PublicKey, string Message, string Der)
    {
        /// <summary>r ‖ s decoded by the C# library (null when not strict DER).</summary>
        public byte[]? Signature => Signatures.TryDecodeDer(Convert.FromHexString(Der), out var rs) ? rs : null;

        public bool IsHighS => Signature is { } rs && Unsigned(Convert.ToHexString(rs, 32, 32)) > HalfN;

        /// <summary>The C# tests' choice: valid and low-S verifies, everything else is rejected.</summary>
        public bool Expected => Result == "valid" && !IsHighS;
    }

    public static List<WycheproofCase> WycheproofCases(JsonElement root)
    {
        var cases = new List<WycheproofCase>();
        foreach (var group in root.GetProperty("testGroups").EnumerateArray())
        {
            var key = group.GetProperty("publicKey");
            var x = Unsigned(VectorFiles.Hex(key.GetProperty("wx")));
            var y = Unsigned(VectorFiles.Hex(key.GetProperty("wy")));
            var compressed = (y.IsEven ? "02" : "03") + Scalar(x);
            foreach (var test in group.GetProperty("tests").EnumerateArray())
            {
                cases.Add(new WycheproofCase(test.GetProperty("tcId").GetInt32(), test.GetProperty("result").GetString()!,
                    test.GetProperty("comment").GetString()!, compressed, VectorFiles.Hex(test.GetProperty("msg")), VectorFiles.Hex(test.GetProperty("sig"))));
            }
        }

        return cases;
    }

    /// <summary>Each case through DER decoding + noble, and + the per-key table; plus every rejected high-S case
    /// with s replaced by n − s, which must then verify (it was rejected only for being high).</summary>
    public static BrowserChecks Wycheproof(List<WycheproofCase> cases)
    {
        var checks = new BrowserChecks();
        foreach (var c in cases)
        {
            var name = $"wycheproof {c.TcId} ({c.Result}: {c.Comment})";
            checks.Add(name, "verifyDer", c.Expected, c.PublicKey, c.Message, c.Der, 0);
            checks.Add(name + " [table]", "verifyDer", c.Expected, c.PublicKey, c.Message, c.Der, 4);
            if (c.Result == "valid" && c.IsHighS)
            {
                var rs = c.Signature!;
                var normalised = Hex(rs.AsSpan(0, 32)) + Scalar(N - Unsigned(Convert.ToHexString(rs, 32, 32)));
                AddSignature(checks, name + " normalised to low-S", c.PublicKey, Hex(SHA256(c.Message)), normalised, true, tableBits: 4);
            }
        }

        return checks;
    }

    private static void AddSignature(BrowserChecks checks, string name, string key, string digest, string signature, bool expected, int tableBits)
    {
        checks.Add(name, "verifySignature", expected, key, digest, signature);
        checks.Add(name + " [table]", "verifySignatureWithTable", expected, key, digest, signature, tableBits);
    }

    /// <summary>The C# tests' explicit length checks: proof elements, leaf hashes and roots of 0, 31 or 33 bytes.</summary>
    private static void AddNon32ByteRejections(BrowserChecks checks, MerkleTree tree, byte[] firstLeaf)
    {
        var inclusion = tree.InclusionProof(2, 8).Select(p => Hex(p)).ToArray();
        foreach (var length in new[] { 31, 33, 0 })
        {
            var proof = (string[])inclusion.Clone();
            proof[1] = Resize(proof[1], length);
            checks.Add($"inclusion proof element of {length} bytes", "verifyInclusion", false, Hex(tree.LeafHash(2)), 2, 8, proof, Hex(tree.Root()));
        }

        var single = MerkleTree.FromLeaves([firstLeaf]);
        checks.Add("control: the single-leaf proof itself", "verifyInclusion", true, Hex(single.LeafHash(0)), 0, 1, Array.Empty<string>(), Hex(single.Root()));
        checks.Add("control: the 3->7 proof itself", "verifyConsistency", true, 3, 7, tree.ConsistencyProof(3, 7).Select(p => Hex(p)).ToArray(), Hex(tree.RootAt(3)), Hex(tree.RootAt(7)));
        foreach (var length in new[] { 31, 33 })
        {
            var resized = Resize(Hex(single.Root()), length);
            checks.Add($"leaf hash of {length} bytes", "verifyInclusion", false, resized, 0, 1, Array.Empty<string>(), Hex(single.Root()));
            checks.Add($"inclusion root of {length} bytes", "verifyInclusion", false, Hex(single.LeafHash(0)), 0, 1, Array.Empty<string>(), resized);

            var proof = tree.ConsistencyProof(3, 7).Select(p => Hex(p)).ToArray();
            var badProof = (string[])proof.Clone();
            badProof[0] = Resize(badProof[0], length);
            var root3 = Hex(tree.RootAt(3));
            var root7 = Hex(tree.RootAt(7));
            var badRoot = Resize(root3, length);
            checks.Add($"consistency proof element of {length} bytes", "verifyConsistency", false, 3, 7, badProof, root3, root7);
            checks.Add($"consistency root1 of {length} bytes", "verifyConsistency", false, 3, 7, proof, badRoot, root7);
            checks.Add($"consistency root2 of {length} bytes", "verifyConsistency", false, 3, 7, proof, root3, Resize(root7, length));
            checks.Add($"equal sizes with roots of {length} bytes", "verifyConsistency", false, 3, 3, Array.Empty<string>(), badRoot, badRoot);
        }
    }

    private static bool AllHashes32(JsonElement probe)
    {
        var hashes = HashFields.Where(name => probe.TryGetProperty(name, out _)).Select(name => VectorFiles.Hex(probe.GetProperty(name))).ToList();
        hashes.AddRange(VectorFiles.HexList(probe.GetProperty("proof_hex")));
        return hashes.All(h => h.Length == 64);
    }

    private static string Describe(JsonElement probe) => $"{probe.GetProperty("source_path").GetString()} ({probe.GetProperty("desc").GetString()})";

    /// <summary>u64 values as decimal strings: JavaScript numbers cannot hold them all exactly.</summary>
    private static string U64(JsonElement value) => value.GetUInt64().ToString(CultureInfo.InvariantCulture);

    private static string Ascii(JsonElement value) => Hex(Encoding.ASCII.GetBytes(value.GetString()!));

    private static string Resize(string hex, int bytes) => (hex + new string('0', 64))[..(bytes * 2)];

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    private static byte[] SHA256(string hex) => System.Security.Cryptography.SHA256.HashData(Convert.FromHexString(hex));

    private static BigInteger Unsigned(string hex) => hex.Length == 0 ? BigInteger.Zero : BigInteger.Parse("0" + hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    /// <summary>A value below 2^256 as 64 hex digits.</summary>
    private static string Scalar(BigInteger value) => Hex(value.ToByteArray(isUnsigned: true, isBigEndian: true)).PadLeft(64, '0');
}
