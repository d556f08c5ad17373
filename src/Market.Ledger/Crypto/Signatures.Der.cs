namespace Market.Ledger;

public static partial class Signatures
{
    /// <summary>
    /// Converts a strict-DER ECDSA signature (<c>SEQUENCE { INTEGER r, INTEGER s }</c>, minimal lengths, minimal
    /// positive integers, no trailing bytes) into 64 bytes r ‖ s. BER variants are rejected.
    /// </summary>
    /// <param name="der">The DER bytes.</param>
    /// <param name="signature">64 bytes r ‖ s on success.</param>
    /// <returns>Whether the input was strict DER with r and s below 2^256.</returns>
    internal static bool TryDecodeDer(ReadOnlySpan<byte> der, out byte[] signature)
    {
        signature = [];
        if (der.Length < 2 || der[0] != 0x30 || !TryReadLength(der[1..], out var sequenceLength, out var headerLength))
        {
            return false;
        }

        var body = der[(1 + headerLength)..];
        if (body.Length != sequenceLength)
        {
            return false;
        }

        var result = new byte[SignatureSize];
        if (!TryReadInteger(ref body, result.AsSpan(0, 32)) || !TryReadInteger(ref body, result.AsSpan(32, 32))
            || !body.IsEmpty)
        {
            return false;
        }

        signature = result;
        return true;
    }

    /// <summary>Encodes 64 bytes r ‖ s as strict DER (for interoperability with DER-based tools).</summary>
    /// <param name="signature">64 bytes r ‖ s.</param>
    /// <returns>The DER encoding.</returns>
    internal static byte[] EncodeDer(ReadOnlySpan<byte> signature)
    {
        if (signature.Length != SignatureSize)
        {
            throw new ArgumentException($"a signature is {SignatureSize} bytes", nameof(signature));
        }

        var r = MinimalInteger(signature[..32]);
        var s = MinimalInteger(signature[32..]);
        var body = new List<byte>(r.Length + s.Length + 4) { 0x02, (byte)r.Length };
        body.AddRange(r);
        body.Add(0x02);
        body.Add((byte)s.Length);
        body.AddRange(s);
        return [0x30, (byte)body.Count, .. body];
    }

    private static byte[] MinimalInteger(ReadOnlySpan<byte> value)
    {
        var start = 0;
        while (start < value.Length - 1 && value[start] == 0)
        {
            start++;
        }

        var trimmed = value[start..];
        return trimmed[0] >= 0x80 ? [0, .. trimmed] : trimmed.ToArray();
    }

    private static bool TryReadLength(ReadOnlySpan<byte> input, out int length, out int consumed)
    {
        length = 0;
        consumed = 0;
        if (input.IsEmpty)
        {
            return false;
        }

        if (input[0] < 0x80)
        {
            length = input[0];
            consumed = 1;
            return true;
        }

        // Only the one-byte long form can occur below 256 bytes, and DER requires it to be needed (>= 128).
        if (input[0] == 0x81 && input.Length >= 2 && input[1] >= 0x80)
        {
            length = input[1];
            consumed = 2;
            return true;
        }

        return false;
    }

    private static bool TryReadInteger(ref ReadOnlySpan<byte> input, Span<byte> destination32)
    {
        if (input.Length < 2 || input[0] != 0x02 || !TryReadLength(input[1..], out var length, out var lengthBytes))
        {
            return false;
        }

        var start = 1 + lengthBytes;
        if (length == 0 || input.Length < start + length)
        {
            return false;
        }

        var value = input.Slice(start, length);
        input = input[(start + length)..];
        if (value[0] >= 0x80)
        {
            return false; // negative
        }

        if (value.Length > 1 && value[0] == 0 && value[1] < 0x80)
        {
            return false; // not minimal
        }

        if (value[0] == 0)
        {
            value = value[1..];
        }

        if (value.Length > 32)
        {
            return false;
        }

        destination32.Clear();
        value.CopyTo(destination32[(32 - value.Length)..]);
        return true;
    }
}
