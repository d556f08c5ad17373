using System.Text;
using System.Text.Json;

namespace Market.Ledger.Tests;

public sealed class ExportTests
{
    [Fact]
    public void Write_ValidChain_VerifiesWhileStreaming()
    {
        var chain = TestChain.Valid;
        var export = Export(chain.Blocks, chain.Checkpoint);

        var result = ChainVerifier.VerifyExport(new MemoryStream(export), new FakeReplayer(), chain.Kept);

        result.IsValid.ShouldBeTrue(result.Failure?.ToString());
        (result.BlockCount, result.TradeCount, result.CheckpointSize).ShouldBe((13L, 12L, 13L));
    }

    [Fact]
    public void Read_WrittenExport_RoundTripsEveryByte()
    {
        var chain = TestChain.Valid;

        var (blocks, checkpoint) = LedgerExport.Read(new MemoryStream(Export(chain.Blocks, chain.Checkpoint)));

        checkpoint.ShouldBe(chain.Checkpoint);
        blocks.Count.ShouldBe(chain.Blocks.Count);
        for (var i = 0; i < blocks.Count; i++)
        {
            blocks[i].HeaderBytes.ShouldBe(chain.Blocks[i].HeaderBytes);
            blocks[i].Signature.ShouldBe(chain.Blocks[i].Signature);
            blocks[i].Leaves.ToArrays().ShouldBe(chain.Blocks[i].Leaves.ToArrays());
        }
    }

    [Fact]
    public void WriteBlock_EveryBlockAndLongLeaves_IsExactlyWhatTheJsonWriterWrites()
    {
        var chain = TestChain.Valid;
        var last = chain.Blocks[^1];
        var large = new LedgerBlock(last.HeaderBytes, last.Signature, [.. Enumerable.Range(0, 300).Select(i => Enumerable.Range(0, i * 250).Select(b => (byte)(b * 31 + i)).ToArray()), []]);

        foreach (var block in chain.Blocks.Append(large).Concat(GridChain.Build().Blocks))
        {
            var line = Encoding.UTF8.GetString(LedgerExportWriter.BlockLine(block));

            line.ShouldBe(JsonWriterLine(block));
        }
    }

    [Fact]
    public void Write_GridChain_NetworkAndGridLimitsKindNamesAndReadBack()
    {
        var (blocks, checkpoint) = GridChain.Build();

        var bytes = Export(blocks, checkpoint);
        var lines = Lines(bytes);

        lines[4].ShouldStartWith("""{"type":"block","height":3,"kind":"network","header":""");
        lines[5].ShouldStartWith("""{"type":"block","height":4,"kind":"gridLimits","header":""");
        ChainVerifier.VerifyExport(new MemoryStream(bytes), new FakeReplayer()).IsValid.ShouldBeTrue();
    }

    [Fact]
    public void Write_ValidChain_HasFormatLineBlockLinesAndCheckpointLine()
    {
        var chain = TestChain.Valid;

        var lines = Lines(Export(chain.Blocks, chain.Checkpoint));

        lines.Length.ShouldBe(15);
        lines[0].ShouldBe("""{"format":"market-ledger-export","version":1}""");
        lines[1].ShouldStartWith("""{"type":"block","height":0,"kind":"keyEvent","header":"0001010000000000000000""");
        lines[3].ShouldStartWith("""{"type":"block","height":2,"kind":"household","header":""");
        lines[7].ShouldStartWith("""{"type":"block","height":6,"kind":"clearing","header":""");
        lines[13].ShouldStartWith("""{"type":"block","height":12,"kind":"witnessPolicy","header":""");
        lines[14].ShouldStartWith("""{"type":"checkpoint","size":13,"root":""");
        using var block = JsonDocument.Parse(lines[7]);
        block.RootElement.GetProperty("leaves").GetArrayLength().ShouldBe(3);
    }

    [Fact]
    public void VerifyExport_CrLfLineEndings_AreAccepted()
    {
        var chain = TestChain.Valid;
        var text = Encoding.UTF8.GetString(Export(chain.Blocks, chain.Checkpoint)).Replace("\n", "\r\n", StringComparison.Ordinal);

        var result = ChainVerifier.VerifyExport(new MemoryStream(Encoding.UTF8.GetBytes(text)), new FakeReplayer());

        result.IsValid.ShouldBeTrue();
    }

    [Fact]
    public void VerifyExport_CheckpointLineMissing_FailsWithCheckpointMissing()
    {
        var chain = TestChain.Valid;
        var lines = Lines(Export(chain.Blocks, chain.Checkpoint))[..^1];

        var result = ChainVerifier.VerifyExport(Stream(lines), new FakeReplayer());

        result.Failure!.Reason.ShouldBe(VerificationFailureReason.CheckpointMissing);
    }

    [Fact]
    public void VerifyExport_LastBlocksCutButCheckpointKept_FailsWithTruncated()
    {
        var chain = TestChain.Valid;
        var lines = Lines(Export(chain.Blocks, chain.Checkpoint)).ToList();
        lines.RemoveRange(11, 3);

        var result = ChainVerifier.VerifyExport(Stream([.. lines]), new FakeReplayer());

        result.Failure!.Reason.ShouldBe(VerificationFailureReason.Truncated);
    }

    [Fact]
    public void VerifyExport_BlockLineTampered_FailsAtThatBlock()
    {
        var chain = TestChain.Valid;
        var blocks = chain.Copy();
        blocks[8] = TestChain.WithHeaderByte(blocks[8], 100, b => (byte)(b ^ 0x80));

        var result = ChainVerifier.VerifyExport(new MemoryStream(Export(blocks, chain.Checkpoint)), new FakeReplayer());

        (result.Failure!.Reason, result.Failure.Height).ShouldBe((VerificationFailureReason.BadSignature, 8L));
    }

    [Theory]
    [InlineData(0, "", "export line 1: empty file: expected the format line")]
    [InlineData(0, """{"format":"other","version":1}""", "export line 1: not a ledger export")]
    [InlineData(0, """{"format":"market-ledger-export","version":2}""", "export line 1: unsupported export version 2")]
    [InlineData(0, """{"format":"market-ledger-export"}""", "export line 1: missing \"version\"")]
    [InlineData(0, """{"format":"market-ledger-export","version":"1"}""", "export line 1: \"version\" must be an integer")]
    [InlineData(1, """{"type":"block",""", "export line 2: invalid JSON")]
    [InlineData(1, "[1,2]", "export line 2: expected a JSON object")]
    [InlineData(1, """{"type":"bloc"}""", "export line 2: unknown line type \"bloc\"")]
    [InlineData(1, """{"height":0}""", "export line 2: missing \"type\"")]
    [InlineData(1, "HEIGHT_AS_STRING", "export line 2: \"height\" must be a non-negative integer")]
    [InlineData(1, "NO_SIGNATURE", "export line 2: missing field \"signature\"")]
    [InlineData(1, "BAD_HEX", "export line 2: \"header\": not hex")]
    [InlineData(1, "ODD_HEX", "export line 2: \"signature\": odd number of hex digits")]
    [InlineData(1, "SHORT_HEADER", "export line 2: \"header\" must be 170 bytes, got 169")]
    [InlineData(1, "SHORT_SIGNATURE", "export line 2: \"signature\" must be 64 bytes, got 63")]
    [InlineData(1, "WRONG_HEIGHT", "export line 2: \"height\" does not match the header")]
    [InlineData(1, "WRONG_KIND", "export line 2: \"kind\" does not match the header")]
    [InlineData(1, "UNKNOWN_FIELD", "export line 2: unknown field \"extra\"")]
    [InlineData(1, "DUPLICATE_FIELD", "export line 2: field \"height\" appears twice")]
    [InlineData(1, "LEAVES_NOT_ARRAY", "export line 2: \"leaves\" must be an array of hex strings")]
    [InlineData(1, "LEAF_NOT_HEX", "export line 2: leaf 0: not hex")]
    [InlineData(1, "LEAF_NUMBER", "export line 2: leaf 0: expected a hex string")]
    [InlineData(14, "CHECKPOINT_SHORT_ROOT", "export line 15: \"root\" and \"keyId\" must be 32 bytes and \"signature\" 64 bytes")]
    [InlineData(14, "CHECKPOINT_NO_TIME", "export line 15: missing field \"time\"")]
    [InlineData(14, "CHECKPOINT_WITH_LEAVES", "export line 15: field \"leaves\" is not allowed on a checkpoint line")]
    [InlineData(15, "AFTER_CHECKPOINT", "export line 16: nothing may follow the checkpoint line")]
    public void Read_MalformedLine_ThrowsWithLineNumberAndProblem(int lineIndex, string replacement, string expectedStart)
    {
        var lines = Malformed(lineIndex, replacement);

        var error = Should.Throw<LedgerFormatException>(() => LedgerExport.Read(Stream(lines)));

        error.Message.ShouldStartWith(expectedStart);
    }

    [Fact]
    public void VerifyExport_MalformedFile_IsAResultNotAnException()
    {
        var lines = Malformed(1, "BAD_HEX");

        var result = ChainVerifier.VerifyExport(Stream(lines), new FakeReplayer());

        result.Failure!.Reason.ShouldBe(VerificationFailureReason.MalformedExport);
        result.Failure.Message.ShouldStartWith("export line 2:");
    }

    [Fact]
    public void WriteCheckpoint_Twice_Throws()
    {
        using var writer = new LedgerExportWriter(new MemoryStream());
        writer.WriteCheckpoint(TestChain.Valid.Checkpoint);

        var act = () => writer.WriteCheckpoint(TestChain.Valid.Checkpoint);

        Should.Throw<InvalidOperationException>(act);
    }

    private static string[] Malformed(int lineIndex, string replacement)
    {
        var chain = TestChain.Valid;
        var lines = Lines(Export(chain.Blocks, chain.Checkpoint)).ToList();
        var block = lines[Math.Min(lineIndex, lines.Count - 1)];
        var header = Convert.ToHexStringLower(chain.Blocks[0].HeaderBytes);
        var signature = Convert.ToHexStringLower(chain.Blocks[0].Signature);
        var root = Convert.ToHexStringLower(chain.Checkpoint.Root);
        var value = replacement switch
        {
            "HEIGHT_AS_STRING" => block.Replace("\"height\":0", "\"height\":\"0\"", StringComparison.Ordinal),
            "NO_SIGNATURE" => block.Replace($",\"signature\":\"{signature}\"", string.Empty, StringComparison.Ordinal),
            "BAD_HEX" => block.Replace(header, "zz" + header[2..], StringComparison.Ordinal),
            "ODD_HEX" => block.Replace(signature, signature[1..], StringComparison.Ordinal),
            "SHORT_HEADER" => block.Replace(header, header[..^2], StringComparison.Ordinal),
            "SHORT_SIGNATURE" => block.Replace(signature, signature[..^2], StringComparison.Ordinal),
            "WRONG_HEIGHT" => block.Replace("\"height\":0", "\"height\":1", StringComparison.Ordinal),
            "WRONG_KIND" => block.Replace("keyEvent", "rules", StringComparison.Ordinal),
            "UNKNOWN_FIELD" => block.Replace("{\"type\"", "{\"extra\":1,\"type\"", StringComparison.Ordinal),
            "DUPLICATE_FIELD" => block.Replace("\"height\":0", "\"height\":0,\"height\":0", StringComparison.Ordinal),
            "LEAVES_NOT_ARRAY" => block[..block.IndexOf("\"leaves\"", StringComparison.Ordinal)] + "\"leaves\":\"00\"}",
            "LEAF_NOT_HEX" => block.Replace("\"leaves\":[\"", "\"leaves\":[\"zz", StringComparison.Ordinal),
            "LEAF_NUMBER" => block[..block.IndexOf("\"leaves\"", StringComparison.Ordinal)] + "\"leaves\":[1]}",
            "CHECKPOINT_SHORT_ROOT" => block.Replace(root, root[2..], StringComparison.Ordinal),
            "CHECKPOINT_NO_TIME" => System.Text.RegularExpressions.Regex.Replace(block, ",\"time\":[0-9]+", string.Empty),
            "CHECKPOINT_WITH_LEAVES" => block.Replace("}", ",\"leaves\":[]}", StringComparison.Ordinal),
            "AFTER_CHECKPOINT" => null,
            _ => replacement,
        };
        if (value is null)
        {
            lines.Add(lines[1]);
        }
        else if (lineIndex == 0 && replacement.Length == 0)
        {
            lines.Clear();
        }
        else
        {
            lines[lineIndex] = value;
        }

        return [.. lines];
    }

    private static byte[] Export(IEnumerable<LedgerBlock> blocks, Checkpoint checkpoint)
    {
        using var stream = new MemoryStream();
        LedgerExport.Write(stream, blocks, checkpoint);
        return stream.ToArray();
    }

    private static string[] Lines(byte[] export) => Encoding.UTF8.GetString(export).TrimEnd('\n').Split('\n');

    private static MemoryStream Stream(string[] lines) =>
        new(Encoding.UTF8.GetBytes(lines.Length == 0 ? string.Empty : string.Join('\n', lines) + "\n"));

    // The block line as System.Text.Json writes it: the reference the hand-written line must equal.
    private static string JsonWriterLine(LedgerBlock block)
    {
        var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("type", "block");
            json.WriteNumber("height", System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(block.HeaderBytes.AsSpan(3)));
            json.WriteString("kind", LedgerExport.KindName((BlockKind)block.HeaderBytes[2]));
            json.WriteString("header", Convert.ToHexStringLower(block.HeaderBytes));
            json.WriteString("signature", Convert.ToHexStringLower(block.Signature));
            json.WriteStartArray("leaves");
            foreach (var leaf in block.Leaves)
            {
                json.WriteStringValue(Convert.ToHexStringLower(leaf.Span));
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }
}
