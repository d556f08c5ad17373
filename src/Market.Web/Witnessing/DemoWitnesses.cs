using Market.Ledger;

namespace Market.Web.Witnessing;

/// <summary>
/// In demo mode, the witnesses the app runs itself on loopback (named <c>demo-witness-N</c>). They replicate and
/// replay like any witness, but the operator runs them, so they prove nothing; the pages say so.
/// </summary>
public sealed class DemoWitnesses
{
    private readonly Dictionary<string, string> _urls = new(StringComparer.Ordinal);

    /// <summary>The demo witnesses' policy names and keys (empty outside demo mode).</summary>
    public IReadOnlyList<(string Name, NoteVerifierKey Key)> Witnesses { get; private set; } = [];

    /// <summary>The address of a running demo witness, or null.</summary>
    public string? UrlOf(string name)
    {
        lock (_urls)
        {
            return _urls.GetValueOrDefault(name);
        }
    }

    /// <summary>Whether <paramref name="name"/> is one of the demo's witnesses.</summary>
    public bool IsDemo(string name) => Witnesses.Any(w => w.Name == name);

    internal void Declare(IReadOnlyList<(string Name, NoteVerifierKey Key)> witnesses) => Witnesses = witnesses;

    internal void Serving(string name, string url)
    {
        lock (_urls)
        {
            _urls[name] = url;
        }
    }
}
