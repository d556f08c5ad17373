using Market.Ledger;
using Statement = Market.Ledger.Statement;

namespace Market.Web.Trading;

/// <summary>
/// Signs acceptance receipts with the operator's current ledger key (docs/ledger-format.md §11.1): the household's
/// proof that the market took its signed order at this sequence, for this interval, at this time. Receipts asked for
/// while a batch is being signed wait for the next one, and each batch costs one signature over the root of its
/// receipts' tree (ADR 31): under load many orders share a signature, a lone order gets its own at once.
/// </summary>
public sealed class ReceiptIssuer(LedgerIdentity identity, LedgerWriter ledger, MarketClock clock)
{
    /// <summary>The most receipts one signature covers (a path of at most 10 hashes).</summary>
    public const int MaxBatch = 1024;

    private readonly Lock _lock = new();
    private List<Pending> _pending = [];
    private bool _draining;

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
        return await IssueAsync(new AcceptanceReceipt.Accepted(statement, order.Id, DateTimeOffset.FromUnixTimeMilliseconds(order.CreatedAtMs)));
    }

    /// <summary>Signs the receipts of statements accepted together (one committed batch) with one signature, now.</summary>
    public AcceptanceReceipt[] Sign(IReadOnlyList<AcceptanceReceipt.Accepted> accepted) =>
        accepted.Count == 0 ? [] : AcceptanceReceipt.CreateBatch(accepted, ledger.Key);

    /// <summary>The receipt of an accepted statement, signed with the next batch.</summary>
    public Task<AcceptanceReceipt> IssueAsync(AcceptanceReceipt.Accepted accepted)
    {
        var pending = new Pending(accepted);
        bool start;
        lock (_lock)
        {
            _pending.Add(pending);
            start = !_draining;
            _draining = true;
        }

        if (start)
        {
            _ = Task.Run(Drain);
        }

        return pending.Completion.Task;
    }

    private void Drain()
    {
        while (true)
        {
            List<Pending> batch;
            lock (_lock)
            {
                if (_pending.Count == 0)
                {
                    _draining = false;
                    return;
                }

                if (_pending.Count <= MaxBatch)
                {
                    batch = _pending;
                    _pending = [];
                }
                else
                {
                    batch = _pending[..MaxBatch];
                    _pending.RemoveRange(0, MaxBatch);
                }
            }

            try
            {
                var receipts = AcceptanceReceipt.CreateBatch([.. batch.Select(p => p.Accepted)], ledger.Key);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Completion.TrySetResult(receipts[i]);
                }
            }
#pragma warning disable CA1031 // Every waiting caller gets an answer: the failure, when signing failed.
            catch (Exception e)
#pragma warning restore CA1031
            {
                foreach (var pending in batch)
                {
                    pending.Completion.TrySetException(e);
                }
            }
        }
    }

    private sealed record Pending(AcceptanceReceipt.Accepted Accepted)
    {
        public TaskCompletionSource<AcceptanceReceipt> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
