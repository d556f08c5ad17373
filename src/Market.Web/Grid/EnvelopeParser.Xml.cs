using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace Market.Web.Grid;

/// <summary>The IEEE 2030.5 / CSIP-AUS XML side of <see cref="EnvelopeParser"/>.</summary>
public static partial class EnvelopeParser
{
    /// <summary>The IEEE 2030.5 namespace of <c>DERControlList</c>, <c>DERControl</c> and their members.</summary>
    public const string Ieee20305Namespace = "urn:ieee:std:2030.5:ns";

    /// <summary>The CSIP-AUS namespace of the site limits (later versions add a path: <c>https://csipaus.org/ns/v1.3</c>).</summary>
    public const string CsipAusNamespace = "https://csipaus.org/ns";

    /// <summary>The largest XML document read, in bytes (8 MiB).</summary>
    public const int MaxXmlBytes = 8 * 1024 * 1024;

    private static readonly XNamespace Sep = Ieee20305Namespace;

    /// <summary>
    /// Reads the dynamic operating envelopes that IEEE 2030.5 publishes as DER controls, as CSIP-AUS uses them for
    /// one end device; <paramref name="nodeId"/> names that device's node (the endpoint takes it from its URL).
    /// </summary>
    /// <param name="nodeId">The node every control of the document applies to.</param>
    /// <param name="xml">The document: a <c>DERControlList</c> or a single <c>DERControl</c>, at most <see cref="MaxXmlBytes"/> bytes.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>
    /// One envelope per control in force, in document order; errors are numbered by <c>DERControl</c> (1-based, 0 for
    /// the document) and name the XML line.
    /// </returns>
    /// <remarks>
    /// <para>What this relies on, and where it comes from:</para>
    /// <list type="bullet">
    /// <item>
    /// IEEE 2030.5 schema (<c>sep.xsd</c>, e.g. in github.com/epri-dev/IEEE-2030.5-Client; the published standard's
    /// namespace is <c>urn:ieee:std:2030.5:ns</c>): a <c>DERControlList</c> holds zero or more <c>DERControl</c>.
    /// A <c>DERControl</c> is a <c>RandomizableEvent</c> with, in order, <c>mRID</c> (required, <c>HexBinary128</c>:
    /// at most 16 bytes as hex), <c>description</c> (optional, <c>String32</c>), <c>version</c>, <c>creationTime</c>,
    /// <c>EventStatus</c>, <c>interval</c> (<c>DateTimeInterval</c>: <c>duration</c>, <c>UInt32</c> seconds, and
    /// <c>start</c>, <c>TimeType</c>: Int64 seconds since 1970-01-01T00:00:00Z), <c>randomizeDuration</c>,
    /// <c>randomizeStart</c> and the required <c>DERControlBase</c>; 2030.5-2018 adds <c>deviceCategory</c>.
    /// </item>
    /// <item>
    /// <c>ActivePower</c> (sep.xsd) is <c>multiplier</c> (<c>PowerOfTenMultiplierType</c>, an Int8 of which every
    /// value from -9 to 9 SHALL be supported) then <c>value</c> (<c>Int16</c>, watts, uom 38), both required:
    /// watts = value × 10^multiplier.
    /// </item>
    /// <item>
    /// <c>EventStatus/currentStatus</c> (sep.xsd; also github.com/synergy-au/envoy-schema,
    /// <c>server/schema/sep2/event.py</c>): 0 scheduled, 1 active, 2 cancelled, 3 cancelled with randomisation,
    /// 4 superseded.
    /// </item>
    /// <item>
    /// CSIP-AUS extends <c>DERControlBase</c> with <c>opModImpLimW</c>, <c>opModExpLimW</c> (the site's import and
    /// export limits at the connection point), <c>opModGenLimW</c> and <c>opModLoadLimW</c>, each an
    /// <c>ActivePower</c>, in the namespace <c>https://csipaus.org/ns</c> with its members in the 2030.5 namespace
    /// (envoy-schema <c>server/schema/sep2/der.py</c>; the sample <c>DERControlList</c> of
    /// github.com/synergy-au/cactus-runner <c>tests/unit/app/test_schema_validator.py</c>; the <c>ieee2030-5</c>
    /// crate's <c>csip_aus</c> module on docs.rs). Later drafts use <c>https://csipaus.org/ns/v1.3</c> and similar,
    /// so any namespace under <c>https://csipaus.org/ns/</c> is read too.
    /// </item>
    /// </list>
    /// <para>Choices made here:</para>
    /// <list type="bullet">
    /// <item>
    /// Only <c>opModImpLimW</c> and <c>opModExpLimW</c> are honoured. Any other <c>DERControlBase</c> member
    /// (<c>opModGenLimW</c>, <c>opModLoadLimW</c>, <c>opModConnect</c>, <c>opModTargetW</c>, <c>rampTms</c>, …) is
    /// refused: the market cannot keep a limit it does not model, and silently dropping it would let trades break it.
    /// A control with neither limit is refused.
    /// </item>
    /// <item>
    /// A cancelled (2, 3) control sets no limit: it is checked like the others and returned in
    /// <see cref="ParsedEnvelopes.Cancellations"/>, which takes the node's earlier windows of the same event (mRID) out
    /// of force for the intervals still open. A superseded (4) control sets no limit either and is left out and listed
    /// in <see cref="ParsedEnvelopes.Skipped"/> (the control that supersedes it carries the limit). A control without
    /// <c>EventStatus</c> is taken as in force.
    /// </item>
    /// <item>
    /// <c>creationTime</c>, <c>version</c>, <c>description</c>, <c>randomizeStart</c>, <c>randomizeDuration</c> and
    /// <c>deviceCategory</c> are read over: the market keeps the nominal interval. Attributes (<c>href</c>,
    /// <c>replyTo</c>, <c>all</c>, …) are ignored. Any other element is refused.
    /// </item>
    /// <item>
    /// A limit with a fraction of a watt (a negative multiplier) is rounded down, which keeps it a limit. Negative
    /// limits and limits beyond <see cref="NetworkDefinition.MaxPowerW"/> parse, and <see cref="EnvelopeValidator"/>
    /// refuses them.
    /// </item>
    /// <item>
    /// Safe reading: no DTD (a document declaring one is refused, so no entity but the five predefined ones can
    /// exist), nothing resolved outside the document, at most <see cref="MaxXmlBytes"/> bytes.
    /// </item>
    /// </list>
    /// </remarks>
    public static async Task<ParsedEnvelopes> ParseXmlAsync(string nodeId, Stream xml, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nodeId);
        ArgumentNullException.ThrowIfNull(xml);
        using var buffer = await ReadBoundedAsync(xml, MaxXmlBytes, cancellationToken);
        if (buffer is null)
        {
            return Refused($"The XML document is larger than {MaxXmlBytes / (1024 * 1024)} MiB.");
        }

        XDocument document;
        try
        {
            var settings = new XmlReaderSettings
            {
                DtdProcessing = DtdProcessing.Prohibit,
                XmlResolver = null,
                MaxCharactersInDocument = MaxXmlBytes,
                IgnoreComments = true,
                IgnoreProcessingInstructions = true,
                IgnoreWhitespace = true,
            };
            using var reader = XmlReader.Create(buffer, settings);
            document = XDocument.Load(reader, LoadOptions.SetLineInfo);
        }
        catch (XmlException e)
        {
            return Refused($"The XML document cannot be read (a DTD or an entity declaration is refused too): {e.Message}");
        }

        var root = document.Root!;
        if (root.Name.Namespace != Sep)
        {
            return Refused($"The root element <{root.Name.LocalName}> is not in the IEEE 2030.5 namespace \"{Ieee20305Namespace}\" (it is in \"{root.Name.NamespaceName}\").");
        }

        List<XElement> controls;
        if (root.Name.LocalName == "DERControl")
        {
            controls = [root];
        }
        else if (root.Name.LocalName == "DERControlList")
        {
            controls = [];
            foreach (var child in root.Elements())
            {
                if (child.Name != Sep + "DERControl")
                {
                    return Refused($"line {Line(child)}: <{child.Name.LocalName}> in a DERControlList; a DERControlList holds only DERControl elements.");
                }

                controls.Add(child);
            }
        }
        else
        {
            return Refused($"The root element is <{root.Name.LocalName}>; send a DERControlList or a single DERControl.");
        }

        if (controls.Count > EnvelopeValidator.MaxItems)
        {
            return new ParsedEnvelopes([], [EnvelopeValidator.TooMany(controls.Count)]);
        }

        var envelopes = new List<Envelope>(controls.Count);
        var errors = new List<EnvelopeError>();
        var skipped = new List<SkippedControl>();
        var cancellations = new List<Envelope>();
        for (var i = 0; i < controls.Count; i++)
        {
            var control = new ControlReader(i + 1, controls[i], errors);
            if (control.Read(nodeId) is { } envelope)
            {
                if (control.Status is 2 or 3)
                {
                    cancellations.Add(envelope with { ImportLimitW = null, ExportLimitW = null });
                }
                else if (control.Status == 4)
                {
                    skipped.Add(new SkippedControl(i + 1, envelope.EventId!, $"DERControl {i + 1}, line {Line(controls[i])}: event {envelope.EventId} is superseded (EventStatus 4) and sets no limit."));
                }
                else
                {
                    envelopes.Add(envelope);
                }
            }
        }

        return new ParsedEnvelopes(envelopes, errors) { Skipped = skipped, Cancellations = cancellations };
    }

    private static int Line(XObject node) => ((IXmlLineInfo)node).LineNumber;

    private static bool IsCsipAus(XNamespace ns) =>
        ns.NamespaceName == CsipAusNamespace || ns.NamespaceName.StartsWith(CsipAusNamespace + "/", StringComparison.Ordinal);

    /// <summary>The stream's bytes, or null when there are more than <paramref name="limit"/>.</summary>
    private static async Task<MemoryStream?> ReadBoundedAsync(Stream stream, int limit, CancellationToken cancellationToken)
    {
        var result = new MemoryStream();
        var chunk = new byte[81_920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (result.Length + read > limit)
            {
                await result.DisposeAsync();
                return null;
            }

            result.Write(chunk, 0, read);
        }

        result.Position = 0;
        return result;
    }

    /// <summary>Reads one <c>DERControl</c>, adding an error for each problem found.</summary>
    private sealed class ControlReader(int item, XElement control, List<EnvelopeError> errors)
    {
        private static readonly HashSet<string> ReadOver = ["description", "version", "creationTime", "randomizeDuration", "randomizeStart", "deviceCategory"];

        private bool _failed;

        /// <summary>The control's <c>EventStatus/currentStatus</c>, or null when it has none.</summary>
        public int? Status { get; private set; }

        public Envelope? Read(string nodeId)
        {
            XElement? mrid = null, interval = null, limits = null, status = null;
            foreach (var child in control.Elements())
            {
                var name = child.Name.LocalName;
                if (child.Name.Namespace != Sep)
                {
                    Error(child, $"<{name}> in namespace \"{child.Name.NamespaceName}\" is not a member of a DERControl.");
                }
                else if (name == "mRID")
                {
                    Once(ref mrid, child);
                }
                else if (name == "interval")
                {
                    Once(ref interval, child);
                }
                else if (name == "DERControlBase")
                {
                    Once(ref limits, child);
                }
                else if (name == "EventStatus")
                {
                    Once(ref status, child);
                }
                else if (!ReadOver.Contains(name))
                {
                    Error(child, $"<{name}> is not a member of a DERControl.");
                }
            }

            string? eventId = null;
            (DateTimeOffset Start, DateTimeOffset End) window = default;
            (long? Import, long? Export) set = default;
            if (mrid is null)
            {
                Missing("mRID");
            }
            else
            {
                eventId = MRid(mrid);
            }

            if (interval is null)
            {
                Missing("interval");
            }
            else
            {
                window = Interval(interval);
            }

            if (limits is null)
            {
                Missing("DERControlBase");
            }
            else
            {
                set = Limits(limits);
            }

            Status = status is null ? null : CurrentStatus(status);
            if (_failed)
            {
                return null;
            }

            return new Envelope(nodeId, window.Start, window.End, set.Import, set.Export, eventId);
        }

        private string? MRid(XElement element)
        {
            // HexBinary128: pairs of hex digits, at most 16 bytes.
            var text = element.Value.Trim();
            if (text.Length is 0 or > 32 || text.Length % 2 != 0 || !text.All(char.IsAsciiHexDigit))
            {
                Error(element, $"mRID \"{Clip(text)}\" is not an even number of hex digits, at most 32 (HexBinary128).");
                return null;
            }

            return text;
        }

        private (DateTimeOffset Start, DateTimeOffset End) Interval(XElement element)
        {
            XElement? duration = null, start = null;
            foreach (var child in element.Elements())
            {
                if (child.Name == Sep + "duration")
                {
                    Once(ref duration, child);
                }
                else if (child.Name == Sep + "start")
                {
                    Once(ref start, child);
                }
                else
                {
                    Error(child, $"<{child.Name.LocalName}> is not a member of an interval (duration, start).");
                }
            }

            if (duration is null || start is null)
            {
                Error(element, "an interval needs both <duration> (seconds) and <start> (Unix seconds).");
                return default;
            }

            if (!long.TryParse(start.Value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var from))
            {
                Error(start, $"interval start \"{Clip(start.Value)}\" is not a whole number of seconds since 1970-01-01T00:00:00Z.");
                return default;
            }

            if (!uint.TryParse(duration.Value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds))
            {
                Error(duration, $"interval duration \"{Clip(duration.Value)}\" is not a whole number of seconds from 0 to {uint.MaxValue}.");
                return default;
            }

            const long first = -62_135_596_800, last = 253_402_300_799; // 0001-01-01 and 9999-12-31T23:59:59 UTC
            if (from < first || from > last - seconds)
            {
                Error(start, $"interval start {from} and duration {seconds} s fall outside the years 1 to 9999.");
                return default;
            }

            return (DateTimeOffset.FromUnixTimeSeconds(from), DateTimeOffset.FromUnixTimeSeconds(from + seconds));
        }

        private (long? Import, long? Export) Limits(XElement element)
        {
            XElement? import = null, export = null;
            var unsupported = false;
            foreach (var child in element.Elements())
            {
                var name = child.Name.LocalName;
                var ours = child.Name.Namespace == Sep || IsCsipAus(child.Name.Namespace);
                if (ours && name == "opModImpLimW")
                {
                    Once(ref import, child);
                }
                else if (ours && name == "opModExpLimW")
                {
                    Once(ref export, child);
                }
                else
                {
                    unsupported = true;
                    Error(child, $"DERControlBase member <{name}> is not supported: the market honours only opModImpLimW and opModExpLimW (the connection point's import and export limits) and cannot keep any other control, so the document is refused.");
                }
            }

            if (import is null && export is null)
            {
                if (unsupported)
                {
                    return default; // said already: the member it has cannot be kept
                }

                Error(element, "DERControlBase has neither opModImpLimW nor opModExpLimW; a control for the market limits import, export or both.");
                return default;
            }

            return (import is null ? null : Watts(import), export is null ? null : Watts(export));
        }

        private long? Watts(XElement element)
        {
            XElement? multiplier = null, value = null;
            foreach (var child in element.Elements())
            {
                var ours = child.Name.Namespace == Sep || IsCsipAus(child.Name.Namespace);
                if (ours && child.Name.LocalName == "multiplier")
                {
                    Once(ref multiplier, child);
                }
                else if (ours && child.Name.LocalName == "value")
                {
                    Once(ref value, child);
                }
                else
                {
                    Error(child, $"<{child.Name.LocalName}> is not a member of {element.Name.LocalName} (an ActivePower: multiplier, value).");
                }
            }

            var name = element.Name.LocalName;
            if (multiplier is null || value is null)
            {
                Error(element, $"{name} needs both <multiplier> (a power of ten) and <value> (watts = value × 10^multiplier).");
                return null;
            }

            if (!short.TryParse(value.Value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var significand))
            {
                Error(value, $"{name} value \"{Clip(value.Value)}\" is not a whole number from -32768 to 32767 (Int16).");
                return null;
            }

            if (!sbyte.TryParse(multiplier.Value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var exponent) || exponent is < -9 or > 9)
            {
                Error(multiplier, $"{name} multiplier \"{Clip(multiplier.Value)}\" is not a power of ten from -9 to 9.");
                return null;
            }

            var scale = 1L;
            for (var i = 0; i < Math.Abs((int)exponent); i++)
            {
                scale *= 10;
            }

            if (exponent >= 0)
            {
                return significand * scale;
            }

            // A fraction of a watt is rounded down (towards minus infinity): a limit rounded down is still kept.
            var (quotient, remainder) = Math.DivRem((long)significand, scale);
            return remainder < 0 ? quotient - 1 : quotient;
        }

        private int? CurrentStatus(XElement element)
        {
            var current = element.Element(Sep + "currentStatus");
            if (current is null || !byte.TryParse(current.Value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var status))
            {
                Error(current ?? element, "EventStatus needs a <currentStatus> from 0 to 255 (0 scheduled, 1 active, 2 cancelled, 3 cancelled with randomisation, 4 superseded).");
                return null;
            }

            return status;
        }

        private void Once(ref XElement? slot, XElement element)
        {
            if (slot is not null)
            {
                Error(element, $"<{element.Name.LocalName}> appears twice (first on line {Line(slot)}).");
                return;
            }

            slot = element;
        }

        private void Missing(string name) => Error(control, $"<{name}> is missing.");

        private void Error(XElement at, string message)
        {
            _failed = true;
            errors.Add(new EnvelopeError(item, $"DERControl {item}, line {Line(at)}: {message}"));
        }
    }
}
