namespace Market.Witnesses;

/// <summary>Replaces a file so that a reader sees the old content or the new, never a part: the bytes go to a new
/// file beside it, reach the disk, and are renamed over it (atomic on one file system).</summary>
internal static class AtomicFile
{
    public static void Write(string path, byte[] bytes)
    {
        var temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                file.Write(bytes);
                file.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
