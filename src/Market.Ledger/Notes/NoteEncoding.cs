using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Market.Ledger;

/// <summary>Rules shared by the C2SP signed-note types: key names, strict base64, note characters, key ids.</summary>
internal static class NoteEncoding
{
    /// <summary>UTF-8 that throws on invalid input, so a note that is not UTF-8 is rejected rather than repaired.</summary>
    internal static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>signed-note: non-empty, no Unicode spaces, no "+"; we also refuse control characters (a note may not
    /// hold them anyway) and lone surrogates (not UTF-8).</summary>
    internal static bool IsValidKeyName(string? name)
    {
        if (string.IsNullOrEmpty(name) || !IsWellFormedUtf16(name))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (c == '+' || c < 0x20 || c == 0x7f || char.IsWhiteSpace(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether the string has no lone surrogates, i.e. encodes to UTF-8.</summary>
    internal static bool IsWellFormedUtf16(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return false;
                }

                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>signed-note: valid UTF-8 and no ASCII control character other than newline.</summary>
    internal static bool IsValidNoteCharacters(string text)
    {
        foreach (var c in text)
        {
            if (c < 0x20 && c != '\n')
            {
                return false;
            }
        }

        return IsWellFormedUtf16(text);
    }

    /// <summary>Standard base64 (RFC 4648 §4) in its one canonical spelling: padding present, no whitespace, unused
    /// bits zero. Anything else is refused so a signature or key has exactly one text form.</summary>
    internal static bool TryDecodeBase64(string text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length == 0 || text.Length % 4 != 0)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!(c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '+' or '/' or '='))
            {
                return false;
            }
        }

        byte[] decoded;
        try
        {
            decoded = Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            return false;
        }

        if (!string.Equals(Convert.ToBase64String(decoded), text, StringComparison.Ordinal))
        {
            return false;
        }

        bytes = decoded;
        return true;
    }

    /// <summary>8 lowercase hex digits (signed-note's fixed-length lowercase encoding of a key id).</summary>
    internal static bool TryParseKeyId(string text, out uint keyId)
    {
        keyId = 0;
        if (text.Length != 8)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!(c is (>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }

        return uint.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out keyId);
    }

    internal static string FormatKeyId(uint keyId) => keyId.ToString("x8", CultureInfo.InvariantCulture);

    /// <summary>SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4], big-endian.</summary>
    internal static uint KeyIdOf(string name, byte type, ReadOnlySpan<byte> publicKey)
    {
        var nameBytes = StrictUtf8.GetBytes(name);
        var buffer = new byte[nameBytes.Length + 2 + publicKey.Length];
        nameBytes.CopyTo(buffer, 0);
        buffer[nameBytes.Length] = (byte)'\n';
        buffer[nameBytes.Length + 1] = type;
        publicKey.CopyTo(buffer.AsSpan(nameBytes.Length + 2));
        return BinaryPrimitives.ReadUInt32BigEndian(SHA256.HashData(buffer));
    }

    /// <summary>A decimal without sign or leading zeros ("0" alone is allowed), in 0 … long.MaxValue.</summary>
    internal static bool TryParseDecimal(string text, out long value)
    {
        value = 0;
        if (text.Length == 0 || text.Length > 19 || (text.Length > 1 && text[0] == '0'))
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
