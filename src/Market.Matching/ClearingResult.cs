using System.Collections.Immutable;

namespace Market.Matching;

/// <summary>
/// The outcome of clearing one order book: either a <see cref="Rejection"/>, or the clearing price and range, the
/// trades, each order's fill and the aggregated curves.
/// </summary>
/// <remarks>
/// Prices are in 1/10,000 of the currency per kWh, energies in watt-hours. A rejected result has no price, no
/// trades, no outcomes and no curves. Two clearings of the same book under the same mechanism and rules version
/// are equal member by member.
/// </remarks>
public sealed class ClearingResult
{
    private ClearingResult(
        Mechanism mechanism,
        ClearingRejection? rejection,
        long? price,
        long? low,
        long? high,
        long volumeWh,
        ImmutableArray<Trade> trades,
        ImmutableArray<OrderOutcome> outcomes,
        ImmutableArray<CurvePoint> demandCurve,
        ImmutableArray<CurvePoint> supplyCurve)
    {
        Mechanism = mechanism;
        Rejection = rejection;
        Price = price;
        Low = low;
        High = high;
        VolumeWh = volumeWh;
        Trades = trades;
        Outcomes = outcomes;
        DemandCurve = demandCurve;
        SupplyCurve = supplyCurve;
    }

    /// <summary>Whether the book was cleared; <see langword="false"/> when it was rejected.</summary>
    public bool IsSuccess => Rejection is null;

    /// <summary>Why the book was rejected, naming the first offending order; <see langword="null"/> on success.</summary>
    public ClearingRejection? Rejection { get; }

    /// <summary>The mechanism the book was cleared under.</summary>
    public Mechanism Mechanism { get; }

    /// <summary>The version of the clearing rules that produced this result (<see cref="DoubleAuction.RulesVersion"/>).</summary>
    public ushort RulesVersion { get; } = DoubleAuction.RulesVersion;

    /// <summary>
    /// The uniform clearing price, <c>floor((Low + High) / 2)</c>; <see langword="null"/> when nothing traded, under
    /// <see cref="Mechanism.PayAsBid"/>, or when rejected.
    /// </summary>
    public long? Price { get; }

    /// <summary>
    /// The lowest price that clears the market: <c>max(lastS, nextB)</c> of rule 3; <see langword="null"/> when
    /// nothing traded. Computed under both mechanisms.
    /// </summary>
    public long? Low { get; }

    /// <summary>
    /// The highest price that clears the market: <c>min(lastB, nextS)</c> of rule 3; <see langword="null"/> when
    /// nothing traded. Computed under both mechanisms.
    /// </summary>
    public long? High { get; }

    /// <summary>The energy traded in watt-hours: the sum of all trades, equal to the energy bought and to the energy sold.</summary>
    public long VolumeWh { get; }

    /// <summary>The trades in the order of the walk (rule 2).</summary>
    public ImmutableArray<Trade> Trades { get; }

    /// <summary>Each order's filled energy and reason, in input order (index <c>i</c> is the input's order <c>i</c>).</summary>
    public ImmutableArray<OrderOutcome> Outcomes { get; }

    /// <summary>
    /// The aggregated demand curve: one point per distinct bid limit, by price descending, with the energy of all
    /// bids at or above that price. Empty when there are no bids.
    /// </summary>
    public ImmutableArray<CurvePoint> DemandCurve { get; }

    /// <summary>
    /// The aggregated supply curve: one point per distinct offer limit, by price ascending, with the energy of all
    /// offers at or below that price. Empty when there are no offers.
    /// </summary>
    public ImmutableArray<CurvePoint> SupplyCurve { get; }

    internal static ClearingResult Rejected(Mechanism mechanism, ClearingRejection rejection) =>
        new(mechanism, rejection, null, null, null, 0, [], [], [], []);

    internal static ClearingResult Cleared(
        Mechanism mechanism,
        long? price,
        long? low,
        long? high,
        long volumeWh,
        ImmutableArray<Trade> trades,
        ImmutableArray<OrderOutcome> outcomes,
        ImmutableArray<CurvePoint> demandCurve,
        ImmutableArray<CurvePoint> supplyCurve) =>
        new(mechanism, null, price, low, high, volumeWh, trades, outcomes, demandCurve, supplyCurve);
}
