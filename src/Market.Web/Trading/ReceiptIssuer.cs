using Market.Ledger;
using Statement = Market.Ledger.Statement;

namespace Market.Web.Trading;

/// <summary>
/// Signs acceptance receipts with the operator's current ledger key (docs/ledger-format.md §11.1): the household's
/// proof that the market took its signed order at this sequence, for this interval, at this time. The intake writer
/// signs the receipts of each commit under one signature (<see cref="Sign"/>, ADR 31); a receipt asked for on its own
/// (an idempotent retry, an order placed from a page) is a batch of one.
/// </summary>
public sealed class ReceiptIssuer(LedgerIdentity identity, LedgerWriter ledger, MarketClock clock)
{
    /// <summary>The receipt of a signed order; null for an unsigned one.</summary>
    public async Task<AcceptanceReceipt?> ForOrderAsync(Household household, OrderEntity order, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(household);
        ArgumentNullException.ThrowIfNull(order);
        if (order.StatementHash.Length == 0)
        {
            return null;
        }

        var ledgerId = await identity.IdAsync(cancellationToken);
        var statement = Statement.Encode(
            ledgerId,
            PartyId.FromBytes(household.Pseudonym),
            StatementType.Order,
            Statement.OrderBody(order.IntervalStart, clock.Next(order.IntervalStart), order.Side, order.EnergyWh, order.LimitPrice, order.Nonce));
        return Sign([new AcceptanceReceipt.Accepted(statement, order.Id, DateTimeOffset.FromUnixTimeMilliseconds(order.CreatedAtMs))])[0];
    }

    /// <summary>Signs the receipts of statements accepted together (one committed batch) with one signature, now.</summary>
    public AcceptanceReceipt[] Sign(IReadOnlyList<AcceptanceReceipt.Accepted> accepted) =>
        accepted.Count == 0 ? [] : AcceptanceReceipt.CreateBatch(accepted, ledger.Key);
}
