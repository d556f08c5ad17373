using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Market.Ledger;

/// <summary>
/// A C2SP signed note: a text ending in "\n", a blank line, then 1 … <see cref="MaxSignatures"/> signature lines.
/// The text is separated from the signatures at the last blank line, so the text itself may hold blank lines.
/// The whole note is UTF-8 without control characters other than newline. Lines are kept in order as given (an
/// encoded note re-encodes byte for byte).
/// </summary>
/// <param name="Text">The note text, including its final "\n" but not the separating blank line.</param>
/// <param name="Signatures">The signature lines in order.</param>
public sealed record SignedNote(string Text, IReadOnlyList<NoteSignature> Signatures)
{
    /// <summary>The most signature lines a note may carry; more make it malformed (as Go's sumdb/note).</summary>
    public const int MaxSignatures = 100;

    /// <summary>Parses a note from its UTF-8 bytes; bytes that are not UTF-8 make it malformed.</summary>
    /// <param name="utf8">The note bytes.</param>
    /// <param name="parsed">The note on success.</param>
    /// <param name="error">What is wrong on failure.</param>
    /// <returns>Whether it parsed.</returns>
    public static bool TryParse(ReadOnlySpan<byte> utf8, [NotNullWhen(true)] out SignedNote? parsed, out string? error)
    {
        string text;
        try
        {
            text = NoteEncoding.StrictUtf8.GetString(utf8);
        }
        catch (DecoderFallbackException)
        {
            parsed = null;
            error = "the note is not UTF-8";
            return false;
        }

        return TryParse(text, out parsed, out error);
    }

    /// <summary>Parses a note strictly by c2sp.org/signed-note: no control characters but newline, a text ending in
    /// newline, the last blank line followed by 1 … 100 well-formed signature lines each ending in newline, nothing
    /// else. Signatures are not verified here (see <see cref="VerifyBy"/>).</summary>
    /// <param name="note">The note.</param>
    /// <param name="parsed">The note on success.</param>
    /// <param name="error">What is wrong on failure.</param>
    /// <returns>Whether it parsed.</returns>
    public static bool TryParse(string note, [NotNullWhen(true)] out SignedNote? parsed, out string? error)
    {
        parsed = null;
        if (note is null)
        {
            error = "no note";
            return false;
        }

        if (!NoteEncoding.IsValidNoteCharacters(note))
        {
            error = "the note has control characters other than newline, or is not UTF-8";
            return false;
        }

        var split = note.LastIndexOf("\n\n", StringComparison.Ordinal);
        if (split < 0)
        {
            error = "the note has no blank line before its signatures";
            return false;
        }

        var text = note[..(split + 1)];
        var signatures = note[(split + 2)..];
        if (signatures.Length == 0 || signatures[^1] != '\n')
        {
            error = "the note has no signature lines, or its last line does not end in a newline";
            return false;
        }

        var lines = signatures[..^1].Split('\n');
        if (lines.Length > MaxSignatures)
        {
            error = $"the note has more than {MaxSignatures} signatures";
            return false;
        }

        var list = new List<NoteSignature>(lines.Length);
        foreach (var line in lines)
        {
            if (!NoteSignature.TryParseLine(line, out var signature, out var lineError))
            {
                error = $"bad signature line: {lineError}";
                return false;
            }

            list.Add(signature);
        }

        parsed = new SignedNote(text, list);
        error = null;
        return true;
    }

    /// <summary>Whether a text can be signed: non-empty, ends in "\n", UTF-8 without control characters other than
    /// newline.</summary>
    /// <param name="text">The candidate note text.</param>
    /// <returns>True when valid.</returns>
    public static bool IsValidText(string? text) =>
        !string.IsNullOrEmpty(text) && text[^1] == '\n' && NoteEncoding.IsValidNoteCharacters(text);

    /// <summary>The note: text, a blank line, the signature lines.</summary>
    /// <returns>The encoded note.</returns>
    /// <exception cref="InvalidOperationException">An invalid text, no signature or more than 100.</exception>
    public string Encode()
    {
        if (!IsValidText(Text))
        {
            throw new InvalidOperationException("a note text is non-empty, ends in a newline and has no control characters");
        }

        if (Signatures is not { Count: > 0 and <= MaxSignatures })
        {
            throw new InvalidOperationException($"a signed note has 1 … {MaxSignatures} signatures");
        }

        var builder = new StringBuilder(Text).Append('\n');
        foreach (var signature in Signatures)
        {
            builder.Append(signature.ToLine());
        }

        return builder.ToString();
    }

    /// <summary>A plain type 0x01 note signature of <paramref name="text"/> (Ed25519 over its UTF-8 bytes).</summary>
    /// <param name="text">A valid note text (see <see cref="IsValidText"/>).</param>
    /// <param name="key">A type 0x01 key.</param>
    /// <returns>The signature line.</returns>
    /// <exception cref="ArgumentException">An invalid text or a key of another type.</exception>
    public static NoteSignature Sign(string text, NoteSigningKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!IsValidText(text))
        {
            throw new ArgumentException("a note text is non-empty, ends in a newline and has no control characters", nameof(text));
        }

        if (key.Type != NoteVerifierKey.Ed25519)
        {
            throw new ArgumentException("note signatures use a type 0x01 key (cosign checkpoints with Cosignature.Sign)", nameof(key));
        }

        return new NoteSignature(key.Name, key.VerifierKey.KeyId, key.Sign(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>This note with <paramref name="signature"/> appended, unless an identical line is already there.</summary>
    /// <param name="signature">The line to add.</param>
    /// <returns>A new note (or this one when the line is present).</returns>
    public SignedNote WithSignature(NoteSignature signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        var line = signature.ToLine();
        if (Signatures.Any(s => string.Equals(s.ToLine(), line, StringComparison.Ordinal)))
        {
            return this;
        }

        return this with { Signatures = [.. Signatures, signature] };
    }

    /// <summary>
    /// Checks the lines from <paramref name="key"/> (same name and key id; others are ignored as signed-note
    /// requires). Type 0x01: Ed25519 over the text; type 0x04: a tlog-cosignature over the text as a checkpoint body.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <returns>Null when no line is from the key; true when every such line verifies; false when one does not
    /// (the note is then malformed and must be rejected).</returns>
    public bool? VerifyBy(NoteVerifierKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        bool? result = null;
        byte[]? message = null;
        foreach (var signature in Signatures)
        {
            if (!signature.IsFrom(key))
            {
                continue;
            }

            bool ok;
            if (key.Type == NoteVerifierKey.CosignatureV1)
            {
                ok = Cosignature.TryVerify(Text, signature, key, out _);
            }
            else
            {
                message ??= Encoding.UTF8.GetBytes(Text);
                ok = key.VerifyEd25519(message, signature.Signature);
            }

            if (!ok)
            {
                return false;
            }

            result = true;
        }

        return result;
    }
}
