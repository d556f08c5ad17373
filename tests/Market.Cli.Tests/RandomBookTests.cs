using Market.Cli.Bench;

namespace Market.Cli.Tests;

public sealed class RandomBookTests
{
    [Fact]
    public void Generate_SameCountAndSeed_IdenticalBooks()
    {
        var first = RandomBook.Generate(500, 42);

        var second = RandomBook.Generate(500, 42);

        second.ToOrders().ShouldBe(first.ToOrders());
    }

    [Fact]
    public void Generate_OtherSeed_DifferentBook()
    {
        var first = RandomBook.Generate(500, 42);

        var second = RandomBook.Generate(500, 43);

        second.ToOrders().ShouldNotBe(first.ToOrders());
    }

    [Fact]
    public void Generate_AnyBook_ValuesInTheDocumentedRanges()
    {
        var book = RandomBook.Generate(10_000, 1);

        book.Prices.ShouldAllBe(p => p >= RandomBook.MinPrice && p <= RandomBook.MaxPrice);
        book.EnergiesWh.ShouldAllBe(e => e >= RandomBook.MinEnergyWh && e <= RandomBook.MaxEnergyWh);
        book.Sequences.Order().ShouldBe(Enumerable.Range(1, 10_000).Select(i => (long)i));
        book.Ids.ShouldBe(Enumerable.Range(1, 10_000).Select(i => (long)i));
    }

    [Fact]
    public void Generate_FixedSeed_KnownFirstOrder()
    {
        // Pins the generator: a change here changes every published benchmark book.
        var book = RandomBook.Generate(3, 1);

        book.ToOrders()[0].ShouldBe(new Market.Matching.Order(1, Market.Matching.Side.Sell, 3755, 3878, 2));
    }
}
