using System.Buffers.Binary;
using System.Buffers.Text;

namespace Market.Web.Trading;

/// <summary>
/// A position in a household's list of orders or trades, newest delivery interval first: the last row a page showed,
/// as its (interval start, id). The next page holds the rows strictly after it in that order, so rows added while
/// someone pages (new orders are for later intervals or have higher ids) never shift or repeat what follows
/// (docs/adr/0026). It names no household: the list it applies to is always the caller's own.
/// </summary>
/// <param name="IntervalStart">Delivery interval start of the last row shown, unix seconds.</param>
/// <param name="Id">Id of the last row shown.</param>
public readonly record struct PageCursor(long IntervalStart, long Id)
{
    private const byte Version = 1;
    private const int Length = 17;

    /// <summary>Opaque text for the API and the page: base64url of a version byte and both numbers, big-endian.</summary>
    public string Encode()
    {
        Span<byte> bytes = stackalloc byte[Length];
        bytes[0] = Version;
        BinaryPrimitives.WriteInt64BigEndian(bytes[1..], IntervalStart);
        BinaryPrimitives.WriteInt64BigEndian(bytes[9..], Id);
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>Reads what <see cref="Encode"/> wrote; false for anything else (other lengths, versions, alphabets).</summary>
    public static bool TryDecode(string? text, out PageCursor cursor)
    {
        cursor = default;
        if (string.IsNullOrEmpty(text) || text.Length > 32)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[24];
        if (Base64Url.DecodeFromChars(text, bytes, out var consumed, out var written) != System.Buffers.OperationStatus.Done
            || consumed != text.Length || written != Length || bytes[0] != Version)
        {
            return false;
        }

        cursor = new PageCursor(BinaryPrimitives.ReadInt64BigEndian(bytes[1..]), BinaryPrimitives.ReadInt64BigEndian(bytes[9..]));
        // One spelling per position: padding or other trailing bits would make two texts for the same cursor.
        return cursor.Id > 0 && string.Equals(cursor.Encode(), text, StringComparison.Ordinal);
    }
}

/// <summary>One page of a list, newest first, and where the next (older) page starts; <see cref="Next"/> is null at the end.</summary>
public sealed record ListPage<T>(IReadOnlyList<T> Items, PageCursor? Next);

/// <summary>Which of a household's orders a page holds: any of <paramref name="Statuses"/> (all when null) on <paramref name="Side"/> (both when null).</summary>
public sealed record OrderFilter(IReadOnlyCollection<OrderStatus>? Statuses = null, OrderSide? Side = null)
{
    /// <summary>Orders that can still trade or be cancelled.</summary>
    public static OrderFilter Open(OrderSide? side = null) => new([OrderStatus.Open], side);

    /// <summary>Orders whose interval is decided or that were cancelled.</summary>
    public static OrderFilter Finished(OrderSide? side = null) => new([OrderStatus.Filled, OrderStatus.PartiallyFilled, OrderStatus.Unmatched, OrderStatus.Cancelled], side);
}

/// <summary>Page sizes: the pages show <see cref="PageSize"/>; the API takes 1 to <see cref="MaxLimit"/>, <see cref="DefaultLimit"/> when not given.</summary>
public static class Paging
{
    public const int PageSize = 25;
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;
}
