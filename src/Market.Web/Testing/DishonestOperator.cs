using System.Collections.Concurrent;

namespace Market.Web.Testing;

/// <summary>
/// Lets a test play the dishonest operator the ledger must expose: in the <c>Testing</c> environment only, an order
/// named here is left out of the order book its interval seals, although the market accepted it and signed a receipt.
/// The household's receipt check then has to find it missing and produce a proof of omission. Everywhere else it
/// does nothing.
/// </summary>
public sealed class DishonestOperator(IHostEnvironment environment)
{
    private readonly ConcurrentDictionary<long, bool> _drop = new();
    private readonly bool _enabled = environment.IsEnvironment("Testing");

    /// <summary>Leave this order out of its book when it is sealed.</summary>
    public void DropFromBook(long orderId)
    {
        if (!_enabled)
        {
            throw new InvalidOperationException("Only a test can drop an order from a book.");
        }

        _drop[orderId] = true;
    }

    /// <summary>Whether the order is to be left out.</summary>
    public bool Drops(long orderId) => _enabled && _drop.ContainsKey(orderId);
}
