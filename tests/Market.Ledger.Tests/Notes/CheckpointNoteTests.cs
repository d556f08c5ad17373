namespace Market.Ledger.Tests;

public sealed class CheckpointNoteTests
{
    [Fact]
    public void Body_WithExtensions_ParsesBack()
    {
        var checkpoint = new CheckpointNote("example.org/log", 1234, Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(), ["x", "y z"]);

        var body = checkpoint.Body();

        CheckpointNote.TryParse(body, out var parsed, out var error).ShouldBeTrue(error);
        parsed!.Origin.ShouldBe("example.org/log");
        parsed.Size.ShouldBe(1234);
        parsed.Root.ShouldBe(checkpoint.Root);
        parsed.Extensions.ShouldBe(["x", "y z"]);
        parsed.Body().ShouldBe(body);
    }

    [Theory]
    [InlineData("o\n1\n")]
    [InlineData("o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n")]
    [InlineData("o\n+1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n")]
    [InlineData("o\n 1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n")]
    [InlineData("o\n99999999999999999999\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n")]
    [InlineData("o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB=\n")]
    [InlineData("o\t\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n")]
    [InlineData("")]
    public void TryParse_Malformed_ReturnsError(string body)
    {
        var parsed = CheckpointNote.TryParse(body, out var checkpoint, out var error);

        parsed.ShouldBeFalse();
        checkpoint.ShouldBeNull();
        error.ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public void Body_RootNot32Bytes_Throws()
    {
        var checkpoint = new CheckpointNote("o", 1, new byte[31], []);

        Should.Throw<InvalidOperationException>(checkpoint.Body);
    }
}
