
namespace Market.Matching.Tests;

/// <summary>Short constructors for hand-written books.</summary>
internal static class Book
{
    public static Order Bid(long id, long energyWh, long price, long sequence = 0) => new(id, Side.Buy, energyWh, price, sequence);

    public static Order Offer(long id, long energyWh, long price, long sequence = 0) => new(id, Side.Sell, energyWh, price, sequence);

    public static Trade Trade(Order[] book, long buyId, long sellId, long energyWh, long price) =>
        new(buyId, sellId, Array.FindIndex(book, o => o.Id == buyId), Array.FindIndex(book, o => o.Id == sellId), energyWh, price);
}
