using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Market.Ledger;
using Statement = Market.Ledger.Statement;

namespace Market.E2E.Crash;

/// <summary>
/// The load households of a market run as a separate process are agents: each has a P-256 key of its own, enrolled
/// through the API as the household's first key, and signs every order it posts (one signature per order).
/// </summary>
internal static class CrashAgents
{
    private static readonly ConditionalWeakTable<HttpClient, Agent> Agents = new();

    /// <summary>Makes and enrols the household's agent key; the client's orders are signed with it from now on.</summary>
    public static async Task EnrolAsync(HttpClient http, LoadHouseholdsResponse load, LoadHousehold household)
    {
        var agent = new Agent(ECDsa.Create(ECCurve.NamedCurves.nistP256), Convert.FromHexString(load.LedgerId), PartyId.FromBytes(Convert.FromHexString(household.Pseudonym)), load.IntervalEnd);
        var q = agent.Key.ExportParameters(false).Q;
        var key = HouseholdKey.Create(HouseholdKeyAlgorithm.P256, [0x04, .. q.X!, .. q.Y!]);
        var body = Statement.KeyEnrolmentBody(HouseholdKeyRole.Agent, key);
        var signature = agent.Sign(key.KeyId, Statement.Hash(Statement.Encode(agent.LedgerId, agent.Party, StatementType.KeyEnrolment, body)));
        using var response = await http.PostAsJsonAsync(new Uri("api/household/statements", UriKind.Relative),
            new { statements = new[] { new { type = "keyEnrolment", body = Convert.ToHexStringLower(body), signature = Json(signature) } } });
        response.EnsureSuccessStatusCode();
        Agents.AddOrUpdate(http, agent with { KeyId = key.KeyId });
    }

    /// <summary>The order body, signed by the client's agent (unsigned when the client has none).</summary>
    public static object Body(HttpClient http, string side, long energyWh, long price, DateTimeOffset interval)
    {
        if (!Agents.TryGetValue(http, out var agent))
        {
            return new { side, energyWh, limitPrice = price, intervalStart = interval };
        }

        var nonce = RandomNumberGenerator.GetBytes(16);
        var hash = Statement.Hash(Statement.Encode(agent.LedgerId, agent.Party, StatementType.Order,
            Statement.OrderBody(interval.ToUnixTimeSeconds(), agent.IntervalEnd.ToUnixTimeSeconds(), side == "buy" ? OrderSide.Buy : OrderSide.Sell, energyWh, price, nonce)));
        return new { side, energyWh, limitPrice = price, intervalStart = interval, nonce = Convert.ToHexStringLower(nonce), signature = Json(agent.Sign(agent.KeyId, hash)) };
    }

    private static object Json(HouseholdSignature s) => new
    {
        keyId = Convert.ToHexStringLower(s.KeyId),
        value = Convert.ToHexStringLower(s.Signature),
        submissionSize = s.SubmissionSize,
        index = s.Index,
        path = s.Path.Select(Convert.ToHexStringLower).ToArray(),
    };

    private sealed record Agent(ECDsa Key, byte[] LedgerId, PartyId Party, DateTimeOffset IntervalEnd)
    {
        public byte[] KeyId { get; init; } = [];

        public HouseholdSignature Sign(byte[] keyId, byte[] statementHash)
        {
            var root = HouseholdSignature.SubmissionRoot([statementHash]);
            var value = Key.SignData(HouseholdSignature.SignedMessage(root), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            return HouseholdSignature.ForSubmission([statementHash], keyId, value)[0];
        }
    }
}
