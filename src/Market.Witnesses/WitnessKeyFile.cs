using System.Text;
using Market.Ledger;

namespace Market.Witnesses;

/// <summary>
/// The witness's cosigning key (Ed25519, tlog-cosignature type 0x04) in <c>DIR/witness.key</c>, Go's note key format,
/// generated at the first start and readable by its owner only (mode 0600): whoever holds it can vouch for any
/// history in this witness's name.
/// </summary>
internal static class WitnessKeyFile
{
    public const string FileName = "witness.key";

    /// <summary>Loads the key, or generates and stores it when there is none. Null with a reason when the file is
    /// unreadable or belongs to another name.</summary>
    public static NoteSigningKey? LoadOrCreate(string folder, string name, out bool created, out string? problem)
    {
        created = false;
        var path = Path.Combine(folder, FileName);
        if (File.Exists(path))
        {
            if (!NoteSigningKey.TryParse(File.ReadAllText(path).Trim(), out var key, out var why))
            {
                problem = $"{path} is not a note signing key: {why}";
                return null;
            }

            problem = key!.Type != NoteVerifierKey.CosignatureV1
                ? $"{path} is not a cosignature (type 0x04) key"
                : key.Name != name
                    ? $"{path} is the key of witness \"{key.Name}\", not \"{name}\" (a witness's name is part of its key)"
                    : null;
            return problem is null ? key : null;
        }

        Directory.CreateDirectory(folder);
        var generated = NoteSigningKey.Generate(name, NoteVerifierKey.CosignatureV1);
        var temp = path + ".tmp";
        File.Delete(temp); // a crash's leftover would keep its old mode
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new FileStream(temp, options))
        {
            file.Write(Encoding.UTF8.GetBytes(generated.Encode() + "\n"));
            file.Flush(flushToDisk: true);
        }

        File.Move(temp, path);
        Durable.FlushDirectory(folder);
        created = true;
        problem = null;
        return generated;
    }
}
