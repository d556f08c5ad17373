using System.Text;

namespace Market.Cli;

/// <summary>Writes UTF-8 output to the invocation's standard output.</summary>
internal static class StandardOutput
{
    /// <summary>
    /// Calls <paramref name="write"/> with a stream that ends up in <paramref name="output"/>. For the real console
    /// the bytes go straight to the process's stdout (no UTF-16 round trip for large JSON); for any other writer
    /// (tests capture output in a <see cref="StringWriter"/>) they are decoded and written as text.
    /// </summary>
    public static void Write(TextWriter output, Action<Stream> write)
    {
        if (ReferenceEquals(output, Console.Out))
        {
            output.Flush();
            using var stdout = Console.OpenStandardOutput();
            using var buffered = new BufferedStream(stdout, 1 << 16);
            write(buffered);
            buffered.Flush();
            return;
        }

        using var memory = new MemoryStream();
        write(memory);
        output.Write(Encoding.UTF8.GetString(memory.GetBuffer(), 0, checked((int)memory.Length)));
        output.Flush();
    }
}
