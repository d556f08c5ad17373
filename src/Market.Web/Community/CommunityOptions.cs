using System.ComponentModel.DataAnnotations;

namespace Market.Web.Community;

/// <summary>The community's market rules. Bound from the <c>Community</c> section.</summary>
public sealed class CommunityOptions : IValidatableObject
{
    public const string Section = "Community";

    [Required]
    [StringLength(80, MinimumLength = 1)]
    public string Name { get; set; } = "Sonnenfeld Energy Community";

    /// <summary>ISO currency code used for display; money is stored in 1/10,000 of it.</summary>
    [Required]
    [StringLength(3, MinimumLength = 3)]
    public string Currency { get; set; } = "EUR";

    /// <summary>
    /// The culture of the community's pages (<c>en</c> or <c>de-DE</c>, see <see cref="CommunityCulture.Supported"/>):
    /// numbers are shown and read in it unless the browser asks for another supported one.
    /// </summary>
    [Required]
    [AllowedValues("en", "de-DE")]
    public string Culture { get; set; } = "en";

    /// <summary>IANA time zone for display.</summary>
    [Required]
    public string TimeZone { get; set; } = "Europe/Berlin";

    /// <summary>Delivery interval length in minutes (5, 15, 30 or 60).</summary>
    [AllowedValues(5, 15, 30, 60)]
    public int IntervalMinutes { get; set; } = 15;

    /// <summary>Orders for an interval are accepted until this many minutes before it starts.</summary>
    [Range(0, 1440)]
    public int GateClosureMinutes { get; set; } = 5;

    /// <summary>How far ahead orders are accepted, in hours.</summary>
    [Range(1, 168)]
    public int HorizonHours { get; set; } = 24;

    /// <summary>Price floor (the feed-in tariff) in 1/10,000 currency per kWh. Germany 2025: 7.86 ct = 786.</summary>
    [Range(0, 100_000_000)]
    public long PriceFloor { get; set; } = 786;

    /// <summary>Price ceiling (the retail price) in 1/10,000 currency per kWh. Germany 2025: 39.7 ct = 3970.</summary>
    [Range(0, 100_000_000)]
    public long PriceCeiling { get; set; } = 3970;

    /// <summary>
    /// <c>uniform-price</c>, <c>pay-as-bid</c> or <c>grid-zonal</c> (clearing under the network's limits and fees; it
    /// needs a network, imported through <c>PUT /api/grid/network</c> before the first interval clears).
    /// </summary>
    [AllowedValues("uniform-price", "pay-as-bid", "grid-zonal")]
    public string Mechanism { get; set; } = "uniform-price";

    /// <summary>Network fee of a trade on one feeder, in 1/10,000 currency per kWh (<c>grid-zonal</c> only).</summary>
    [Range(0, 1L << 40)]
    public long SameFeederFee { get; set; }

    /// <summary>Network fee of a trade across feeders under one transformer (at least the same-feeder fee).</summary>
    [Range(0, 1L << 40)]
    public long SameTransformerFee { get; set; }

    /// <summary>Network fee of a trade across transformers (at least the same-transformer fee).</summary>
    [Range(0, 1L << 40)]
    public long AcrossTransformersFee { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (PriceFloor > PriceCeiling)
        {
            yield return new ValidationResult("PriceFloor must not exceed PriceCeiling.", [nameof(PriceFloor)]);
        }

        if (SameFeederFee > SameTransformerFee || SameTransformerFee > AcrossTransformersFee)
        {
            yield return new ValidationResult("Network fees must not fall with distance: SameFeederFee ≤ SameTransformerFee ≤ AcrossTransformersFee.", [nameof(SameTransformerFee)]);
        }

        if (Mechanism != "grid-zonal" && AcrossTransformersFee != 0)
        {
            yield return new ValidationResult("Network fees apply under the grid-zonal mechanism only.", [nameof(Mechanism)]);
        }

        if (System.TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out _) == false)
        {
            yield return new ValidationResult($"Unknown time zone '{TimeZone}'.", [nameof(TimeZone)]);
        }
    }

    public long IntervalSeconds => IntervalMinutes * 60L;

    public long GateClosureSeconds => GateClosureMinutes * 60L;
}
