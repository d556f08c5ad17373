using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Market.Web.Grid;

/// <summary>
/// Reads the network operator's envelopes from JSON (<see cref="ParseJson"/>, or <see cref="Check"/> for an
/// <see cref="EnvelopeUpload"/> already read) or from IEEE 2030.5 / CSIP-AUS XML (<see cref="ParseXmlAsync"/>).
/// Only each item's own shape is checked here; <see cref="EnvelopeValidator"/> checks the items against the
/// network, the interval grid and each other.
/// </summary>
public static partial class EnvelopeParser
{
    /// <summary>The longest event id, in characters.</summary>
    public const int MaxEventIdLength = 64;

    /// <summary>The deepest JSON nesting read (the body, its array, an item, nothing below).</summary>
    private const int MaxJsonDepth = 8;

    /// <summary>How many distinct strings one upload shares among its items (node ids, times, event ids).</summary>
    private const int MaxSharedStrings = 100_000;

    /// <summary>
    /// Reads a JSON upload, <c>{"envelopes":[{"node":…,"start":…,"end":…,"importLimitW":…,"exportLimitW":…,
    /// "event":…}]}</c>, as strictly as the API reads JSON (member names in any letter case, no unknown or repeated
    /// member, numbers as JSON numbers, no comments), but item by item: every malformed item is an error of its own
    /// (1-based), and only a body that is not JSON, or not that object, is one error at item 0.
    /// </summary>
    /// <param name="utf8Json">The body, UTF-8.</param>
    /// <returns>The envelopes that parsed and every item that did not.</returns>
    /// <remarks>
    /// Made for large uploads (10,000 connections × 96 intervals is about a million items): the items are read
    /// straight from the bytes, and the node ids, times and event ids that repeat from item to item are shared,
    /// not allocated again.
    /// </remarks>
    public static ParsedEnvelopes ParseJson(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = MaxJsonDepth });
        var envelopes = new List<Envelope>();
        var errors = new List<EnvelopeError>();
        var strings = new SharedStrings();
        var memo = new TimeMemo();
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return Refused(NotAnUpload);
            }

            var seen = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!Is(ref reader, "envelopes"u8))
                {
                    return Refused($"The body has an unknown member \"{Clip(reader.GetString()!)}\"; it holds only \"envelopes\".");
                }

                if (seen)
                {
                    return Refused("The body has \"envelopes\" twice.");
                }

                seen = true;
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    return Refused(NotAnUpload);
                }

                var item = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (++item > EnvelopeValidator.MaxItems)
                    {
                        return Refused(string.Create(CultureInfo.InvariantCulture, $"The upload holds more than {EnvelopeValidator.MaxItems:N0} envelopes; send it in parts."));
                    }

                    Envelope? envelope = null;
                    var problem = ReadItem(ref reader, strings, out var fields) ?? CheckItem(fields, ref memo, out envelope);
                    if (problem is null)
                    {
                        envelopes.Add(envelope!);
                    }
                    else
                    {
                        errors.Add(new EnvelopeError(item, $"item {item}: {problem}"));
                    }
                }
            }

            // Whatever follows the body's object is refused by the reader itself.
            while (reader.Read())
            {
            }

            return seen ? new ParsedEnvelopes(envelopes, errors) : Refused(NotAnUpload);
        }
        catch (JsonException e)
        {
            return Refused($"The body is not valid JSON: {e.Message}");
        }
    }

    /// <summary>
    /// Checks a JSON upload already read by the API's strict JSON options; items are numbered from 1. A body
    /// without its <c>envelopes</c> array, or with more than <see cref="EnvelopeValidator.MaxItems"/> items, is one
    /// error at item 0. Gives the same envelopes and messages as <see cref="ParseJson"/>.
    /// </summary>
    /// <param name="upload">The upload.</param>
    /// <returns>The envelopes that parsed and every item that did not.</returns>
    public static ParsedEnvelopes Check(EnvelopeUpload upload)
    {
        ArgumentNullException.ThrowIfNull(upload);
        if (upload.Envelopes is not { } items)
        {
            return Refused(NotAnUpload);
        }

        if (items.Count > EnvelopeValidator.MaxItems)
        {
            return new ParsedEnvelopes([], [EnvelopeValidator.TooMany(items.Count)]);
        }

        var envelopes = new List<Envelope>(items.Count);
        var errors = new List<EnvelopeError>();
        var memo = new TimeMemo();
        for (var i = 0; i < items.Count; i++)
        {
            Envelope? envelope = null;
            var problem = items[i] is { } item
                ? CheckItem(new Fields(item.Node, item.Start, item.End, item.ImportLimitW, item.ExportLimitW, item.Event), ref memo, out envelope)
                : NotAnObject;
            if (problem is null)
            {
                envelopes.Add(envelope!);
            }
            else
            {
                errors.Add(new EnvelopeError(i + 1, $"item {i + 1}: {problem}"));
            }
        }

        return new ParsedEnvelopes(envelopes, errors);
    }

    private const string NotAnUpload = "The body must be an object with an \"envelopes\" array.";

    private const string NotAnObject = "not an object.";

    /// <summary>One item's own shape, whichever way it was read.</summary>
    private static string? CheckItem(in Fields item, ref TimeMemo memo, out Envelope? envelope)
    {
        envelope = null;
        if (string.IsNullOrEmpty(item.Node) || item.Start is null || item.End is null)
        {
            return "node, start and end are required.";
        }

        if (item.ImportLimitW is null && item.ExportLimitW is null)
        {
            return "neither importLimitW nor exportLimitW is given; an envelope limits import, export or both.";
        }

        if (!memo.TryParseStart(item.Start, out var start))
        {
            return $"start \"{Clip(item.Start)}\" is not an ISO 8601 UTC time (e.g. 2026-06-15T10:00:00Z).";
        }

        if (!memo.TryParseEnd(item.End, out var end))
        {
            return $"end \"{Clip(item.End)}\" is not an ISO 8601 UTC time (e.g. 2026-06-15T10:15:00Z).";
        }

        if (item.Event is { } id && id.Length is 0 or > MaxEventIdLength)
        {
            return $"event must be 1 to {MaxEventIdLength} characters (or absent).";
        }

        envelope = new Envelope(item.Node, start, end, item.ImportLimitW, item.ExportLimitW, item.Event);
        return null;
    }

    /// <summary>Reads one item of the array, the reader on its first token; leaves the reader on its last token.</summary>
    private static string? ReadItem(ref Utf8JsonReader reader, SharedStrings strings, out Fields fields)
    {
        fields = default;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return NotAnObject;
        }

        string? problem = null;
        string? node = null, start = null, end = null, eventId = null;
        long? import = null, export = null;
        var seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var member = Is(ref reader, "node"u8) ? 0
                : Is(ref reader, "start"u8) ? 1
                : Is(ref reader, "end"u8) ? 2
                : Is(ref reader, "importLimitW"u8) ? 3
                : Is(ref reader, "exportLimitW"u8) ? 4
                : Is(ref reader, "event"u8) ? 5
                : -1;
            var name = member < 0 ? reader.GetString()! : MemberNames[member];
            reader.Read();
            if (member < 0)
            {
                problem ??= $"unknown member \"{Clip(name)}\".";
                reader.Skip();
                continue;
            }

            if ((seen & (1 << member)) != 0)
            {
                problem ??= $"{name} appears twice.";
            }

            seen |= 1 << member;
            if (reader.TokenType == JsonTokenType.Null)
            {
                continue;
            }

            if (member is 3 or 4)
            {
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var watts))
                {
                    problem ??= $"{name} must be a whole number of watts.";
                    reader.Skip();
                    continue;
                }

                (member == 3 ? ref import : ref export) = watts;
                continue;
            }

            if (reader.TokenType != JsonTokenType.String)
            {
                problem ??= $"{name} must be a string.";
                reader.Skip();
                continue;
            }

            var text = strings.Get(ref reader);
            switch (member)
            {
                case 0: node = text; break;
                case 1: start = text; break;
                case 2: end = text; break;
                default: eventId = text; break;
            }
        }

        fields = new Fields(node, start, end, import, export, eventId);
        return problem;
    }

    private static readonly string[] MemberNames = ["node", "start", "end", "importLimitW", "exportLimitW", "event"];

    /// <summary>Whether the property the reader is on has this name, in any letter case (as the API reads names).</summary>
    private static bool Is(ref Utf8JsonReader reader, ReadOnlySpan<byte> name) =>
        reader.ValueIsEscaped
            ? string.Equals(reader.GetString(), Encoding.UTF8.GetString(name), StringComparison.OrdinalIgnoreCase)
            : Ascii.EqualsIgnoreCase(reader.ValueSpan, name);

    private static ParsedEnvelopes Refused(string message) => new([], [new EnvelopeError(0, message)]);

    /// <summary>
    /// Parses an ISO 8601 time in UTC (<c>Z</c> or <c>+00:00</c>): an offset or a local time would make "which
    /// interval" depend on where the file was written. The common form <c>yyyy-MM-ddTHH:mm:ssZ</c> is read
    /// directly, since an upload holds two per envelope and may hold millions.
    /// </summary>
    internal static bool TryParseUtc(string text, out DateTimeOffset at)
    {
        if (text.Length == 20 && text[4] == '-' && text[7] == '-' && text[10] == 'T' && text[13] == ':' && text[16] == ':' && text[19] == 'Z'
            && Digits(text, 0, 4, out var year) && Digits(text, 5, 2, out var month) && Digits(text, 8, 2, out var day)
            && Digits(text, 11, 2, out var hour) && Digits(text, 14, 2, out var minute) && Digits(text, 17, 2, out var second))
        {
            if (year >= 1 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month) && hour < 24 && minute < 60 && second < 60)
            {
                at = new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.Zero);
                return true;
            }

            at = default;
            return false;
        }

        var utc = text.EndsWith('Z') || text.EndsWith("+00:00", StringComparison.Ordinal);
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out at) && utc && at.Offset == TimeSpan.Zero;
    }

    private static bool Digits(string text, int start, int count, out int value)
    {
        value = 0;
        for (var i = start; i < start + count; i++)
        {
            var d = text[i] - '0';
            if (d is < 0 or > 9)
            {
                return false;
            }

            value = (value * 10) + d;
        }

        return true;
    }

    private static string Clip(string value) => value.Length <= 40 ? value : value[..40] + "…";

    /// <summary>The members of one item, as read.</summary>
    private readonly record struct Fields(string? Node, string? Start, string? End, long? ImportLimitW, long? ExportLimitW, string? Event);

    /// <summary>The last start and end parsed: an upload's items share a few times, and a shared string is parsed once.</summary>
    private struct TimeMemo
    {
        private string? _startText;
        private string? _endText;
        private DateTimeOffset _start;
        private DateTimeOffset _end;

        public bool TryParseStart(string text, out DateTimeOffset at) => TryParse(text, ref _startText, ref _start, out at);

        public bool TryParseEnd(string text, out DateTimeOffset at) => TryParse(text, ref _endText, ref _end, out at);

        private static bool TryParse(string text, ref string? lastText, ref DateTimeOffset last, out DateTimeOffset at)
        {
            if (ReferenceEquals(text, lastText))
            {
                at = last;
                return true;
            }

            if (!TryParseUtc(text, out at))
            {
                return false;
            }

            (lastText, last) = (text, at);
            return true;
        }
    }

    /// <summary>The strings of one upload, each kept once (up to <see cref="MaxSharedStrings"/> of them).</summary>
    private sealed class SharedStrings
    {
        private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;
        private readonly char[] _buffer = new char[256];

        public SharedStrings() => _lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();

        /// <summary>The string the reader is on.</summary>
        public string Get(ref Utf8JsonReader reader)
        {
            // A UTF-8 byte is at most one UTF-16 char; longer strings (never an id or a time) are not shared.
            if (reader.ValueSpan.Length > _buffer.Length)
            {
                return reader.GetString()!;
            }

            var chars = _buffer.AsSpan(0, reader.CopyString(_buffer));
            if (_lookup.TryGetValue(chars, out var known))
            {
                return known;
            }

            var text = new string(chars);
            if (_strings.Count < MaxSharedStrings)
            {
                _strings.Add(text, text);
            }

            return text;
        }
    }
}
