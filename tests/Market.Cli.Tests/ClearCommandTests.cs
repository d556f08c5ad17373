using System.Text.Json;
using Market.Cli.Bench;
using Market.Matching;

namespace Market.Cli.Tests;

public sealed class ClearCommandTests : IDisposable
{
    // The worked example of docs/clearing.md: bid b2 is marginal and sets the price 2000.
    private const string MarginalBidBook = """
        {"mechanism": "uniform-price", "orders": [
          {"id": "b1", "side": "buy", "energy": 4000, "price": 2150, "seq": 1},
          {"id": "b2", "side": "buy", "energy": 3000, "price": 2000, "seq": 2},
          {"id": "s3", "side": "sell", "energy": 2000, "price": 1800, "seq": 3},
          {"id": "s4", "side": "sell", "energy": 3000, "price": 1900, "seq": 4},
          {"id": "s5", "side": "sell", "energy": 5000, "price": 2100, "seq": 5}
        ]}
        """;

    private const string MarginalBidResult =
        """{"price":2000,"energy":5000,"trades":[{"buy":"b1","sell":"s3","energy":2000,"price":2000},{"buy":"b1","sell":"s4","energy":2000,"price":2000},{"buy":"b2","sell":"s4","energy":1000,"price":2000}]}"""
        + "\n";

    private readonly string _directory = Directory.CreateTempSubdirectory("market-cli-tests-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Clear_ValidBookOnStdin_WritesTradesJsonAndExitsZero()
    {
        var stdin = MarginalBidBook;

        var run = CliRunner.Run(["clear"], stdin);

        run.ExitCode.ShouldBe(0);
        run.Stdout.ShouldBe(MarginalBidResult);
        run.Stderr.ShouldBeEmpty();
    }

    [Fact]
    public void Clear_ValidBookInInputFile_WritesSameJsonAsFromStdin()
    {
        var path = Path.Combine(_directory, "book.json");
        File.WriteAllText(path, MarginalBidBook);

        var run = CliRunner.Run(["clear", "--input", path]);

        run.ExitCode.ShouldBe(0);
        run.Stdout.ShouldBe(MarginalBidResult);
    }

    [Fact]
    public void Clear_PayAsBid_PriceNullAndEachTradeAtItsBidLimit()
    {
        var stdin = MarginalBidBook.Replace("uniform-price", "pay-as-bid", StringComparison.Ordinal);

        var run = CliRunner.Run(["clear"], stdin);

        run.ExitCode.ShouldBe(0);
        run.Stdout.ShouldBe(
            """{"price":null,"energy":5000,"trades":[{"buy":"b1","sell":"s3","energy":2000,"price":2150},{"buy":"b1","sell":"s4","energy":2000,"price":2150},{"buy":"b2","sell":"s4","energy":1000,"price":2000}]}"""
            + "\n");
    }

    [Fact]
    public void Clear_BookDoesNotCross_PriceNullAndNoTrades()
    {
        var stdin = """{"orders": [{"id": "b", "side": "buy", "energy": 100, "price": 10}, {"id": "s", "side": "sell", "energy": 100, "price": 20}]}""";

        var run = CliRunner.Run(["clear"], stdin);

        run.ExitCode.ShouldBe(0);
        run.Stdout.ShouldBe("{\"price\":null,\"energy\":0,\"trades\":[]}\n");
    }

    [Fact]
    public void Clear_NoMechanismAndNoSeq_UniformPriceAndInputOrderPriority()
    {
        var stdin = """
            {"orders": [
              {"id": "late", "side": "buy", "energy": 100, "price": 30},
              {"id": "x", "side": "buy", "energy": 100, "price": 30},
              {"id": "s", "side": "sell", "energy": 100, "price": 10}
            ]}
            """;

        var run = CliRunner.Run(["clear"], stdin);

        run.ExitCode.ShouldBe(0);
        run.Stdout.ShouldBe("{\"price\":30,\"energy\":100,\"trades\":[{\"buy\":\"late\",\"sell\":\"s\",\"energy\":100,\"price\":30}]}\n");
    }

    [Fact]
    public void Clear_EscapedId_IsWrittenUnescaped()
    {
        var stdin = """{"orders": [{"id": "b\u0031", "side": "buy", "energy": 100, "price": 30}, {"id": "s1", "side": "sell", "energy": 100, "price": 10}]}""";

        var run = CliRunner.Run(["clear"], stdin);

        run.ExitCode.ShouldBe(0);
        run.Stdout.ShouldContain("\"buy\":\"b1\"");
    }

    [Fact]
    public void Clear_IdsNeedingEscapes_WrittenAsUtf8JsonWriterWould()
    {
        var stdin = """{"orders": [{"id": "<b&\"é\u0001>", "side": "buy", "energy": 100, "price": 30}, {"id": "s\\1", "side": "sell", "energy": 100, "price": 10}]}""";
        using var expected = new MemoryStream();
        using (var writer = new Utf8JsonWriter(expected))
        {
            writer.WriteStartObject();
            writer.WriteNumber("price", 20);
            writer.WriteNumber("energy", 100);
            writer.WriteStartArray("trades");
            writer.WriteStartObject();
            writer.WriteString("buy", "<b&\"é\u0001>");
            writer.WriteString("sell", "s\\1");
            writer.WriteNumber("energy", 100);
            writer.WriteNumber("price", 20);
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        var run = CliRunner.Run(["clear"], stdin);

        run.ExitCode.ShouldBe(0);
        run.Stdout.ShouldBe(System.Text.Encoding.UTF8.GetString(expected.ToArray()) + "\n");
    }

    [Fact]
    public void Clear_EmptyOrders_NoTrades()
    {
        var run = CliRunner.Run(["clear"], """{"orders": []}""");

        run.ExitCode.ShouldBe(0);
        run.Stdout.ShouldBe("{\"price\":null,\"energy\":0,\"trades\":[]}\n");
    }

    [Theory]
    [InlineData("""{"orders": [}""", "invalid JSON")]
    [InlineData("", "invalid JSON")]
    [InlineData("""[1, 2]""", "must be a JSON object")]
    [InlineData("""{"orders": [], "extra": 1}""", "unknown field \"extra\"")]
    [InlineData("""{"mechanism": "uniform-price"}""", "missing field \"orders\"")]
    [InlineData("""{"orders": []} {}""", "invalid JSON")]
    [InlineData("""{"orders": [], "orders": []}""", "duplicate field \"orders\"")]
    [InlineData("""{"mechanism": "lowest", "orders": []}""", "\"mechanism\" must be")]
    [InlineData("""{"orders": {}}""", "\"orders\" must be an array")]
    [InlineData("""{"orders": [7]}""", "orders[0] must be an object")]
    [InlineData("""{"orders": [{"id": "b", "side": "buy", "energy": 1, "price": 1, "colour": "red"}]}""", "orders[0]: unknown field \"colour\"")]
    [InlineData("""{"orders": [{"id": "b", "side": "buy", "energy": 1}]}""", "orders[0]: missing field \"price\"")]
    [InlineData("""{"orders": [{"id": "b", "side": "hold", "energy": 1, "price": 1}]}""", "\"side\" must be \"buy\" or \"sell\"")]
    [InlineData("""{"orders": [{"id": "b", "side": "buy", "energy": 1.5, "price": 1}]}""", "\"energy\" must be an integer")]
    [InlineData("""{"orders": [{"id": "b", "side": "buy", "energy": "1", "price": 1}]}""", "\"energy\" must be an integer")]
    [InlineData("""{"orders": [{"id": "b", "side": "buy", "energy": 1, "price": 99999999999999999999}]}""", "\"price\" must be an integer")]
    [InlineData("""{"orders": [{"id": 5, "side": "buy", "energy": 1, "price": 1}]}""", "\"id\" must be a string")]
    [InlineData("""{"orders": [{"id": "", "side": "buy", "energy": 1, "price": 1}]}""", "\"id\" must not be empty")]
    [InlineData("""{"orders": [{"id": "b", "id": "c", "side": "buy", "energy": 1, "price": 1}]}""", "duplicate field \"id\"")]
    public void Clear_InvalidDocument_ExitsTwoWithMessageAndEmptyStdout(string stdin, string expectedMessage)
    {
        var run = CliRunner.Run(["clear"], stdin);

        run.ExitCode.ShouldBe(2);
        run.Stdout.ShouldBeEmpty();
        run.Stderr.ShouldContain(expectedMessage);
    }

    [Fact]
    public void Clear_DuplicateId_ExitsTwoNamingTheIdAndBothOrders()
    {
        var stdin = """{"orders": [{"id": "b1", "side": "buy", "energy": 1, "price": 1}, {"id": "s1", "side": "sell", "energy": 1, "price": 1}, {"id": "b1", "side": "sell", "energy": 1, "price": 1}]}""";

        var run = CliRunner.Run(["clear"], stdin);

        run.ExitCode.ShouldBe(2);
        run.Stdout.ShouldBeEmpty();
        run.Stderr.ShouldContain("orders[2] (id \"b1\"): duplicate id, already used by orders[0]");
    }

    [Theory]
    [InlineData(0, 100, "orders[1] (id \"s1\"): \"energy\" must be greater than 0 (Wh), got 0")]
    [InlineData(-4, 100, "orders[1] (id \"s1\"): \"energy\" must be greater than 0 (Wh), got -4")]
    [InlineData(100, -1, "orders[1] (id \"s1\"): \"price\" must not be negative, got -1")]
    public void Clear_InvalidOrderValues_ExitsTwoNamingTheOrder(long energy, long price, string expectedMessage)
    {
        var stdin = $$"""{"orders": [{"id": "b1", "side": "buy", "energy": 1, "price": 1}, {"id": "s1", "side": "sell", "energy": {{energy}}, "price": {{price}}}]}""";

        var run = CliRunner.Run(["clear"], stdin);

        run.ExitCode.ShouldBe(2);
        run.Stdout.ShouldBeEmpty();
        run.Stderr.ShouldContain(expectedMessage);
    }

    [Fact]
    public void Clear_MissingInputFile_ExitsTwoWithMessage()
    {
        var path = Path.Combine(_directory, "absent.json");

        var run = CliRunner.Run(["clear", "--input", path]);

        run.ExitCode.ShouldBe(2);
        run.Stdout.ShouldBeEmpty();
        run.Stderr.ShouldContain("cannot read");
    }

    [Fact]
    public void Clear_GeneratedBook_SameTradesAsTheLibrary()
    {
        var path = Path.Combine(_directory, "generated.json");
        CliRunner.Run(["bench", "book", "--orders", "3000", "--seed", "7", "--output", path]).ExitCode.ShouldBe(0);
        var expected = DoubleAuction.Clear(RandomBook.Generate(3000, 7).ToOrders());

        var run = CliRunner.Run(["clear", "--input", path]);

        run.ExitCode.ShouldBe(0);
        using var json = JsonDocument.Parse(run.Stdout);
        json.RootElement.GetProperty("price").GetInt64().ShouldBe(expected.Price!.Value);
        json.RootElement.GetProperty("energy").GetInt64().ShouldBe(expected.VolumeWh);
        var trades = json.RootElement.GetProperty("trades").EnumerateArray()
            .Select(t => (t.GetProperty("buy").GetString(), t.GetProperty("sell").GetString(), t.GetProperty("energy").GetInt64(), t.GetProperty("price").GetInt64()))
            .ToList();
        trades.ShouldBe(expected.Trades.Select(t => ((string?)$"o{t.BuyOrderId}", (string?)$"o{t.SellOrderId}", t.EnergyWh, t.Price)).ToList());
    }
}
