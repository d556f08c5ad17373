using System.Buffers;
using System.Globalization;
using System.Text;

namespace Market.Witnesses;

/// <summary>
/// The body of a C2SP tlog-witness <c>add-checkpoint</c> request: <c>old N</c>, up to 63 base64 consistency-proof
/// lines, an empty line, then the signed checkpoint note. Every line ends in a newline.
/// </summary>
internal sealed record AddCheckpointRequest(long OldSize, IReadOnlyList<byte[]> Proof, string Note)
{
    /// <summary>Largest body accepted (bytes): a note with many signatures and 63 proof lines fit easily.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>Most consistency-proof lines a client may send (tlog-witness).</summary>
    public const int MaxProofLines = 63;

    private static readonly SearchValues<char> Digits = SearchValues.Create("0123456789");

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Parses a body; false with the reason when it is not a well-formed request (a 400).</summary>
    public static bool TryParse(ReadOnlySpan<byte> body, out AddCheckpointRequest? request, out string? error)
    {
        request = null;
        if (body.Length > MaxBodyBytes)
        {
            error = $"the body is larger than {MaxBodyBytes} bytes";
            return false;
        }

        string text;
        try
        {
            text = StrictUtf8.GetString(body);
        }
        catch (DecoderFallbackException)
        {
            error = "the body is not UTF-8";
            return false;
        }

        var end = text.IndexOf('\n', StringComparison.Ordinal);
        if (end < 0 || !TryParseOld(text.AsSpan(0, end), out var old))
        {
            error = "the first line must be \"old N\" (a decimal size without leading zeros)";
            return false;
        }

        var proof = new List<byte[]>();
        var position = end + 1;
        while (true)
        {
            end = text.IndexOf('\n', position);
            if (end < 0)
            {
                error = "the consistency proof must end with an empty line before the checkpoint";
                return false;
            }

            if (end == position)
            {
                position = end + 1;
                break;
            }

            if (proof.Count == MaxProofLines)
            {
                error = $"more than {MaxProofLines} consistency proof lines";
                return false;
            }

            var hash = new byte[32];
            if (!Convert.TryFromBase64String(text[position..end], hash, out var written) || written != 32 || Convert.ToBase64String(hash) != text[position..end])
            {
                error = $"proof line {proof.Count + 1} is not a base64 SHA-256 hash";
                return false;
            }

            proof.Add(hash);
            position = end + 1;
        }

        request = new AddCheckpointRequest(old, proof, text[position..]);
        error = null;
        return true;
    }

    private static bool TryParseOld(ReadOnlySpan<char> line, out long old)
    {
        old = 0;
        if (!line.StartsWith("old ", StringComparison.Ordinal))
        {
            return false;
        }

        var digits = line[4..];
        return digits.Length > 0 && digits.Length <= 18 && (digits[0] != '0' || digits.Length == 1)
            && !digits.ContainsAnyExcept(Digits)
            && long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out old);
    }

    /// <summary>The request body for a note, as a log sends it.</summary>
    public static string Format(long oldSize, IEnumerable<byte[]> proof, string note)
    {
        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"old {oldSize}\n");
        foreach (var hash in proof)
        {
            body.Append(Convert.ToBase64String(hash)).Append('\n');
        }

        return body.Append('\n').Append(note).ToString();
    }
}
