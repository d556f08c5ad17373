using Market.Ledger;
using Market.Replay;

namespace Market.Witnesses;

/// <summary>
/// The witness's verified copy of the log: <c>replica.jsonl</c> holds the export's format line and every block line
/// the witness verified, re-serialized with <see cref="LedgerExportWriter"/> so that it plus the market's checkpoint
/// line is byte for byte the market's export. Blocks are verified by one long-lived <see cref="ChainVerifier"/> (with
/// clearing replay) as they are appended; appended bytes are only <em>pending</em> until <see cref="Commit"/> (after
/// the witness persisted its state), and <see cref="Rollback"/> cuts them off again. On open the file is cut to the
/// committed length the state names (a crash between the append and the state leaves extra bytes) and re-verified
/// from the disk. Appends are the caller's to serialize; reads of committed blocks may run at any time.
/// </summary>
internal sealed class Replica : IDisposable
{
    public const string FileName = "replica.jsonl";

    private readonly string _path;
    private readonly ChainVerifierOptions _options;
    private readonly FileStream _file;
    private readonly byte[] _formatLine = ExportLines.FormatLine();

    // Committed blocks: guarded by _gate for readers (the HTTP read API and gossip run beside appends).
    private readonly Lock _gate = new();
    private readonly MerkleTree _tree = new();
    private int _treeSize;
    private readonly List<byte[]> _headerHashes = [];
    private readonly List<long> _offsets = [];
    private long _committedLength;

    // Pending blocks: only touched by the one appender.
    private readonly List<byte[]> _pendingHashes = [];
    private readonly List<long> _pendingOffsets = [];
    private long _pendingLength;
    private ChainVerifier _verifier;
    private volatile ReplicaVerification _lastVerification = new(DateTimeOffset.MinValue, "");

    private Replica(string path, ChainVerifierOptions options, FileStream file)
    {
        _path = path;
        _options = options;
        _file = file;
        _verifier = new ChainVerifier(new MatchingReplayer(), options);
    }

    /// <summary>Committed blocks.</summary>
    public long Size
    {
        get
        {
            lock (_gate)
            {
                return _headerHashes.Count;
            }
        }
    }

    /// <summary>Committed bytes of the file.</summary>
    public long CommittedLength
    {
        get
        {
            lock (_gate)
            {
                return _committedLength;
            }
        }
    }

    /// <summary>The last verification of the replica (start-up or an append) and when, for the status page.</summary>
    public ReplicaVerification LastVerification => _lastVerification;

    /// <summary>
    /// Opens the replica in <paramref name="folder"/> for <paramref name="state"/>: cuts the file to the state's
    /// length, re-verifies every block from the disk (streaming, with replay) and checks the blocks give the state's
    /// size and root and that the market's stored checkpoint verifies against them.
    /// </summary>
    /// <exception cref="InvalidDataException">The replica does not verify or does not match the state.</exception>
    public static Replica Open(string folder, WitnessState state, ChainVerifierOptions options, TimeProvider time)
    {
        var path = Path.Combine(folder, FileName);
        var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 1 << 16);
        var replica = new Replica(path, options, file);
        try
        {
            replica.Load(state, time);
            return replica;
        }
        catch
        {
            replica.Dispose();
            throw;
        }
    }

    private void Load(WitnessState state, TimeProvider time)
    {
        if (state.ReplicaLength == 0)
        {
            // Never committed a block: start the file afresh (a crash may have left an unconfirmed append).
            _file.SetLength(0);
            _file.Write(_formatLine);
            _file.Flush(flushToDisk: true);
            _committedLength = _pendingLength = _formatLine.Length;
            Record(time, "empty replica: no checkpoint cosigned yet");
            return;
        }

        if (_file.Length < state.ReplicaLength)
        {
            throw new InvalidDataException($"{_path} is {_file.Length} bytes but the state says {state.ReplicaLength} were written: the replica was cut");
        }

        if (_file.Length > state.ReplicaLength)
        {
            // Blocks appended for a checkpoint whose state never reached the disk: never cosigned, so dropped.
            _file.SetLength(state.ReplicaLength);
            _file.Flush(flushToDisk: true);
        }

        _committedLength = state.ReplicaLength;
        Reverify();
        var root = _tree.RootAt(_headerHashes.Count);
        if (_headerHashes.Count != state.Size || !root.AsSpan().SequenceEqual(state.Root))
        {
            throw new InvalidDataException($"{_path} holds {_headerHashes.Count} blocks with root {Convert.ToHexStringLower(root)}, but the state cosigned size {state.Size} with root {Convert.ToHexStringLower(state.Root)}");
        }

        // A cosigned empty tree has no blocks and no market checkpoint to check.
        var check = state.Size == 0 ? null : _verifier.Complete(state.MarketCheckpoint);
        if (check is { IsValid: false })
        {
            throw new InvalidDataException($"{_path}: the market's checkpoint kept with the state does not verify: {Failures.Describe(check.Failure!)}");
        }

        Record(time, $"re-verified {state.Size} blocks from the disk at start (every clearing replayed)");
    }

    /// <summary>Verifies the committed bytes of the file from the start with a new verifier, rebuilding the index.</summary>
    private void Reverify()
    {
        var verifier = new ChainVerifier(new MatchingReplayer(), _options);
        var hashes = new List<byte[]>();
        var offsets = LineStarts();
        _file.Position = 0;
        using (var committed = new BoundedStream(_file, _committedLength))
        {
            var reader = new LedgerExportReader(committed);
            try
            {
                foreach (var block in reader.ReadBlocks())
                {
                    if (!verifier.Append(block))
                    {
                        throw new InvalidDataException($"{_path} does not verify: {Failures.Describe(verifier.Failure!)}");
                    }

                    hashes.Add(BlockHeader.Hash(block.HeaderBytes));
                }
            }
            catch (LedgerFormatException e)
            {
                throw new InvalidDataException($"{_path} is malformed: {e.Message}", e);
            }
        }

        if (offsets.Count != hashes.Count)
        {
            throw new InvalidDataException($"{_path}: {offsets.Count} block lines but {hashes.Count} blocks read");
        }

        lock (_gate)
        {
            _verifier = verifier;
            _headerHashes.Clear();
            _headerHashes.AddRange(hashes);
            _offsets.Clear();
            _offsets.AddRange(offsets);
            // The tree only grows; a rebuild after a rollback finds the same committed blocks in it.
            for (var i = _treeSize; i < hashes.Count; i++)
            {
                _tree.AppendLeaf(hashes[i]);
            }

            _treeSize = Math.Max(_treeSize, hashes.Count);
        }

        _pendingHashes.Clear();
        _pendingOffsets.Clear();
        _pendingLength = _committedLength;
    }

    /// <summary>Where each block line of the committed bytes starts (the line after the format line onwards).</summary>
    private List<long> LineStarts()
    {
        var starts = new List<long>();
        var buffer = new byte[1 << 16];
        _file.Position = 0;
        long position = 0;
        while (position < _committedLength)
        {
            var read = _file.Read(buffer, 0, (int)Math.Min(buffer.Length, _committedLength - position));
            if (read == 0)
            {
                break;
            }

            for (var i = 0; i < read; i++)
            {
                // Every line end but the last starts a block line (the first ends the format line).
                if (buffer[i] == (byte)'\n' && position + i + 1 < _committedLength)
                {
                    starts.Add(position + i + 1);
                }
            }

            position += read;
        }

        return starts;
    }

    /// <summary>
    /// Verifies the blocks of a log's export range <c>[Size, to)</c> (blocks, then the market's checkpoint of size
    /// <paramref name="to"/>) and appends them to the file as pending. The verifier continues from the committed
    /// blocks. Returns the outcome; on failure call <see cref="Rollback"/>.
    /// </summary>
    /// <exception cref="IOException">Reading the source or writing the file failed (call <see cref="Rollback"/>).</exception>
    /// <param name="source">The log's export of the range.</param>
    /// <param name="note">The checkpoint note of size <paramref name="to"/> to be cosigned: when the ledger seals a
    /// witness policy, it must also hold under it (origin, a sealed log key's signature, root).</param>
    /// <param name="to">The note's size.</param>
    /// <param name="time">For the status's record of the verification.</param>
    public AppendOutcome Append(Stream source, SignedNote note, long to, TimeProvider time)
    {
        var from = Size;
        _file.Position = _pendingLength;
        var lines = new ExportLines(_file);
        var reader = new LedgerExportReader(source);
        string? problem = null;
        try
        {
            using var writer = new LedgerExportWriter(lines);
            foreach (var block in reader.ReadBlocks())
            {
                if (from + _pendingHashes.Count >= to)
                {
                    problem = $"the log's export of [{from}, {to}) holds more than {to - from} blocks";
                    break;
                }

                if (!_verifier.Append(block))
                {
                    problem = $"the log's blocks do not verify: {Failures.Describe(_verifier.Failure!)}";
                    break;
                }

                _pendingOffsets.Add(_pendingLength + lines.Written);
                writer.WriteBlock(block);
                _pendingHashes.Add(BlockHeader.Hash(block.HeaderBytes));
            }
        }
        catch (LedgerFormatException e)
        {
            problem = $"the log's export is malformed: {e.Message}";
        }

        _pendingLength += lines.Written;
        _file.Flush(flushToDisk: true);
        if (problem is null && from + _pendingHashes.Count != to)
        {
            problem = $"the log's export of [{from}, {to}) holds {_pendingHashes.Count} blocks";
        }

        if (problem is null && reader.Checkpoint?.Size != to)
        {
            problem = $"the log's export of [{from}, {to}) does not end with its checkpoint of size {to}";
        }

        VerificationResult? result = null;
        if (problem is null)
        {
            result = _verifier.Complete(reader.Checkpoint);
            if (!result.IsValid)
            {
                problem = $"the market's checkpoint of size {to} does not verify: {Failures.Describe(result.Failure!)}";
            }
            else if (_verifier.WitnessPolicy is not null && _verifier.CheckNote(note, null) is { IsValid: false } check)
            {
                problem = $"the note does not hold under the ledger's sealed witness policy: {check.Failure!.Message}";
            }
        }

        Record(time, problem is null ? $"verified blocks [{from}, {to}) (every clearing replayed)" : $"REFUSED blocks [{from}, {to}): {problem}");
        return problem is null ? new AppendOutcome(null, result!.LedgerRoot, reader.Checkpoint, _pendingLength) : new AppendOutcome(problem, null, null, 0);
    }

    /// <summary>Makes the pending blocks committed (after the state naming them is on the disk).</summary>
    public void Commit()
    {
        lock (_gate)
        {
            foreach (var hash in _pendingHashes)
            {
                _tree.AppendLeaf(hash);
            }

            _treeSize += _pendingHashes.Count;

            _headerHashes.AddRange(_pendingHashes);
            _offsets.AddRange(_pendingOffsets);
            _committedLength = _pendingLength;
        }

        _pendingHashes.Clear();
        _pendingOffsets.Clear();
    }

    /// <summary>Drops the pending blocks: cuts the file back and rebuilds the verifier from the committed blocks on
    /// the disk (a verifier that saw a failing or dropped block cannot go back).</summary>
    public void Rollback()
    {
        if (_pendingHashes.Count == 0 && _verifier.Failure is null && _file.Length == _committedLength)
        {
            return; // nothing was appended: the verifier is where the committed blocks left it
        }

        _file.SetLength(_committedLength);
        _file.Flush(flushToDisk: true);
        Reverify();
    }

    private void Record(TimeProvider time, string what) => _lastVerification = new ReplicaVerification(time.GetUtcNow(), what);

    /// <summary>The root of the first <paramref name="size"/> committed blocks.</summary>
    public byte[] RootAt(long size)
    {
        lock (_gate)
        {
            return _tree.RootAt(size);
        }
    }

    /// <summary>RFC 9162 consistency proof between committed sizes; null when not 0 ≤ from ≤ to ≤ size.</summary>
    public byte[][]? ConsistencyProof(long from, long to)
    {
        lock (_gate)
        {
            return from < 0 || from > to || to > _headerHashes.Count ? null : _tree.ConsistencyProof(from, to);
        }
    }

    /// <summary>RFC 9162 leaf hashes (SHA-256(0x00 ‖ header hash)) of the first <paramref name="size"/> blocks.</summary>
    public IReadOnlyList<byte[]> LeafHashes(long size)
    {
        lock (_gate)
        {
            return _headerHashes.Take((int)size).Select(h => MerkleTree.HashLeaf(h)).ToList();
        }
    }

    /// <summary>Reads committed block <paramref name="height"/> back from the file (below a committed state's
    /// <paramref name="size"/>, whose file length is <paramref name="length"/>); null when there is none.</summary>
    public async Task<LedgerBlock?> ReadBlockAsync(long height, long size, long length, CancellationToken cancellationToken)
    {
        if (height < 0 || height >= size)
        {
            return null;
        }

        long start, end;
        lock (_gate)
        {
            start = _offsets[(int)height];
            end = height + 1 < size ? _offsets[(int)height + 1] : length;
        }

        var line = new byte[_formatLine.Length + (end - start)];
        _formatLine.CopyTo(line, 0);
        await using (var file = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.Asynchronous))
        {
            file.Position = start;
            await file.ReadExactlyAsync(line.AsMemory(_formatLine.Length), cancellationToken);
        }

        return new LedgerExportReader(new MemoryStream(line)).ReadBlocks().Single();
    }

    /// <summary>
    /// Writes the export of blocks <c>[from, size)</c> then <paramref name="checkpoint"/> (of that size): the format
    /// line, the block lines as stored, the checkpoint line. <paramref name="size"/> and <paramref name="length"/>
    /// are a committed state's (the file may be growing beyond them meanwhile).
    /// </summary>
    public async Task WriteExportAsync(Stream output, long from, long size, long length, Checkpoint? checkpoint, CancellationToken cancellationToken)
    {
        long start;
        lock (_gate)
        {
            start = from == size ? length : _offsets[(int)from];
        }

        await output.WriteAsync(_formatLine, cancellationToken);
        await using (var file = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan))
        {
            file.Position = start;
            var buffer = new byte[1 << 16];
            var left = length - start;
            while (left > 0)
            {
                var read = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken);
                if (read == 0)
                {
                    throw new IOException($"{_path} ended before its committed length");
                }

                await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                left -= read;
            }
        }

        if (checkpoint is not null)
        {
            await output.WriteAsync(ExportLines.CheckpointLine(checkpoint), cancellationToken);
        }
    }

    public void Dispose()
    {
        _file.Dispose();
    }
}

/// <summary>A verification of the replica: when, and what came of it.</summary>
internal sealed record ReplicaVerification(DateTimeOffset At, string Result);

/// <summary>An append's result: a problem (not verified), or the root at the new size, the market's checkpoint of
/// that size and the file's length with the pending blocks.</summary>
internal sealed record AppendOutcome(string? Problem, byte[]? Root, Checkpoint? MarketCheckpoint, long Length);

/// <summary>Reads at most a given number of bytes of another stream (left open).</summary>
internal sealed class BoundedStream(Stream inner, long length) : Stream
{
    private long _left = length;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_left <= 0)
        {
            return 0;
        }

        var read = inner.Read(buffer[..(int)Math.Min(buffer.Length, _left)]);
        _left -= read;
        return read;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
