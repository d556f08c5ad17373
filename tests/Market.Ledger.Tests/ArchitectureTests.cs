namespace Market.Ledger.Tests;

public sealed class ArchitectureTests
{
    private static readonly string[] Forbidden = ["Microsoft.AspNetCore", "Microsoft.EntityFrameworkCore", "Hangfire", "Market.Matching", "Market.Web", "Market.Cli"];

    [Fact]
    public void LedgerAssembly_References_NoWebDatabaseJobOrSiblingAssemblies()
    {
        var assembly = typeof(BlockSealer).Assembly;

        var references = assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        references.Where(name => Forbidden.Any(f => name.StartsWith(f, StringComparison.Ordinal))).ShouldBeEmpty();
        references.ShouldContain("BouncyCastle.Cryptography");
    }
}
