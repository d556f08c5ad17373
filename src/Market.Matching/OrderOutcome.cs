namespace Market.Matching;

/// <summary>What one order received in a clearing.</summary>
/// <param name="FilledWh">The energy bought or sold in watt-hours, from zero up to the order's energy.</param>
/// <param name="Reason">Why the order received that much.</param>
public readonly record struct OrderOutcome(long FilledWh, FillReason Reason);
