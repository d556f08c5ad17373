using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Market.Web.Metering;

/// <summary>The outcome of one upload: what was stored, or every error and nothing stored.</summary>
/// <param name="Rows">Readings in the upload.</param>
/// <param name="Stored">New readings stored as version 1.</param>
/// <param name="Corrections">Readings stored as the next version of an existing reading.</param>
/// <param name="Unchanged">Readings equal to the version in force: nothing stored for them.</param>
/// <param name="ErrorCount">How many errors the upload has (0: it was stored).</param>
/// <param name="Errors">The first <see cref="ReadingImportService.MaxListedErrors"/> errors, in line order.</param>
/// <param name="Intervals">The intervals that got new readings (interval start, Unix seconds), ascending.</param>
/// <param name="Pending">Corrections that wait for an operator's confirmation (stored, not in force), in line order.</param>
public sealed record ReadingImportResult(
    int Rows,
    int Stored,
    int Corrections,
    int Unchanged,
    int ErrorCount,
    IReadOnlyList<ReadingError> Errors,
    IReadOnlyList<long> Intervals,
    IReadOnlyList<PendingReading> Pending)
{
    public bool Succeeded => ErrorCount == 0;

    public static ReadingImportResult Failed(int rows, List<ReadingError> errors)
    {
        errors.Sort(static (a, b) => a.Line.CompareTo(b.Line));
        return new ReadingImportResult(rows, 0, 0, 0, errors.Count, errors.Take(ReadingImportService.MaxListedErrors).ToList(), [], []);
    }
}

/// <summary>A correction of an upload that waits for an operator's confirmation.</summary>
/// <param name="Line">Its line (or item) in the upload.</param>
/// <param name="Id">The pending correction's id.</param>
/// <param name="MeterId">The meter.</param>
/// <param name="IntervalStart">Interval start, Unix seconds UTC.</param>
/// <param name="LargestMove">The largest change of one household's settlement it would make, 1/10,000 currency.</param>
public sealed record PendingReading(int Line, long Id, string MeterId, long IntervalStart, long LargestMove);

/// <summary>Who sends readings: an operator (any meter) or a meter gateway (only the meters assigned to it).</summary>
/// <param name="Source">Stored with each reading: how it came and who sent it (at most 100 characters are kept).</param>
/// <param name="GatewayUserId">The gateway's user id; null for an operator.</param>
public sealed record ReadingSender(string Source, string? GatewayUserId = null);

/// <summary>
/// Imports meter readings: checks the whole upload first (known meters, for a gateway only the meters assigned to it,
/// no duplicates, no gaps inside a meter's uploaded range, no negative values, no more energy than the connection
/// can carry in the interval, intervals aligned to the community's length, cleared and already over), then stores
/// every reading in one transaction, or nothing. A reading for a meter and interval that already has one is a
/// correction: stored as the next version, the old one stays. A reading equal to the version in force (or to the
/// correction that waits for it) is skipped, so uploading a file twice changes nothing. A reading for an interval
/// already reconciled that would move any household's settlement by more than
/// <see cref="MeteringOptions.ConfirmCorrectionsAbove"/> is stored as a pending correction instead, for an operator
/// to confirm or reject (<see cref="CorrectionReview"/>); it replaces a pending one of the same meter and interval.
/// </summary>
public sealed class ReadingImportService(
    IDbContextFactory<MarketDbContext> dbFactory,
    MarketClock clock,
    RulesBook rules,
    TimeProvider time,
    Microsoft.Extensions.Options.IOptions<MeteringOptions> options)
{
    /// <summary>How many errors a result lists (all are counted).</summary>
    public const int MaxListedErrors = 100;

    private static readonly BulkTable Readings = new("MeterReadings",
        BulkTable.Column<long>("HouseholdId"), BulkTable.Column<string>("MeterId"), BulkTable.Column<long>("IntervalStart"), BulkTable.Column<int>("Version"),
        BulkTable.Column<long>("ImportWh"), BulkTable.Column<long>("ExportWh"), BulkTable.Column<long>("ReceivedAtMs"), BulkTable.Column<string>("Source"));

    /// <summary>Imports a CSV upload.</summary>
    public async Task<ReadingImportResult> ImportCsvAsync(TextReader csv, string source, CancellationToken cancellationToken = default)
    {
        var parsed = await ReadingParser.ParseCsvAsync(csv, cancellationToken);
        return await ImportAsync(parsed, source, cancellationToken);
    }

    /// <summary>Imports parsed readings sent by an operator; any parse error fails the whole upload.</summary>
    public Task<ReadingImportResult> ImportAsync(ParsedReadings parsed, string source, CancellationToken cancellationToken = default) =>
        ImportAsync(parsed, new ReadingSender(source), cancellationToken);

    /// <summary>Imports parsed readings; any parse error fails the whole upload.</summary>
    public async Task<ReadingImportResult> ImportAsync(ParsedReadings parsed, ReadingSender sender, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        ArgumentNullException.ThrowIfNull(sender);
        var readings = parsed.Readings;
        var rows = readings.Count + parsed.Errors.Count;
        var errors = new List<ReadingError>(parsed.Errors);
        if (rows == 0)
        {
            errors.Add(new ReadingError(0, "The upload has no readings."));
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var meters = await db.Households.AsNoTracking()
            .Where(h => h.MeterId != null)
            .Select(h => new { h.Id, h.MeterId, h.PvPeakW, h.MaxImportW })
            .ToDictionaryAsync(h => h.MeterId!, h => (h.Id, h.PvPeakW, h.MaxImportW), StringComparer.Ordinal, cancellationToken);
        var assigned = sender.GatewayUserId is not { } gateway ? null
            : (await db.MeterGatewayMeters.AsNoTracking().Where(a => a.GatewayUserId == gateway).Select(a => a.HouseholdId).ToListAsync(cancellationToken)).ToHashSet();
        var tolerance = options.Value.ReadingTolerancePercent;
        var (min, max) = readings.Count == 0 ? (0L, -1L) : (readings.Min(r => r.IntervalStart), readings.Max(r => r.IntervalStart));
        var cleared = (await db.ClearedIntervals.AsNoTracking()
            .Where(c => c.IntervalStart >= min && c.IntervalStart <= max)
            .Select(c => c.IntervalStart)
            .ToListAsync(cancellationToken)).ToHashSet();
        var now = clock.NowSeconds;

        // 1. Each reading on its own: meter, interval, energy.
        var households = new long[readings.Count];
        for (var i = 0; i < readings.Count; i++)
        {
            var r = readings[i];
            households[i] = -1;
            var known = meters.TryGetValue(r.MeterId, out var meter);
            if (assigned is not null && !(known && assigned.Contains(meter.Id)))
            {
                // A gateway learns nothing about meters that are not its own, not even whether they exist.
                errors.Add(new ReadingError(r.Line, $"meter \"{r.MeterId}\" is not assigned to this gateway"));
                continue;
            }

            if (!known)
            {
                errors.Add(new ReadingError(r.Line, $"unknown meter \"{r.MeterId}\""));
                continue;
            }

            households[i] = meter.Id;

            var length = rules.At(r.IntervalStart).IntervalLengthSeconds;
            if (r.IntervalStart % length != 0)
            {
                errors.Add(new ReadingError(r.Line, $"interval_start {Format(r.IntervalStart)} is not aligned to the community's {length / 60}-minute intervals"));
            }
            else if (r.IntervalStart + length > now)
            {
                errors.Add(new ReadingError(r.Line, $"interval {Format(r.IntervalStart)} has not ended yet"));
            }
            else if (!cleared.Contains(r.IntervalStart))
            {
                errors.Add(new ReadingError(r.Line, $"interval {Format(r.IntervalStart)} was never cleared by the market"));
            }
            else if (BeyondConnection(r.ImportWh, meter.MaxImportW, length, tolerance, "import_wh", "maximum import") is { } tooMuchImport)
            {
                errors.Add(new ReadingError(r.Line, tooMuchImport));
            }
            else if (BeyondConnection(r.ExportWh, meter.PvPeakW, length, tolerance, "export_wh", "PV peak") is { } tooMuchExport)
            {
                errors.Add(new ReadingError(r.Line, tooMuchExport));
            }
        }

        // 2. Across readings: duplicates and gaps, per meter in interval order. Intervals between two readings of a
        // meter that already have a stored reading of it (or were never cleared, so take none) are no gap: an upload
        // may fill in just what is missing.
        var order = Enumerable.Range(0, readings.Count).Where(i => households[i] >= 0).ToArray();
        var gaps = new List<(long Household, long From, UploadedReading Current)>();
        Array.Sort(order, (a, b) => households[a] != households[b] ? households[a].CompareTo(households[b])
            : readings[a].IntervalStart != readings[b].IntervalStart ? readings[a].IntervalStart.CompareTo(readings[b].IntervalStart)
            : readings[a].Line.CompareTo(readings[b].Line));
        for (var k = 1; k < order.Length; k++)
        {
            var (previous, current) = (readings[order[k - 1]], readings[order[k]]);
            if (households[order[k - 1]] != households[order[k]])
            {
                continue;
            }

            if (previous.IntervalStart == current.IntervalStart)
            {
                errors.Add(new ReadingError(current.Line, $"duplicate reading of meter \"{current.MeterId}\" for {Format(current.IntervalStart)} (first on line {previous.Line})"));
            }
            else if (previous.IntervalStart % rules.At(previous.IntervalStart).IntervalLengthSeconds == 0 && current.IntervalStart != clock.Next(previous.IntervalStart))
            {
                gaps.Add((households[order[k]], clock.Next(previous.IntervalStart), current));
            }
        }

        if (gaps.Count > 0)
        {
            var stored = await StoredMeterReadings.ReadIntervalsAsync(db, gaps.Select(g => g.Household).Distinct().ToList(), min, max, cancellationToken);
            foreach (var (household, from, current) in gaps)
            {
                var missing = from;
                while (missing < current.IntervalStart && (stored.Contains((household, missing)) || !cleared.Contains(missing)))
                {
                    missing = clock.Next(missing);
                }

                if (missing < current.IntervalStart)
                {
                    errors.Add(new ReadingError(current.Line, $"gap: meter \"{current.MeterId}\" has no reading from {Format(missing)} to {Format(current.IntervalStart)}"));
                }
            }
        }

        if (errors.Count > 0)
        {
            return ReadingImportResult.Failed(rows, errors);
        }

        // 3. Versions; corrections of reconciled intervals that move too much money wait; then write everything in
        // one transaction.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var inForce = new Dictionary<(long Household, long Start), (int Version, long ImportWh, long ExportWh)>();
        await foreach (var r in db.MeterReadings.AsNoTracking()
            .Where(r => r.IntervalStart >= min && r.IntervalStart <= max)
            .Select(r => new { r.HouseholdId, r.IntervalStart, r.Version, r.ImportWh, r.ExportWh })
            .AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            var key = (r.HouseholdId, r.IntervalStart);
            if (!inForce.TryGetValue(key, out var v) || v.Version < r.Version)
            {
                inForce[key] = (r.Version, r.ImportWh, r.ExportWh);
            }
        }

        var waiting = (await CorrectionReview.Undecided(db)
            .Where(c => c.IntervalStart >= min && c.IntervalStart <= max)
            .ToListAsync(cancellationToken))
            .ToDictionary(c => (c.HouseholdId, c.IntervalStart));
        var reconciled = (await db.Reconciliations.AsNoTracking()
            .Where(c => c.IntervalStart >= min && c.IntervalStart <= max)
            .Select(c => c.IntervalStart)
            .Distinct()
            .ToListAsync(cancellationToken)).ToHashSet();
        var receivedAt = time.GetUtcNow().ToUnixTimeMilliseconds();
        var source = sender.Source.Length <= 100 ? sender.Source : sender.Source[..100];

        var toWrite = new List<(int Index, int Version)>(readings.Count);
        var toCheck = new List<(int Index, int Version)>();
        var pending = new List<PendingReading>();
        var superseded = new List<PendingCorrectionEntity>();
        var unchanged = 0;
        for (var i = 0; i < readings.Count; i++)
        {
            var r = readings[i];
            var found = inForce.TryGetValue((households[i], r.IntervalStart), out var current);
            if (waiting.TryGetValue((households[i], r.IntervalStart), out var waits))
            {
                if (waits.ImportWh == r.ImportWh && waits.ExportWh == r.ExportWh)
                {
                    // The same correction again: it is already waiting.
                    pending.Add(new PendingReading(r.Line, waits.Id, r.MeterId, r.IntervalStart, waits.LargestMove));
                    continue;
                }

                superseded.Add(waits);
            }

            if (found && current.ImportWh == r.ImportWh && current.ExportWh == r.ExportWh)
            {
                unchanged++;
                continue;
            }

            var version = found ? current.Version + 1 : 1;
            (reconciled.Contains(r.IntervalStart) ? toCheck : toWrite).Add((i, version));
        }

        var holding = new List<(int Index, int Version, long LargestMove)>();
        if (toCheck.Count > 0)
        {
            var candidates = toCheck.Select(c => Entity(readings[c.Index], households[c.Index], c.Version, receivedAt, source)).ToList();
            var moves = await CorrectionEffects.ComputeAsync(db, rules, candidates, cancellationToken);
            for (var k = 0; k < toCheck.Count; k++)
            {
                var largest = CorrectionEffects.Largest(moves[k]);
                if (largest > options.Value.ConfirmCorrectionsAbove)
                {
                    holding.Add((toCheck[k].Index, toCheck[k].Version, largest));
                }
                else
                {
                    toWrite.Add(toCheck[k]);
                }
            }
        }

        var corrections = toWrite.Count(w => w.Version > 1);
        try
        {
            await WriteAsync(db, readings, households, toWrite, receivedAt, source, cancellationToken);
            foreach (var old in superseded)
            {
                db.CorrectionDecisions.Add(new CorrectionDecisionEntity
                {
                    PendingCorrectionId = old.Id, Decision = CorrectionDecision.Superseded, UserName = source,
                    Reason = "a later reading of the meter for the interval replaced it", DecidedAtMs = receivedAt,
                });
            }

            var heldRows = holding.Select(h => new PendingCorrectionEntity
            {
                HouseholdId = households[h.Index], MeterId = readings[h.Index].MeterId, IntervalStart = readings[h.Index].IntervalStart,
                ImportWh = readings[h.Index].ImportWh, ExportWh = readings[h.Index].ExportWh, ReplacesVersion = h.Version - 1,
                LargestMove = h.LargestMove, ReceivedAtMs = receivedAt, Source = source,
            }).ToList();
            db.PendingCorrections.AddRange(heldRows);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            pending.AddRange(holding.Select((h, k) => new PendingReading(readings[h.Index].Line, heldRows[k].Id, readings[h.Index].MeterId, readings[h.Index].IntervalStart, h.LargestMove)));
        }
        catch (Exception e) when (e is DbException d && IsUniqueViolation(d) || e is DbUpdateException { InnerException: DbException u } && IsUniqueViolation(u))
        {
            return ReadingImportResult.Failed(rows, [new ReadingError(0, "Another upload stored readings for the same meters and intervals at the same time; nothing was stored, please upload again.")]);
        }

        var intervals = toWrite.Select(w => readings[w.Index].IntervalStart).Distinct().Order().ToList();
        return new ReadingImportResult(rows, toWrite.Count - corrections, corrections, unchanged, 0, [], intervals, [.. pending.OrderBy(p => p.Line)]);
    }

    /// <summary>
    /// Why <paramref name="energyWh"/> is more than a connection of <paramref name="watts"/> can carry in an interval of
    /// <paramref name="seconds"/> with <paramref name="tolerancePercent"/>; null when it is not.
    /// </summary>
    internal static string? BeyondConnection(long energyWh, long watts, long seconds, int tolerancePercent, string field, string limit)
    {
        // Exact in integers: energy × 3600 × 100 > W × s × (100 + tolerance), which is energy > the limit rounded down.
        var allowed = (Int128)watts * seconds * (100 + tolerancePercent) / (3600 * 100);
        if (energyWh <= allowed)
        {
            return null;
        }

        var plain = (Int128)watts * seconds / 3600;
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{field} {energyWh} Wh is more than the connection can carry in the interval: its {limit} of {watts} W for {seconds / 60} minutes is {plain} Wh, {allowed} Wh with the {tolerancePercent}% tolerance");
    }

    private static MeterReadingEntity Entity(UploadedReading r, long household, int version, long receivedAt, string source) => new()
    {
        HouseholdId = household, MeterId = r.MeterId, IntervalStart = r.IntervalStart, Version = version,
        ImportWh = r.ImportWh, ExportWh = r.ExportWh, ReceivedAtMs = receivedAt, Source = source,
    };

    private static async Task WriteAsync(
        MarketDbContext db, IReadOnlyList<UploadedReading> readings, long[] households, List<(int Index, int Version)> rows, long receivedAt, string source, CancellationToken cancellationToken)
    {
        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction!.GetDbTransaction();
        await BulkWriter.InsertAsync(connection, transaction, Readings, rows.Count, (i, v) =>
        {
            var (index, version) = rows[i];
            var r = readings[index];
            v[0] = households[index];
            v[1] = r.MeterId;
            v[2] = r.IntervalStart;
            v[3] = version;
            v[4] = r.ImportWh;
            v[5] = r.ExportWh;
            v[6] = receivedAt;
            v[7] = source;
        }, cancellationToken);
    }

    private static bool IsUniqueViolation(DbException e) =>
        e is Npgsql.PostgresException { SqlState: "23505" } or Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 19 };

    private static string Format(long unixSeconds) =>
        DateTimeOffset.FromUnixTimeSeconds(unixSeconds).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
