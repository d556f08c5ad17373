using ArchUnitNET.Loader;

namespace Market.Web.Tests;

/// <summary>
/// The folders of Market.Web and which may use which (docs/adr/0001-architecture.md). Read from the compiled app, so
/// a page's code, a lambda or an async method counts like any other code; a new edge that is not listed here fails,
/// and so does any cycle between folders.
/// </summary>
[Trait("Database", "Independent")]
public sealed class ArchitectureTests
{
    private const string Root = "(root)";

    /// <summary>Each folder and the folders it may depend on. Everything may use the root (settings).</summary>
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Persistence"] = [],
        ["Observability"] = [],
        ["Testing"] = [],
        ["Community"] = [],
        ["Accounts"] = ["Persistence", "Community", "Observability"],
        ["LedgerStore"] = ["Persistence", "Community", "Observability", "Testing"],
        ["Trading"] = ["Persistence", "Community", "Accounts", "LedgerStore", "Observability", "Testing", "Grid"],
        ["Clearing"] = ["Persistence", "Community", "LedgerStore", "Observability", "Testing", "Grid"],
        ["Metering"] = ["Persistence", "Community", "Accounts", "LedgerStore", "Observability", "Testing"],
        ["Witnessing"] = ["Persistence", "Community", "Accounts", "LedgerStore", "Demo", "Observability", "Testing"],
        ["Forecasting"] = ["Persistence", "Community"],
        ["Grid"] = ["Persistence", "Community", "LedgerStore"],
        ["Autopilot"] = ["Persistence", "Community", "Trading", "Forecasting"],
        ["MyHome"] = ["Persistence", "Community", "Trading", "Metering", "Forecasting", "Grid"],
        ["Dashboard"] = ["Persistence", "Community", "LedgerStore", "Trading", "Clearing", "Metering", "Grid"],
        ["Utility"] = ["Persistence", "Community", "Accounts", "Metering"],
        ["Documents"] = ["Persistence", "Community", "Accounts", "LedgerStore", "Metering"],
        ["Api"] = ["Persistence", "Community", "Accounts", "LedgerStore", "Trading", "Clearing", "Metering", "Utility", "Observability", "Grid"],
        ["Demo"] = ["Persistence", "Community", "Accounts", "LedgerStore", "Trading", "Clearing", "Metering", "Forecasting", "Autopilot", "Observability", "Grid"],
        ["Notifications"] = ["Persistence", "Community", "Accounts", "Clearing", "Api"],
        ["Jobs"] = ["Persistence", "Community", "Accounts", "LedgerStore", "Trading", "Clearing", "Metering", "Demo", "Notifications", "Autopilot", "Grid"],
        ["Components"] = ["Persistence", "Community", "Accounts", "LedgerStore", "Trading", "Clearing", "Metering", "Forecasting", "Autopilot", "MyHome", "Dashboard", "Utility", "Api", "Demo", "Observability", "Notifications", "Documents", "Witnessing", "Grid"],
        ["Hosting"] = ["Persistence", "Community", "Accounts", "LedgerStore", "Trading", "Clearing", "Metering", "Forecasting", "Autopilot", "MyHome", "Dashboard", "Utility", "Api", "Demo", "Jobs", "Components", "Observability", "Testing", "Notifications", "Documents", "Witnessing", "Grid"],
        [Root] = [],
    };

    private static readonly Lazy<Dictionary<string, Dictionary<string, string>>> Graph = new(ReadGraph);

    [Fact]
    public void Folders_EveryDependency_IsAllowed()
    {
        var graph = Graph.Value;

        var forbidden = graph
            .SelectMany(from => from.Value
                .Where(to => to.Key != Root && !(Allowed.TryGetValue(from.Key, out var ok) && ok.Contains(to.Key)))
                .Select(to => $"{from.Key} → {to.Key} ({to.Value})"))
            .ToList();

        forbidden.ShouldBeEmpty("Dependencies between folders that ArchitectureTests.Allowed does not list: " + string.Join("; ", forbidden));
    }

    [Fact]
    public void Folders_EveryFolderOfTheApp_IsListed()
    {
        var folders = Graph.Value.Keys.Concat(Graph.Value.Values.SelectMany(v => v.Keys)).Distinct();

        folders.Where(f => !Allowed.ContainsKey(f)).ShouldBeEmpty("A new folder needs its line in ArchitectureTests.Allowed.");
    }

    [Fact]
    public void Folders_Dependencies_HaveNoCycle()
    {
        var graph = Graph.Value.ToDictionary(e => e.Key, e => (IReadOnlyCollection<string>)e.Value.Keys.Where(k => k != e.Key).ToList());

        var cycles = Cycles(graph);

        cycles.ShouldBeEmpty("Folders that depend on each other: " + string.Join("; ", cycles.Select(c => string.Join(" → ", c))));
    }

    [Fact]
    public void Allowed_ListedDependencies_HaveNoCycle()
    {
        var cycles = Cycles(Allowed.ToDictionary(e => e.Key, e => (IReadOnlyCollection<string>)e.Value));

        cycles.ShouldBeEmpty();
    }

    [Fact]
    public void Cycles_TwoFoldersUsingEachOther_AreFound()
    {
        var graph = new Dictionary<string, IReadOnlyCollection<string>> { ["A"] = ["B"], ["B"] = ["C"], ["C"] = ["A"], ["D"] = ["A"] };

        var cycles = Cycles(graph);

        cycles.Count.ShouldBe(1);
        cycles[0].Order().ShouldBe(["A", "B", "C"]);
    }

    /// <summary>folder → (folder it uses → one example "type uses type").</summary>
    private static Dictionary<string, Dictionary<string, string>> ReadGraph()
    {
        var architecture = new ArchLoader().LoadAssemblies(typeof(Program).Assembly).Build();
        var graph = new Dictionary<string, Dictionary<string, string>>();
        foreach (var type in architecture.Types)
        {
            if (FolderOf(type.Namespace.FullName) is not { } from)
            {
                continue;
            }

            var edges = graph.TryGetValue(from, out var e) ? e : graph[from] = [];
            foreach (var dependency in type.Dependencies)
            {
                if (FolderOf(dependency.Target.Namespace.FullName) is { } to && to != from)
                {
                    edges.TryAdd(to, $"{type.FullName} uses {dependency.Target.FullName}");
                }
            }
        }

        return graph;
    }

    /// <summary>The folder of a namespace of the app (its first part under Market.Web); null outside the app.</summary>
    private static string? FolderOf(string ns)
    {
        if (ns == "Market.Web")
        {
            return Root;
        }

        if (!ns.StartsWith("Market.Web.", StringComparison.Ordinal))
        {
            return null;
        }

        var rest = ns["Market.Web.".Length..];
        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? rest : rest[..dot];
    }

    /// <summary>The strongly connected components with more than one folder (Tarjan).</summary>
    private static List<List<string>> Cycles(Dictionary<string, IReadOnlyCollection<string>> graph)
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var result = new List<List<string>>();

        void Visit(string v)
        {
            index[v] = low[v] = index.Count;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in graph.TryGetValue(v, out var next) ? next : [])
            {
                if (!index.TryGetValue(w, out var seen))
                {
                    Visit(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (onStack.Contains(w))
                {
                    low[v] = Math.Min(low[v], seen);
                }
            }

            if (low[v] == index[v])
            {
                var component = new List<string>();
                string w;
                do
                {
                    w = stack.Pop();
                    onStack.Remove(w);
                    component.Add(w);
                }
                while (w != v);

                if (component.Count > 1)
                {
                    result.Add(component);
                }
            }
        }

        foreach (var v in graph.Keys.Order(StringComparer.Ordinal))
        {
            if (!index.ContainsKey(v))
            {
                Visit(v);
            }
        }

        return result;
    }
}
