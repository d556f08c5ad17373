using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Market.Ledger;

/// <summary>
/// The text of a C2SP tlog-checkpoint: the origin line, the tree size (decimal, no leading zeros), the base64 RFC
/// 9162 root (32 bytes), then optional non-empty extension lines; every line ends in "\n".
/// </summary>
/// <param name="Origin">The log's identity; non-empty. The market's is its log key name.</param>
/// <param name="Size">Leaves in the tree, ≥ 0.</param>
/// <param name="Root">The tree root at that size (32 bytes).</param>
/// <param name="Extensions">Extension lines (usually none), each non-empty.</param>
public sealed record CheckpointNote(string Origin, long Size, byte[] Root, IReadOnlyList<string> Extensions)
{
    /// <summary>The note text.</summary>
    /// <returns>origin, size and root lines and the extension lines, each ending in "\n".</returns>
    /// <exception cref="InvalidOperationException">An empty origin, negative size, root not 32 bytes, or an empty line.</exception>
    public string Body()
    {
        if (string.IsNullOrEmpty(Origin) || Origin.Contains('\n', StringComparison.Ordinal) || Size < 0
            || Root is not { Length: MerkleTree.HashSize }
            || (Extensions ?? []).Any(e => string.IsNullOrEmpty(e) || e.Contains('\n', StringComparison.Ordinal)))
        {
            throw new InvalidOperationException("a checkpoint has a non-empty origin, a size ≥ 0, a 32-byte root and non-empty extension lines");
        }

        var builder = new StringBuilder()
            .Append(Origin).Append('\n')
            .Append(Size.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append(Convert.ToBase64String(Root)).Append('\n');
        foreach (var extension in Extensions ?? [])
        {
            builder.Append(extension).Append('\n');
        }

        return builder.ToString();
    }

    /// <summary>Parses a checkpoint body strictly: at least three lines each ending in "\n", a non-empty origin,
    /// a decimal size without leading zeros, canonical base64 of 32 bytes, non-empty extension lines, and no
    /// control characters but newline.</summary>
    /// <param name="body">The note text.</param>
    /// <param name="checkpoint">The checkpoint on success.</param>
    /// <param name="error">What is wrong on failure.</param>
    /// <returns>Whether it parsed.</returns>
    public static bool TryParse(string body, [NotNullWhen(true)] out CheckpointNote? checkpoint, out string? error)
    {
        checkpoint = null;
        if (string.IsNullOrEmpty(body) || body[^1] != '\n' || !NoteEncoding.IsValidNoteCharacters(body))
        {
            error = "a checkpoint is lines ending in newline, without control characters";
            return false;
        }

        var lines = body[..^1].Split('\n');
        if (lines.Length < 3)
        {
            error = "a checkpoint has an origin, a size and a root line";
            return false;
        }

        if (lines[0].Length == 0)
        {
            error = "the checkpoint origin is empty";
            return false;
        }

        if (!NoteEncoding.TryParseDecimal(lines[1], out var size))
        {
            error = "the checkpoint size is not a decimal without leading zeros";
            return false;
        }

        if (!NoteEncoding.TryDecodeBase64(lines[2], out var root) || root.Length != MerkleTree.HashSize)
        {
            error = "the checkpoint root is not the base64 of 32 bytes";
            return false;
        }

        var extensions = lines[3..];
        if (extensions.Any(e => e.Length == 0))
        {
            error = "a checkpoint extension line is empty";
            return false;
        }

        checkpoint = new CheckpointNote(lines[0], size, root, extensions);
        error = null;
        return true;
    }
}
