namespace Market.Matching;

/// <summary>A business rejection of a whole book, naming the first offending order.</summary>
/// <remarks>
/// Orders are checked in input order; the first order with a problem is named. For one order the checks run in
/// the order side, energy, price, duplicate id, total energy.
/// </remarks>
/// <param name="OrderId">The <see cref="Order.Id"/> of the offending order.</param>
/// <param name="Index">The offending order's zero-based position in the input.</param>
/// <param name="Code">What is wrong, for programs.</param>
/// <param name="Message">What is wrong, for people (English, invariant culture).</param>
public sealed record ClearingRejection(long OrderId, int Index, RejectionCode Code, string Message);
