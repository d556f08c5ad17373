using System.Collections.Immutable;

namespace Market.Matching.Settlement;

/// <summary>Why an interval could not be reconciled.</summary>
public enum ReconciliationRejectionCode : byte
{
    /// <summary>A price is negative, beyond <see cref="Reconciliation.MaxPrice"/>, or the feed-in tariff exceeds retail.</summary>
    InvalidPrices = 1,

    /// <summary>The local price lies outside [feed-in tariff, retail price].</summary>
    LocalPriceOutsideTariffs = 2,

    /// <summary>A household's energy or amount is negative or beyond its limit.</summary>
    InvalidPosition = 3,

    /// <summary>More households than <see cref="Reconciliation.MaxHouseholds"/>.</summary>
    TooManyHouseholds = 4,
}

/// <summary>A business rejection of an interval's input.</summary>
/// <param name="Household">The offending household's input position, or null for the prices or the whole input.</param>
/// <param name="Code">What is wrong, for programs.</param>
/// <param name="Message">What is wrong, for people (English).</param>
public sealed record ReconciliationRejection(int? Household, ReconciliationRejectionCode Code, string Message);

/// <summary>
/// The reconciliation of one interval: per household the imbalance by kind and the local/grid split, and the
/// double-entry postings, or a <see cref="Rejection"/>.
/// </summary>
public sealed class ReconciliationResult
{
    internal ReconciliationResult(
        IntervalPrices prices,
        ReconciliationRejection? rejection,
        ImmutableArray<HouseholdReconciliation> households,
        ImmutableArray<ImbalancePosting> postings,
        long shortWh,
        long longWh,
        long nettedWh)
    {
        Prices = prices;
        Rejection = rejection;
        Households = households;
        Postings = postings;
        ShortWh = shortWh;
        LongWh = longWh;
        NettedWh = nettedWh;
    }

    /// <summary>Whether the input was reconciled.</summary>
    public bool IsSuccess => Rejection is null;

    /// <summary>Why the input was rejected; null on success.</summary>
    public ReconciliationRejection? Rejection { get; }

    /// <summary>The prices used.</summary>
    public IntervalPrices Prices { get; }

    /// <summary>One entry per household, in input order (empty when rejected).</summary>
    public ImmutableArray<HouseholdReconciliation> Households { get; }

    /// <summary>
    /// The postings: first the neighbour covers (shorts in input order, each filled from the longs in input order),
    /// then the utility postings in household order. Each moves money from payer to payee, so all postings sum to
    /// zero over the accounts.
    /// </summary>
    public ImmutableArray<ImbalancePosting> Postings { get; }

    /// <summary>Sum of all shortfalls, Wh.</summary>
    public long ShortWh { get; }

    /// <summary>Sum of all surpluses, Wh.</summary>
    public long LongWh { get; }

    /// <summary>Energy netted between neighbours: <c>min(ShortWh, LongWh)</c>, or 0 without a local price.</summary>
    public long NettedWh { get; }

    /// <summary>The utility's balance: retail purchases received minus feed-in paid, 1/10,000 of the currency.</summary>
    public long UtilityNetAmount
    {
        get
        {
            long sum = 0;
            foreach (var p in Postings)
            {
                sum += p.Payee == ImbalancePosting.Utility ? p.Amount : p.Payer == ImbalancePosting.Utility ? -p.Amount : 0;
            }

            return sum;
        }
    }

    internal static ReconciliationResult Rejected(IntervalPrices prices, ReconciliationRejection rejection) =>
        new(prices, rejection, [], [], 0, 0, 0);
}
