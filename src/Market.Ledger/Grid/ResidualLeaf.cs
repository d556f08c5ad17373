using System.Buffers.Binary;

namespace Market.Ledger;

/// <summary>One step of a residual curve: a price and the energy up to and including it.</summary>
/// <param name="Price">The step's price at the community's connection, in 1/10,000 of the currency per kWh.</param>
/// <param name="CumulativeWh">The energy of this step and every step before it, in Wh.</param>
public readonly record struct ResidualStep(long Price, long CumulativeWh);

/// <summary>
/// Canonical residual leaf, version 1: the community as one aggregated resource after a mechanism-3 clearing, the last
/// leaf of its clearing block (after the zone leaves), big-endian: <c>version u8 (=1) | type u8 (=4, residual) |
/// min injection Wh i64 | max injection Wh i64 | export step count u32 | import step count u32 | export steps |
/// import steps</c>, each step <c>price i64 | cumulative Wh i64</c>; 26 + 16 × steps bytes.
/// </summary>
/// <remarks>
/// A well-formed residual (<see cref="Problem"/>): <c>min ≤ 0 ≤ max</c>; export prices strictly ascending and import
/// prices strictly descending; each curve's cumulative energy strictly increasing from more than 0; the export curve
/// ends at <c>max</c> and the import curve at <c>-min</c> (an empty curve when that end is 0).
/// </remarks>
public sealed class ResidualLeaf
{
    /// <summary>The bytes before the steps.</summary>
    public const int HeaderSize = 26;

    /// <summary>The bytes of one step.</summary>
    public const int StepSize = 16;

    /// <summary>The leaf format version.</summary>
    public const byte CurrentVersion = 1;

    /// <summary>The type byte of a residual leaf.</summary>
    public const byte Type = 4;

    private readonly ResidualStep[] _export;
    private readonly ResidualStep[] _import;

    /// <summary>A residual from its ends and curves (copied; not checked: see <see cref="Problem"/>).</summary>
    /// <param name="minInjectionWh">The least net injection the limits allow (0 or less).</param>
    /// <param name="maxInjectionWh">The most net injection the limits allow (0 or more).</param>
    /// <param name="export">The residual supply, price ascending.</param>
    /// <param name="import">The residual demand, price descending.</param>
    public ResidualLeaf(long minInjectionWh, long maxInjectionWh, IEnumerable<ResidualStep> export, IEnumerable<ResidualStep> import)
    {
        ArgumentNullException.ThrowIfNull(export);
        ArgumentNullException.ThrowIfNull(import);
        MinInjectionWh = minInjectionWh;
        MaxInjectionWh = maxInjectionWh;
        _export = [.. export];
        _import = [.. import];
    }

    /// <summary>The least net injection the envelopes and capacities allow, Wh (0 or less: the most it can import).</summary>
    public long MinInjectionWh { get; }

    /// <summary>The most net injection the envelopes and capacities allow, Wh (0 or more: the most it can export).</summary>
    public long MaxInjectionWh { get; }

    /// <summary>The residual supply: at an outside price above a step's, the community would export its energy.</summary>
    public IReadOnlyList<ResidualStep> Export => _export;

    /// <summary>The residual demand: at an outside price below a step's, the community would import its energy.</summary>
    public IReadOnlyList<ResidualStep> Import => _import;

    /// <summary>Encoded length in bytes.</summary>
    public int Size => HeaderSize + (StepSize * (_export.Length + _import.Length));

    /// <summary>The canonical bytes.</summary>
    /// <returns>A new array of <see cref="Size"/> bytes.</returns>
    public byte[] Encode()
    {
        var bytes = new byte[Size];
        EncodeTo(bytes);
        return bytes;
    }

    /// <summary>Writes the canonical bytes.</summary>
    /// <param name="destination">At least <see cref="Size"/> bytes.</param>
    public void EncodeTo(Span<byte> destination)
    {
        destination[0] = CurrentVersion;
        destination[1] = Type;
        BinaryPrimitives.WriteInt64BigEndian(destination[2..], MinInjectionWh);
        BinaryPrimitives.WriteInt64BigEndian(destination[10..], MaxInjectionWh);
        BinaryPrimitives.WriteUInt32BigEndian(destination[18..], (uint)_export.Length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[22..], (uint)_import.Length);
        var at = HeaderSize;
        foreach (var step in _export.Concat(_import))
        {
            BinaryPrimitives.WriteInt64BigEndian(destination[at..], step.Price);
            BinaryPrimitives.WriteInt64BigEndian(destination[(at + 8)..], step.CumulativeWh);
            at += StepSize;
        }
    }

    /// <summary>Whether the bytes start like a residual leaf (version 1, type 4).</summary>
    /// <param name="bytes">A leaf.</param>
    /// <returns>Whether they do.</returns>
    public static bool LooksLike(ReadOnlySpan<byte> bytes) => bytes.Length >= 2 && bytes[0] == CurrentVersion && bytes[1] == Type;

    /// <summary>Decodes a residual leaf without throwing; the counts must account for every byte.</summary>
    /// <param name="bytes">The leaf.</param>
    /// <param name="leaf">The residual on success.</param>
    /// <param name="error">What is wrong on failure.</param>
    /// <returns>Whether the bytes are a residual leaf.</returns>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, out ResidualLeaf? leaf, out string? error)
    {
        leaf = null;
        if (bytes.Length < HeaderSize || !LooksLike(bytes))
        {
            error = $"residual leaf: expected at least {HeaderSize} bytes starting 01 04";
            return false;
        }

        var exportCount = (long)BinaryPrimitives.ReadUInt32BigEndian(bytes[18..]);
        var importCount = (long)BinaryPrimitives.ReadUInt32BigEndian(bytes[22..]);
        if (HeaderSize + (StepSize * (exportCount + importCount)) != bytes.Length)
        {
            error = $"residual leaf: {exportCount} export and {importCount} import steps need {HeaderSize + (StepSize * (exportCount + importCount))} bytes, the leaf has {bytes.Length}";
            return false;
        }

        var steps = new ResidualStep[exportCount + importCount];
        for (var i = 0; i < steps.Length; i++)
        {
            var at = HeaderSize + (StepSize * i);
            steps[i] = new ResidualStep(BinaryPrimitives.ReadInt64BigEndian(bytes[at..]), BinaryPrimitives.ReadInt64BigEndian(bytes[(at + 8)..]));
        }

        leaf = new ResidualLeaf(
            BinaryPrimitives.ReadInt64BigEndian(bytes[2..]),
            BinaryPrimitives.ReadInt64BigEndian(bytes[10..]),
            steps.Take((int)exportCount),
            steps.Skip((int)exportCount));
        error = null;
        return true;
    }

    /// <summary>What makes the residual ill-formed (see the remarks), or null when it is well-formed.</summary>
    /// <returns>The first problem, or null.</returns>
    public string? Problem()
    {
        if (MinInjectionWh > 0 || MaxInjectionWh < 0)
        {
            return $"the injection range [{MinInjectionWh}, {MaxInjectionWh}] Wh does not contain 0";
        }

        // -min as 128 bits: a min of -2^63 is a signed leaf's value, not an overflow (the JS verifier uses BigInt).
        return CurveProblem("export", _export, ascending: true, MaxInjectionWh)
            ?? CurveProblem("import", _import, ascending: false, -(Int128)MinInjectionWh);
    }

    /// <summary>Whether two residuals have the same canonical bytes.</summary>
    /// <param name="other">The other residual.</param>
    /// <returns>Whether they are the same.</returns>
    public bool SameAs(ResidualLeaf other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return MinInjectionWh == other.MinInjectionWh && MaxInjectionWh == other.MaxInjectionWh
            && _export.AsSpan().SequenceEqual(other._export) && _import.AsSpan().SequenceEqual(other._import);
    }

    private static string? CurveProblem(string name, ResidualStep[] steps, bool ascending, Int128 end)
    {
        for (var i = 0; i < steps.Length; i++)
        {
            var before = i == 0 ? 0 : steps[i - 1].CumulativeWh;
            if (steps[i].CumulativeWh <= before)
            {
                return $"{name} step {i}: cumulative energy {steps[i].CumulativeWh} Wh does not grow from {before} Wh";
            }

            if (i > 0 && (ascending ? steps[i].Price <= steps[i - 1].Price : steps[i].Price >= steps[i - 1].Price))
            {
                return $"{name} step {i}: price {steps[i].Price} is not strictly {(ascending ? "above" : "below")} the step before's {steps[i - 1].Price}";
            }
        }

        var last = steps.Length == 0 ? 0 : steps[^1].CumulativeWh;
        return last == end ? null : $"the {name} curve ends at {last} Wh, not at {end} Wh";
    }
}
