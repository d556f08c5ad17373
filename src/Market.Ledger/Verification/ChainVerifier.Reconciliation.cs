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

        var households = new HouseholdReconciliationLeaf[summary.HouseholdCount];
        for (var i = 0; i < households.Length; i++)
        {
            var leafIndex = i + 1;
            if (!HouseholdReconciliationLeaf.TryDecode(block.Leaves.GetSpan(leafIndex), out var h, out error))
            {
                return Fail(VerificationFailureReason.MalformedLeaf, height, error!, leafIndex: leafIndex);
            }

            var failure = CheckHousehold(h, i == 0 ? null : households[i - 1], summary, clearing, header, leafIndex);
            if (failure is not null)
            {
                return failure;
            }

            households[i] = h;
        }

        var listed = households.Select(h => h.Household).ToHashSet();
        foreach (var party in clearing.Parties.Keys.Order(Comparer<PartyId>.Create(HouseholdReconciliationLeaf.Compare)))
        {
            if (!listed.Contains(party))
            {
                return Fail(VerificationFailureReason.TradedEnergyMismatch, height, $"household {party} traded in this interval but has no reconciliation record");
            }
        }

        var unbalanced = CheckMirroredPostings(households, height);
        if (unbalanced is not null)
        {
            return unbalanced;
        }

        clearing.LastReconciliationVersion = summary.ReconciliationVersion;
        _reconciliationCount++;
        return null;
    }

    private VerificationFailure? CheckHousehold(
        HouseholdReconciliationLeaf h, HouseholdReconciliationLeaf? previous, ReconciliationSummary summary, ClearedInterval clearing, BlockHeader header, int leafIndex)
    {
        var height = header.Height;
        if (h.Household == ImbalanceEntry.Utility || (previous is not null && HouseholdReconciliationLeaf.Compare(previous.Household, h.Household) >= 0))
        {
            return Fail(VerificationFailureReason.InvalidReconciliation, height, "households are in strictly increasing pseudonym order and not zero (the utility)", leafIndex: leafIndex);
        }

        if ((h.SoldWh | h.BoughtWh | h.ExportWh | h.ImportWh) < 0)
        {
            return Fail(VerificationFailureReason.InvalidReconciliation, height, "energies must not be negative", leafIndex: leafIndex);
        }

        var traded = clearing.Parties.GetValueOrDefault(h.Household);
        if (traded.Sold != h.SoldWh || traded.Bought != h.BoughtWh)
        {
            return Fail(VerificationFailureReason.TradedEnergyMismatch, height,
                $"household {h.Household} records sold {h.SoldWh} Wh, bought {h.BoughtWh} Wh; the clearing block's trades say sold {traded.Sold} Wh, bought {traded.Bought} Wh", leafIndex: leafIndex);
        }

        Int128 covered = 0, provided = 0, coveredOrBought = 0;
        foreach (var e in h.Entries)
        {
            var neighbour = e.Kind is ImbalanceEntryKind.CoveredByNeighbour or ImbalanceEntryKind.ProvidedToNeighbour;
            if (neighbour == (e.Counterparty == ImbalanceEntry.Utility) || e.Counterparty == h.Household || e.EnergyWh <= 0)
            {
                return Fail(VerificationFailureReason.InvalidReconciliation, height,
                    "an entry's energy is positive and its counterparty is another household (neighbour kinds) or zero (utility kinds)", leafIndex: leafIndex);
            }

            var price = e.Kind switch
            {
                ImbalanceEntryKind.BoughtFromUtility => summary.RetailPrice,
                ImbalanceEntryKind.SoldToUtility => summary.FeedInTariff,
                _ => summary.LocalPrice,
            };
            if (price is not { } p)
            {
                return Fail(VerificationFailureReason.ImbalanceMismatch, height, "neighbours cover each other only at a local price; this interval has none", leafIndex: leafIndex);
            }

            if (!Money.TryAmount(e.EnergyWh, p, out var amount) || amount != e.Amount)
            {
                return Fail(VerificationFailureReason.ImbalanceMismatch, height,
                    $"{e.Kind} amount {e.Amount} is not {e.EnergyWh} Wh x {p} / 1000 rounded half up ({amount})", leafIndex: leafIndex);
            }

            if (e.HouseholdPays)
            {
                covered += e.EnergyWh;
                coveredOrBought += e.EnergyWh;
            }
            else
            {
                provided += e.EnergyWh;
            }
        }

        var unused = Int128.Max(0, (Int128)h.BoughtWh - h.ImportWh);
        if (h.SoldWh > h.ExportWh + coveredOrBought + unused)
        {
            return Fail(VerificationFailureReason.SoldNotCovered, height,
                $"household {h.Household} sold {h.SoldWh} Wh but exported {h.ExportWh} Wh, was covered for {coveredOrBought} Wh and left {unused} Wh of its purchases unused", leafIndex: leafIndex);
        }

        var deviation = (Int128)h.ExportWh - h.ImportWh - h.SoldWh + h.BoughtWh;
        if (covered != Int128.Max(0, -deviation) || provided != Int128.Max(0, deviation))
        {
            return Fail(VerificationFailureReason.ImbalanceMismatch, height,
                $"household {h.Household} deviates by {deviation} Wh but its entries settle {covered} Wh short and {provided} Wh long", leafIndex: leafIndex);
        }

        return _options.MeterReadings is { } readings ? CheckReading(readings, h, header, leafIndex) : null;
    }

    private VerificationFailure? CheckReading(IMeterReadingSource readings, HouseholdReconciliationLeaf h, BlockHeader header, int leafIndex)
    {
        if (readings.Find(h.Household, header.IntervalStart, header.IntervalEnd, h.ReadingVersion) is not { } reading)
        {
            return Fail(VerificationFailureReason.ReadingMissing, header.Height,
                $"no meter reading version {h.ReadingVersion} of household {h.Household} for this interval", leafIndex: leafIndex);
        }

        if (!reading.Hash().AsSpan().SequenceEqual(h.ReadingHash))
        {
            return Fail(VerificationFailureReason.ReadingMismatch, header.Height,
                $"meter reading version {h.ReadingVersion} of household {h.Household} does not hash to the sealed reading hash: it changed after sealing", leafIndex: leafIndex);
        }

        if (reading.ExportWh != h.ExportWh || reading.ImportWh != h.ImportWh)
        {
            return Fail(VerificationFailureReason.ReadingMismatch, header.Height,
                $"the sealed export and import of household {h.Household} are not those of its meter reading", leafIndex: leafIndex);
        }

        _readingsChecked++;
        return null;
    }

    /// <summary>Every neighbour cover appears twice: as paid by the short household and as received by the long
    /// one, with the same energy and amount; so the postings of a block sum to zero.</summary>
    private static VerificationFailure? CheckMirroredPostings(HouseholdReconciliationLeaf[] households, long height)
    {
        var covers = new Dictionary<(PartyId Payer, PartyId Payee), (long EnergyWh, long Amount, int LeafIndex)>();
        for (var i = 0; i < households.Length; i++)
        {
            foreach (var e in households[i].Entries.Where(e => e.Kind == ImbalanceEntryKind.CoveredByNeighbour))
            {
                covers[(households[i].Household, e.Counterparty)] = (e.EnergyWh, e.Amount, i + 1);
            }
        }

        for (var i = 0; i < households.Length; i++)
        {
            foreach (var e in households[i].Entries.Where(e => e.Kind == ImbalanceEntryKind.ProvidedToNeighbour))
            {
                if (!covers.Remove((e.Counterparty, households[i].Household), out var cover) || cover.EnergyWh != e.EnergyWh || cover.Amount != e.Amount)
                {
                    return Fail(VerificationFailureReason.PostingsUnbalanced, height,
                        $"household {households[i].Household} provided {e.EnergyWh} Wh for {e.Amount} to {e.Counterparty}, which does not record the same cover", leafIndex: i + 1);
                }
            }
        }

        if (covers.Count > 0)
        {
            var ((payer, payee), (energy, amount, leaf)) = covers.MinBy(c => c.Value.LeafIndex);
            return Fail(VerificationFailureReason.PostingsUnbalanced, height,
                $"household {payer} was covered for {energy} Wh for {amount} by {payee}, which does not record providing it", leafIndex: leaf);
        }

        return null;
    }
}
