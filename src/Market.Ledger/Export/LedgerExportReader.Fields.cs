using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;

namespace Market.Ledger;

public sealed partial class LedgerExportReader
{
    /// <summary>The fields of a block or checkpoint line, each at most once.</summary>
    private sealed class Fields
    {
        private LeafList.Builder _leaves = new();
        private readonly HashSet<string> _seen = [];
        private long _number;

        public string? Type { get; private set; }

        private long? Height { get; set; }

        private string? Kind { get; set; }

        private byte[]? Header { get; set; }

        private byte[]? Signature { get; set; }

        private bool HasLeaves { get; set; }

        private long? Size { get; set; }

        private byte[]? Root { get; set; }

        private long? Time { get; set; }

        private byte[]? KeyId { get; set; }

        public static Fields Parse(ReadOnlySpan<byte> line, long number)
        {
            // The leaves are at most half the line (hex): one buffer of that size, handed to the block.
            var fields = new Fields { _number = number, _leaves = new LeafList.Builder(line.Length / 2) };
            try
            {
                var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = 3 });
                Expect(ref reader, JsonTokenType.StartObject, number, "a JSON object");
                while (Next(ref reader) && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var name = reader.GetString()!;
                    if (!fields._seen.Add(name))
                    {
                        throw Error(number, $"field \"{name}\" appears twice");
                    }

                    Next(ref reader);
                    fields.Read(name, ref reader);
                }

                ExpectEnd(ref reader, number);
            }
            catch (JsonException e)
            {
                throw Error(number, $"invalid JSON: {e.Message}");
            }

            return fields;
        }

        public LedgerBlock ToBlock(long number)
        {
            if (Type != "block")
            {
                throw Error(number, Type is null ? "missing \"type\"" : $"unknown line type \"{Type}\" (expected block or checkpoint)");
            }

            Allow(["type", "height", "kind", "header", "signature", "leaves"]);
            var header = Header ?? throw Missing("header");
            var signature = Signature ?? throw Missing("signature");
            var height = Height ?? throw Missing("height");
            var kind = Kind ?? throw Missing("kind");
            if (!HasLeaves)
            {
                throw Missing("leaves");
            }

            if (header.Length != BlockHeader.Size)
            {
                throw Error(number, $"\"header\" must be {BlockHeader.Size} bytes, got {header.Length}");
            }

            if (signature.Length != Signatures.SignatureSize)
            {
                throw Error(number, $"\"signature\" must be {Signatures.SignatureSize} bytes, got {signature.Length}");
            }

            if (height != BinaryPrimitives.ReadInt64BigEndian(header.AsSpan(3)))
            {
                throw Error(number, "\"height\" does not match the header");
            }

            if (header[2] is < 1 or > 9 || kind != LedgerExport.KindName((BlockKind)header[2]))
            {
                throw Error(number, "\"kind\" does not match the header (keyEvent, orderBook, clearing, rules, reconciliation, household, witnessPolicy, network or gridLimits)");
            }

            return new LedgerBlock(header, signature, _leaves.Build());
        }

        public Checkpoint ToCheckpoint(long number)
        {
            Allow(["type", "size", "root", "time", "keyId", "signature"]);
            var root = Root ?? throw Missing("root");
            var keyId = KeyId ?? throw Missing("keyId");
            var signature = Signature ?? throw Missing("signature");
            if (root.Length != 32 || keyId.Length != 32 || signature.Length != Signatures.SignatureSize)
            {
                throw Error(number, "\"root\" and \"keyId\" must be 32 bytes and \"signature\" 64 bytes");
            }

            return new Checkpoint
            {
                Size = Size ?? throw Missing("size"),
                Root = root,
                TimestampUnixMs = Time ?? throw Missing("time"),
                KeyId = keyId,
                Signature = signature,
            };
        }

        private void Read(string name, ref Utf8JsonReader reader)
        {
            switch (name)
            {
                case "type":
                    Type = reader.TokenType == JsonTokenType.String ? reader.GetString() : throw WrongType(name, "a string");
                    break;
                case "kind":
                    Kind = reader.TokenType == JsonTokenType.String ? reader.GetString() : throw WrongType(name, "a string");
                    break;
                case "height":
                    Height = NonNegative(ref reader, name);
                    break;
                case "size":
                    Size = NonNegative(ref reader, name);
                    break;
                case "time":
                    Time = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var t) ? t : throw WrongType(name, "an integer");
                    break;
                case "header":
                    Header = HexValue(ref reader, name);
                    break;
                case "signature":
                    Signature = HexValue(ref reader, name);
                    break;
                case "root":
                    Root = HexValue(ref reader, name);
                    break;
                case "keyId":
                    KeyId = HexValue(ref reader, name);
                    break;
                case "leaves":
                    ReadLeaves(ref reader);
                    break;
                default:
                    throw Error(_number, $"unknown field \"{name}\"");
            }
        }

        private void ReadLeaves(ref Utf8JsonReader reader)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw WrongType("leaves", "an array of hex strings");
            }

            HasLeaves = true;
            while (Next(ref reader) && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
                {
                    throw Error(_number, $"leaf {_leaves.Count}: expected a hex string");
                }

                var text = reader.ValueSpan;
                if ((text.Length & 1) == 1)
                {
                    throw Error(_number, $"leaf {_leaves.Count}: odd number of hex digits");
                }

                var destination = _leaves.Append(text.Length / 2);
                if (Convert.FromHexString(text, destination, out _, out var written) != OperationStatus.Done || written != destination.Length)
                {
                    throw Error(_number, $"leaf {_leaves.Count - 1}: not hex");
                }
            }
        }

        private byte[] HexValue(ref Utf8JsonReader reader, string name)
        {
            if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
            {
                throw WrongType(name, "a hex string");
            }

            var text = reader.ValueSpan;
            if ((text.Length & 1) == 1)
            {
                throw Error(_number, $"\"{name}\": odd number of hex digits");
            }

            var bytes = new byte[text.Length / 2];
            if (Convert.FromHexString(text, bytes, out _, out var written) != OperationStatus.Done || written != bytes.Length)
            {
                throw Error(_number, $"\"{name}\": not hex");
            }

            return bytes;
        }

        private long NonNegative(ref Utf8JsonReader reader, string name) =>
            reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) && value >= 0
                ? value
                : throw WrongType(name, "a non-negative integer");

        private LedgerFormatException WrongType(string name, string expected) => Error(_number, $"\"{name}\" must be {expected}");

        private LedgerFormatException Missing(string name) => Error(_number, $"missing field \"{name}\"");

        private void Allow(string[] allowed)
        {
            foreach (var name in _seen)
            {
                if (Array.IndexOf(allowed, name) < 0)
                {
                    throw Error(_number, $"field \"{name}\" is not allowed on a {Type} line");
                }
            }
        }
    }
}
