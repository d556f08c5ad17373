using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Market.Cli.Bench;
using Market.Matching;

namespace Market.Cli.Json;

/// <summary>
/// The JSON that <c>market clear</c> writes (see docs/cli.md), and the input documents of <c>market bench book</c>,
/// written with <see cref="Utf8JsonWriter"/> straight to UTF-8, because a result can hold half a million trades.
/// </summary>
/// <remarks>
/// The loops are fully optimised at first call: <c>market clear</c> runs them once per process, where tiered
/// compilation would leave them in quick, unoptimised code for most of a large file.
/// </remarks>
internal static class ClearJson
{
    /// <summary>Flush the writer to its stream whenever this much is pending, so output is streamed, not buffered whole.</summary>
    private const int FlushThreshold = 1 << 16;

    /// <summary>The structure is fixed by the code below, so the writer need not re-check it for every value.</summary>
    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };

    private static readonly JsonEncodedText PriceName = JsonEncodedText.Encode("price");
    private static readonly JsonEncodedText EnergyName = JsonEncodedText.Encode("energy");
    private static readonly JsonEncodedText TradesName = JsonEncodedText.Encode("trades");
    private static readonly JsonEncodedText BuyName = JsonEncodedText.Encode("buy");
    private static readonly JsonEncodedText SellName = JsonEncodedText.Encode("sell");
    private static readonly JsonEncodedText MechanismName = JsonEncodedText.Encode("mechanism");
    private static readonly JsonEncodedText OrdersName = JsonEncodedText.Encode("orders");
    private static readonly JsonEncodedText IdName = JsonEncodedText.Encode("id");
    private static readonly JsonEncodedText SideName = JsonEncodedText.Encode("side");
    private static readonly JsonEncodedText SeqName = JsonEncodedText.Encode("seq");
    private static readonly JsonEncodedText BuyValue = JsonEncodedText.Encode("buy");
    private static readonly JsonEncodedText SellValue = JsonEncodedText.Encode("sell");

    /// <summary>Writes <c>{"price": p|null, "energy": volume, "trades": [...]}</c> and a newline.</summary>
    /// <remarks>
    /// Each trade object is formatted here and handed to the writer as one raw value: five writer calls per trade
    /// cost several times more for half a million trades. Ids are escaped exactly as <see cref="Utf8JsonWriter"/>
    /// escapes strings (the default encoder), so the output is the same as writing property by property.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WriteResult(Stream stream, ClearRequest request, ClearingResult result)
    {
        var scratch = new byte[256];
        using (var writer = new Utf8JsonWriter(stream, WriterOptions))
        {
            writer.WriteStartObject();
            if (result.Price is { } price)
            {
                writer.WriteNumber(PriceName, price);
            }
            else
            {
                writer.WriteNull(PriceName);
            }

            writer.WriteNumber(EnergyName, result.VolumeWh);
            writer.WriteStartArray(TradesName);
            foreach (var trade in result.Trades.AsSpan())
            {
                var buy = request.IdUtf8(trade.BuyIndex);
                var sell = request.IdUtf8(trade.SellIndex);

                // Worst case: every id byte escaped as \uXXXX, two 20-digit numbers and the punctuation.
                var worst = (6 * (buy.Length + sell.Length)) + 128;
                if (scratch.Length < worst)
                {
                    scratch = new byte[worst * 2];
                }

                var span = scratch.AsSpan();
                var length = Append(span, "{\"buy\":"u8, 0);
                length = AppendString(span, buy, length);
                length = Append(span, ",\"sell\":"u8, length);
                length = AppendString(span, sell, length);
                length = Append(span, ",\"energy\":"u8, length);
                length = AppendNumber(span, trade.EnergyWh, length);
                length = Append(span, ",\"price\":"u8, length);
                length = AppendNumber(span, trade.Price, length);
                length = Append(span, "}"u8, length);
                writer.WriteRawValue(span[..length], skipInputValidation: true);
                if (writer.BytesPending > FlushThreshold)
                {
                    writer.Flush();
                }
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        stream.WriteByte((byte)'\n');
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Append(Span<byte> target, ReadOnlySpan<byte> bytes, int at)
    {
        bytes.CopyTo(target[at..]);
        return at + bytes.Length;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int AppendNumber(Span<byte> target, long value, int at)
    {
        Utf8Formatter.TryFormat(value, target[at..], out var written);
        return at + written;
    }

    /// <summary>Letters, digits and <c>- _ . :</c>, which no JSON encoder escapes: the common case, checked inline.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsPlain(ReadOnlySpan<byte> utf8)
    {
        foreach (var b in utf8)
        {
            var plain = b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9')
                or (byte)'-' or (byte)'_' or (byte)'.' or (byte)':';
            if (!plain)
            {
                return false;
            }
        }

        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int AppendString(Span<byte> target, ReadOnlySpan<byte> utf8, int at)
    {
        target[at++] = (byte)'"';
        if (IsPlain(utf8))
        {
            at = Append(target, utf8, at);
        }
        else
        {
            // Anything else (non-ASCII, quotes, HTML-sensitive characters, ...): the writer's own escaping.
            at = Append(target, JsonEncodedText.Encode(utf8).EncodedUtf8Bytes, at);
        }

        target[at++] = (byte)'"';
        return at;
    }

    /// <summary>Writes a generated book as <c>market clear</c> input, ids <c>o1</c>, <c>o2</c>, ...</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WriteBook(Stream stream, RandomBook book)
    {
        Span<byte> id = stackalloc byte[24];
        id[0] = (byte)'o';
        using (var writer = new Utf8JsonWriter(stream, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString(MechanismName, "uniform-price");
            writer.WriteStartArray(OrdersName);
            for (var i = 0; i < book.Count; i++)
            {
                Utf8Formatter.TryFormat(book.Ids[i], id[1..], out var written);
                writer.WriteStartObject();
                writer.WriteString(IdName, id[..(1 + written)]);
                writer.WriteString(SideName, book.Sides[i] == Side.Buy ? BuyValue : SellValue);
                writer.WriteNumber(EnergyName, book.EnergiesWh[i]);
                writer.WriteNumber(PriceName, book.Prices[i]);
                writer.WriteNumber(SeqName, book.Sequences[i]);
                writer.WriteEndObject();
                if (writer.BytesPending > FlushThreshold)
                {
                    writer.Flush();
                }
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        stream.WriteByte((byte)'\n');
    }
}
