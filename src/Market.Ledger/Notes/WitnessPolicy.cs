using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Market.Ledger;

/// <summary>
/// A C2SP tlog-policy: the logs (type 0x01 vkeys, the key name being the origin), named witnesses (type 0x04
/// vkeys), groups (<c>group &lt;name&gt; all|any|&lt;k&gt; &lt;member&gt;...</c>) and exactly one quorum (a witness,
/// a group or <c>none</c>). Parsing follows the specification: space/tab separated items, comment and blank lines
/// ignored, names defined before use, no duplicate names or keys, each name a group member at most once in the
/// whole policy, 1 ≤ k ≤ n. Immutable.
/// </summary>
public sealed class WitnessPolicy
{
    /// <summary>The predefined quorum name meaning "no cosignatures needed".</summary>
    public const string None = "none";

    private readonly Dictionary<string, Group> _groups;
    private readonly Dictionary<string, NoteVerifierKey> _witnessKeys;

    private WitnessPolicy(
        List<(NoteVerifierKey Key, string? Url)> logs,
        List<(string Name, NoteVerifierKey Key, string? Url)> witnesses,
        List<Group> groups,
        string quorum)
    {
        Logs = logs;
        Witnesses = witnesses;
        GroupList = groups;
        _groups = groups.ToDictionary(g => g.Name, StringComparer.Ordinal);
        _witnessKeys = witnesses.ToDictionary(w => w.Name, w => w.Key, StringComparer.Ordinal);
        Quorum = quorum;
    }

    /// <summary>The logs in order.</summary>
    public IReadOnlyList<(NoteVerifierKey Key, string? Url)> Logs { get; }

    /// <summary>The witnesses in order, by their policy names.</summary>
    public IReadOnlyList<(string Name, NoteVerifierKey Key, string? Url)> Witnesses { get; }

    /// <summary>The groups in order of definition, each with its threshold k and member names.</summary>
    public IReadOnlyList<(string Name, int Threshold, IReadOnlyList<string> Members)> Groups =>
        [.. GroupList.Select(g => (g.Name, g.Threshold, (IReadOnlyList<string>)g.Members))];

    /// <summary>A witness or group name, or <see cref="None"/>.</summary>
    public string Quorum { get; }

    /// <summary>How many members the quorum needs at its top level: 0 for none, 1 for a single witness, the group's
    /// k for a group. For display.</summary>
    public int Threshold => Quorum == None ? 0 : _groups.TryGetValue(Quorum, out var group) ? group.Threshold : 1;

    private List<Group> GroupList { get; }

    /// <summary>Parses a policy text strictly by c2sp.org/tlog-policy (see the type's summary). Only tab, newline
    /// and printable characters are allowed; a final line may omit its newline.</summary>
    /// <param name="text">The policy file.</param>
    /// <param name="policy">The policy on success.</param>
    /// <param name="error">What is wrong on failure, with the line number.</param>
    /// <returns>Whether it parsed.</returns>
    public static bool TryParse(string text, [NotNullWhen(true)] out WitnessPolicy? policy, out string? error)
    {
        policy = null;
        if (text is null)
        {
            error = "no policy";
            return false;
        }

        foreach (var c in text)
        {
            if ((c < 0x20 && c is not ('\t' or '\n')) || c == 0x7f)
            {
                error = "a policy may hold no control characters other than tab and newline";
                return false;
            }
        }

        if (!NoteEncoding.IsWellFormedUtf16(text))
        {
            error = "the policy is not UTF-8";
            return false;
        }

        var logs = new List<(NoteVerifierKey Key, string? Url)>();
        var witnesses = new List<(string Name, NoteVerifierKey Key, string? Url)>();
        var groups = new List<Group>();
        var defined = new HashSet<string>(StringComparer.Ordinal) { None };
        var usedAsMember = new HashSet<string>(StringComparer.Ordinal);
        string? quorum = null;
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var items = lines[i].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (items.Length == 0 || items[0].StartsWith('#'))
            {
                continue;
            }

            var lineError = items[0] switch
            {
                "log" => ParseLog(items, logs),
                "witness" => ParseWitness(items, witnesses, defined),
                "group" => ParseGroup(items, groups, defined, usedAsMember),
                "quorum" => ParseQuorum(items, defined, ref quorum),
                _ => $"unknown keyword \"{items[0]}\"",
            };
            if (lineError is not null)
            {
                error = $"line {i + 1}: {lineError}";
                return false;
            }
        }

        if (quorum is null)
        {
            error = "the policy has no quorum line";
            return false;
        }

        policy = new WitnessPolicy(logs, witnesses, groups, quorum);
        error = null;
        return true;
    }

    /// <summary>
    /// The canonical policy the market writes: one log line, one witness line per witness in the given order, then,
    /// with witnesses, <c>group witnesses &lt;threshold&gt; &lt;names...&gt;</c> and <c>quorum witnesses</c>, else
    /// <c>quorum none</c>.
    /// </summary>
    /// <param name="log">The log key (type 0x01; its name is the origin).</param>
    /// <param name="logUrl">The log's URL, or null.</param>
    /// <param name="witnesses">Witnesses: policy name (not "none" or "witnesses"), type 0x04 key, optional URL.</param>
    /// <param name="threshold">1 … witnesses.Count; 0 when there are none.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="ArgumentException">Anything that would not make a valid policy.</exception>
    public static WitnessPolicy Create(
        NoteVerifierKey log,
        string? logUrl,
        IReadOnlyList<(string Name, NoteVerifierKey Key, string? Url)> witnesses,
        int threshold)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(witnesses);
        if (witnesses.Count == 0 ? threshold != 0 : threshold < 1 || threshold > witnesses.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), "1 … the number of witnesses, or 0 without witnesses");
        }

        var builder = new StringBuilder();
        AppendLine(builder, "log", log.Encode(), logUrl);
        foreach (var (name, key, url) in witnesses)
        {
            AppendLine(builder, "witness", name, key.Encode(), url);
        }

        if (witnesses.Count == 0)
        {
            builder.Append("quorum none\n");
        }
        else
        {
            builder.Append("group witnesses ").Append(threshold.ToString(CultureInfo.InvariantCulture));
            foreach (var (name, _, _) in witnesses)
            {
                builder.Append(' ').Append(name);
            }

            builder.Append("\nquorum witnesses\n");
        }

        if (!TryParse(builder.ToString(), out var policy, out var error))
        {
            throw new ArgumentException($"not a valid policy: {error}");
        }

        return policy;
    }

    /// <summary>The canonical text: log lines, witness lines, group lines (numeric k), the quorum line; single
    /// spaces, "\n" line ends, no comments.</summary>
    /// <returns>The policy text.</returns>
    public string Encode()
    {
        var builder = new StringBuilder();
        foreach (var (key, url) in Logs)
        {
            AppendLine(builder, "log", key.Encode(), url);
        }

        foreach (var (name, key, url) in Witnesses)
        {
            AppendLine(builder, "witness", name, key.Encode(), url);
        }

        foreach (var group in GroupList)
        {
            builder.Append("group ").Append(group.Name).Append(' ').Append(group.Threshold.ToString(CultureInfo.InvariantCulture));
            foreach (var member in group.Members)
            {
                builder.Append(' ').Append(member);
            }

            builder.Append('\n');
        }

        return builder.Append("quorum ").Append(Quorum).Append('\n').ToString();
    }

    /// <summary>The canonical text, as <see cref="Encode"/>.</summary>
    /// <returns>The policy text.</returns>
    public override string ToString() => Encode();

    /// <summary>Whether the quorum is met when exactly these witnesses (policy names) have cosigned. Unknown names
    /// count for nothing.</summary>
    /// <param name="witnessNames">Policy names of the witnesses that cosigned.</param>
    /// <returns>True when the quorum is met (always for none).</returns>
    public bool IsSatisfiedBy(IReadOnlySet<string> witnessNames)
    {
        ArgumentNullException.ThrowIfNull(witnessNames);
        return Witnessed(Quorum, witnessNames);
    }

    /// <summary>
    /// Checks a checkpoint note against this policy: the body is a checkpoint; a log of the policy whose key name
    /// equals the origin signed it and every line from that key verifies; each policy witness's lines are
    /// cosignatures that verify; the quorum holds over the witnesses that verified. Lines from unknown keys are
    /// ignored. Never throws.
    /// </summary>
    /// <param name="note">The signed checkpoint.</param>
    /// <returns>The findings; <see cref="WitnessCheck.QuorumMet"/> only when everything holds.</returns>
    public WitnessCheck Check(SignedNote note)
    {
        if (note is null)
        {
            return new WitnessCheck(false, null, [], [], false, "no note");
        }

        if (!CheckpointNote.TryParse(note.Text, out var checkpoint, out var bodyError))
        {
            return new WitnessCheck(false, null, [], [], false, $"not a checkpoint: {bodyError}");
        }

        var problems = new List<string>();
        var logSigned = false;
        var logFailed = false;
        foreach (var (key, _) in Logs)
        {
            if (!string.Equals(key.Name, checkpoint.Origin, StringComparison.Ordinal))
            {
                continue;
            }

            switch (note.VerifyBy(key))
            {
                case true:
                    logSigned = true;
                    break;
                case false:
                    logFailed = true;
                    break;
            }
        }

        if (logFailed)
        {
            problems.Add("a log signature line does not verify (the note is malformed)");
        }
        else if (!logSigned)
        {
            problems.Add($"no valid signature from a policy log for origin {checkpoint.Origin}");
        }

        var cosigners = new List<(string Name, long Timestamp)>();
        var invalid = new List<string>();
        foreach (var (name, key, _) in Witnesses)
        {
            long? time = null;
            var bad = false;
            foreach (var signature in note.Signatures)
            {
                if (!signature.IsFrom(key))
                {
                    continue;
                }

                if (Cosignature.TryVerify(note.Text, signature, key, out var timestamp))
                {
                    time ??= timestamp;
                }
                else
                {
                    bad = true;
                }
            }

            if (bad)
            {
                invalid.Add(name);
            }
            else if (time is { } t)
            {
                cosigners.Add((name, t));
            }
        }

        if (invalid.Count > 0)
        {
            problems.Add($"cosignature lines that do not verify (the note is malformed): {string.Join(", ", invalid)}");
        }

        var satisfied = IsSatisfiedBy(cosigners.Select(c => c.Name).ToHashSet(StringComparer.Ordinal));
        if (!satisfied)
        {
            problems.Add($"quorum {Quorum} not met ({cosigners.Count} valid cosignature(s))");
        }

        var valid = problems.Count == 0;
        return new WitnessCheck(
            logSigned && !logFailed,
            checkpoint,
            cosigners,
            invalid,
            valid,
            valid ? null : string.Join("; ", problems));
    }

    private static void AppendLine(StringBuilder builder, string keyword, params string?[] items)
    {
        builder.Append(keyword);
        foreach (var item in items)
        {
            if (item is not null)
            {
                builder.Append(' ').Append(item);
            }
        }

        builder.Append('\n');
    }

    private static string? ParseLog(string[] items, List<(NoteVerifierKey Key, string? Url)> logs)
    {
        if (items.Length is not (2 or 3))
        {
            return "a log line is \"log <vkey> [<url>]\"";
        }

        if (!NoteVerifierKey.TryParse(items[1], out var key, out var keyError))
        {
            return $"bad log key: {keyError}";
        }

        if (key.Type != NoteVerifierKey.Ed25519)
        {
            return "a log key must be of type 0x01 (Ed25519 note signatures)";
        }

        if (logs.Any(l => l.Key.SameKey(key)))
        {
            return "duplicate log key";
        }

        logs.Add((key, items.Length == 3 ? items[2] : null));
        return null;
    }

    private static string? ParseWitness(string[] items, List<(string Name, NoteVerifierKey Key, string? Url)> witnesses, HashSet<string> defined)
    {
        if (items.Length is not (3 or 4))
        {
            return "a witness line is \"witness <name> <vkey> [<url>]\"";
        }

        if (!NoteVerifierKey.TryParse(items[2], out var key, out var keyError))
        {
            return $"bad witness key: {keyError}";
        }

        if (key.Type != NoteVerifierKey.CosignatureV1)
        {
            return "a witness key must be of type 0x04 (tlog-cosignature Ed25519)";
        }

        if (witnesses.Any(w => w.Key.SameKey(key)))
        {
            return "duplicate witness key";
        }

        if (!defined.Add(items[1]))
        {
            return $"the name \"{items[1]}\" is already defined";
        }

        witnesses.Add((items[1], key, items.Length == 4 ? items[3] : null));
        return null;
    }

    private static string? ParseGroup(string[] items, List<Group> groups, HashSet<string> defined, HashSet<string> usedAsMember)
    {
        if (items.Length < 4)
        {
            return "a group line is \"group <name> all|any|<k> <name>...\"";
        }

        var members = items[3..];
        foreach (var member in members)
        {
            if (member == None)
            {
                return "\"none\" cannot be a group member";
            }

            if (!defined.Contains(member))
            {
                return $"the member \"{member}\" is not defined on an earlier line";
            }

            if (!usedAsMember.Add(member))
            {
                return $"\"{member}\" is already a group member";
            }
        }

        int threshold;
        switch (items[2])
        {
            case "all":
                threshold = members.Length;
                break;
            case "any":
                threshold = 1;
                break;
            default:
                if (!NoteEncoding.TryParseDecimal(items[2], out var k) || k < 1 || k > members.Length)
                {
                    return $"the threshold must be all, any or a decimal k with 1 ≤ k ≤ {members.Length}";
                }

                threshold = (int)k;
                break;
        }

        if (!defined.Add(items[1]))
        {
            return $"the name \"{items[1]}\" is already defined";
        }

        groups.Add(new Group(items[1], threshold, members));
        return null;
    }

    private static string? ParseQuorum(string[] items, HashSet<string> defined, ref string? quorum)
    {
        if (items.Length != 2)
        {
            return "a quorum line is \"quorum <name>\"";
        }

        if (quorum is not null)
        {
            return "a policy has exactly one quorum line";
        }

        if (!defined.Contains(items[1]))
        {
            return $"the quorum \"{items[1]}\" is not defined on an earlier line";
        }

        quorum = items[1];
        return null;
    }

    private bool Witnessed(string name, IReadOnlySet<string> witnessNames)
    {
        if (name == None)
        {
            return true;
        }

        if (_groups.TryGetValue(name, out var group))
        {
            var count = 0;
            foreach (var member in group.Members)
            {
                if (Witnessed(member, witnessNames))
                {
                    count++;
                }
            }

            return count >= group.Threshold;
        }

        return _witnessKeys.ContainsKey(name) && witnessNames.Contains(name);
    }

    private sealed record Group(string Name, int Threshold, string[] Members);
}
