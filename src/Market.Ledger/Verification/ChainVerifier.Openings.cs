namespace Market.Ledger;

public sealed partial class ChainVerifier
{
    /// <summary>
    /// An opened household record: it hashes to its commitment, and then every rule of one household's settlement
    /// holds (docs/settlement.md): amounts at the kind's price, sold energy covered, the deviation settled exactly,
    /// and its share of the netted energy what the summary's totals give it (exact up to the largest-remainder Wh,
    /// which needs everyone's records).
    /// </summary>
    private VerificationFailure? CheckOpened(HouseholdReconciliationLeaf h, ReconciliationOpening opening, ReconciliationSummary summary, BlockHeader header, int leafIndex)
    {
        var height = header.Height;
        var r = opening.Settlement;
        if (!opening.Commitment().AsSpan().SequenceEqual(h.Commitment))
        {
            return Fail(VerificationFailureReason.OpeningMismatch, height,
                $"the opening of household {h.Household} does not hash to its commitment: the record or the salt is not what was sealed", leafIndex: leafIndex);
        }

        PostingTotal[] kinds = [r.CoveredByNeighbours, r.ProvidedToNeighbours, r.BoughtFromUtility, r.SoldToUtility];
        var problem = r.IntervalEnd != header.IntervalEnd ? "the opened record names another interval end than its block"
            : (r.ExportWh | r.ImportWh) < 0 || kinds.Any(k => (k.EnergyWh | k.Amount) < 0) ? "energies and amounts must not be negative"
            : r.BoughtFromUtility.Postings > 1 || r.SoldToUtility.Postings > 1 ? "a household has at most one utility posting of each kind"
            : null;
        if (problem is not null)
        {
            return Fail(VerificationFailureReason.InvalidReconciliation, height, problem, leafIndex: leafIndex);
        }

        var local = summary.LocalPrice ?? 0;
        problem = summary.LocalPrice is null && (r.CoveredByNeighbours.EnergyWh | r.ProvidedToNeighbours.EnergyWh) != 0
                ? "neighbours cover each other only at a local price; this interval has none"
            : !r.CoveredByNeighbours.IsRoundingOf(local) ? RoundingProblem("covered by neighbours", r.CoveredByNeighbours, local)
            : !r.ProvidedToNeighbours.IsRoundingOf(local) ? RoundingProblem("provided to neighbours", r.ProvidedToNeighbours, local)
            : !r.BoughtFromUtility.IsRoundingOf(summary.RetailPrice) ? RoundingProblem("bought from the utility", r.BoughtFromUtility, summary.RetailPrice)
            : !r.SoldToUtility.IsRoundingOf(summary.FeedInTariff) ? RoundingProblem("sold to the utility", r.SoldToUtility, summary.FeedInTariff)
            : null;
        if (problem is not null)
        {
            return Fail(VerificationFailureReason.ImbalanceMismatch, height, problem, leafIndex: leafIndex);
        }

        Int128 covered = r.CoveredByNeighbours.EnergyWh, bought = r.BoughtFromUtility.EnergyWh;
        var unused = Int128.Max(0, (Int128)h.BoughtWh - r.ImportWh);
        if (h.SoldWh > r.ExportWh + covered + bought + unused)
        {
            return Fail(VerificationFailureReason.SoldNotCovered, height,
                $"household {h.Household} sold {h.SoldWh} Wh but exported {r.ExportWh} Wh, was covered for {covered + bought} Wh and left {unused} Wh of its purchases unused", leafIndex: leafIndex);
        }

        var deviation = (Int128)r.ExportWh - r.ImportWh - h.SoldWh + h.BoughtWh;
        Int128 shortfall = Int128.Max(0, -deviation), surplus = Int128.Max(0, deviation);
        problem = covered + bought != shortfall || (Int128)r.ProvidedToNeighbours.EnergyWh + r.SoldToUtility.EnergyWh != surplus
                ? $"household {h.Household} deviates by {deviation} Wh but its postings settle {covered + bought} Wh short and {(Int128)r.ProvidedToNeighbours.EnergyWh + r.SoldToUtility.EnergyWh} Wh long"
            : !IsShare(r.CoveredByNeighbours.EnergyWh, shortfall, summary.NettedWh, summary.ShortfallWh)
                ? $"household {h.Household} was covered for {covered} Wh of its {shortfall} Wh shortfall, not its pro-rata share of the {summary.NettedWh} Wh netted against the community's {summary.ShortfallWh} Wh"
            : !IsShare(r.ProvidedToNeighbours.EnergyWh, surplus, summary.NettedWh, summary.SurplusWh)
                ? $"household {h.Household} provided {r.ProvidedToNeighbours.EnergyWh} Wh of its {surplus} Wh surplus, not its pro-rata share of the {summary.NettedWh} Wh netted against the community's {summary.SurplusWh} Wh"
            : null;
        if (problem is not null)
        {
            return Fail(VerificationFailureReason.ImbalanceMismatch, height, problem, leafIndex: leafIndex);
        }

        if (_options.MeterReadings is { } readings)
        {
            var failure = CheckReading(readings, r, header, leafIndex);
            if (failure is not null)
            {
                return failure;
            }
        }

        _openingsChecked++;
        return null;
    }

    /// <summary>Whether <paramref name="share"/> is <c>total × weight / sum</c> rounded down, or one more when it
    /// leaves a remainder (largest-remainder rounding gives each weight one of the two).</summary>
    private static bool IsShare(long share, Int128 weight, long total, long sum)
    {
        if (weight == 0 || weight > sum)
        {
            return weight == 0 && share == 0;
        }

        var product = total * weight;
        var floor = product / sum;
        return share == floor || (product % sum != 0 && share == floor + 1);
    }

    private VerificationFailure? CheckReading(IMeterReadingSource readings, HouseholdSettlement r, BlockHeader header, int leafIndex)
    {
        if (readings.Find(r.Household, header.IntervalStart, header.IntervalEnd, r.ReadingVersion) is not { } reading)
        {
            return Fail(VerificationFailureReason.ReadingMissing, header.Height,
                $"no meter reading version {r.ReadingVersion} of household {r.Household} for this interval", leafIndex: leafIndex);
        }

        if (!reading.Hash().AsSpan().SequenceEqual(r.ReadingHash))
        {
            return Fail(VerificationFailureReason.ReadingMismatch, header.Height,
                $"meter reading version {r.ReadingVersion} of household {r.Household} does not hash to the sealed reading hash: it changed after sealing", leafIndex: leafIndex);
        }

        if (reading.ExportWh != r.ExportWh || reading.ImportWh != r.ImportWh)
        {
            return Fail(VerificationFailureReason.ReadingMismatch, header.Height,
                $"the sealed export and import of household {r.Household} are not those of its meter reading", leafIndex: leafIndex);
        }

        _readingsChecked++;
        return null;
    }

    /// <summary>
    /// Every household record of the block is opened (each one passed <see cref="CheckOpened"/>, in pseudonym order):
    /// the summary's totals are the records' sums, and each household's neighbour postings are exactly what the
    /// settlement gives: the pro-rata split with largest remainders, shorts paired with longs in pseudonym order, each
    /// pair's amount rounded on its own.
    /// </summary>
    private static VerificationFailure? CheckFully(HouseholdSettlement[] records, ReconciliationSummary summary, long height)
    {
        Int128 exported = 0, imported = 0, shortfall = 0, surplus = 0;
        var shorts = new long[records.Length];
        var longs = new long[records.Length];
        for (var i = 0; i < records.Length; i++)
        {
            var r = records[i];
            exported += r.ExportWh;
            imported += r.ImportWh;

            // What each record settles, which CheckOpened found equal to its deviation and within the summary's totals.
            shorts[i] = r.CoveredByNeighbours.EnergyWh + r.BoughtFromUtility.EnergyWh;
            longs[i] = r.ProvidedToNeighbours.EnergyWh + r.SoldToUtility.EnergyWh;
            shortfall += shorts[i];
            surplus += longs[i];
        }

        (string What, Int128 Sum, long Total)[] sums =
        [
            ("export", exported, summary.ExportWh), ("import", imported, summary.ImportWh),
            ("shortfall", shortfall, summary.ShortfallWh), ("surplus", surplus, summary.SurplusWh),
        ];
        (string What, Func<HouseholdSettlement, PostingTotal> Of, PostingTotal Total)[] kinds =
        [
            ("neighbour cover paid", r => r.CoveredByNeighbours, summary.NeighbourCover),
            ("neighbour cover received", r => r.ProvidedToNeighbours, summary.NeighbourCover),
            ("utility purchase", r => r.BoughtFromUtility, summary.UtilityPurchase),
            ("utility feed-in", r => r.SoldToUtility, summary.UtilityFeedIn),
        ];
        var problem = sums.Where(s => s.Sum != s.Total).Select(s => $"the summary's {s.What} is {s.Total} Wh, the opened records add up to {s.Sum} Wh").FirstOrDefault()
            ?? kinds.Select(k => (k.What, k.Total, Postings: Total(records, r => k.Of(r).Postings), Energy: Total(records, r => k.Of(r).EnergyWh), Amount: Total(records, r => k.Of(r).Amount)))
                .Where(k => k.Postings != k.Total.Postings || k.Energy != k.Total.EnergyWh || k.Amount != k.Total.Amount)
                .Select(k => $"the summary's {k.What} is {k.Total.Postings} postings, {k.Total.EnergyWh} Wh, {k.Total.Amount}; the opened records add up to {k.Postings}, {k.Energy} Wh, {k.Amount}")
                .FirstOrDefault();
        if (problem is not null)
        {
            return Fail(VerificationFailureReason.TotalsMismatch, height, problem, leafIndex: 0);
        }

        var local = summary.LocalPrice ?? 0;
        var covered = NettingShares.SplitProRata(summary.NettedWh, shorts, summary.ShortfallWh);
        var provided = NettingShares.SplitProRata(summary.NettedWh, longs, summary.SurplusWh);
        var paid = new PostingTotal[records.Length];
        var received = new PostingTotal[records.Length];
        NettingShares.PairNorthWest(covered, provided, (i, j, wh) =>
        {
            var amount = Money.TryAmount(wh, local, out var a) ? a : long.MinValue;
            paid[i] = new PostingTotal(paid[i].Postings + 1, paid[i].EnergyWh + wh, Add(paid[i].Amount, amount));
            received[j] = new PostingTotal(received[j].Postings + 1, received[j].EnergyWh + wh, Add(received[j].Amount, amount));
        });
        for (var i = 0; i < records.Length; i++)
        {
            var r = records[i];
            if (r.CoveredByNeighbours != paid[i] || r.ProvidedToNeighbours != received[i])
            {
                return Fail(VerificationFailureReason.ImbalanceMismatch, height,
                    $"household {r.Household}'s neighbour postings (covered {Describe(r.CoveredByNeighbours)}, provided {Describe(r.ProvidedToNeighbours)}) are not the settlement's exact pro-rata split and pairing (covered {Describe(paid[i])}, provided {Describe(received[i])})",
                    leafIndex: i + 1);
            }
        }

        return null;
    }

    private static Int128 Total(HouseholdSettlement[] records, Func<HouseholdSettlement, long> value) =>
        records.Aggregate(Int128.Zero, (sum, r) => sum + value(r));

    /// <summary>Adds amounts; an amount beyond 64 bits stays <see cref="long.MinValue"/>, which no record can match.</summary>
    private static long Add(long sum, long amount) =>
        sum == long.MinValue || amount == long.MinValue || sum > long.MaxValue - amount ? long.MinValue : sum + amount;

    private static string Describe(PostingTotal t) => $"{t.EnergyWh} Wh in {t.Postings} postings for {t.Amount}";
}
