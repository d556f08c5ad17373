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

        var connection = db.Database.GetDbConnection();
        await using var command = connection.CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        var names = new List<string>(candidates.Count);
        var i = 0;
        foreach (var (_, nonce) in candidates)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@n" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            parameter.Value = nonce;
            command.Parameters.Add(parameter);
            names.Add(parameter.ParameterName);
            i++;
        }

        command.CommandText = $"SELECT \"HouseholdId\", \"Nonce\" FROM \"Orders\" WHERE \"Nonce\" IN ({string.Join(", ", names)})";
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await connection.OpenAsync(cancellationToken);
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            used.Add(Key(reader.GetInt64(0), (byte[])reader.GetValue(1)));
        }

        return used;
    }

    /// <summary>The key of a (household, nonce) pair.</summary>
    public static string Key(long householdId, byte[] nonce) => householdId.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + Convert.ToHexString(nonce);

    /// <summary>The refusal of an order whose nonce its household used before.</summary>
    public static OrderResult Replayed() => OrderResult.Reject("nonce", "This nonce was used before by the household: each signed order needs a new one (a replayed order is refused).");
}
