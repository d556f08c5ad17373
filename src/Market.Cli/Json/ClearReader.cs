using System.Runtime.CompilerServices;
using System.Text.Json;
using Market.Matching;

namespace Market.Cli.Json;

/// <summary>
/// Reads <c>market clear</c> input (see docs/cli.md) from a stream with <see cref="Utf8JsonReader"/>, one order at
/// a time through a fixed buffer, so that a million-order file is never held in memory whole.
/// </summary>
/// <remarks>
/// <para>The document is read in units: the root's opening brace, one root property with its value (for
/// <c>orders</c>, just the opening bracket), one order object, a closing bracket or brace. Before each unit the
/// reader's position and state are saved; when the buffer ends inside a unit, the unit is read again from that
/// checkpoint after the buffer has been refilled (and grown, if one unit is larger than the whole buffer).
/// Nothing is recorded until a unit is complete.</para>
/// <para>The loops are fully optimised at first call: <c>market clear</c> runs them once per process, where tiered
/// compilation would leave them in quick, unoptimised code for most of a large file.</para>
/// </remarks>
internal sealed class ClearReader
{
    /// <summary>The buffer size: large enough that refills are rare, small enough to stay in the L2 cache.</summary>
    public const int DefaultBufferSize = 1 << 20;

    private static readonly JsonReaderOptions Options = new() { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 8 };

    private readonly ClearRequest _request;
    private Phase _phase;
    private Mechanism? _mechanism;
    private bool _sawOrders;
    private string? _error;

    private ClearReader(ClearRequest request) => _request = request;

    private enum Phase
    {
        BeforeRoot,
        InRoot,
        InOrders,
        AfterRoot,
    }

    private enum Unit
    {
        Read,
        NeedMore,
        Failed,
        Finished,
    }

    private enum Field
    {
        Id = 1,
        Side = 2,
        Energy = 4,
        Price = 8,
        Seq = 16,
    }

    /// <summary>Parses an input document; on invalid input returns null and a message naming the problem.</summary>
    /// <exception cref="IOException">The stream cannot be read.</exception>
    public static ClearRequest? Read(Stream input, out string? error, int bufferSize = DefaultBufferSize)
    {
        // A typical order is about 70 bytes of JSON.
        var capacity = input.CanSeek ? (int)Math.Min(input.Length / 64, 1 << 26) : 1024;
        var reader = new ClearReader(new ClearRequest(capacity));
        try
        {
            reader.ReadAll(input, bufferSize);
        }
        catch (JsonException exception)
        {
            reader._error = "invalid JSON: " + exception.Message;
        }

        error = reader._error;
        if (error is not null)
        {
            return null;
        }

        reader._request.Mechanism = reader._mechanism ?? Mechanism.UniformPrice;
        return reader._request;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ReadAll(Stream input, int bufferSize)
    {
        var buffer = new byte[Math.Max(bufferSize, 4)];
        int start = 0, end = 0;
        var final = false;
        var first = true;
        var state = new JsonReaderState(Options);
        while (true)
        {
            // Keep the unread bytes, grow if one unit fills the whole buffer, then fill the rest.
            if (start > 0)
            {
                buffer.AsSpan(start, end - start).CopyTo(buffer);
                end -= start;
                start = 0;
            }

            if (end == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }

            while (!final && end < buffer.Length)
            {
                var read = input.Read(buffer, end, buffer.Length - end);
                final = read == 0;
                end += read;
            }

            if (first)
            {
                first = false;
                if (buffer.AsSpan(0, end).StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
                {
                    start = 3;
                }
            }

            var reader = new Utf8JsonReader(buffer.AsSpan(start, end - start), final, state);
            var (unit, consumed, checkpoint) = ReadUnits(ref reader);
            if (unit is Unit.Failed or Unit.Finished)
            {
                return;
            }

            if (final)
            {
                // The reader throws on a truncated final block; this is only a guard against looping forever.
                _error = "invalid JSON: the input ends too early";
                return;
            }

            start += consumed;
            state = checkpoint;
        }
    }

    /// <summary>Reads units until the buffer runs out (returning the last checkpoint), the input fails or ends.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private (Unit Unit, int Consumed, JsonReaderState Checkpoint) ReadUnits(ref Utf8JsonReader reader)
    {
        while (true)
        {
            var consumed = (int)reader.BytesConsumed;
            var checkpoint = reader.CurrentState;
            var unit = _phase switch
            {
                Phase.BeforeRoot => ReadRootStart(ref reader),
                Phase.InRoot => ReadRootMember(ref reader),
                Phase.InOrders => ReadOrderOrEnd(ref reader),
                _ => ReadEnd(ref reader),
            };
            if (unit != Unit.Read)
            {
                return (unit, consumed, checkpoint);
            }
        }
    }

    private Unit ReadRootStart(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            return Unit.NeedMore;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return Fail("the input must be a JSON object with an \"orders\" array");
        }

        _phase = Phase.InRoot;
        return Unit.Read;
    }

    private Unit ReadRootMember(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            return Unit.NeedMore;
        }

        if (reader.TokenType == JsonTokenType.EndObject)
        {
            if (!_sawOrders)
            {
                return Fail("missing field \"orders\"");
            }

            _phase = Phase.AfterRoot;
            return Unit.Read;
        }

        if (reader.ValueTextEquals("mechanism"u8))
        {
            if (_mechanism is not null)
            {
                return Fail("duplicate field \"mechanism\"");
            }

            if (!reader.Read())
            {
                return Unit.NeedMore;
            }

            _mechanism = reader.TokenType != JsonTokenType.String ? null
                : Is(ref reader, "uniform-price"u8) ? Mechanism.UniformPrice
                : Is(ref reader, "pay-as-bid"u8) ? Mechanism.PayAsBid
                : null;
            return _mechanism is null ? Fail("\"mechanism\" must be \"uniform-price\" or \"pay-as-bid\"") : Unit.Read;
        }

        if (reader.ValueTextEquals("orders"u8))
        {
            if (_sawOrders)
            {
                return Fail("duplicate field \"orders\"");
            }

            if (!reader.Read())
            {
                return Unit.NeedMore;
            }

            if (reader.TokenType != JsonTokenType.StartArray)
            {
                return Fail("\"orders\" must be an array");
            }

            _sawOrders = true;
            _phase = Phase.InOrders;
            return Unit.Read;
        }

        return Fail($"unknown field \"{reader.GetString()}\"");
    }

    private Unit ReadEnd(ref Utf8JsonReader reader)
    {
        // After the root object only whitespace may follow: the reader throws on anything else.
        if (reader.Read())
        {
            return Fail("unexpected data after the JSON object");
        }

        return reader.IsFinalBlock ? Unit.Finished : Unit.NeedMore;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Unit ReadOrderOrEnd(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            return Unit.NeedMore;
        }

        if (reader.TokenType == JsonTokenType.EndArray)
        {
            _phase = Phase.InRoot;
            return Unit.Read;
        }

        var index = _request.Count;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return Fail($"orders[{index}] must be an object");
        }

        Field seen = 0;
        int idLength = 0;
        Side side = 0;
        long energy = 0, price = 0, sequence = 0;
        while (true)
        {
            if (!reader.Read())
            {
                return Unit.NeedMore;
            }

            if (reader.TokenType == JsonTokenType.EndObject)
            {
                break;
            }

            var field = FieldOf(ref reader);
            if (field == 0)
            {
                return Fail($"orders[{index}]: unknown field \"{reader.GetString()}\"");
            }

            if ((seen & field) != 0)
            {
                return Fail($"orders[{index}]: duplicate field \"{Name(field)}\"");
            }

            seen |= field;
            if (!reader.Read())
            {
                return Unit.NeedMore;
            }

            switch (field)
            {
                case Field.Id:
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        return Fail($"orders[{index}]: \"id\" must be a string");
                    }

                    // Written past the ids so far, and kept only when the order is added.
                    var buffer = _request.IdBuffer(reader.ValueSpan.Length);
                    if (reader.ValueIsEscaped)
                    {
                        idLength = reader.CopyString(buffer);
                    }
                    else
                    {
                        reader.ValueSpan.CopyTo(buffer);
                        idLength = reader.ValueSpan.Length;
                    }

                    if (idLength == 0)
                    {
                        return Fail($"orders[{index}]: \"id\" must not be empty");
                    }

                    break;
                case Field.Side:
                    side = reader.TokenType != JsonTokenType.String ? 0
                        : Is(ref reader, "buy"u8) ? Side.Buy
                        : Is(ref reader, "sell"u8) ? Side.Sell
                        : 0;
                    if (side == 0)
                    {
                        return Fail($"orders[{index}]: \"side\" must be \"buy\" or \"sell\"");
                    }

                    break;
                default:
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var value))
                    {
                        return Fail($"orders[{index}]: \"{Name(field)}\" must be an integer from {long.MinValue} to {long.MaxValue}");
                    }

                    if (field == Field.Energy)
                    {
                        energy = value;
                    }
                    else if (field == Field.Price)
                    {
                        price = value;
                    }
                    else
                    {
                        sequence = value;
                    }

                    break;
            }
        }

        foreach (var required in (ReadOnlySpan<Field>)[Field.Id, Field.Side, Field.Energy, Field.Price])
        {
            if ((seen & required) == 0)
            {
                return Fail($"orders[{index}]: missing field \"{Name(required)}\"");
            }
        }

        _request.Add(idLength, side, energy, price, sequence);
        return Unit.Read;
    }

    /// <summary>The order field a property name names, or 0; by length first, as this runs for every property.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Field FieldOf(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped)
        {
            return reader.ValueTextEquals("id"u8) ? Field.Id
                : reader.ValueTextEquals("side"u8) ? Field.Side
                : reader.ValueTextEquals("energy"u8) ? Field.Energy
                : reader.ValueTextEquals("price"u8) ? Field.Price
                : reader.ValueTextEquals("seq"u8) ? Field.Seq
                : 0;
        }

        var name = reader.ValueSpan;
        return name.Length switch
        {
            2 when name.SequenceEqual("id"u8) => Field.Id,
            3 when name.SequenceEqual("seq"u8) => Field.Seq,
            4 when name.SequenceEqual("side"u8) => Field.Side,
            5 when name.SequenceEqual("price"u8) => Field.Price,
            6 when name.SequenceEqual("energy"u8) => Field.Energy,
            _ => 0,
        };
    }

    /// <summary>Whether the current string token is <paramref name="text"/> (escaped or not).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Is(ref Utf8JsonReader reader, ReadOnlySpan<byte> text) =>
        reader.ValueIsEscaped ? reader.ValueTextEquals(text) : reader.ValueSpan.SequenceEqual(text);

    private static string Name(Field field) => field switch
    {
        Field.Id => "id",
        Field.Side => "side",
        Field.Energy => "energy",
        Field.Price => "price",
        _ => "seq",
    };

    private Unit Fail(string message)
    {
        _error = message;
        return Unit.Failed;
    }
}
