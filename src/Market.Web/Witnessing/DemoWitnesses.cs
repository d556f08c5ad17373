using Market.Ledger;
using Market.Witnesses;
using Microsoft.Extensions.Options;

namespace Market.Web.Witnessing;

/// <summary>
/// In demo mode, the witnesses the app runs itself on loopback (<c>demo-witness-1</c>, <c>-2</c>; keys in
/// <c>demo-witnesses/</c> of the data folder). They replicate and replay like any witness, but the operator runs
/// them, so they prove nothing; the pages say so. Their keys are known before the policy is sealed; they serve once
/// the app listens (<see cref="DemoWitnessHost"/>).
/// </summary>
public sealed class DemoWitnesses
{
    private readonly Dictionary<string, string> _urls = new(StringComparer.Ordinal);

    public DemoWitnesses(DataFolder folder, IOptions<DemoOptions> demo, IOptions<WitnessingOptions> options)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(demo);
        ArgumentNullException.ThrowIfNull(options);
        var count = demo.Value.Enabled ? options.Value.DemoWitnesses : 0;
        var witnesses = new List<DemoWitness>();
        for (var i = 1; i <= count; i++)
        {
            var name = $"demo-witness-{i}";
            var data = Path.Combine(folder.Path, "demo-witnesses", name);
            var key = WitnessKeyFile.LoadOrCreate(data, $"{name}.demo.invalid", out _, out var problem)
                ?? throw new InvalidOperationException($"The demo witness's key in {data} is unusable: {problem}");
            witnesses.Add(new DemoWitness(name, data, key.VerifierKey));
        }

        All = witnesses;
    }

    /// <summary>The demo witnesses (empty outside demo mode or with <c>Witnessing:DemoWitnesses</c> 0).</summary>
    public IReadOnlyList<DemoWitness> All { get; }

    /// <summary>Their policy names and keys.</summary>
    public IEnumerable<(string Name, NoteVerifierKey Key)> Witnesses => All.Select(w => (w.Name, w.Key));

    /// <summary>The address of a running demo witness, or null.</summary>
    public string? UrlOf(string name)
    {
        lock (_urls)
        {
            return _urls.GetValueOrDefault(name);
        }
    }

    /// <summary>Whether <paramref name="name"/> is one of the demo's witnesses.</summary>
    public bool IsDemo(string name) => All.Any(w => w.Name == name);

    internal void Serving(string name, string url)
    {
        lock (_urls)
        {
            _urls[name] = url;
        }
    }
}

/// <summary>One demo witness: its policy name, data folder and verifier key.</summary>
public sealed record DemoWitness(string Name, string DataFolder, NoteVerifierKey Key);
