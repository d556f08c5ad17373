using System.Globalization;

namespace Market.Web.Components.Charts;

/// <summary>A linear map from data values to SVG coordinates, with readable tick values.</summary>
public sealed class ChartScale(decimal min, decimal max, double from, double to)
{
    private static readonly decimal[] Steps = [1m, 2m, 2.5m, 5m, 10m];

    public decimal Min { get; } = min;

    public decimal Max { get; } = max == min ? min + 1 : max;

    public double Map(decimal value) => from + ((double)((value - Min) / (Max - Min)) * (to - from));

    /// <summary>About <paramref name="count"/> round tick values (1, 2, 2.5 or 5 × 10ⁿ) between min and max.</summary>
    public IReadOnlyList<decimal> Ticks(int count = 5)
    {
        var span = Max - Min;
        var raw = span / count;
        var magnitude = (decimal)Math.Pow(10, Math.Floor(Math.Log10((double)raw)));
        var step = Steps.Select(m => m * magnitude).First(s => s >= raw);
        var first = Math.Ceiling(Min / step) * step;
        var ticks = new List<decimal>();
        for (var t = first; t <= Max; t += step)
        {
            ticks.Add(t);
        }

        return ticks;
    }

    /// <summary>A scale from zero (or the data minimum if negative) to a little above the data maximum.</summary>
    public static ChartScale Nice(IEnumerable<decimal> values, double from, double to, bool fromZero = true)
    {
        var list = values.ToList();
        var max = list.Count == 0 ? 1 : list.Max();
        var min = fromZero ? Math.Min(0, list.Count == 0 ? 0 : list.Min()) : (list.Count == 0 ? 0 : list.Min());
        var pad = (max - min) * 0.08m;
        return new ChartScale(min == 0 ? 0 : min - pad, max + (pad == 0 ? 1 : pad), from, to);
    }

    public static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

    public static string Label(decimal v) => Label(v, CultureInfo.InvariantCulture);

    /// <summary>A tick value in <paramref name="culture"/>'s marks ("2.5", "2,5" in German), without trailing zeros.</summary>
    public static string Label(decimal v, IFormatProvider culture) => v.ToString(v == decimal.Truncate(v) ? "#,0" : "#,0.##", culture);
}
