using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore;

namespace Market.Web.Trading;

/// <summary>
/// A household's nonce is used once (docs/ledger-format.md §8, <c>OrderReplayed</c>): the same signed order sent twice,
/// or a device that reused a nonce, is refused at intake, or the ledger's verifiers would reject the book it lands in.
/// A unique index on (household, nonce) is the last word; this finds the clash first so it is a plain refusal.
/// </summary>
public static class NonceCheck
{
    /// <summary>Pairs looked up per query.</summary>
    private const int ChunkSize = 256;

    /// <summary>The (household, nonce) pairs of <paramref name="candidates"/> already stored, as "id:hex" keys.</summary>
    public static async Task<HashSet<string>> UsedAsync(MarketDbContext db, IReadOnlyCollection<(long HouseholdId, byte[] Nonce)> candidates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(candidates);
        var used = new HashSet<string>(StringComparer.Ordinal);
        if (candidates.Count == 0)
        {
            return used;
        }

        // (HouseholdId = @h0 AND Nonce = @n0) OR …: each term is answered from the unique (household, nonce) index,
        // the only index on the nonce (a second one would double the random index pages each batch writes). In chunks,
        // so neither SQLite's expression depth (1,000) nor its parameter limit is reached.
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await connection.OpenAsync(cancellationToken);
        }

        foreach (var chunk in candidates.Chunk(ChunkSize))
        {
            await using var command = connection.CreateCommand();
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            var where = new System.Text.StringBuilder();
            for (var i = 0; i < chunk.Length; i++)
            {
                var n = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var h = command.CreateParameter();
                h.ParameterName = "@h" + n;
                h.Value = chunk[i].HouseholdId;
                command.Parameters.Add(h);
                var p = command.CreateParameter();
                p.ParameterName = "@n" + n;
                p.Value = chunk[i].Nonce;
                command.Parameters.Add(p);
                where.Append(i == 0 ? "" : " OR ").Append("(\"HouseholdId\" = @h").Append(n).Append(" AND \"Nonce\" = @n").Append(n).Append(')');
            }

#pragma warning disable CA2100 // Only generated parameter names go into the text; values are parameters.
            command.CommandText = $"SELECT \"HouseholdId\", \"Nonce\" FROM \"Orders\" WHERE {where}";
#pragma warning restore CA2100
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                used.Add(Key(reader.GetInt64(0), (byte[])reader.GetValue(1)));
            }
        }

        return used;
    }

    /// <summary>The key of a (household, nonce) pair.</summary>
    public static string Key(long householdId, byte[] nonce) => householdId.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + Convert.ToHexString(nonce);

    /// <summary>The refusal of an order whose nonce its household used before.</summary>
    public static OrderResult Replayed() => OrderResult.Reject("nonce", "This nonce was used before by the household: each signed order needs a new one (a replayed order is refused).");
}
