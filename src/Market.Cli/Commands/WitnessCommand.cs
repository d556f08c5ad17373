using System.CommandLine;
using Market.Witnesses;
using Market.Cli.Trust;
using Market.Ledger;
using Microsoft.Extensions.Logging;

namespace Market.Cli.Commands;

/// <summary>
/// <c>market witness</c>: runs a witness anyone can run for a market's ledger (docs/cli.md), and <c>market witness
/// key</c>: prints its verifier key without serving. Exit codes: 0 stopped normally, 2 bad arguments or a data
/// folder it cannot use (unreadable key or state, a replica that does not verify).
/// </summary>
internal static class WitnessCommand
{
    public const int Stopped = 0;
    public const int Unusable = 2;

    public static Command Create()
    {
        var data = DataOption();
        var name = NameOption();
        var listen = new Option<string>("--listen") { Description = "Address and port to serve on (host:port).", DefaultValueFactory = _ => "127.0.0.1:8450" };
        var logKey = new Option<string[]>("--log-key")
        {
            Description = "The log's note verifier key (the market's vkey; its name is the origin). Repeat it while the market changes its key.",
            Required = true,
        };
        var logUrl = new Option<string>("--log-url") { Description = "The market's base URL, where the witness fetches the blocks it verifies.", Required = true };
        var peers = new Option<string[]>("--peer") { Description = "Another witness's base URL to compare views with (repeatable).", AllowMultipleArgumentsPerToken = false };
        var trust = LedgerCommand.TrustOption();
        var gossip = new Option<int>("--gossip-seconds") { Description = "How often to compare the market's published note and the peers' with the replica (seconds).", DefaultValueFactory = _ => 30 };
        var command = new Command("witness", "Run a witness: verify every block of the market's ledger (with replay) before cosigning its checkpoints, keep a replica, and catch forks.")
        {
            data, name, listen, logKey, logUrl, peers, trust, gossip,
        };
        command.Subcommands.Add(Key(data, name));
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            if (!TryConfig(parse.GetValue(data)!.FullName, parse.GetValue(name)!, parse.GetValue(logKey)!, parse.GetValue(logUrl)!, parse.GetValue(peers) ?? [], parse.GetValue(trust),
                parse.GetValue(gossip), out var config, out var problem))
            {
                error.WriteLine($"market witness: {problem}");
                return Unusable;
            }

            using var loggers = LoggerFactory.Create(b => b
                .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "yyyy-MM-ddTHH:mm:ssZ "; o.UseUtcTimestamp = true; })
                .AddFilter("Microsoft", LogLevel.Warning));
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
            Witness? witness;
            bool created;
            try
            {
                witness = Witness.Open(config!, http, TimeProvider.System, loggers.CreateLogger("market.witness"), out created, out problem);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                (witness, created, problem) = (null, false, $"{config!.DataFolder}: {e.Message}");
            }

            if (witness is null)
            {
                error.WriteLine($"market witness: {problem}");
                return Unusable;
            }

            output.WriteLine(created
                ? $"generated this witness's key in {Path.Combine(config!.DataFolder, WitnessKeyFile.FileName)}; its verifier key (add it to the market's policy):"
                : "witness verifier key:");
            output.WriteLine(witness.VerifierKey.Encode());
            output.WriteLine($"log {config!.LogKey.Name}: cosigned size {witness.State.Size}; {witness.Replica.LastVerification.Result}");
            await using var server = await WitnessServer.StartAsync(witness, parse.GetValue(listen)!, http, TimeProvider.System, loggers);
            output.WriteLine($"serving on {server.Url}");
            await server.WaitForShutdownAsync(ct);
            return Stopped;
        });
        return command;
    }

    private static Option<DirectoryInfo> DataOption() => new("--data") { Description = "The witness's folder: its key (mode 0600), state, replica and fork evidence.", Required = true };

    private static Option<string> NameOption() => new("--name") { Description = "The witness's name, part of its key (e.g. witness.example.org/w1).", Required = true };

    private static Command Key(Option<DirectoryInfo> data, Option<string> name)
    {
        var command = new Command("key", "Print the witness's verifier key (generating the key at the first use) without serving.") { data, name };
        command.SetAction(parse =>
        {
            var folder = parse.GetValue(data)!.FullName;
            NoteSigningKey? key;
            bool created;
            string? problem;
            try
            {
                key = WitnessKeyFile.LoadOrCreate(folder, parse.GetValue(name)!, out created, out problem);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                (key, created, problem) = (null, false, $"{folder}: {e.Message}");
            }

            if (key is null)
            {
                parse.InvocationConfiguration.Error.WriteLine($"market witness key: {problem}");
                return Unusable;
            }

            if (created)
            {
                parse.InvocationConfiguration.Error.WriteLine($"generated this witness's key in {Path.Combine(folder, WitnessKeyFile.FileName)}");
            }

            parse.InvocationConfiguration.Output.WriteLine(key.VerifierKey.Encode());
            return Stopped;
        });
        return command;
    }

    /// <summary>Checks the command line and builds the configuration.</summary>
    internal static bool TryConfig(string folder, string name, IReadOnlyList<string> logKeys, string logUrl, IReadOnlyList<string> peers, string? trust, int gossipSeconds,
        out WitnessConfig? config, out string? problem)
    {
        config = null;
        var keys = new List<NoteVerifierKey>();
        foreach (var logKey in logKeys)
        {
            if (!NoteVerifierKey.TryParse(logKey, out var key, out var why) || key!.Type != NoteVerifierKey.Ed25519)
            {
                problem = $"--log-key must be the log's note verifier key (type 0x01): {why ?? "another type"}";
                return false;
            }

            if (keys.Count > 0 && key.Name != keys[0].Name)
            {
                problem = $"--log-key: every key of the log has its origin as name ({keys[0].Name}, not {key.Name})";
                return false;
            }

            keys.Add(key);
        }

        if (keys.Count == 0)
        {
            problem = "--log-key is required";
            return false;
        }

        if (!TryUrl(logUrl, out var log))
        {
            problem = "--log-url must be an http or https URL";
            return false;
        }

        var peerUrls = new List<Uri>();
        foreach (var peer in peers)
        {
            if (!TryUrl(peer, out var url))
            {
                problem = $"--peer {peer}: not an http or https URL";
                return false;
            }

            peerUrls.Add(url!);
        }

        byte[]? genesis = null;
        if (trust is not null && !Anchor.TryKeyId(trust, out genesis))
        {
            problem = "--trust takes a genesis key id: 64 hex digits";
            return false;
        }

        if (gossipSeconds < 1)
        {
            problem = "--gossip-seconds must be at least 1";
            return false;
        }

        config = new WitnessConfig(folder, name, keys, log!, peerUrls, genesis, TimeSpan.FromSeconds(gossipSeconds));
        problem = null;
        return true;
    }

    // Base URLs end in "/" so that relative paths resolve under them.
    private static bool TryUrl(string text, out Uri? url)
    {
        url = Uri.TryCreate(text.TrimEnd('/') + "/", UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps) ? u : null;
        return url is not null;
    }
}
