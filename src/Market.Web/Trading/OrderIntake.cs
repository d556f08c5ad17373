using Market.Ledger;
using System.Data.Common;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace Market.Web.Trading;

/// <summary>An order was not stored: the database failed or the app is stopping. Nothing was acknowledged.</summary>
public sealed class OrderNotStoredException : Exception
{
    public OrderNotStoredException()
    {
    }

    public OrderNotStoredException(string message)
        : base(message)
    {
    }

    public OrderNotStoredException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>An already validated order for <see cref="OrderIntake.SubmitManyAsync"/>.</summary>
public sealed record IntakeOrder(long HouseholdId, PlaceOrder Request, IdempotencyKey? Idempotency, AuthorizedOrder Authorized);

/// <summary>
/// Group commit for orders that arrive through the API. Callers validate a request first and then hand it to
/// <see cref="SubmitAsync"/>; one writer drains whatever is queued (at most <see cref="MaxBatch"/>, plus the rest of a
/// submission it started), stores the batch
/// in one transaction and only after the commit completes each caller with its stored order. If the transaction
/// fails, every caller of that batch gets <see cref="OrderNotStoredException"/> and none is acknowledged.
/// Idempotency keys are resolved in the writer, so two requests with the same key in one batch behave exactly like
/// two in a row: the first creates the order, the second replays it (or conflicts when its body differs).
/// </summary>
public sealed partial class OrderIntake(
    IDbContextFactory<MarketDbContext> dbFactory,
    MarketClock clock,
    MarketMetrics metrics,
    FaultPoints faults,
    StorageHealth storage,
    ReceiptIssuer receipts,
    ILogger<OrderIntake> logger) : BackgroundService
{
    /// <summary>The most orders one transaction carries: bounds the time one commit takes.</summary>
    public const int MaxBatch = 512;

    // Bounded so a flood waits in the request pipeline instead of growing memory without limit. An item is one
    // request's orders: one for POST /api/orders, a submission's for POST /api/orders/batch, never split across commits.
    private readonly Channel<PendingOrder[]> _queue = Channel.CreateBounded<PendingOrder[]>(new BoundedChannelOptions(16 * MaxBatch)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    /// <summary>Requests waiting for the writer (not counting the batch being written).</summary>
    public int Queued => _queue.Reader.Count;

    /// <summary>
    /// Queues an already validated order and completes once it is committed: with the stored order (201), the
    /// earlier order of the same <paramref name="idempotency"/> key (replayed) or a key conflict.
    /// </summary>
    /// <exception cref="OrderNotStoredException">The batch's transaction failed, or the app is stopping.</exception>
    /// <remarks><paramref name="authorized"/> is what <see cref="HouseholdKeyRing.AuthorizeAsync"/> made of its signature or mandate.</remarks>
    public async Task<OrderResult> SubmitAsync(long householdId, PlaceOrder request, IdempotencyKey? idempotency, AuthorizedOrder authorized, CancellationToken cancellationToken = default) =>
        await (await SubmitManyAsync([new IntakeOrder(householdId, request, idempotency, authorized)], cancellationToken))[0];

    /// <summary>
    /// Queues several already validated orders as one item: the writer stores them in the same transaction (so their
    /// receipts share a signature). Each task completes as <see cref="SubmitAsync"/>'s would.
    /// </summary>
    /// <exception cref="OrderNotStoredException">The app is stopping (nothing was queued).</exception>
    public async Task<IReadOnlyList<Task<OrderResult>>> SubmitManyAsync(IReadOnlyList<IntakeOrder> orders, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(orders);
        var pending = orders.Select(o => new PendingOrder(o.HouseholdId, o.Request, o.Idempotency, o.Authorized)).ToArray();
        try
        {
            await _queue.Writer.WriteAsync(pending, cancellationToken);
        }
        catch (ChannelClosedException e)
        {
            throw new OrderNotStoredException("The market is stopping; the order was not stored.", e);
        }

        // Not cancellable once queued: the writer decides, and a caller that went away simply misses the answer.
        return [.. pending.Select(p => p.Completion.Task)];
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // On stop, take no more orders but finish those already queued: each of them gets an answer.
        using var stop = stoppingToken.Register(() => _queue.Writer.TryComplete());
        var reader = _queue.Reader;
        var batch = new List<PendingOrder>(MaxBatch);
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < MaxBatch && reader.TryRead(out var pending))
            {
                batch.AddRange(pending);
            }

            await StoreAsync(batch);
            batch.Clear();
        }
    }

    private async Task StoreAsync(List<PendingOrder> batch)
    {
        OrderResult[] results;
        try
        {
            try
            {
                results = await WriteAsync(batch);
            }
            catch (DbException) when (batch.Exists(p => p.Idempotency is not null))
            {
                // Most likely another node stored one of these keys between our check and our insert (a unique
                // violation; the inserts are plain commands, so it surfaces as the provider's DbException). Nothing
                // of ours was committed: look the keys up again (now finding theirs) and write once more.
                results = await WriteAsync(batch);
            }
        }
#pragma warning disable CA1031 // Whatever broke, every waiting request must get its answer, or it would wait forever.
        catch (Exception e)
#pragma warning restore CA1031
        {
            // A storage fault is logged once, with its cause, where it is noticed (StorageHealth); not per batch.
            if (storage.Observe(e) is { } fault)
            {
                LogBatchRefused(logger, batch.Count, fault.Reason);
            }
            else
            {
                LogBatchFailed(logger, e, batch.Count);
            }

            foreach (var pending in batch)
            {
                pending.Completion.TrySetException(new OrderNotStoredException("The order could not be stored; nothing was accepted. Retry with the same Idempotency-Key.", e));
            }

            return;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Completion.TrySetResult(results[i]);
        }
    }

    private async Task<OrderResult[]> WriteAsync(List<PendingOrder> batch)
    {
        while (true)
        {
            var results = await TryWriteAsync(batch);
            if (results is not null)
            {
                return results;
            }

            // A gate closed while the batch was being written; it was rolled back, and the next attempt refuses the
            // orders for that interval as any order arriving after its gate.
        }
    }

    private async Task<OrderResult[]?> TryWriteAsync(List<PendingOrder> batch)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();
        await LedgerLock.EnterIntakeAsync(db, CancellationToken.None);
        var earlier = await EarlierKeysAsync(db, batch);
        var results = new OrderResult?[batch.Count];
        var orders = new OrderEntity?[batch.Count];
        var sameAs = new int[batch.Count];
        var firstWithKey = new Dictionary<(string UserId, string Key), int>();
        var replayIds = new HashSet<long>();
        var createdAtMs = clock.Now.ToUnixTimeMilliseconds();
        for (var i = 0; i < batch.Count; i++)
        {
            sameAs[i] = -1;
            var (householdId, request, idempotency, authorized) = batch[i];
            if (idempotency is null && !clock.IsGateOpen(request.IntervalStart))
            {
                results[i] = GateClosed();
                continue;
            }

            if (idempotency is not null)
            {
                var id = (idempotency.UserId, idempotency.Key);
                if (earlier.TryGetValue(id, out var stored))
                {
                    if (!stored.RequestHash.AsSpan().SequenceEqual(idempotency.RequestHash))
                    {
                        results[i] = OrderResult.KeyConflict();
                    }
                    else
                    {
                        replayIds.Add(stored.OrderId);
                    }

                    continue;
                }

                if (firstWithKey.TryGetValue(id, out var first))
                {
                    if (batch[first].Idempotency!.RequestHash.AsSpan().SequenceEqual(idempotency.RequestHash))
                    {
                        sameAs[i] = first;
                    }
                    else
                    {
                        results[i] = OrderResult.KeyConflict();
                    }

                    continue;
                }

                if (!clock.IsGateOpen(request.IntervalStart))
                {
                    results[i] = GateClosed();
                    continue;
                }

                firstWithKey[id] = i;
            }

            var order = OrderEntity.Open(householdId, request.Side, request.EnergyWh, request.LimitPrice, request.IntervalStart, createdAtMs).With(authorized);
            orders[i] = order;
        }

        // A nonce its household used before (a replayed signed order) is refused, in the batch as against the store.
        var used = await NonceCheck.UsedAsync(db, [.. orders.Where(o => o is not null).Select(o => (o!.HouseholdId, o.Nonce))], CancellationToken.None);
        for (var i = 0; i < orders.Length; i++)
        {
            if (orders[i] is { } order && !used.Add(NonceCheck.Key(order.HouseholdId, order.Nonce)))
            {
                orders[i] = null;
                results[i] = NonceCheck.Replayed();
                foreach (var key in firstWithKey.Where(k => k.Value == i).Select(k => k.Key).ToList())
                {
                    firstWithKey.Remove(key);
                }
            }
        }

        // One prepared statement per table, executed per row in queue order, so ids (the sequence numbers) follow
        // arrival. Cheaper than change tracking for a few hundred plain inserts, and the statement is compiled once.
        await using (var insertOrder = PreparedInsert.Create(db, typeof(OrderEntity)))
        {
            var toInsert = Array.FindAll(orders, o => o is not null);
            var ids = await insertOrder.InsertManyAsync(toInsert!);
            for (var i = 0; i < toInsert.Length; i++)
            {
                toInsert[i]!.Id = ids[i];
            }
        }

        if (firstWithKey.Count > 0)
        {
            await using var insertKey = PreparedInsert.Create(db, typeof(IdempotencyEntity));
            await insertKey.InsertManyAsync([.. firstWithKey.Select(k => (object)new IdempotencyEntity
            {
                UserId = k.Key.UserId,
                Key = k.Key.Key,
                RequestHash = batch[k.Value].Idempotency!.RequestHash,
                OrderId = orders[k.Value]!.Id,
                CreatedAtMs = createdAtMs,
            })]);
        }

        var replayed = replayIds.Count == 0
            ? []
            : await db.Orders.AsNoTracking().Where(o => replayIds.Contains(o.Id)).ToDictionaryAsync(o => o.Id);
        // Checked again now that this transaction holds the write lock (SQLite: the inserts took it; PostgreSQL: the
        // clearing lock is taken shared below): clearing an interval starts only after its gate, so an order that is
        // still inside its gate here is in the book the clearing reads; one whose gate closed meanwhile is refused.
        if (Array.Exists(orders, o => o is not null && !clock.IsGateOpen(o.IntervalStart)))
        {
            await transaction.RollbackAsync();
            return null;
        }

        await faults.ReachedAsync(FaultPoints.IntakeBeforeCommit);
        await transaction.CommitAsync();
        metrics.OrdersAccepted(Array.FindAll(orders, o => o is not null).Length, "api");

        var issued = Receipts(batch, orders, createdAtMs);
        for (var i = 0; i < batch.Count; i++)
        {
            if (results[i] is not null)
            {
                continue;
            }

            if (orders[i] is { } order)
            {
                results[i] = OrderResult.Ok(order) with { Receipt = issued[i] };
            }
            else if (sameAs[i] >= 0)
            {
                results[i] = orders[sameAs[i]] is { } twin ? new OrderResult(twin, null, null) { Replayed = true } : results[sameAs[i]];
            }
            else
            {
                var key = batch[i].Idempotency!;
                results[i] = new OrderResult(replayed[earlier[(key.UserId, key.Key)].OrderId], null, null) { Replayed = true };
            }
        }

        return results!;
    }

    /// <summary>
    /// The acceptance receipts of the batch's new signed orders, all under one signature (ADR 31); null where an order
    /// has none. The orders are committed: should signing fail, the answers go without receipts (a client asks again).
    /// </summary>
    private AcceptanceReceipt?[] Receipts(List<PendingOrder> batch, OrderEntity?[] orders, long createdAtMs)
    {
        var issued = new AcceptanceReceipt?[batch.Count];
        var indexes = new List<int>(batch.Count);
        var accepted = new List<AcceptanceReceipt.Accepted>(batch.Count);
        var at = DateTimeOffset.FromUnixTimeMilliseconds(createdAtMs);
        for (var i = 0; i < batch.Count; i++)
        {
            if (orders[i] is { } order && batch[i].Authorized.Statement.Length > 0)
            {
                indexes.Add(i);
                accepted.Add(new AcceptanceReceipt.Accepted(batch[i].Authorized.Statement, order.Id, at));
            }
        }

        try
        {
            var signed = receipts.Sign(accepted);
            for (var k = 0; k < indexes.Count; k++)
            {
                issued[indexes[k]] = signed[k];
            }
        }
#pragma warning disable CA1031 // The orders are stored: a receipt that could not be signed now is signed when asked for.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogReceiptsFailed(logger, e, accepted.Count);
        }

        return issued;
    }

    /// <summary>
    /// The stored keys among the batch's, in one query: <c>(UserId = @u0 AND Key = @k0) OR …</c>, which every
    /// relational database answers from the unique (UserId, Key) index. Plain SQL with the provider's own quoting
    /// and parameter names, so it runs unchanged on SQLite and PostgreSQL.
    /// </summary>
    private static OrderResult GateClosed() => OrderResult.Reject("interval", "This interval is closed for orders (its gate has closed).");

    private static async Task<Dictionary<(string UserId, string Key), IdempotencyEntity>> EarlierKeysAsync(MarketDbContext db, List<PendingOrder> batch)
    {
        var found = new Dictionary<(string UserId, string Key), IdempotencyEntity>();
        var keys = batch.Where(p => p.Idempotency is not null).Select(p => (p.Idempotency!.UserId, p.Idempotency.Key)).Distinct().ToList();
        if (keys.Count == 0)
        {
            return found;
        }

        var sql = db.GetService<ISqlGenerationHelper>();
        var entity = db.Model.FindEntityType(typeof(IdempotencyEntity))!;
        string Column(string property) => sql.DelimitIdentifier(entity.FindProperty(property)!.GetColumnName());
        var userColumn = Column(nameof(IdempotencyEntity.UserId));
        var keyColumn = Column(nameof(IdempotencyEntity.Key));

        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        var where = new System.Text.StringBuilder();
        for (var i = 0; i < keys.Count; i++)
        {
            var user = AddParameter(command, sql, "u" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), keys[i].UserId);
            var key = AddParameter(command, sql, "k" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), keys[i].Key);
            where.Append(i == 0 ? "" : " OR ").Append('(').Append(userColumn).Append(" = ").Append(user).Append(" AND ").Append(keyColumn).Append(" = ").Append(key).Append(')');
        }

#pragma warning disable CA2100 // Only identifiers from the model and generated parameter names go into the text; values are parameters.
        command.CommandText = $"SELECT {userColumn}, {keyColumn}, {Column(nameof(IdempotencyEntity.RequestHash))}, {Column(nameof(IdempotencyEntity.OrderId))} FROM {sql.DelimitIdentifier(entity.GetTableName()!, entity.GetSchema())} WHERE {where}";
#pragma warning restore CA2100
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var row = new IdempotencyEntity
            {
                UserId = reader.GetString(0),
                Key = reader.GetString(1),
                RequestHash = (byte[])reader.GetValue(2),
                OrderId = reader.GetInt64(3),
            };
            found[(row.UserId, row.Key)] = row;
        }

        return found;
    }

    private static string AddParameter(DbCommand command, ISqlGenerationHelper sql, string name, string value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = sql.GenerateParameterName(name);
        parameter.Value = value;
        command.Parameters.Add(parameter);
        return sql.GenerateParameterNamePlaceholder(name);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Storing a batch of {Count} orders failed; none of them was acknowledged")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The receipts of {Count} stored orders could not be signed with their batch")]
    private static partial void LogReceiptsFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "A batch of {Count} orders was not stored ({Reason}); none of them was acknowledged")]
    private static partial void LogBatchRefused(ILogger logger, int count, string reason);

    private sealed record PendingOrder(long HouseholdId, PlaceOrder Request, IdempotencyKey? Idempotency, AuthorizedOrder Authorized)
    {
        public TaskCompletionSource<OrderResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
