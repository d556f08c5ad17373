using Market.Ledger;

namespace Market.Witnesses;

/// <summary>A verification failure in one line for people: where (block, trade or entry), the reason, the message.</summary>
internal static class Failures
{
    public static string Describe(VerificationFailure f)
    {
        ArgumentNullException.ThrowIfNull(f);
        var where = f.Height is long h ? $"block {h}" : "the ledger";
        if (f.TradeId is long t)
        {
            where += $", trade {t}";
        }
        else if (f.LeafIndex is int i)
        {
            where += $", entry {i}";
        }

        return $"{where}: {f.Reason}: {f.Message}";
    }
}
