using System.Globalization;
using System.Text.Json;

namespace Market.Web.Demo;

/// <summary>How a source's measurements were turned into 15-minute slots.</summary>
public enum ProfileResolution
{
    /// <summary>Hourly energies, each split evenly into four 15-minute slots (not measured at 15 minutes).</summary>
    HourlySplitInto15Minutes = 1,

    /// <summary>Half-hourly mean powers, each split evenly into two 15-minute slots (not measured at 15 minutes).</summary>
    HalfHourlySplitInto15Minutes = 2,
}

/// <summary>
/// One real household's year of load and rooftop-PV output as energy per 15-minute slot, in integer Wh: 365 days of
/// 96 slots, day 0 = 1 January, slot 0 = 00:00–00:15 in the source's local time. The sources are hourly or
/// half-hourly, so every slot is an even share of a longer measurement (see <see cref="Resolution"/>).
/// </summary>
public sealed class ProfileSource
{
    public const int DaysPerYear = 365;
    public const int SlotsPerDay = 96;
    public const int SlotSeconds = 900;

    private readonly int[] _loadWh;
    private readonly int[] _pvWh;

    internal ProfileSource(string id, string description, ProfileResolution resolution, long pvNominalW, int seasonShiftDays, int[] loadWh, int[] pvWh, int loadGapsFilled)
    {
        if (loadWh.Length != DaysPerYear * SlotsPerDay || pvWh.Length != DaysPerYear * SlotsPerDay)
        {
            throw new ArgumentException("A profile needs 365 × 96 slots.", nameof(loadWh));
        }

        Id = id;
        Description = description;
        Resolution = resolution;
        PvNominalW = pvNominalW;
        SeasonShiftDays = seasonShiftDays;
        _loadWh = loadWh;
        _pvWh = pvWh;
        LoadGapsFilled = loadGapsFilled;
        PeakLoadW = _loadWh.Max() * 4L;
        PeakPvW = _pvWh.Max() * 4L;
        AnnualLoadWh = _loadWh.Sum(v => (long)v);
        AnnualPvWh = _pvWh.Sum(v => (long)v);
    }

    /// <summary>Stable id: <c>citylearn-7</c>, <c>ausgrid-12</c>.</summary>
    public string Id { get; }

    public string Description { get; }

    public ProfileResolution Resolution { get; }

    /// <summary>Nominal PV power in W (from the CityLearn schema; for Ausgrid derived from the highest measured output).</summary>
    public long PvNominalW { get; }

    /// <summary>Days added to a calendar day before looking it up: 182 for the southern-hemisphere source, so seasons match.</summary>
    public int SeasonShiftDays { get; }

    /// <summary>Measured load readings of exactly zero (missing data) replaced by that hour's mean; counted in source steps.</summary>
    public int LoadGapsFilled { get; }

    /// <summary>Highest mean load over one slot, in W (= the highest mean over one source step).</summary>
    public long PeakLoadW { get; }

    /// <summary>Highest mean PV output over one slot, in W.</summary>
    public long PeakPvW { get; }

    public long AnnualLoadWh { get; }

    public long AnnualPvWh { get; }

    /// <summary>Load in the slot, Wh. <paramref name="day"/> is taken modulo 365.</summary>
    public int LoadWh(int day, int slot) => _loadWh[Index(day, slot)];

    /// <summary>PV output in the slot, Wh. <paramref name="day"/> is taken modulo 365.</summary>
    public int PvWh(int day, int slot) => _pvWh[Index(day, slot)];

    /// <summary>Day 0–364 of a calendar date, 29 February counting as 28 February (the profiles have no leap day).</summary>
    public static int DayOfYear(int month, int day) =>
        new DateOnly(2023, month, month == 2 && day == 29 ? 28 : day).DayOfYear - 1;

    private static int Index(int day, int slot)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(slot, SlotsPerDay);
        return (((day % DaysPerYear) + DaysPerYear) % DaysPerYear * SlotsPerDay) + slot;
    }
}

/// <summary>The real profiles the demo community is built from, read from the repository's <c>data/households</c>.</summary>
public sealed class DemoProfiles
{
    public const string CityLearnFile = "citylearn_2022_17homes_hourly_kWh.csv";
    public const string CityLearnSchemaFile = "citylearn_2022_schema.json";
    public const string AusgridFile = "ausgrid_customer12_2011-2012.csv";

    /// <summary>CityLearn homes with almost no PV output over the year (likely outages): not used for agents.</summary>
    public static readonly IReadOnlyList<int> FlaggedCityLearnHomes = [14, 15];

    private DemoProfiles(IReadOnlyList<ProfileSource> all, IReadOnlyList<ProfileSource> usable)
    {
        All = all;
        Usable = usable;
    }

    /// <summary>Every source read: CityLearn homes 1–17, then Ausgrid customer 12.</summary>
    public IReadOnlyList<ProfileSource> All { get; }

    /// <summary>The sources agents are built from: all but the flagged CityLearn homes.</summary>
    public IReadOnlyList<ProfileSource> Usable { get; }

    public ProfileSource this[string id] => All.Single(s => s.Id == id);

    /// <summary>True when the folder holds every file the demo needs.</summary>
    public static bool Exist(string householdsDirectory) =>
        new[] { CityLearnFile, CityLearnSchemaFile, AusgridFile }.All(f => File.Exists(Path.Combine(householdsDirectory, f)));

    public static DemoProfiles Load(string householdsDirectory)
    {
        var all = new List<ProfileSource>();
        all.AddRange(LoadCityLearn(Path.Combine(householdsDirectory, CityLearnFile), Path.Combine(householdsDirectory, CityLearnSchemaFile)));
        all.Add(LoadAusgrid(Path.Combine(householdsDirectory, AusgridFile)));
        var flagged = FlaggedCityLearnHomes.Select(h => "citylearn-" + h.ToString(CultureInfo.InvariantCulture)).ToHashSet();
        return new DemoProfiles(all, all.Where(s => !flagged.Contains(s.Id)).ToList());
    }

    /// <summary>
    /// 8,760 hourly rows of kWh. Row 1 is 1 August 00:00–01:00 and the year wraps, so row 0 is 31 July 23:00–24:00;
    /// every row's <c>month</c> and <c>hour</c> (1–24, the hour ending then) is checked against that.
    /// </summary>
    private static IEnumerable<ProfileSource> LoadCityLearn(string csvPath, string schemaPath)
    {
        var nominal = CityLearnNominalPowerW(schemaPath);
        using var reader = new StreamReader(csvPath);
        var header = (reader.ReadLine() ?? throw new FormatException($"{csvPath} is empty.")).Split(',');
        int Column(string name) => Array.IndexOf(header, name) is var i and >= 0 ? i : throw new FormatException($"{csvPath} has no column {name}.");
        var month = Column("month");
        var hour = Column("hour");
        const int homes = 17;
        const int hours = ProfileSource.DaysPerYear * 24;
        var loadColumns = Enumerable.Range(1, homes).Select(h => Column($"h{h}_load_kWh")).ToArray();
        var pvColumns = Enumerable.Range(1, homes).Select(h => Column($"h{h}_pv_kWh")).ToArray();
        var load = Enumerable.Range(0, homes).Select(_ => new long[hours]).ToArray();
        var pv = Enumerable.Range(0, homes).Select(_ => new long[hours]).ToArray();
        var firstAugust = new DateTime(2022, 8, 1, 0, 0, 0, DateTimeKind.Unspecified);
        var row = 0;
        while (reader.ReadLine() is { Length: > 0 } line)
        {
            if (row >= hours)
            {
                throw new FormatException($"{csvPath} has more than {hours} rows.");
            }

            var cells = line.Split(',');
            var at = firstAugust.AddHours((row + hours - 1) % hours);
            if (int.Parse(cells[month], CultureInfo.InvariantCulture) != at.Month || int.Parse(cells[hour], CultureInfo.InvariantCulture) != at.Hour + 1)
            {
                throw new FormatException($"{csvPath} row {row + 1} is not {at:MMM d, HH}:00 as the layout requires.");
            }

            var index = (ProfileSource.DayOfYear(at.Month, at.Day) * 24) + at.Hour;
            for (var h = 0; h < homes; h++)
            {
                load[h][index] = Wh(cells[loadColumns[h]], 1000m);
                pv[h][index] = Wh(cells[pvColumns[h]], 1000m);
            }

            row++;
        }

        if (row != hours)
        {
            throw new FormatException($"{csvPath} has {row} rows, not {hours}.");
        }

        for (var h = 0; h < homes; h++)
        {
            var gaps = FillZeroGaps(load[h], 24);
            var number = (h + 1).ToString(CultureInfo.InvariantCulture);
            yield return new ProfileSource(
                "citylearn-" + number,
                $"CityLearn 2022 home {number} (hourly data split into 15-minute intervals)",
                ProfileResolution.HourlySplitInto15Minutes,
                nominal[h],
                seasonShiftDays: 0,
                Split(load[h], 4),
                Split(pv[h], 4),
                gaps);
        }
    }

    /// <summary>PV nominal power per home from <c>buildings.Building_N.pv.attributes.nominal_power</c> (kW).</summary>
    private static long[] CityLearnNominalPowerW(string schemaPath)
    {
        using var stream = File.OpenRead(schemaPath);
        using var schema = JsonDocument.Parse(stream);
        var buildings = schema.RootElement.GetProperty("buildings");
        return Enumerable.Range(1, 17)
            .Select(h => buildings.GetProperty($"Building_{h}").GetProperty("pv").GetProperty("attributes").GetProperty("nominal_power").GetDecimal())
            .Select(kw => (long)decimal.Round(kw * 1000m))
            .ToArray();
    }

    /// <summary>
    /// 17,568 half-hours (2011-07-01 → 2012-06-30, stamped at their start) of mean kW. The leap day is dropped; the
    /// source is from Sydney, so lookups shift it by half a year to match northern seasons.
    /// </summary>
    private static ProfileSource LoadAusgrid(string csvPath)
    {
        const int steps = ProfileSource.DaysPerYear * 48;
        var load = new long[steps];
        var pv = new long[steps];
        var seen = new bool[steps];
        using var reader = new StreamReader(csvPath);
        _ = reader.ReadLine();
        while (reader.ReadLine() is { Length: > 0 } line)
        {
            var cells = line.Split(',');
            var at = DateTime.ParseExact(cells[0], "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
            if (at is { Month: 2, Day: 29 })
            {
                continue;
            }

            var index = (ProfileSource.DayOfYear(at.Month, at.Day) * 48) + (at.Hour * 2) + (at.Minute / 30);
            if (seen[index] || at.Minute % 30 != 0)
            {
                throw new FormatException($"{csvPath}: unexpected timestamp {cells[0]}.");
            }

            seen[index] = true;
            // Mean kW over half an hour: energy in Wh = kW × 1000 × 0.5.
            load[index] = Wh(cells[1], 500m);
            pv[index] = Wh(cells[2], 500m);
        }

        if (seen.Contains(false))
        {
            throw new FormatException($"{csvPath} does not cover a whole year of half-hours.");
        }

        var gaps = FillZeroGaps(load, 48);
        // The published extract has no capacity column: take the highest half-hour output, rounded up to 500 W.
        var peakW = pv.Max() * 2;
        var nominalW = (peakW + 499) / 500 * 500;
        return new ProfileSource(
            "ausgrid-12",
            "Ausgrid customer 12, Sydney (half-hourly data split into 15-minute intervals; seasons shifted by half a year)",
            ProfileResolution.HalfHourlySplitInto15Minutes,
            nominalW,
            seasonShiftDays: 182,
            Split(load, 2),
            Split(pv, 2),
            gaps);
    }

    /// <summary>The one conversion from the files' decimal kWh/kW to integer Wh.</summary>
    private static long Wh(string value, decimal factor) =>
        (long)decimal.Round(decimal.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture) * factor, MidpointRounding.AwayFromZero);

    /// <summary>
    /// A household always draws some power, so a load of exactly 0 is a missing reading: replace it with the mean
    /// of that step of the day over the readings that are present. Returns how many were replaced.
    /// </summary>
    private static int FillZeroGaps(long[] values, int stepsPerDay)
    {
        var sums = new long[stepsPerDay];
        var counts = new long[stepsPerDay];
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] > 0)
            {
                sums[i % stepsPerDay] += values[i];
                counts[i % stepsPerDay]++;
            }
        }

        var filled = 0;
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] == 0 && counts[i % stepsPerDay] > 0)
            {
                values[i] = sums[i % stepsPerDay] / counts[i % stepsPerDay];
                filled++;
            }
        }

        return filled;
    }

    /// <summary>Splits each step evenly into <paramref name="parts"/> 15-minute slots; the remainder Wh go to the first slots.</summary>
    private static int[] Split(long[] steps, int parts)
    {
        var slots = new int[steps.Length * parts];
        for (var i = 0; i < steps.Length; i++)
        {
            var share = steps[i] / parts;
            var rest = steps[i] % parts;
            for (var p = 0; p < parts; p++)
            {
                slots[(i * parts) + p] = checked((int)(share + (p < rest ? 1 : 0)));
            }
        }

        return slots;
    }
}
