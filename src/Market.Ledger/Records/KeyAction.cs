namespace Market.Ledger;

/// <summary>What a key record does to a signing key.</summary>
public enum KeyAction : byte
{
    /// <summary>The key becomes the valid signing key from the next block on.</summary>
    Introduce = 1,

    /// <summary>The key is no longer valid from the next block on and may never sign again.</summary>
    Retire = 2,
}
