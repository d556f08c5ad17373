namespace Market.Ledger;

public sealed partial class ChainVerifier
{
    private VerificationFailure? CheckReconciliation(LedgerBlock block, BlockHeader header)
    {
        var height = header.Height;
        if (!_clearings.TryGetValue(header.Reference, out var clearing))
        {
            return Fail(VerificationFailureReason.ClearingMissing, height, "the referenced clearing block is not in the chain before this block");
        }

        var c = clearing.Header;
        if (c.IntervalStart != header.IntervalStart || c.IntervalEnd != header.IntervalEnd || c.Mechanism != header.Mechanism || c.RulesVersion != header.RulesVersion)
        {
            return Fail(VerificationFailureReason.ReferenceMismatch, height, "interval, mechanism or rules version differ from the referenced clearing block");
        }

        if (block.Leaves.Count == 0)
        {
            return Fail(VerificationFailureReason.InvalidReconciliation, height, "a reconciliation block starts with its summary record");
        }

        if (!ReconciliationSummary.TryDecode(block.Leaves.GetSpan(0), out var summary, out var error))
        {
            return Fail(VerificationFailureReason.MalformedLeaf, height, error!, leafIndex: 0);
        }

        if (summary.ReconciliationVersion != clearing.LastReconciliationVersion + 1)
        {
            return Fail(VerificationFailureReason.ReconciliationVersionGap, height,
                $"expected reconciliation version {clearing.LastReconciliationVersion + 1} of this interval, found {summary.ReconciliationVersion}", leafIndex: 0);
        }

        var problem = summary.SettlementRulesVersion != 1 ? $"unknown settlement rules version {summary.SettlementRulesVersion}"
            : summary.FeedInTariff < 0 || summary.RetailPrice < summary.FeedInTariff ? "prices need 0 <= feed-in <= retail"
            : summary.LocalPrice is { } lp && (lp < summary.FeedInTariff || lp > summary.RetailPrice) ? "the local price lies outside [feed-in, retail]"
            : block.Leaves.Count != (long)summary.HouseholdCount + 1 ? $"the summary names {summary.HouseholdCount} households, the block has {block.Leaves.Count - 1}"
            : clearing.HasTrades != summary.LocalPrice.HasValue ? "an interval has a local price exactly when it had trades"
            : clearing.SinglePrice is { } price && header.Mechanism == ClearingMechanisms.UniformPriceDoubleAuction && summary.LocalPrice != price
                ? $"the local price {summary.LocalPrice} is not the clearing price {price}"
            : null;
        if (problem is not null)
        {
            return Fail(VerificationFailureReason.InvalidReconciliation, height, problem, leafIndex: 0);
        }

        var rules = clearing.Rules;
        if (summary.RetailPrice != rules.PriceCeiling || summary.FeedInTariff != rules.PriceFloor)
        {
            return Fail(VerificationFailureReason.TariffNotInForce, height,
                $"retail {summary.RetailPrice} and feed-in {summary.FeedInTariff} are not the tariffs of rules version {rules.RulesVersion}, under which the interval was cleared: retail {rules.PriceCeiling} (the price ceiling), feed-in {rules.PriceFloor} (the price floor)", leafIndex: 0);
        }

        problem = TotalsProblem(summary, clearing.TradedWh);
        if (problem is not null)
        {
            return Fail(VerificationFailureReason.TotalsInconsistent, height, problem, leafIndex: 0);
        }

        var households = new HouseholdReconciliationLeaf[summary.HouseholdCount];
        var opened = new List<HouseholdSettlement>(households.Length);
        for (var i = 0; i < households.Length; i++)
        {
            var leafIndex = i + 1;
            if (!HouseholdReconciliationLeaf.TryDecode(block.Leaves.GetSpan(leafIndex), out var h, out error))
            {
                return Fail(VerificationFailureReason.MalformedLeaf, height, error!, leafIndex: leafIndex);
            }

            var failure = CheckHousehold(h, i == 0 ? null : households[i - 1], clearing, height, leafIndex);
            if (failure is null && _openings.TryGetValue((header.IntervalStart, summary.ReconciliationVersion, h.Household), out var opening))
            {
                failure = CheckOpened(h, opening, summary, header, leafIndex);
                opened.Add(opening.Settlement);
            }

            if (failure is not null)
            {
                return failure;
            }

            households[i] = h;
        }

        _householdRecords += households.Length;
        var listed = households.Select(h => h.Household).ToHashSet();
        foreach (var party in clearing.Parties.Keys.Order(Comparer<PartyId>.Create(HouseholdReconciliationLeaf.Compare)))
        {
            if (!listed.Contains(party))
            {
                return Fail(VerificationFailureReason.TradedEnergyMismatch, height, $"household {party} traded in this interval but has no reconciliation record");
            }
        }

        if (opened.Count == households.Length)
        {
            var failure = CheckFully([.. opened], summary, height);
            if (failure is not null)
            {
                return failure;
            }

            _fullyChecked++;
        }

        clearing.LastReconciliationVersion = summary.ReconciliationVersion;
        _reconciliationCount++;
        return null;
    }

    private static VerificationFailure? CheckHousehold(HouseholdReconciliationLeaf h, HouseholdReconciliationLeaf? previous, ClearedInterval clearing, long height, int leafIndex)
    {
        if (h.Household == default || (previous is not null && HouseholdReconciliationLeaf.Compare(previous.Household, h.Household) >= 0))
        {
            return Fail(VerificationFailureReason.InvalidReconciliation, height, "households are in strictly increasing pseudonym order and not zero (the utility)", leafIndex: leafIndex);
        }

        if ((h.SoldWh | h.BoughtWh) < 0)
        {
            return Fail(VerificationFailureReason.InvalidReconciliation, height, "energies must not be negative", leafIndex: leafIndex);
        }

        var traded = clearing.Parties.GetValueOrDefault(h.Household);
        return traded.Sold != h.SoldWh || traded.Bought != h.BoughtWh
            ? Fail(VerificationFailureReason.TradedEnergyMismatch, height,
                $"household {h.Household} records sold {h.SoldWh} Wh, bought {h.BoughtWh} Wh; the clearing block's trades say sold {traded.Sold} Wh, bought {traded.Bought} Wh", leafIndex: leafIndex)
            : null;
    }

    /// <summary>
    /// What the public can check of a summary: its totals agree with each other and with the interval's trades under
    /// the settlement rules. Every trader has a record whose sold and bought are its trades', so the households' sold
    /// and bought energy both add up to the traded energy: Σ surplus − Σ shortfall = Σ export − Σ import.
    /// </summary>
    private static string? TotalsProblem(ReconciliationSummary s, Int128 tradedWh)
    {
        long? local = s.LocalPrice;
        var netted = local is null ? 0 : Math.Min(s.ShortfallWh, s.SurplusWh);
        var households = s.HouseholdCount;
        return (s.ExportWh | s.ImportWh | s.ShortfallWh | s.SurplusWh | s.NettedWh) < 0 ? "totals must not be negative"
            : (Int128)s.SurplusWh - s.ShortfallWh != (Int128)s.ExportWh - s.ImportWh
                ? $"surplus {s.SurplusWh} Wh minus shortfall {s.ShortfallWh} Wh is not export {s.ExportWh} Wh minus import {s.ImportWh} Wh (sold and bought energy cancel out)"
            : s.ShortfallWh > s.ImportWh + tradedWh || s.SurplusWh > s.ExportWh + tradedWh
                ? "the shortfall exceeds import plus energy sold, or the surplus exceeds export plus energy bought"
            : s.NettedWh != netted ? $"netted {s.NettedWh} Wh is not {(local is null ? "0 (no local price)" : $"min(shortfall, surplus) = {netted} Wh")}"
            : s.NeighbourCover.EnergyWh != netted ? $"neighbour cover of {s.NeighbourCover.EnergyWh} Wh is not the netted {netted} Wh"
            : s.UtilityPurchase.EnergyWh != s.ShortfallWh - netted ? $"the utility purchases of {s.UtilityPurchase.EnergyWh} Wh are not the shortfall left after netting, {s.ShortfallWh - netted} Wh"
            : s.UtilityFeedIn.EnergyWh != s.SurplusWh - netted ? $"the feed-in of {s.UtilityFeedIn.EnergyWh} Wh is not the surplus left after netting, {s.SurplusWh - netted} Wh"
            : s.UtilityPurchase.Postings > households || s.UtilityFeedIn.Postings > households || s.NeighbourCover.Postings > Math.Max(0, households - 1)
                ? "more postings than households can have (one utility posting each, at most households - 1 neighbour covers)"
            : !s.NeighbourCover.IsRoundingOf(local ?? 0) ? RoundingProblem("neighbour cover", s.NeighbourCover, local ?? 0)
            : !s.UtilityPurchase.IsRoundingOf(s.RetailPrice) ? RoundingProblem("utility purchase", s.UtilityPurchase, s.RetailPrice)
            : !s.UtilityFeedIn.IsRoundingOf(s.FeedInTariff) ? RoundingProblem("utility feed-in", s.UtilityFeedIn, s.FeedInTariff)
            : null;
    }

    private static string RoundingProblem(string what, PostingTotal t, long price) =>
        $"{what}: {t.Amount} for {t.EnergyWh} Wh in {t.Postings} postings is not {t.EnergyWh} Wh x {price} / 1000 with each posting rounded half up";
}
