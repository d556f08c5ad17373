using Market.Ledger;
using Statement = Market.Ledger.Statement;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Trading;

/// <summary>
/// Signs household statements (type and body) as one submission on the household's own device: the browser's key for
/// a person, the agent's for the demo's simulated devices. Answers one signature per statement, in order.
/// </summary>
public delegate Task<IReadOnlyList<HouseholdSignature>> StatementSigner(IReadOnlyList<(StatementType Type, byte[] Body)> statements);

/// <summary>One statement of a submission as a device sent it: its type, its body and its signature with the path.</summary>
public sealed record SignedStatement(StatementType Type, byte[] Body, HouseholdSignature Signature, string? Label = null);

/// <summary>The outcome of a submission: every record with its receipt, or the first refusal (nothing stored).</summary>
public sealed record StatementsResult(IReadOnlyList<AcceptedRecord> Accepted, int FailedIndex, string? Field, string? Error)
{
    public bool Succeeded => Error is null;

    public static StatementsResult Refuse(int index, string field, string error) => new([], index, field, error);
}

/// <summary>A stored household record and the operator's signed acceptance receipt for it.</summary>
public sealed record AcceptedRecord(HouseholdRecordEntity Record, AcceptanceReceipt Receipt);

/// <summary>
/// Accepts what a household signs on its own device besides orders: key enrolments and revocations, mandates and
/// their revocations, and cancellations (docs/ledger-format.md §3.1, §5.7). Each statement's signature is checked
/// against the household's keys as they stand after the statements before it; a submission is stored whole or not
/// at all, under the ledger's write lock, so two devices enrolling at once cannot both be a household's first key.
/// </summary>
public sealed class HouseholdStatements(
    IDbContextFactory<MarketDbContext> dbFactory,
    LedgerIdentity identity,
    LedgerWriter ledger,
    HouseholdKeyRing keyRing,
    MarketClock clock)
{
    /// <summary>The most statements one submission may carry through this path.</summary>
    public const int MaxStatements = 16;

    /// <summary>Has <paramref name="sign"/> sign the statements as one submission, then checks and stores them.</summary>
    public async Task<StatementsResult> SignAndSubmitAsync(long householdId, StatementSigner sign, IReadOnlyList<(StatementType Type, byte[] Body)> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sign);
        ArgumentNullException.ThrowIfNull(items);
        var signatures = await sign(items);
        return await SubmitAsync(householdId, items.Select((item, i) => new SignedStatement(item.Type, item.Body, signatures[i])).ToList(), cancellationToken);
    }

    /// <summary>Checks and stores the statements of one household in one transaction.</summary>
    public async Task<StatementsResult> SubmitAsync(long householdId, IReadOnlyList<SignedStatement> statements, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(statements);
        if (statements.Count is 0 or > MaxStatements)
        {
            return StatementsResult.Refuse(0, "statements", $"Send 1 to {MaxStatements} statements.");
        }

        var ledgerId = await identity.IdAsync(cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await LedgerLock.AcquireAsync(db, cancellationToken);
        var household = await db.Households.AsNoTracking().SingleOrDefaultAsync(h => h.Id == householdId, cancellationToken);
        if (household is null)
        {
            return StatementsResult.Refuse(0, "household", "Unknown household.");
        }

        var party = PartyId.FromBytes(household.Pseudonym);
        var keys = await db.HouseholdKeys.Where(k => k.HouseholdId == householdId).ToListAsync(cancellationToken);
        var acceptedAtMs = clock.Now.ToUnixTimeMilliseconds();
        var stored = new List<(HouseholdRecordEntity Record, byte[] Statement)>();
        for (var i = 0; i < statements.Count; i++)
        {
            var (type, body, signature, label) = statements[i];
            var statement = Statement.Encode(ledgerId, party, type, body);
            var hash = Statement.Hash(statement);
            var refusal = await CheckSignerAsync(db, keys, type, body, signature, hash, cancellationToken)
                ?? await ApplyAsync(db, household, keys, type, body, signature, hash, label, acceptedAtMs, cancellationToken);
            if (refusal is { } why)
            {
                await transaction.RollbackAsync(cancellationToken);
                return StatementsResult.Refuse(i, why.Field, why.Error);
            }

            var record = new HouseholdRecordEntity
            {
                HouseholdId = householdId,
                Type = (byte)type,
                Body = body,
                Authorization = signature.EncodeTail(),
                StatementHash = hash,
                AcceptedAtMs = acceptedAtMs,
            };
            db.HouseholdRecords.Add(record);
            await db.SaveChangesAsync(cancellationToken);
            await LinkAsync(db, keys, type, body, record, cancellationToken);
            stored.Add((record, statement));
        }

        var key = await ledger.SigningKeyAsync(db, cancellationToken);
        // One receipt batch per submission: one operator signature for all its records.
        var receipts = AcceptanceReceipt.CreateBatch(
            [.. stored.Select(s => new AcceptanceReceipt.Accepted(s.Statement, s.Record.Id, DateTimeOffset.FromUnixTimeMilliseconds(s.Record.AcceptedAtMs)))], key);
        var accepted = new List<AcceptedRecord>(stored.Count);
        for (var i = 0; i < stored.Count; i++)
        {
            stored[i].Record.ReceiptSignature = receipts[i].Signature;
            stored[i].Record.ReceiptKeyId = key.KeyId;
            accepted.Add(new AcceptedRecord(stored[i].Record, receipts[i]));
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        keyRing.Forget(householdId);
        return new StatementsResult(accepted, -1, null, null);
    }

    private static async Task<(string Field, string Error)?> CheckSignerAsync(
        MarketDbContext db, List<HouseholdKeyEntity> keys, StatementType type, byte[] body, HouseholdSignature signature, byte[] hash, CancellationToken cancellationToken)
    {
        HouseholdKey signer;
        var own = keys.Find(k => k.KeyId.AsSpan().SequenceEqual(signature.KeyId));
        if (own is not null)
        {
            if (own.RevocationRecordId is not null)
            {
                return ("signature", "This device's key was revoked; it can no longer sign for the household.");
            }

            signer = HouseholdKeyRing.ToKey(own);
        }
        else if (type == StatementType.KeyEnrolment && keys.Count == 0 && EnrolledKey(body) is { } first
            && first.Key.KeyId.AsSpan().SequenceEqual(signature.KeyId))
        {
            // The household's first key signs its own enrolment.
            if (first.Role == HouseholdKeyRole.Recovery)
            {
                return ("role", "A household's first key is a device's or an agent's, not the recovery key.");
            }

            signer = first.Key;
        }
        else
        {
            var elsewhere = await db.HouseholdKeys.AsNoTracking().AnyAsync(k => k.KeyId == signature.KeyId, cancellationToken);
            return ("signature", elsewhere
                ? "This key belongs to another household."
                : keys.Count == 0 ? "The household has no key yet: its first key must sign its own enrolment." : "This key is not one of the household's keys.");
        }

        return signature.Verify(signer, hash) ? null : ("signature", "The signature does not match the statement.");
    }

    private static (HouseholdKeyRole Role, HouseholdKey Key)? EnrolledKey(byte[] body)
    {
        if (body.Length < 2 || !Enum.IsDefined((HouseholdKeyRole)body[0]) || !Enum.IsDefined((HouseholdKeyAlgorithm)body[1]))
        {
            return null;
        }

        return HouseholdKey.TryCreate((HouseholdKeyAlgorithm)body[1], body.AsSpan(2), out var key, out _) ? ((HouseholdKeyRole)body[0], key!) : null;
    }

    private async Task<(string Field, string Error)?> ApplyAsync(
        MarketDbContext db,
        Household household,
        List<HouseholdKeyEntity> keys,
        StatementType type,
        byte[] body,
        HouseholdSignature signature,
        byte[] hash,
        string? label,
        long acceptedAtMs,
        CancellationToken cancellationToken)
    {
        switch (type)
        {
            case StatementType.KeyEnrolment:
            {
                if (EnrolledKey(body) is not { } enrolled)
                {
                    return ("publicKey", "The key is not a valid P-256 (65-byte uncompressed) or Ed25519 (32-byte) public key.");
                }

                if (keys.Count > 0 && enrolled.Key.KeyId.AsSpan().SequenceEqual(signature.KeyId))
                {
                    return ("signature", "A new key is authorised by one of the household's keys, not by itself.");
                }

                if (await db.HouseholdKeys.AsNoTracking().AnyAsync(k => k.KeyId == enrolled.Key.KeyId, cancellationToken))
                {
                    return ("publicKey", "This key is already enrolled.");
                }

                var row = new HouseholdKeyEntity
                {
                    HouseholdId = household.Id,
                    KeyId = enrolled.Key.KeyId,
                    Algorithm = (byte)enrolled.Key.Algorithm,
                    PublicKey = enrolled.Key.PublicKey,
                    Role = (byte)enrolled.Role,
                    Label = Label(label, enrolled.Role),
                    EnrolledBy = signature.KeyId,
                    CreatedAtMs = acceptedAtMs,
                };
                keys.Add(row);
                return null;
            }

            case StatementType.KeyRevocation:
            {
                var target = body.Length == 32 ? keys.Find(k => k.KeyId.AsSpan().SequenceEqual(body)) : null;
                if (target is null)
                {
                    return ("keyId", "The household has no such key.");
                }

                if (target.RevocationRecordId is not null)
                {
                    return ("keyId", "This key is already revoked.");
                }

                // Orders it signed that are still open would be invalid in a later book: cancel them now.
                var open = await db.Orders.Where(o => o.HouseholdId == household.Id && o.Status == OrderStatus.Open).ToListAsync(cancellationToken);
                foreach (var order in open.Where(o => SignedBy(o.Authorization, body)))
                {
                    order.Status = OrderStatus.Cancelled;
                    order.Outcome = "KeyRevoked";
                }

                return null;
            }

            case StatementType.Mandate:
            {
                if (!MandateTerms.TryDecodeBody(body, out var terms, out var error))
                {
                    return ("mandate", error!);
                }

                if (terms!.ValidUntilUnix <= clock.Now.ToUnixTimeSeconds())
                {
                    return ("validUntil", "The mandate has already ended.");
                }

                db.Mandates.Add(new MandateEntity
                {
                    HouseholdId = household.Id,
                    MandateId = hash,
                    Terms = body,
                    ValidUntil = terms.ValidUntilUnix,
                    Purpose = string.IsNullOrWhiteSpace(label) ? "household" : label.Trim()[..Math.Min(40, label.Trim().Length)],
                });
                return null;
            }

            case StatementType.MandateRevocation:
            {
                var mandate = body.Length == 32
                    ? await db.Mandates.SingleOrDefaultAsync(m => m.HouseholdId == household.Id && m.MandateId == body, cancellationToken)
                    : null;
                if (mandate is null || mandate.RevocationRecordId is not null)
                {
                    return ("mandate", mandate is null ? "The household has no such mandate." : "This mandate is already revoked.");
                }

                var open = await db.Orders.Where(o => o.HouseholdId == household.Id && o.Status == OrderStatus.Open).ToListAsync(cancellationToken);
                foreach (var order in open.Where(o => o.Authorization.Length == MandateOrder.Size && o.Authorization.AsSpan(1).SequenceEqual(body)))
                {
                    order.Status = OrderStatus.Cancelled;
                    order.Outcome = "MandateRevoked";
                }

                return null;
            }

            case StatementType.Cancellation:
            {
                var order = body.Length == 32
                    ? await db.Orders.SingleOrDefaultAsync(o => o.HouseholdId == household.Id && o.StatementHash == body, cancellationToken)
                    : null;
                if (order is null)
                {
                    return ("order", "The household has no such signed order.");
                }

                if (order.Status != OrderStatus.Open || !clock.IsGateOpen(order.IntervalStart))
                {
                    return ("order", "Only an open order whose gate has not closed can be cancelled.");
                }

                order.Status = OrderStatus.Cancelled;
                return null;
            }

            default:
                return ("type", "Orders are placed through the order endpoints; this statement type is unknown.");
        }
    }

    // After the record has its id: point the key or mandate rows at it.
    private static async Task LinkAsync(MarketDbContext db, List<HouseholdKeyEntity> keys, StatementType type, byte[] body, HouseholdRecordEntity record, CancellationToken cancellationToken)
    {
        switch (type)
        {
            case StatementType.KeyEnrolment:
            {
                var row = keys[^1];
                row.EnrolmentRecordId = record.Id;
                db.HouseholdKeys.Add(row);
                break;
            }

            case StatementType.KeyRevocation:
                keys.Find(k => k.KeyId.AsSpan().SequenceEqual(body))!.RevocationRecordId = record.Id;
                break;
            case StatementType.Mandate:
                (await db.Mandates.SingleAsync(m => m.MandateId == record.StatementHash, cancellationToken)).RecordId = record.Id;
                break;
            case StatementType.MandateRevocation:
                (await db.Mandates.SingleAsync(m => m.MandateId == body, cancellationToken)).RevocationRecordId = record.Id;
                break;
            default:
                break;
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Whether an encoded authorisation tail is a signature by <paramref name="keyId"/>.</summary>
    internal static bool SignedBy(byte[] authorization, ReadOnlySpan<byte> keyId) =>
        authorization.Length > 33 && authorization[0] == 1 && authorization.AsSpan(1, 32).SequenceEqual(keyId);

    private static string Label(string? label, HouseholdKeyRole role)
    {
        var text = label?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return role switch { HouseholdKeyRole.Recovery => "Recovery code", HouseholdKeyRole.Agent => "Agent", _ => "Device" };
        }

        return text.Length <= 60 ? text : text[..60];
    }
}
