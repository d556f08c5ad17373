using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Market.Web.Grid;

/// <summary>The network in force: its version and its nodes.</summary>
/// <param name="Version">The version (1, 2, 3, … in import order).</param>
/// <param name="Sha256">SHA-256 of the canonical node list, lower-case hex.</param>
/// <param name="ImportedAtMs">When it was imported, Unix milliseconds UTC.</param>
/// <param name="Definition">The nodes.</param>
public sealed record NetworkVersion(long Version, string Sha256, long ImportedAtMs, NetworkDefinition Definition);

/// <summary>What an accepted network import stored, and how it matches the community's households.</summary>
/// <param name="Version">The new version.</param>
/// <param name="Sha256">SHA-256 of the canonical node list, lower-case hex.</param>
/// <param name="Nodes">How many nodes.</param>
/// <param name="Connections">How many connection points.</param>
/// <param name="UnknownMeters">Meters of connections that no household has (a connection without a household yet).</param>
/// <param name="HouseholdsWithoutConnection">How many households' meters are at no connection of the network.</param>
/// <param name="BlockHeight">The height of the network block that seals this version in the ledger.</param>
public sealed record NetworkImportResult(long Version, string Sha256, int Nodes, int Connections, IReadOnlyList<string> UnknownMeters, int HouseholdsWithoutConnection, long BlockHeight);

/// <summary>What an accepted envelope upload stored.</summary>
/// <param name="Upload">The upload's id.</param>
/// <param name="Sha256">SHA-256 of the request body, lower-case hex.</param>
/// <param name="Windows">How many windows (envelopes) were stored.</param>
/// <param name="NodeIntervals">How many node-intervals they cover.</param>
/// <param name="NetworkVersion">The network version they were checked against.</param>
public sealed record EnvelopeImportResult(long Upload, string Sha256, int Windows, int NodeIntervals, long NetworkVersion)
{
    /// <summary>The cancellations stored (events taken out of force for the intervals still open).</summary>
    public int Cancellations { get; init; }

    /// <summary>Cancellations left out because every interval of their window had already closed.</summary>
    public int CancellationsTooLate { get; init; }
}

/// <summary>One node's limits in force for one interval, from the newest upload whose window covers it.</summary>
/// <param name="NodeId">The node.</param>
/// <param name="ImportLimitW">Watts, or null for the node's static limit.</param>
/// <param name="ExportLimitW">Watts, or null for the node's static limit.</param>
/// <param name="EventId">The network operator's event id, or null.</param>
/// <param name="Upload">The upload it came from.</param>
public sealed record LimitInForce(string NodeId, long? ImportLimitW, long? ExportLimitW, string? EventId, long Upload);

/// <summary>
/// The community's network and the network operator's envelopes, as stored: every network version and every
/// accepted upload is kept (append-only tables); the newest network is in force, and for each node and interval the
/// newest upload's window wins. Envelopes can only be sent for intervals whose gate has not closed: the limits in
/// force at gate closure are the ones the interval is cleared under.
/// </summary>
public sealed class GridStore(IDbContextFactory<MarketDbContext> dbFactory, LedgerGate gate, LedgerWriter ledger, MarketClock clock, TimeProvider time)
{
    private static readonly JsonSerializerOptions Canonical = new()
    {
        WriteIndented = false,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    private static readonly BulkTable EnvelopeRows = new("Envelopes",
        BulkTable.Column<long>("UploadId"), BulkTable.Column<string>("NodeId"), BulkTable.Column<long>("Start"), BulkTable.Column<long>("End"),
        BulkTable.Column<long?>("ImportLimitW"), BulkTable.Column<long?>("ExportLimitW"), BulkTable.Column<string>("EventId"),
        BulkTable.Column<bool>("Cancels"));

    // Versions never change, so a parsed one stays right; the newest few are kept.
    private readonly ConcurrentDictionary<long, NetworkVersion> _parsed = new();

    /// <summary>The network in force, or null before the first import.</summary>
    public async Task<NetworkVersion?> CurrentAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var newest = await db.NetworkVersions.AsNoTracking().OrderByDescending(v => v.Id)
            .Select(v => new { v.Id })
            .FirstOrDefaultAsync(cancellationToken);
        return newest is null ? null : await VersionAsync(db, newest.Id, cancellationToken);
    }

    /// <summary>One version of the network, or null when there is none with that number.</summary>
    public async Task<NetworkVersion?> VersionAsync(long version, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await VersionAsync(db, version, cancellationToken);
    }

    /// <summary>Stores a new version of the network (the parser has checked it as a whole).</summary>
    /// <param name="definition">The network.</param>
    /// <param name="format"><c>csv</c> or <c>json</c>.</param>
    /// <param name="importedBy">Who imports it.</param>
    /// <param name="cancellationToken">Cancels the import; then nothing is stored.</param>
    /// <returns>The new version and how it matches the households.</returns>
    public async Task<NetworkImportResult> ImportNetworkAsync(NetworkDefinition definition, string format, string importedBy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var json = JsonSerializer.Serialize(definition.Nodes, Canonical);
        var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)));
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var meters = await db.Households.AsNoTracking().Select(h => h.MeterId).ToListAsync(cancellationToken);
        var known = meters.Where(m => m is not null).Select(m => m!).ToHashSet(StringComparer.Ordinal);
        var unknown = definition.Nodes.Where(n => n.Kind == NetworkNodeKind.Connection && !known.Contains(n.MeterId!)).Select(n => n.MeterId!).ToList();
        var withoutConnection = known.Count(m => !definition.TryGetConnectionByMeter(m, out _));

        // Stored and sealed in one transaction under the ledger's lock: the version and its network block (one leaf
        // per node, a connection's household by its ledger pseudonym) exist together or not at all, and two imports
        // at once get consecutive versions.
        var households = await db.Households.AsNoTracking()
            .Where(h => h.MeterId != null)
            .Select(h => new { h.MeterId, h.Pseudonym })
            .ToDictionaryAsync(h => h.MeterId!, h => h.Pseudonym, StringComparer.Ordinal, cancellationToken);
        var leaves = definition.Nodes.Select((n, i) => new Market.Ledger.NetworkNodeLeaf(
            definition.ParentIndex(i),
            (Market.Ledger.NetworkNodeKind)(byte)n.Kind,
            n.ExportCapacityW ?? Market.Ledger.NetworkNodeLeaf.Unlimited,
            n.ImportCapacityW ?? Market.Ledger.NetworkNodeLeaf.Unlimited,
            n.Kind == NetworkNodeKind.Connection && households.TryGetValue(n.MeterId!, out var pseudonym) ? Market.Ledger.PartyId.FromBytes(pseudonym) : default,
            n.Id)).ToList();
        return await gate.SealAsync(async () =>
        {
            await using var write = await dbFactory.CreateDbContextAsync(cancellationToken);
            await using var transaction = await write.Database.BeginTransactionAsync(cancellationToken);
            await LedgerLock.AcquireAsync(write, cancellationToken);
            var next = 1 + (await write.NetworkVersions.Select(v => (long?)v.Id).MaxAsync(cancellationToken) ?? 0);
            write.NetworkVersions.Add(new NetworkVersionEntity
            {
                Id = next, ImportedAtMs = time.GetUtcNow().ToUnixTimeMilliseconds(), ImportedBy = Truncate(importedBy, 256), Format = format,
                NodesJson = json, Sha256 = sha, NodeCount = definition.Count, ConnectionCount = definition.ConnectionCount,
            });
            var tip = await LedgerWriter.TipAsync(write, cancellationToken);
            var block = Market.Ledger.BlockSealer.SealNetwork(tip, await ledger.SigningKeyAsync(write, cancellationToken), leaves, clock.Now);
            LedgerWriter.Add(write, block);
            await write.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return new NetworkImportResult(next, sha, definition.Count, definition.ConnectionCount, unknown, withoutConnection, block.Header.Height);
        }, cancellationToken);
    }

    /// <summary>
    /// Checks envelopes against the network in force and the gate closures, and stores them all or none.
    /// </summary>
    /// <param name="parsed">The envelopes as parsed (an upload with parse errors is refused before this).</param>
    /// <param name="source"><c>json</c> or <c>csip-aus</c>.</param>
    /// <param name="body">The request body, whose SHA-256 the receipt names.</param>
    /// <param name="receivedBy">Who sent it.</param>
    /// <param name="cancellationToken">Cancels the import; then nothing is stored.</param>
    /// <param name="cancellations">
    /// Cancelled events (<see cref="ParsedEnvelopes.Cancellations"/>): each must name a node of the network (not the
    /// root), an event id and a window on the interval grid; stored from the first open interval on, left out when
    /// the whole window has closed.
    /// </param>
    /// <returns>The stored upload, or every error found.</returns>
    public async Task<(EnvelopeImportResult? Stored, IReadOnlyList<EnvelopeError> Errors)> ImportEnvelopesAsync(
        IReadOnlyList<Envelope> parsed, string source, ReadOnlyMemory<byte> body, string receivedBy, CancellationToken cancellationToken,
        IReadOnlyList<Envelope>? cancellations = null)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        cancellations ??= [];
        var network = await CurrentAsync(cancellationToken);
        if (network is null)
        {
            return (null, [new EnvelopeError(0, "There is no network yet: an operator imports it first (PUT /api/grid/network).")]);
        }

        if (parsed.Count == 0 && cancellations.Count == 0)
        {
            return (null, [new EnvelopeError(0, "The upload has no envelope in force and cancels none (an XML document's controls may all be superseded); nothing was stored.")]);
        }

        var length = (int)clock.IntervalSeconds;
        var validation = EnvelopeValidator.Validate(network.Definition, length, parsed);
        if (!validation.Succeeded)
        {
            return (null, validation.Errors);
        }

        // The limits of an interval are fixed at its gate closure: nothing may start before the first open interval.
        var firstOpen = clock.FirstOpenInterval();
        var closed = new List<EnvelopeError>();
        for (var i = 0; i < parsed.Count && closed.Count < 100; i++)
        {
            if (parsed[i].Start.ToUnixTimeSeconds() < firstOpen)
            {
                closed.Add(new EnvelopeError(i + 1, $"item {i + 1}: node \"{parsed[i].NodeId}\" from {parsed[i].Start:yyyy-MM-dd'T'HH:mm:ss'Z'}: the interval's gate has closed, its limits are fixed; the first open interval starts at {DateTimeOffset.FromUnixTimeSeconds(firstOpen):yyyy-MM-dd'T'HH:mm:ss'Z'}"));
            }
        }

        if (closed.Count > 0)
        {
            return (null, closed);
        }

        var (cancelRows, tooLate, cancelErrors) = CheckCancellations(network.Definition, length, firstOpen, cancellations);
        if (cancelErrors.Count > 0)
        {
            return (null, cancelErrors);
        }

        var sha = Convert.ToHexStringLower(SHA256.HashData(body.Span));
        if (parsed.Count == 0 && cancelRows.Count == 0)
        {
            // Only cancellations of windows that have closed: nothing changes, so nothing is stored (upload 0).
            return (new EnvelopeImportResult(0, sha, 0, 0, network.Version) { CancellationsTooLate = tooLate }, []);
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var upload = new EnvelopeUploadEntity
        {
            ReceivedAtMs = time.GetUtcNow().ToUnixTimeMilliseconds(), ReceivedBy = Truncate(receivedBy, 256), Source = source,
            NetworkVersion = network.Version, Sha256 = sha, Count = parsed.Count + cancelRows.Count,
        };
        db.EnvelopeUploads.Add(upload);
        await db.SaveChangesAsync(cancellationToken);
        // Written in window order: the index on (Start, End) then grows at its end instead of everywhere at once,
        // which makes a million-window upload several times faster on SQLite.
        var order = new int[parsed.Count];
        var starts = new long[parsed.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
            starts[i] = parsed[i].Start.ToUnixTimeSeconds();
        }

        Array.Sort(starts, order);
        await BulkWriter.InsertAsync(db.Database.GetDbConnection(), transaction.GetDbTransaction(), EnvelopeRows, parsed.Count, (k, v) =>
        {
            var e = parsed[order[k]];
            v[0] = upload.Id;
            v[1] = e.NodeId;
            v[2] = e.Start.ToUnixTimeSeconds();
            v[3] = e.End.ToUnixTimeSeconds();
            v[4] = e.ImportLimitW;
            v[5] = e.ExportLimitW;
            v[6] = e.EventId;
            v[7] = false;
        }, cancellationToken);
        await BulkWriter.InsertAsync(db.Database.GetDbConnection(), transaction.GetDbTransaction(), EnvelopeRows, cancelRows.Count, (k, v) =>
        {
            var c = cancelRows[k];
            v[0] = upload.Id;
            v[1] = c.NodeId;
            v[2] = c.Start;
            v[3] = c.End;
            v[4] = null;
            v[5] = null;
            v[6] = c.EventId;
            v[7] = true;
        }, cancellationToken);
        if (clock.FirstOpenInterval() != firstOpen)
        {
            // A gate closed while this upload was checked and written: its windows were checked against an interval
            // that is now fixed. Nothing is stored; sent again, the closed interval is refused or clipped explicitly.
            await transaction.RollbackAsync(cancellationToken);
            return (null, [new EnvelopeError(0, "A gate closed while the upload was being stored, so nothing was stored; send it again.")]);
        }

        await transaction.CommitAsync(cancellationToken);
        return (new EnvelopeImportResult(upload.Id, sha, parsed.Count, validation.Schedule!.Count, network.Version)
        {
            Cancellations = cancelRows.Count,
            CancellationsTooLate = tooLate,
        }, []);
    }

    /// <summary>
    /// Checks cancellations (numbered after nothing: item i is the i-th cancellation) and clips each to the intervals
    /// still open; a cancellation whose whole window has closed is counted, not stored (those limits were sealed).
    /// </summary>
    private static (List<(string NodeId, long Start, long End, string EventId)> Rows, int TooLate, List<EnvelopeError> Errors) CheckCancellations(
        NetworkDefinition network, long length, long firstOpen, IReadOnlyList<Envelope> cancellations)
    {
        var rows = new List<(string, long, long, string)>(cancellations.Count);
        var errors = new List<EnvelopeError>();
        var tooLate = 0;
        for (var i = 0; i < cancellations.Count && errors.Count < 100; i++)
        {
            var c = cancellations[i];
            var (start, end) = (c.Start.ToUnixTimeSeconds(), c.End.ToUnixTimeSeconds());
            var where = $"cancellation {i + 1}: node \"{c.NodeId}\", event {c.EventId}";
            if (!network.TryGetIndex(c.NodeId, out var index) || index == network.RootIndex)
            {
                errors.Add(new EnvelopeError(i + 1, $"{where}: the node is not a line of the network (unknown, or the community node)."));
            }
            else if (string.IsNullOrEmpty(c.EventId))
            {
                errors.Add(new EnvelopeError(i + 1, $"{where}: a cancellation names the event (mRID) it cancels."));
            }
            else if (end <= start || start % length != 0 || end % length != 0 || end - start > EnvelopeValidator.MaxWindowSeconds)
            {
                errors.Add(new EnvelopeError(i + 1, $"{where}: the window must start and end on the interval grid, end after its start and last at most 7 days."));
            }
            else if (end <= firstOpen)
            {
                tooLate++;
            }
            else
            {
                rows.Add((c.NodeId, Math.Max(start, firstOpen), end, c.EventId));
            }
        }

        return (rows, tooLate, errors);
    }

    /// <summary>
    /// The limits in force for one interval: per node, the newest upload's window that covers it, unless a cancellation
    /// of its event came with it or later (<see cref="LimitsInForce.Winner{TWindow}"/>).
    /// </summary>
    public async Task<IReadOnlyList<LimitInForce>> LimitsAtAsync(long intervalStart, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var windows = await db.Envelopes.AsNoTracking()
            .Where(e => e.Start <= intervalStart && e.End > intervalStart)
            .ToListAsync(cancellationToken);
        return [.. windows
            .GroupBy(w => w.NodeId, StringComparer.Ordinal)
            .Select(g => LimitsInForce.Winner(g, w => w.UploadId, w => w.EventId, w => w.Cancels))
            .OfType<EnvelopeEntity>()
            .OrderBy(w => w.NodeId, StringComparer.Ordinal)
            .Select(w => new LimitInForce(w.NodeId, w.ImportLimitW, w.ExportLimitW, w.EventId, w.UploadId))];
    }

    /// <summary>The windows of the uploads that touch <c>[from, to)</c>, newest upload first, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<EnvelopeEntity>> WindowsAsync(long from, long to, int limit, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Envelopes.AsNoTracking()
            .Where(e => e.Start < to && e.End > from)
            .OrderByDescending(e => e.UploadId).ThenBy(e => e.NodeId).ThenBy(e => e.Start)
            .Take(limit)
            .ToListAsync(cancellationToken);
    }

    /// <summary>The newest uploads, newest first.</summary>
    public async Task<IReadOnlyList<EnvelopeUploadEntity>> UploadsAsync(int limit, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.EnvelopeUploads.AsNoTracking().OrderByDescending(u => u.Id).Take(limit).ToListAsync(cancellationToken);
    }

    private async Task<NetworkVersion?> VersionAsync(MarketDbContext db, long version, CancellationToken cancellationToken)
    {
        if (_parsed.TryGetValue(version, out var cached))
        {
            return cached;
        }

        var row = await db.NetworkVersions.AsNoTracking().FirstOrDefaultAsync(v => v.Id == version, cancellationToken);
        if (row is null)
        {
            return null;
        }

        var nodes = JsonSerializer.Deserialize<List<NetworkNodeDefinition>>(row.NodesJson, Canonical)
            ?? throw new InvalidDataException($"Network version {version} has no nodes.");
        var parsed = NetworkDefinitionParser.FromNodes(nodes);
        if (parsed.Network is null)
        {
            throw new InvalidDataException($"Network version {version} as stored is not a valid network: {parsed.Errors[0].Message}");
        }

        var result = new NetworkVersion(row.Id, row.Sha256, row.ImportedAtMs, parsed.Network);
        if (_parsed.Count > 8)
        {
            _parsed.Clear();
        }

        _parsed[version] = result;
        return result;
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];
}
