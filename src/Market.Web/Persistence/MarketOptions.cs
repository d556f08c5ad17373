using System.ComponentModel.DataAnnotations;

namespace Market.Web.Persistence;

/// <summary>The database engine the market runs on.</summary>
public enum MarketDatabase
{
    /// <summary>An embedded SQLite file (default): one node.</summary>
    Sqlite,

    /// <summary>A PostgreSQL server: several app nodes can share it, and the job storage with it.</summary>
    PostgreSql,
}

/// <summary>Where the app keeps its state. Bound from the <c>Market</c> section.</summary>
public sealed class MarketOptions : IValidatableObject
{
    public const string Section = "Market";

    /// <summary><c>Sqlite</c> (default) or <c>PostgreSql</c>.</summary>
    [EnumDataType(typeof(MarketDatabase))]
    public MarketDatabase Database { get; set; } = MarketDatabase.Sqlite;

    /// <summary>Data folder (database, signing key); relative paths are under the content root.</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";

    /// <summary>The operator's secp256k1 signing key (hex); generated here on first start when missing.</summary>
    public string? SigningKeyPath { get; set; }

    /// <summary>Database connection string; required for PostgreSQL, by default a SQLite file in the data folder.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// SQLite only: <c>NORMAL</c> (default) keeps every commit through a crash of the app (WAL mode); <c>FULL</c> also
    /// through a power cut or an operating-system crash, at the cost of one fsync per commit. See docs/performance.md.
    /// </summary>
    [AllowedValues("NORMAL", "FULL")]
    public string SqliteSynchronous { get; set; } = "NORMAL";

    public string ResolveDataDirectory(string contentRoot) =>
        Path.GetFullPath(Path.IsPathRooted(DataDirectory) ? DataDirectory : Path.Combine(contentRoot, DataDirectory));

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Database == MarketDatabase.PostgreSql && string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return new ValidationResult("Market:ConnectionString is required when Market:Database is PostgreSql.", [nameof(ConnectionString)]);
        }
    }
}
