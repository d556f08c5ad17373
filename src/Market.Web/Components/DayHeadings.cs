using System.Globalization;

namespace Market.Web.Components;

/// <summary>The heading of a day's group in the order and trade lists: the long date in the household's culture.</summary>
public static class DayHeadings
{
    /// <summary>"Today · Friday, 4 December 2026" (en), "Freitag, 4. Dezember 2026" (de) for another day.</summary>
    public static string Of(DateOnly day, DateOnly today, CultureInfo? culture = null)
    {
        culture ??= CultureInfo.CurrentCulture;
        var date = day.ToString("D", culture);
        return (day.DayNumber - today.DayNumber) switch
        {
            0 => "Today · " + date,
            1 => "Tomorrow · " + date,
            -1 => "Yesterday · " + date,
            _ => date,
        };
    }
}
