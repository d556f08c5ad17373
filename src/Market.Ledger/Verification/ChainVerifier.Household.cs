using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Market.Ledger;

/// <summary>
/// Household keys, records and signed orders (docs/ledger-format.md §3.1, §5.7, §8): the state a verifier keeps
/// across blocks (keys, mandates, cancellations, used nonces, verified signatures) and the checks of household
/// blocks and of the orders' authorisation.
/// </summary>
public sealed partial class ChainVerifier
{
    /// <summary>From this many distinct signatures in one book on, they are checked on every core.</summary>
    private const int ParallelSignatures = 8;

    /// <summary>From this many orders on, their statement hashes and submission roots are computed on every core.</summary>
    private const int ParallelOrders = 512;

    /// <summary>Orders whose statements are hashed together (a multiple of the eight lanes).</summary>
    private const int HashBatch = 64;

    /// <summary>The verified-signature cache is emptied beyond this many entries (it only saves work).</summary>
    private const int SignatureCacheLimit = 1 << 21;

    private static ReadOnlySpan<byte> SubmissionTag => "MarketSubmission"u8;

    private readonly Dictionary<byte[], HouseholdKeyState> _householdKeys = new(ByteArrayComparer.Instance);
    private readonly HashSet<PartyId> _householdsWithKeys = [];
    private readonly Dictionary<byte[], MandateState> _mandates = new(ByteArrayComparer.Instance);
    private readonly HashSet<CancellationKey> _cancelled = [];
    private readonly HashSet<NonceKey> _nonces = [];
    private readonly HashSet<Digest> _verifiedSignatures = [];
    private byte[]? _ledgerId;

    /// <summary>The ledger id (header hash of block 0) once block 0 is accepted.</summary>
    public byte[]? LedgerId => (byte[]?)_ledgerId?.Clone();

    private VerificationFailure? CheckHousehold(LedgerBlock block, BlockHeader header)
    {
        var height = header.Height;
        if (block.Leaves.Count == 0)
        {
            return Fail(VerificationFailureReason.InvalidHouseholdRecord, height, "a household block holds at least one record");
        }

        long previous = -1;
        for (var i = 0; i < block.Leaves.Count; i++)
        {
            if (!HouseholdRecord.TryDecode(block.Leaves.GetSpan(i), out var record, out var error))
            {
                return Fail(VerificationFailureReason.MalformedLeaf, height, error!, leafIndex: i);
            }

            if (record.Sequence <= previous)
            {
                return Fail(VerificationFailureReason.InvalidHouseholdRecord, height, "household record sequences must strictly increase", leafIndex: i);
            }

            previous = record.Sequence;
            var failure = CheckHouseholdRecord(record, height, i);
            if (failure is not null)
            {
                return failure;
            }
        }

        _householdRecordsAccepted += block.Leaves.Count;
        return null;
    }

    private VerificationFailure? CheckHouseholdRecord(HouseholdRecord record, long height, int leaf)
    {
        var statementHash = record.StatementHash(_ledgerId!);
        var signature = record.Signature;
        HouseholdKey signer;
        HouseholdKey? enrolled = null;
        var role = default(HouseholdKeyRole);
        if (record.Type == StatementType.KeyEnrolment)
        {
            Statement.TryReadEnrolment(record.Body, out role, out enrolled, out _);
        }

        if (enrolled is not null && !_householdsWithKeys.Contains(record.Household))
        {
            // A household's first key enrols itself: the statement is signed by the key it enrols.
            if (!enrolled.KeyIdSpan.SequenceEqual(signature.KeyId) || role is not (HouseholdKeyRole.Device or HouseholdKeyRole.Agent))
            {
                return Fail(VerificationFailureReason.HouseholdKeyUnknown, height,
                    "a household's first key must enrol itself (signed by the key it enrols, a device or agent key)", leafIndex: leaf);
            }

            signer = enrolled;
        }
        else
        {
            var failure = Signer(record.Household, signature.KeyId, height, leaf, out var state);
            if (failure is not null)
            {
                return failure;
            }

            signer = state!.Key;
        }

        Span<byte> root = stackalloc byte[32];
        if (!signature.TryRootFor(statementHash, root) || !VerifySubmission(signer, root, signature.Signature))
        {
            return Fail(VerificationFailureReason.HouseholdSignatureInvalid, height, "the household signature does not verify over its submission", leafIndex: leaf);
        }

        string? problem = null;
        switch (record.Type)
        {
            case StatementType.KeyEnrolment:
                if (_householdKeys.ContainsKey(enrolled!.KeyId))
                {
                    problem = "the key was enrolled before";
                }
                else if (role == HouseholdKeyRole.Recovery && enrolled.KeyIdSpan.SequenceEqual(signature.KeyId))
                {
                    problem = "a recovery key never enrols itself";
                }
                else
                {
                    _householdKeys.Add(enrolled.KeyId, new HouseholdKeyState(record.Household, enrolled, role));
                    _householdsWithKeys.Add(record.Household);
                }

                break;
            case StatementType.KeyRevocation:
                if (!_householdKeys.TryGetValue(record.Body, out var key) || key.Household != record.Household || key.Revoked)
                {
                    problem = "the revocation names no key of the household that is not revoked yet";
                }
                else
                {
                    key.Revoked = true;
                }

                break;
            case StatementType.Mandate:
                MandateTerms.TryDecodeBody(record.Body, out var terms, out _);
                if (!_nonces.Add(new NonceKey(record.Household, terms!.Nonce)))
                {
                    return Fail(VerificationFailureReason.OrderReplayed, height, "the household used this mandate's nonce before", leafIndex: leaf);
                }

                if (!_mandates.TryAdd(statementHash, new MandateState(record.Household, terms)))
                {
                    problem = "the mandate id was used before";
                }

                break;
            case StatementType.MandateRevocation:
                if (!_mandates.TryGetValue(record.Body, out var mandate) || mandate.Household != record.Household || mandate.Revoked)
                {
                    problem = "the revocation names no mandate of the household that is not revoked yet";
                }
                else
                {
                    mandate.Revoked = true;
                }

                break;
            default:
                // A cancellation: the household's order it names may not appear in a later book. It is kept per
                // (household, statement hash): a cancellation by another household names no order of the owner's
                // and changes nothing for it. Cancelling an order that is already in a book (or never existed)
                // changes nothing and is not an error.
                _cancelled.Add(new CancellationKey(record.Household, Digest.Read(record.Body)));
                break;
        }

        return problem is null ? null : Fail(VerificationFailureReason.InvalidHouseholdRecord, height, problem, leafIndex: leaf);
    }

    private VerificationFailure? Signer(PartyId household, byte[] keyId, long height, int leaf, out HouseholdKeyState? state)
    {
        if (!_householdKeys.TryGetValue(keyId, out state) || state.Household != household)
        {
            state = null;
            return Fail(VerificationFailureReason.HouseholdKeyUnknown, height, "the statement is signed by a key that is not its household's", leafIndex: leaf);
        }

        return state.Revoked
            ? Fail(VerificationFailureReason.HouseholdKeyRevoked, height, "the statement is signed by a key its household revoked", leafIndex: leaf)
            : null;
    }

    /// <summary>
    /// The authorisation of a book's orders (§8), after each order passed the book's own checks (<paramref name="count"/>
    /// of them, in leaf order): nonce not used before, not cancelled, then the signer and signature or the mandate.
    /// Statement hashes and submission roots are computed on every core for large books, and the distinct signatures
    /// not verified before are checked on every core; the failure reported is the first in leaf order.
    /// </summary>
    private VerificationFailure? CheckOrderAuthorizations(OrderLeaf[] orders, int count, BlockHeader header)
    {
        var height = header.Height;
        var start = header.IntervalStart;
        var end = header.IntervalEnd;
        var ledgerId = _ledgerId!;
        var hashes = new byte[count * 32];
        var roots = new byte[count * 32];
        var digests = new byte[count * 32];
        var leafHashes = new byte[count * 32];
        var groups = new Dictionary<SignatureGroupKey, List<int>>();
        var groupList = new List<List<int>>();

        // Statement hashes, and the submission-tree leaf hash of each (SHA-256(0x00 ‖ statement hash)), in batches of
        // equal-length messages hashed eight at a time where the processor allows.
        void Hash(int batch)
        {
            var from = batch * HashBatch;
            var n = Math.Min(HashBatch, count - from);
            Span<byte> statements = stackalloc byte[HashBatch * OrderLeaf.StatementSize];
            for (var k = 0; k < n; k++)
            {
                orders[from + k].WriteStatement(ledgerId, start, end, statements.Slice(k * OrderLeaf.StatementSize, OrderLeaf.StatementSize));
            }

            var batchHashes = hashes.AsSpan(from * 32, n * 32);
            var batchLeaves = leafHashes.AsSpan(from * 32, n * 32);
            if (Sha256x8.IsSupported)
            {
                Sha256x8.Hash(statements, OrderLeaf.StatementSize, n, batchHashes);
                Sha256x8.HashPrefixed(0x00, batchHashes, 32, n, batchLeaves);
                return;
            }

            Span<byte> leaf = stackalloc byte[33];
            for (var k = 0; k < n; k++)
            {
                SHA256.HashData(statements.Slice(k * OrderLeaf.StatementSize, OrderLeaf.StatementSize), batchHashes.Slice(k * 32, 32));
                batchHashes.Slice(k * 32, 32).CopyTo(leaf[1..]);
                SHA256.HashData(leaf, batchLeaves.Slice(k * 32, 32));
            }
        }

        ForEachIndex((count + HashBatch - 1) / HashBatch, ParallelOrders / HashBatch, Hash);
        for (var i = 0; i < count; i++)
        {
            if (orders[i].Authorization is SignedOrder { Signature: var signature })
            {
                var key = new SignatureGroupKey(signature);
                if (!groups.TryGetValue(key, out var members))
                {
                    groups[key] = members = [];
                    groupList.Add(members);
                }

                members.Add(i);
            }
        }

        // The statements of one submission share one signature, size and the upper nodes of their paths: each
        // submission's roots are walked together (SharedPathRoots), and its digest computed once per root.
        void Group(int g)
        {
            var members = groupList[g];
            var first = ((SignedOrder)orders[members[0]].Authorization).Signature;
            var tree = CompleteSubmission(members, first.SubmissionSize);
            SharedPathRoots? walker = null;
            var firstWithDigest = -1;
            foreach (var i in members)
            {
                var signature = ((SignedOrder)orders[i].Authorization).Signature;
                var root = roots.AsSpan(i * 32, 32);
                if (tree is not null && tree.IsPathOf(signature.Index, signature.Path))
                {
                    tree.Root.CopyTo(root);
                }
                else if (!(walker ??= new SharedPathRoots(first.SubmissionSize)).TryRoot(leafHashes.AsSpan(i * 32, 32), signature.Index, signature.Path, root))
                {
                    continue;
                }

                var digest = digests.AsSpan(i * 32, 32);
                if (firstWithDigest >= 0 && root.SequenceEqual(roots.AsSpan(firstWithDigest * 32, 32)))
                {
                    digests.AsSpan(firstWithDigest * 32, 32).CopyTo(digest);
                }
                else
                {
                    TripleDigest(signature.KeyId, root, signature.Signature, digest);
                    if (firstWithDigest < 0)
                    {
                        firstWithDigest = i;
                    }
                }
            }
        }

        // A submission all of whose statements are in this book (each index once): its tree, built from their leaf
        // hashes; each statement's path is then compared with it. Null otherwise (e.g. a submission spanning
        // intervals), and the paths are walked.
        LevelTree? CompleteSubmission(List<int> members, int size)
        {
            if (members.Count != size || size < 2)
            {
                return null;
            }

            var leaves = new byte[size * 32];
            var seen = new bool[size];
            foreach (var i in members)
            {
                var index = ((SignedOrder)orders[i].Authorization).Signature.Index;
                if (seen[index])
                {
                    return null;
                }

                seen[index] = true;
                leafHashes.AsSpan(i * 32, 32).CopyTo(leaves.AsSpan(index * 32, 32));
            }

            return LevelTree.Build(leaves);
        }

        ForEachIndex(groupList.Count, count >= ParallelOrders ? 8 : int.MaxValue, Group);

        var pending = new Dictionary<Digest, int>();
        Dictionary<byte[], long>? mandateEnergy = null;
        VerificationFailure? failure = null;
        Span<byte> buffer = stackalloc byte[48];
        Span<byte> nonce = stackalloc byte[32];
        for (var i = 0; i < count && failure is null; i++)
        {
            var order = orders[i];
            var hash = hashes.AsSpan(i * 32, 32);
            if (!_nonces.Add(new NonceKey(order.Owner, order.Nonce)))
            {
                failure = Fail(VerificationFailureReason.OrderReplayed, height, "the owner used this order's nonce before (a copied order)", leafIndex: i);
            }
            else if (_cancelled.Count > 0 && _cancelled.Contains(new CancellationKey(order.Owner, Digest.Read(hash))))
            {
                failure = Fail(VerificationFailureReason.CancelledOrderInBook, height, "the owner cancelled this order in an earlier block", leafIndex: i);
            }
            else if (order.Authorization is SignedOrder { Signature: var signature })
            {
                failure = Signer(order.Owner, signature.KeyId, height, i, out _);
                if (failure is null)
                {
                    var digest = Digest.Read(digests.AsSpan(i * 32, 32));
                    if (!_verifiedSignatures.Contains(digest))
                    {
                        pending.TryAdd(digest, i);
                    }
                }
            }
            else if (order.Authorization is MandateOrder { MandateId: var id })
            {
                if (!_mandates.TryGetValue(id, out var mandate) || mandate.Household != order.Owner)
                {
                    failure = Fail(VerificationFailureReason.MandateUnknown, height, "the order names no mandate of its owner", leafIndex: i);
                    continue;
                }

                var refusal = mandate.Revoked ? "the mandate was revoked" : mandate.Terms.Refuses(start, order.Side, order.LimitPrice);
                if (refusal is null && !OrderLeaf.MandateNonceInto(id, start, order.Sequence, buffer, nonce).AsSpan().SequenceEqual(order.Nonce))
                {
                    refusal = "the nonce is not the one the mandate gives for this interval and sequence";
                }

                if (refusal is null)
                {
                    mandateEnergy ??= new Dictionary<byte[], long>(ByteArrayComparer.Instance);
                    var total = mandateEnergy.GetValueOrDefault(id) + (Int128)order.EnergyWh;
                    if (total > mandate.Terms.MaxEnergyWh)
                    {
                        refusal = $"the orders under the mandate in this interval exceed its {mandate.Terms.MaxEnergyWh} Wh";
                    }
                    else
                    {
                        mandateEnergy[id] = (long)total;
                    }
                }

                if (refusal is not null)
                {
                    failure = Fail(VerificationFailureReason.OutsideMandate, height, refusal, leafIndex: i);
                }
            }
        }

        var badSignature = VerifyPending(pending, orders, roots);
        return badSignature is { } leaf && (failure is null || leaf < failure.LeafIndex)
            ? Fail(VerificationFailureReason.HouseholdSignatureInvalid, height, "the household signature does not verify over its submission", leafIndex: leaf)
            : failure;
    }

    /// <summary>Checks the distinct signatures (each at the first order using it) on every core when there are
    /// many; returns the first order in leaf order whose signature fails, or null.</summary>
    private int? VerifyPending(Dictionary<Digest, int> pending, OrderLeaf[] orders, byte[] roots)
    {
        if (pending.Count == 0)
        {
            return null;
        }

        var work = pending.ToArray();
        var valid = new bool[work.Length];
        void Check(int j)
        {
            var leaf = work[j].Value;
            var signature = ((SignedOrder)orders[leaf].Authorization).Signature;
            var key = _householdKeys[signature.KeyId].Key;
            Span<byte> message = stackalloc byte[HouseholdSignature.SignedMessageSize];
            SubmissionTag.CopyTo(message);
            roots.AsSpan(leaf * 32, 32).CopyTo(message[16..]);
            valid[j] = key.Verify(message, signature.Signature);
        }

        if (work.Length >= ParallelSignatures)
        {
            Parallel.For(0, work.Length, Check);
        }
        else
        {
            for (var j = 0; j < work.Length; j++)
            {
                Check(j);
            }
        }

        int? first = null;
        for (var j = 0; j < work.Length; j++)
        {
            if (!valid[j])
            {
                first = first is { } f ? Math.Min(f, work[j].Value) : work[j].Value;
            }
        }

        if (first is null)
        {
            if (_verifiedSignatures.Count + work.Length > SignatureCacheLimit)
            {
                _verifiedSignatures.Clear();
            }

            foreach (var (digest, _) in work)
            {
                _verifiedSignatures.Add(digest);
            }
        }

        return first;
    }

    private bool VerifySubmission(HouseholdKey key, ReadOnlySpan<byte> root, byte[] signature)
    {
        Span<byte> triple = stackalloc byte[32];
        TripleDigest(key.KeyIdSpan, root, signature, triple);
        var digest = Digest.Read(triple);
        if (_verifiedSignatures.Contains(digest))
        {
            return true;
        }

        Span<byte> message = stackalloc byte[HouseholdSignature.SignedMessageSize];
        SubmissionTag.CopyTo(message);
        root.CopyTo(message[16..]);
        if (!key.Verify(message, signature))
        {
            return false;
        }

        if (_verifiedSignatures.Count >= SignatureCacheLimit)
        {
            _verifiedSignatures.Clear();
        }

        _verifiedSignatures.Add(digest);
        return true;
    }

    // SHA-256(key id ‖ root ‖ signature): what the cache of verified signatures remembers.
    private static void TripleDigest(ReadOnlySpan<byte> keyId, ReadOnlySpan<byte> root, ReadOnlySpan<byte> signature, Span<byte> destination)
    {
        Span<byte> triple = stackalloc byte[32 + 32 + HouseholdKey.SignatureSize];
        keyId.CopyTo(triple);
        root.CopyTo(triple[32..]);
        signature.CopyTo(triple[64..]);
        SHA256.HashData(triple, destination);
    }

    private sealed class HouseholdKeyState(PartyId household, HouseholdKey key, HouseholdKeyRole role)
    {
        public PartyId Household { get; } = household;

        public HouseholdKey Key { get; } = key;

        public HouseholdKeyRole Role { get; } = role;

        public bool Revoked { get; set; }
    }

    private sealed class MandateState(PartyId household, MandateTerms terms)
    {
        public PartyId Household { get; } = household;

        public MandateTerms Terms { get; } = terms;

        public bool Revoked { get; set; }
    }

    private readonly record struct NonceKey(PartyId Household, UInt128 Nonce)
    {
        public NonceKey(PartyId household, ReadOnlySpan<byte> nonce)
            : this(household, BinaryPrimitives.ReadUInt128BigEndian(nonce))
        {
        }
    }

    private readonly record struct CancellationKey(PartyId Household, Digest StatementHash);

    /// <summary>Runs <paramref name="body"/> for 0 … count-1, on every core from <paramref name="parallelFrom"/> items on.</summary>
    private static void ForEachIndex(int count, int parallelFrom, Action<int> body)
    {
        if (count >= parallelFrom)
        {
            Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(0, count, Math.Max(1, Math.Min(ParallelOrders / 2, count / (4 * Environment.ProcessorCount)))), range =>
            {
                for (var i = range.Item1; i < range.Item2; i++)
                {
                    body(i);
                }
            });
        }
        else
        {
            for (var i = 0; i < count; i++)
            {
                body(i);
            }
        }
    }

    /// <summary>One household submission's statements in a book: the same key id, signature and size.</summary>
    private readonly struct SignatureGroupKey(HouseholdSignature signature) : IEquatable<SignatureGroupKey>
    {
        private readonly HouseholdSignature _signature = signature;

        public bool Equals(SignatureGroupKey other) => _signature.SubmissionSize == other._signature.SubmissionSize
            && _signature.Signature.AsSpan().SequenceEqual(other._signature.Signature) && _signature.KeyId.AsSpan().SequenceEqual(other._signature.KeyId);

        public override bool Equals(object? obj) => obj is SignatureGroupKey other && Equals(other);

        public override int GetHashCode() => HashCode.Combine(BinaryPrimitives.ReadInt64LittleEndian(_signature.Signature), BinaryPrimitives.ReadInt64LittleEndian(_signature.Signature.AsSpan(32)), _signature.SubmissionSize);
    }

    private readonly record struct Digest(UInt128 High, UInt128 Low)
    {
        public static Digest Read(ReadOnlySpan<byte> hash) =>
            new(BinaryPrimitives.ReadUInt128BigEndian(hash), BinaryPrimitives.ReadUInt128BigEndian(hash[16..]));
    }
}
