using System.Security.Cryptography;

namespace Market.Ledger;

/// <summary>
/// The opening of one household's commitment: its settlement record and the secret salt. Whoever holds it can check
/// the record against the commitment in the ledger (<see cref="ChainVerifierOptions.Openings"/>); the market gives a
/// household its own openings and an authorised auditor everyone's, never the public.
/// </summary>
/// <param name="Salt">32 secret random bytes, one per household record and reconciliation version.</param>
/// <param name="Settlement">The private record.</param>
public sealed record ReconciliationOpening(byte[] Salt, HouseholdSettlement Settlement)
{
    /// <summary>A new opening with a fresh salt from the operating system's CSPRNG.</summary>
    /// <param name="settlement">The record to commit to.</param>
    /// <returns>The opening.</returns>
    public static ReconciliationOpening Create(HouseholdSettlement settlement) =>
        new(RandomNumberGenerator.GetBytes(HouseholdSettlement.SaltSize), settlement);

    /// <summary>The commitment: <see cref="HouseholdSettlement.Commit"/> with this salt.</summary>
    /// <returns>32 bytes.</returns>
    public byte[] Commitment() => Settlement.Commit(Salt);
}
