using Market.Matching.Grid;

namespace Market.Matching.Tests.Grid;

/// <summary>
/// The shared certificate vectors (tests/grid-cases/certificates.json): the committed file is exactly what the generator
/// makes, and the cases cover valid clearings and every way a certificate can fail. The JavaScript verifier's
/// test/gridCertificate.test.js runs the same file through its port of <see cref="GridCertificate.Check"/>.
/// </summary>
public sealed class CertificateVectorTests
{
    private static readonly Lazy<List<CertificateCase>> Generated = new(CertificateVectors.Cases);

    [Fact]
    public void Generate_CommittedFile_IsByteForByteWhatTheGeneratorMakes()
    {
        var generated = CertificateVectors.Json(Generated.Value);
        if (Environment.GetEnvironmentVariable(CertificateVectors.WriteVariable) == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(CertificateVectors.FilePath)!);
            File.WriteAllBytes(CertificateVectors.FilePath, generated);
        }

        var committed = File.Exists(CertificateVectors.FilePath) ? File.ReadAllBytes(CertificateVectors.FilePath) : [];

        committed.AsSpan().SequenceEqual(generated).ShouldBeTrue(
            "tests/grid-cases/certificates.json differs from what the generator makes. Regenerate with "
            + $"`{CertificateVectors.WriteVariable}=1 dotnet test tests/Market.Matching.Tests --filter FullyQualifiedName~CertificateVector` and commit the file");
    }

    [Fact]
    public void Generate_Twice_GivesTheSameBytes()
    {
        var first = CertificateVectors.Json(Generated.Value);

        var second = CertificateVectors.Json(CertificateVectors.Cases());

        second.AsSpan().SequenceEqual(first).ShouldBeTrue();
    }

    [Fact]
    public void Clearings_FromTheAuction_AreAtLeastFortyWithBindingLimitsAndFeesAndEveryCertificateHolds()
    {
        var clearings = CertificateVectors.Clearings();

        clearings.Count.ShouldBeGreaterThanOrEqualTo(40);
        clearings.Count(c => c.Result.EdgeStates.Any(s => s != EdgeState.Free)).ShouldBeGreaterThanOrEqualTo(30);
        clearings.Count(c => c.Result.FlowsWh.Select((f, n) => f > 0 ? c.Nodes[n].ExportFee : f < 0 ? c.Nodes[n].ImportFee : 0).Any(fee => fee > 0))
            .ShouldBeGreaterThanOrEqualTo(20);
        clearings.Count(c => c.Result.ZonePrices.Distinct().Count() > 1).ShouldBeGreaterThanOrEqualTo(30);
        clearings.Select(c => c.Certificate(c.Name).Expected).ShouldAllBe(e => e == null);
    }

    [Fact]
    public void Cases_EveryCertificateCodeAndEveryNetworkError_IsExpectedSomewhere()
    {
        var expected = Generated.Value.Select(c => c.Expected).OfType<CertificateExpectation>().ToList();

        var codes = expected.GroupBy(e => e.Code).ToDictionary(g => g.Key, g => g.Count());
        var networkCodes = expected.Select(e => e.NetworkCode).OfType<string>().ToHashSet();

        Enum.GetNames<GridCertificateCode>().Where(c => codes.GetValueOrDefault(c) < 5).ShouldBeEmpty();
        Enum.GetNames<GridNetworkErrorCode>().Where(c => !networkCodes.Contains(c)).ShouldBeEmpty();
    }

    [Fact]
    public void Cases_ExpectedToHold_HaveTheFlowOraclesSurplus()
    {
        // The oracle's costs are limit prices times (total energy + 1): only the books with small figures, and limits it can take.
        var holding = Generated.Value
            .Where(c => c.Expected is null && c.Orders.Length > 0 && c.Orders.Sum(o => o.EnergyWh) < 1_000_000)
            .Where(c => c.Limits.All(l => l.ExportWh >= 0 && l.ImportWh >= 0))
            .ToList();

        var wrong = holding.Where(c => Surplus(c) != FlowOracle.Solve(c.Nodes, LimitsInForce(c), c.Orders, c.OrderNodes).Surplus).Select(c => c.Name);

        holding.Count.ShouldBeGreaterThanOrEqualTo(60);
        wrong.ShouldBeEmpty();
    }

    [Fact]
    public void Cases_Names_AreUnique()
    {
        var names = Generated.Value.Select(c => c.Name).ToList();

        names.GroupBy(n => n).Where(g => g.Count() > 1).Select(g => g.Key).ShouldBeEmpty();
    }

    private static EdgeLimit[] LimitsInForce(CertificateCase c) =>
        c.Limits.Length > 0 ? c.Limits : [.. c.Nodes.Select(n => new EdgeLimit(n.ExportCapacityWh, n.ImportCapacityWh))];

    /// <summary>The certificate's surplus: bids' limits times fills, less offers' limits times fills, less each line's fee on its flow.</summary>
    private static Int128 Surplus(CertificateCase c)
    {
        Int128 surplus = 0;
        var flows = new long[c.Nodes.Length];
        for (var i = 0; i < c.Orders.Length; i++)
        {
            var o = c.Orders[i];
            var sold = o.Side == Side.Sell ? c.FilledWh[i] : -c.FilledWh[i];
            surplus -= (Int128)o.Price * sold;
            for (var node = c.OrderNodes[i]; c.Nodes[node].Parent >= 0; node = c.Nodes[node].Parent)
            {
                flows[node] += sold;
            }
        }

        for (var node = 0; node < flows.Length; node++)
        {
            surplus -= flows[node] > 0 ? (Int128)c.Nodes[node].ExportFee * flows[node] : (Int128)c.Nodes[node].ImportFee * -flows[node];
        }

        return surplus;
    }
}
