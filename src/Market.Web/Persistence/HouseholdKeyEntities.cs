namespace Market.Web.Persistence;

/// <summary>
/// A statement a household signed on its own device (docs/ledger-format.md §3.1, §5.7): a key enrolment or
/// revocation, a mandate or its revocation, or a cancellation. <see cref="Id"/> is its sequence number. It is
/// sealed into the next household block (<see cref="BlockHeight"/>), before any order book that depends on it.
/// </summary>
public sealed class HouseholdRecordEntity
{
    public long Id { get; set; }

    public long HouseholdId { get; set; }

    /// <summary>The statement type (<c>Market.Ledger.StatementType</c>, 1–5).</summary>
    public byte Type { get; set; }

    /// <summary>The statement's body as the ledger record carries it.</summary>
    public byte[] Body { get; set; } = [];

    /// <summary>The encoded authorisation tail: the household key, its signature and the submission path.</summary>
    public byte[] Authorization { get; set; } = [];

    /// <summary>SHA-256 of the statement; what the acceptance receipt names.</summary>
    public byte[] StatementHash { get; set; } = [];

    /// <summary>Unix milliseconds UTC.</summary>
    public long AcceptedAtMs { get; set; }

    /// <summary>The household block that sealed it; null until then.</summary>
    public long? BlockHeight { get; set; }

    /// <summary>The operator's signature (64 bytes) over the receipt batch of the submission that brought it, and the key id that made it.</summary>
    public byte[] ReceiptSignature { get; set; } = [];

    public byte[] ReceiptKeyId { get; set; } = [];
}

/// <summary>
/// A public key a household enrolled: one per device (a browser's non-extractable key), the recovery key derived
/// from the household's recovery code, or an agent's key. The private key never reaches the market.
/// </summary>
public sealed class HouseholdKeyEntity
{
    public long Id { get; set; }

    public long HouseholdId { get; set; }

    /// <summary>SHA-256(algorithm ‖ public key), unique across the market.</summary>
    public byte[] KeyId { get; set; } = [];

    /// <summary><c>Market.Ledger.HouseholdKeyAlgorithm</c>: 1 P-256, 2 Ed25519.</summary>
    public byte Algorithm { get; set; }

    public byte[] PublicKey { get; set; } = [];

    /// <summary><c>Market.Ledger.HouseholdKeyRole</c>: 1 device, 2 recovery, 3 agent.</summary>
    public byte Role { get; set; }

    /// <summary>What the household called it ("Phone", "Laptop"); not in the ledger.</summary>
    public string Label { get; set; } = "";

    /// <summary>The enrolment record; the key signs from the block that seals it.</summary>
    public long EnrolmentRecordId { get; set; }

    /// <summary>The key id that signed the enrolment (its own for a household's first key).</summary>
    public byte[] EnrolledBy { get; set; } = [];

    /// <summary>The revocation record; null while the key is valid.</summary>
    public long? RevocationRecordId { get; set; }

    public long CreatedAtMs { get; set; }
}

/// <summary>A standing instruction the household signed once: what may be traded for it without asking each time.</summary>
public sealed class MandateEntity
{
    public long Id { get; set; }

    public long HouseholdId { get; set; }

    /// <summary>The mandate id: SHA-256 of its statement; what its orders name.</summary>
    public byte[] MandateId { get; set; } = [];

    /// <summary>The encoded mandate body (docs/ledger-format.md §3.1).</summary>
    public byte[] Terms { get; set; } = [];

    /// <summary>Unix seconds UTC, exclusive.</summary>
    public long ValidUntil { get; set; }

    public long RecordId { get; set; }

    public long? RevocationRecordId { get; set; }

    /// <summary>What it is for: "autopilot", "standing:{id}", "agent" (not in the ledger).</summary>
    public string Purpose { get; set; } = "";
}

/// <summary>
/// A device of a household that made its key and waits for one of the household's devices to authorise it (or for
/// the recovery code). Not evidence: the authorisation itself is a signed enrolment in the ledger.
/// </summary>
public sealed class DeviceRequestEntity
{
    public long Id { get; set; }

    public long HouseholdId { get; set; }

    public byte[] KeyId { get; set; } = [];

    public byte[] PublicKey { get; set; } = [];

    public string Label { get; set; } = "";

    public long CreatedAtMs { get; set; }
}
