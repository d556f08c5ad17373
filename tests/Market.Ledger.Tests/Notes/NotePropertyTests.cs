using CsCheck;

namespace Market.Ledger.Tests;

/// <summary>Invariants of signed notes and policies over generated inputs.</summary>
public sealed class NotePropertyTests
{
    private static readonly NoteSigningKey Key = NoteSigningKey.Generate("example.org/log", NoteVerifierKey.Ed25519);
    private static readonly NoteSigningKey[] Witnesses =
        [.. Enumerable.Range(0, 6).Select(i => NoteSigningKey.Generate($"w{i}.example", NoteVerifierKey.CosignatureV1))];

    // Note text: lines of letters, spaces, em dashes and non-ASCII, blank lines included, always ending in "\n".
    private static readonly Gen<string> Text = Gen.String[Gen.Char["ab \n\u2014\u00e9+="], 0, 40].Select(s => s + "\n");

    private static readonly Gen<NoteSignature> Line =
        Gen.Select(Gen.String[Gen.Char["abc./-_"], 1, 12], Gen.UInt, Gen.Byte.Array[1, 80], (name, id, bytes) => new NoteSignature(name, id, bytes));

    [Fact]
    public void Encode_AnyTextAndLines_ParsesBackToTheSameTextAndLines()
    {
        Gen.Select(Text, Line.List[1, 5]).Sample((text, lines) =>
        {
            var note = new SignedNote(text, lines);

            var ok = SignedNote.TryParse(note.Encode(), out var parsed, out _);

            return ok && parsed!.Text == text
                && parsed.Signatures.Select(s => s.ToLine()).SequenceEqual(lines.Select(s => s.ToLine()));
        }, iter: 300);
    }

    [Fact]
    public void VerifyBy_AnyBitFlipInTheSignatureLine_NeverVerifies()
    {
        Gen.Select(Text, Gen.Int[0, 64 * 8 - 1]).Sample((text, bit) =>
        {
            var signature = SignedNote.Sign(text, Key);
            var bytes = (byte[])signature.Signature.Clone();
            bytes[bit / 8] ^= (byte)(1 << (bit % 8));
            var note = new SignedNote(text, [signature with { Signature = bytes }]);

            return note.VerifyBy(Key.VerifierKey) == false && new SignedNote(text, [signature]).VerifyBy(Key.VerifierKey) == true;
        }, iter: 100);
    }

    [Fact]
    public void IsSatisfiedBy_KOfN_IsAtLeastKWitnesses()
    {
        var gen = Gen.Int[1, Witnesses.Length].SelectMany(n => Gen.Int[1, n].Select(Gen.Int[0, (1 << n) - 1], (k, mask) => (n, k, mask)));

        gen.Sample(sample =>
        {
            var (n, k, mask) = sample;
            var policy = WitnessPolicy.Create(Key.VerifierKey, null, [.. Witnesses.Take(n).Select((w, i) => ($"w{i}", w.VerifierKey, (string?)null))], k);
            var signed = Enumerable.Range(0, n).Where(i => (mask & (1 << i)) != 0).Select(i => $"w{i}").ToHashSet();

            return policy.IsSatisfiedBy(signed) == (signed.Count >= k)
                && WitnessPolicy.TryParse(policy.Encode(), out var again, out _) && again!.IsSatisfiedBy(signed) == (signed.Count >= k);
        }, iter: 200);
    }

    [Fact]
    public void RootFromLeafHashes_AnyPrefix_IsTheTreeRootAtThatSize()
    {
        Gen.Byte.Array[1, 8].List[0, 40].Select(l => l.ToArray()).SelectMany(leaves => Gen.Int[0, leaves.Length].Select(n => (leaves, n))).Sample(sample =>
        {
            var (leaves, n) = sample;
            var tree = MerkleTree.FromLeaves(leaves);
            var hashes = leaves.Select(l => MerkleTree.HashLeaf(l)).ToArray();

            return MerkleTree.RootFromLeafHashes(hashes, n).AsSpan().SequenceEqual(tree.RootAt(n));
        }, iter: 200);
    }
}
