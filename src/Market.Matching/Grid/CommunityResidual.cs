using System.Collections.Immutable;

namespace Market.Matching.Grid;

/// <summary>
/// The community as one aggregated resource after the local clearing, at its connection to the upstream grid: the
/// bid an aggregator would place for it in a wholesale market. Prices are at the community's connection (network
/// fees of the lines below included), in 1/10,000 of the currency per kWh; energies in watt-hours.
/// </summary>
/// <param name="MinInjectionWh">
/// The least net injection the envelopes and capacities allow (zero or negative: the most the community can import,
/// every bid filled and no offer sold).
/// </param>
/// <param name="MaxInjectionWh">
/// The most net injection they allow (zero or more: the most the community can export, every offer sold and no bid
/// filled).
/// </param>
/// <param name="Export">
/// The residual supply: at an outside price <c>p</c>, the community would export the energy of the last step whose price
/// is below <c>p</c>; price ascending, cumulative energy. Its first steps are the offers left unmatched; later ones are
/// bids that would give way to the outside price.
/// </param>
/// <param name="Import">
/// The residual demand: at an outside price <c>p</c>, the community would import the energy of the last step whose price
/// is above <c>p</c>; price descending, cumulative energy. Its first steps are the bids left unmatched; later ones are
/// offers that the outside price would undercut.
/// </param>
public sealed record CommunityResidual(long MinInjectionWh, long MaxInjectionWh, ImmutableArray<CurvePoint> Export, ImmutableArray<CurvePoint> Import);
