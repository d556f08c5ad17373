using System.CommandLine;
using System.Globalization;
using Market.Cli.Json;
using Market.Matching;

namespace Market.Cli.Commands;

/// <summary>
/// <c>market clear [--input FILE]</c>: clears a JSON order book with <see cref="DoubleAuction"/>'s rules and writes
/// the trades as JSON. Exit code 0 on success; 2 on invalid input, with a message on stderr and nothing on stdout.
/// </summary>
internal static class ClearCommand
{
    public const int InvalidInput = 2;

    /// <param name="openStandardInput">Where stdin comes from; the console's by default, a stream in tests.</param>
    public static Command Create(Func<Stream>? openStandardInput = null)
    {
        var input = new Option<FileInfo?>("--input", "-i")
        {
            Description = "Read the order book from this JSON file instead of stdin.",
        };
        var command = new Command("clear", "Clear an order book (JSON from --input or stdin) and write the trades as JSON to stdout.")
        {
            input,
        };
        command.SetAction(parse => Run(
            parse.GetValue(input),
            openStandardInput ?? Console.OpenStandardInput,
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error));
        return command;
    }

    private static int Run(FileInfo? file, Func<Stream> openStandardInput, TextWriter output, TextWriter error)
    {
        ClearRequest? request;
        string? problem;
        try
        {
            using var input = file is null ? openStandardInput() : OpenFile(file);
            request = ClearReader.Read(input, out problem);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"market clear: cannot read {(file is null ? "stdin" : file.FullName)}: {exception.Message}");
            return InvalidInput;
        }

        if (request is null)
        {
            error.WriteLine($"market clear: invalid input: {problem}");
            return InvalidInput;
        }

        request.ResolveDuplicateIds();
        var result = new Clearer().Clear(
            request.FirstOccurrence,
            request.Sides,
            request.EnergiesWh,
            request.Prices,
            request.Sequences,
            request.Mechanism);
        if (result.Rejection is { } rejection)
        {
            error.WriteLine($"market clear: invalid input: {Describe(request, rejection)}");
            return InvalidInput;
        }

        StandardOutput.Write(output, stream => ClearJson.WriteResult(stream, request, result));
        return 0;
    }

    // The reader buffers on its own; the file is read sequentially once.
    private static FileStream OpenFile(FileInfo file) =>
        new(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);

    private static string Describe(ClearRequest request, ClearingRejection rejection)
    {
        var index = rejection.Index;
        var what = rejection.Code switch
        {
            RejectionCode.DuplicateId => $"duplicate id, already used by orders[{request.FirstOccurrence[index]}]",
            RejectionCode.EnergyNotPositive => $"\"energy\" must be greater than 0 (Wh), got {request.EnergiesWh[index]}",
            RejectionCode.NegativePrice => $"\"price\" must not be negative, got {request.Prices[index]}",
            RejectionCode.TotalEnergyOverflow => $"the total energy of its side exceeds {long.MaxValue} Wh",
            _ => rejection.Message,
        };
        return string.Create(CultureInfo.InvariantCulture, $"orders[{index}] (id \"{request.IdString(index)}\"): {what}");
    }
}
