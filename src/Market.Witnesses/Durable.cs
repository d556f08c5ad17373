using System.Runtime.InteropServices;

namespace Market.Witnesses;

/// <summary>
/// Writes that survive a crash or a power cut at any instant: a replaced file is written beside, flushed to the disk,
/// renamed over the old one (<see cref="AtomicFile"/>), and then the folder itself is flushed, because on Linux the
/// rename is only durable once the directory entry has reached the disk too.
/// </summary>
internal static partial class Durable
{
    private const int ReadOnly = 0;

    /// <summary>Replaces <paramref name="path"/> with <paramref name="bytes"/> atomically and durably.</summary>
    public static void ReplaceFile(string path, byte[] bytes)
    {
        AtomicFile.Write(path, bytes);
        FlushDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>Flushes a folder's entries (new, renamed or removed files) to the disk. A no-op on Windows, where
    /// a folder cannot be opened for flushing and NTFS journals the rename itself.</summary>
    public static void FlushDirectory(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var fd = Open(folder, ReadOnly);
        if (fd < 0)
        {
            throw new IOException($"cannot open {folder} to flush it (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"cannot flush {folder} (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    // .NET refuses to open a directory as a file, so the folder's descriptor comes from libc.
    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
