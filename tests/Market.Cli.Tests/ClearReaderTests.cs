using System.Text;
using Market.Cli.Bench;
using Market.Cli.Json;

namespace Market.Cli.Tests;

public sealed class ClearReaderTests
{
    [Theory]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(1000)]
    public void Read_TinyBuffers_SameBookAsOneLargeBuffer(int bufferSize)
    {
        using var json = new MemoryStream();
        ClearJson.WriteBook(json, RandomBook.Generate(500, 9));
        var expected = ClearReader.Read(new MemoryStream(json.ToArray()), out _)!;

        var actual = ClearReader.Read(new MemoryStream(json.ToArray()), out var error, bufferSize);

        error.ShouldBeNull();
        actual.ShouldNotBeNull();
        actual.Count.ShouldBe(500);
        actual.Sides.ToArray().ShouldBe(expected.Sides.ToArray());
        actual.EnergiesWh.ToArray().ShouldBe(expected.EnergiesWh.ToArray());
        actual.Prices.ToArray().ShouldBe(expected.Prices.ToArray());
        actual.Sequences.ToArray().ShouldBe(expected.Sequences.ToArray());
        Enumerable.Range(0, 500).Select(actual.IdString).ShouldBe(Enumerable.Range(1, 500).Select(i => $"o{i}"));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(13)]
    public void Read_TinyBuffersWithEscapesBomAndWhitespace_ReadsEveryField(int bufferSize)
    {
        var text = "\uFEFF  {\"mech\\u0061nism\" : \"pay-as-bid\",\n \"orders\" : [ {\"id\":\"a\\u00e9b\", \"side\":\"sell\", \"energy\":12345678901, \"price\":0, \"seq\":-3} ] }  \n";

        var request = ClearReader.Read(new MemoryStream(Encoding.UTF8.GetBytes(text)), out var error, bufferSize);

        error.ShouldBeNull();
        request!.Mechanism.ShouldBe(Market.Matching.Mechanism.PayAsBid);
        request.IdString(0).ShouldBe("aéb");
        request.EnergiesWh[0].ShouldBe(12345678901);
        request.Sequences[0].ShouldBe(-3);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(9)]
    [InlineData(ClearReader.DefaultBufferSize)]
    public void Read_TruncatedDocument_InvalidJson(int bufferSize)
    {
        var text = """{"orders": [{"id": "a", "side": "buy", "energy": 1, "price": 1}""";

        var request = ClearReader.Read(new MemoryStream(Encoding.UTF8.GetBytes(text)), out var error, bufferSize);

        request.ShouldBeNull();
        error.ShouldStartWith("invalid JSON");
    }

    [Theory]
    [InlineData(4)]
    [InlineData(ClearReader.DefaultBufferSize)]
    public void Read_DataAfterTheDocument_InvalidJson(int bufferSize)
    {
        var text = """{"orders": []}   x""";

        var request = ClearReader.Read(new MemoryStream(Encoding.UTF8.GetBytes(text)), out var error, bufferSize);

        request.ShouldBeNull();
        error.ShouldStartWith("invalid JSON");
    }
}
