namespace Market.Ledger;

/// <summary>The algorithm of a household key (docs/ledger-format.md §3.1).</summary>
public enum HouseholdKeyAlgorithm : byte
{
    /// <summary>ECDSA on P-256 with SHA-256; 65-byte uncompressed public key, 64-byte r ‖ s signatures (WebCrypto).</summary>
    P256 = 1,

    /// <summary>Ed25519 (RFC 8032); 32-byte public key, 64-byte signatures.</summary>
    Ed25519 = 2,
}

/// <summary>What a household key is for.</summary>
public enum HouseholdKeyRole : byte
{
    /// <summary>A browser's key, made and kept by WebCrypto.</summary>
    Device = 1,

    /// <summary>The key derived from the household's recovery code; never enrolls itself.</summary>
    Recovery = 2,

    /// <summary>A program's key on the API (home battery, energy manager).</summary>
    Agent = 3,
}

/// <summary>The type of a household statement (§3.1); 1 … 5 are household records, 6 is an order.</summary>
public enum StatementType : byte
{
    /// <summary>Enrols a key: role, algorithm, public key.</summary>
    KeyEnrolment = 1,

    /// <summary>Revokes a key of the household by key id.</summary>
    KeyRevocation = 2,

    /// <summary>A standing instruction the market may place orders under (<see cref="MandateTerms"/>).</summary>
    Mandate = 3,

    /// <summary>Revokes a mandate by its id (the mandate statement's hash).</summary>
    MandateRevocation = 4,

    /// <summary>Cancels an order by its statement hash.</summary>
    Cancellation = 5,

    /// <summary>An order for one interval.</summary>
    Order = 6,
}
