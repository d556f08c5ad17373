
namespace Market.Matching.Tests;

public sealed class DependencyTests
{
    [Fact]
    public void MatchingAssembly_References_NoWebDatabaseOrJobFramework()
    {
        var references = typeof(DoubleAuction).Assembly.GetReferencedAssemblies();

        references.ShouldNotContain(r => r.Name!.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        references.ShouldNotContain(r => r.Name!.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal));
        references.ShouldNotContain(r => r.Name!.StartsWith("Hangfire", StringComparison.Ordinal));
    }

    [Fact]
    public void MatchingAssembly_References_OnlyTheFramework()
    {
        var references = typeof(DoubleAuction).Assembly.GetReferencedAssemblies();

        references.ShouldAllBe(r => r.Name!.StartsWith("System.", StringComparison.Ordinal) || r.Name == "System" || r.Name == "netstandard" || r.Name == "mscorlib");
    }
}
