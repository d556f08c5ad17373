using System.Globalization;

namespace Market.Web.Metering;

/// <summary>One reading as uploaded, before it is checked against the community.</summary>
/// <param name="Line">Line in the CSV file (the header is line 1), or 1-based item in a JSON upload.</param>
/// <param name="MeterId">The meter's id.</param>
/// <param name="IntervalStart">Interval start, Unix seconds UTC.</param>
/// <param name="ImportWh">Metered import, Wh.</param>
/// <param name="ExportWh">Metered export, Wh.</param>
public readonly record struct UploadedReading(int Line, string MeterId, long IntervalStart, long ImportWh, long ExportWh);

/// <summary>What is wrong with one line (or item) of an upload.</summary>
public sealed record ReadingError(int Line, string Message);

/// <summary>The readings of an upload that parsed, and the lines that did not.</summary>
public sealed record ParsedReadings(IReadOnlyList<UploadedReading> Readings, IReadOnlyList<ReadingError> Errors);

/// <summary>A JSON upload: <c>{"readings":[{"meterId":…,"intervalStart":"2026-06-15T10:00:00Z","importWh":…,"exportWh":…}]}</c>.</summary>
public sealed record ReadingUpload(IReadOnlyList<ReadingUploadItem>? Readings);

/// <summary>One reading of a JSON upload.</summary>
public sealed record ReadingUploadItem(string? MeterId, string? IntervalStart, long? ImportWh, long? ExportWh);

/// <summary>
/// Reads meter readings from CSV (<c>meter_id,interval_start,import_wh,export_wh</c>, interval start in ISO 8601
/// UTC) or JSON. Only the shape of each line is checked here; <see cref="ReadingImportService"/> checks the rest.
/// </summary>
public static class ReadingParser
{
    /// <summary>The header line a CSV upload starts with.</summary>
    public const string Header = "meter_id,interval_start,import_wh,export_wh";

    /// <summary>Longest meter id, in UTF-8 bytes (as the ledger's reading hash takes it).</summary>
    public const int MaxMeterIdBytes = 64;

    /// <summary>Parses a CSV upload; every malformed line is an error with its line number.</summary>
    public static async Task<ParsedReadings> ParseCsvAsync(TextReader reader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var readings = new List<UploadedReading>();
        var errors = new List<ReadingError>();
        var lineNumber = 0;
        var headerSeen = false;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            lineNumber++;
            if (line.Length == 0 || string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            if (!headerSeen)
            {
                headerSeen = true;
                if (!string.Equals(line.Trim().TrimStart('\uFEFF'), Header, StringComparison.OrdinalIgnoreCase))
                {
                    errors.Add(new ReadingError(lineNumber, $"The first line must be the header \"{Header}\"."));
                    return new ParsedReadings(readings, errors);
                }

                continue;
            }

            var error = ParseCsvLine(line, lineNumber, out var reading);
            if (error is null)
            {
                readings.Add(reading);
            }
            else
            {
                errors.Add(new ReadingError(lineNumber, error));
            }
        }

        if (!headerSeen)
        {
            errors.Add(new ReadingError(1, $"The file is empty; it needs the header \"{Header}\" and at least one reading."));
        }

        return new ParsedReadings(readings, errors);
    }

    /// <summary>
    /// Checks a JSON upload as read by the API (which refuses JSON it cannot read, repeated keys included); an upload
    /// without its <c>readings</c> array is one error at item 0.
    /// </summary>
    public static ParsedReadings Check(ReadingUpload upload)
    {
        ArgumentNullException.ThrowIfNull(upload);
        if (upload.Readings is not { } items)
        {
            return new ParsedReadings([], [new ReadingError(0, "The body must be an object with a \"readings\" array.")]);
        }

        var readings = new List<UploadedReading>(items.Count);
        var errors = new List<ReadingError>();
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var line = i + 1;
            string? error = item is null ? "not an object"
                : item.MeterId is null || item.IntervalStart is null || item.ImportWh is null || item.ExportWh is null ? "meterId, intervalStart, importWh and exportWh are all required"
                : null;
            if (error is null)
            {
                error = Check(item!.MeterId!, item.IntervalStart!, item.ImportWh!.Value, item.ExportWh!.Value, line, out var reading);
                if (error is null)
                {
                    readings.Add(reading);
                    continue;
                }
            }

            errors.Add(new ReadingError(line, error));
        }

        return new ParsedReadings(readings, errors);
    }

    private static string? ParseCsvLine(string line, int lineNumber, out UploadedReading reading)
    {
        reading = default;
        var fields = line.Split(',');
        if (fields.Length != 4)
        {
            return $"expected 4 fields (meter_id,interval_start,import_wh,export_wh), found {fields.Length}";
        }

        if (!long.TryParse(fields[2].AsSpan().Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var importWh))
        {
            return $"import_wh \"{Clip(fields[2])}\" is not a whole number of Wh";
        }

        if (!long.TryParse(fields[3].AsSpan().Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var exportWh))
        {
            return $"export_wh \"{Clip(fields[3])}\" is not a whole number of Wh";
        }

        return Check(fields[0].Trim(), fields[1].Trim(), importWh, exportWh, lineNumber, out reading);
    }

    private static string? Check(string meterId, string start, long importWh, long exportWh, int line, out UploadedReading reading)
    {
        reading = default;
        if (meterId.Length == 0 || System.Text.Encoding.UTF8.GetByteCount(meterId) > MaxMeterIdBytes)
        {
            return $"meter_id must be 1 to {MaxMeterIdBytes} bytes";
        }

        // UTC only: an offset or a local time would make "which interval" depend on where the file was written.
        var utc = start.EndsWith('Z') || start.EndsWith("+00:00", StringComparison.Ordinal);
        if (!utc || !DateTimeOffset.TryParse(start, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) || at.Offset != TimeSpan.Zero)
        {
            return $"interval_start \"{Clip(start)}\" is not an ISO 8601 UTC time (e.g. 2026-06-15T10:00:00Z)";
        }

        if (at.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            return $"interval_start {start} is not aligned to the community's interval length";
        }

        if (importWh < 0 || exportWh < 0)
        {
            return $"negative energy (import_wh {importWh}, export_wh {exportWh}); meters count up";
        }

        if (importWh > Market.Matching.Settlement.Reconciliation.MaxEnergyWh || exportWh > Market.Matching.Settlement.Reconciliation.MaxEnergyWh)
        {
            return $"energy beyond {Market.Matching.Settlement.Reconciliation.MaxEnergyWh} Wh per interval";
        }

        reading = new UploadedReading(line, meterId, at.ToUnixTimeSeconds(), importWh, exportWh);
        return null;
    }

    private static string Clip(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
