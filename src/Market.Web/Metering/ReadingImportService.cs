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
public sealed record ReadingImportResult(
    int Rows,
    int Stored,
    int Corrections,
    int Unchanged,
    int ErrorCount,
    IReadOnlyList<ReadingError> Errors,
    IReadOnlyList<long> Intervals)
{
    public bool Succeeded => ErrorCount == 0;

    public static ReadingImportResult Failed(int rows, List<ReadingError> errors)
    {
        errors.Sort(static (a, b) => a.Line.CompareTo(b.Line));
        return new ReadingImportResult(rows, 0, 0, 0, errors.Count, errors.Take(ReadingImportService.MaxListedErrors).ToList(), []);
    }
}

/// <summary>
/// Imports meter readings: checks the whole upload first (known meters, no duplicates, no gaps inside a meter's
/// uploaded range, no negative values, intervals aligned to the community's length, cleared and already over), then
/// stores every reading in one transaction, or nothing. A reading for a meter and interval that already has one is a
/// correction: stored as the next version, the old one stays. A reading equal to the version in force is skipped, so
/// uploading a file twice changes nothing.
/// </summary>
public sealed class ReadingImportService(IDbContextFactory<MarketDbContext> dbFactory, MarketClock clock, RulesBook rules, TimeProvider time)
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

    /// <summary>Imports parsed readings; any parse error fails the whole upload.</summary>
    public async Task<ReadingImportResult> ImportAsync(ParsedReadings parsed, string source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parsed);
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
            .Select(h => new { h.Id, h.MeterId })
            .ToDictionaryAsync(h => h.MeterId!, h => h.Id, StringComparer.Ordinal, cancellationToken);
        var (min, max) = readings.Count == 0 ? (0L, -1L) : (readings.Min(r => r.IntervalStart), readings.Max(r => r.IntervalStart));
        var cleared = (await db.ClearedIntervals.AsNoTracking()
            .Where(c => c.IntervalStart >= min && c.IntervalStart <= max)
            .Select(c => c.IntervalStart)
            .ToListAsync(cancellationToken)).ToHashSet();
        var now = clock.NowSeconds;

        // 1. Each reading on its own: meter, interval.
        var households = new long[readings.Count];
        for (var i = 0; i < readings.Count; i++)
        {
            var r = readings[i];
            if (!meters.TryGetValue(r.MeterId, out households[i]))
            {
                errors.Add(new ReadingError(r.Line, $"unknown meter \"{r.MeterId}\""));
                households[i] = -1;
                continue;
            }

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

        // 3. Versions, then write everything in one transaction.
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

        var toWrite = new List<(int Index, int Version)>(readings.Count);
        int corrections = 0, unchanged = 0;
        for (var i = 0; i < readings.Count; i++)
        {
            var r = readings[i];
            if (inForce.TryGetValue((households[i], r.IntervalStart), out var current))
            {
                if (current.ImportWh == r.ImportWh && current.ExportWh == r.ExportWh)
                {
                    unchanged++;
                    continue;
                }

                corrections++;
                toWrite.Add((i, current.Version + 1));
            }
            else
            {
                toWrite.Add((i, 1));
            }
        }

        var receivedAt = time.GetUtcNow().ToUnixTimeMilliseconds();
        source = source.Length <= 100 ? source : source[..100];
        try
        {
            await WriteAsync(db, readings, households, toWrite, receivedAt, source, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbException e) when (IsUniqueViolation(e))
        {
            return ReadingImportResult.Failed(rows, [new ReadingError(0, "Another upload stored readings for the same meters and intervals at the same time; nothing was stored, please upload again.")]);
        }

        var intervals = toWrite.Select(w => readings[w.Index].IntervalStart).Distinct().Order().ToList();
        return new ReadingImportResult(rows, toWrite.Count - corrections, corrections, unchanged, 0, [], intervals);
    }

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
