using System.ComponentModel.DataAnnotations;

namespace Market.Web.Autopilot;

/// <summary>The autopilot's settings (<c>Autopilot</c> section).</summary>
public sealed class AutopilotOptions
{
    public const string Section = "Autopilot";

    /// <summary>How far ahead of an interval's gate the autopilot posts, minutes.</summary>
    [Range(5, 24 * 60)]
    public int LeadMinutes { get; set; } = 60;

    /// <summary>How many days of cleared intervals the price median looks back over.</summary>
    [Range(1, 60)]
    public int PriceHistoryDays { get; set; } = 7;
}
