using System.Text.Json;
using Market.Ledger;

namespace Market.Web.Trading;

/// <summary>The stored form of authorisations: the tail bytes of the order leaf or household record.</summary>
public static class OrderAuthorizations
{
    /// <summary>The encoded tail of an order's authorisation.</summary>
    public static byte[] Encode(OrderAuthorization authorization)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        var tail = new byte[authorization.TailLength];
        authorization.WriteTail(tail);
        return tail;
    }

    /// <summary>A stored order authorisation; it was valid when stored.</summary>
    public static OrderAuthorization Decode(byte[] tail) =>
        OrderAuthorization.TryDecode(tail, out var authorization, out var error) ? authorization : throw new InvalidOperationException($"stored order authorisation: {error}");

    /// <summary>The receipt as a JSON value for an API answer.</summary>
    public static JsonElement ToJsonElement(this AcceptanceReceipt receipt)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        using var document = JsonDocument.Parse(receipt.ToJson());
        return document.RootElement.Clone();
    }
}
