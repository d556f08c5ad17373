using System.ComponentModel.DataAnnotations;
using Market.Ledger;

namespace Market.Web.Witnessing;

/// <summary>
/// Who witnesses the ledger (section <c>Witnessing</c>): the witnesses the market asks to cosign each checkpoint and
/// how many of them make a quorum. Sealed in the ledger as a C2SP tlog-policy whenever it changes (docs/witnesses.md).
/// </summary>
public sealed class WitnessingOptions : IValidatableObject
{
    public const string Section = "Witnessing";

    /// <summary>
    /// The ledger's origin line (C2SP tlog-checkpoint): a schema-less URL naming this community's ledger, e.g.
    /// <c>market.example.org/ledger</c>. Fixed at the first start; when unset, derived from <c>Market:PublicBaseUrl</c>
    /// (its host and path + <c>ledger</c>), else <c>energy-market.invalid/</c> and the start of the ledger id.
    /// </summary>
    public string? Origin { get; set; }

    /// <summary>The witnesses, each with its policy name, verifier key (C2SP vkey, type 0x04) and submission URL.</summary>
    public List<WitnessSettings> Witnesses { get; set; } = [];

    /// <summary>How many of <see cref="Witnesses"/> must cosign; when unset, a majority.</summary>
    public int? Threshold { get; set; }

    /// <summary>Seconds before a checkpoint that missed its quorum is offered again (doubling up to 10 minutes).</summary>
    [Range(1, 3600)]
    public int RetrySeconds { get; set; } = 5;

    /// <summary>Seconds a witness has to answer one request.</summary>
    [Range(1, 300)]
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>In demo mode, how many witnesses of its own the app runs on loopback (they prove nothing: the
    /// operator runs them). 0 turns them off.</summary>
    [Range(0, 5)]
    public int DemoWitnesses { get; set; } = 2;

    /// <summary>The threshold the policy uses for <paramref name="count"/> witnesses.</summary>
    public int ThresholdFor(int count) => count == 0 ? 0 : Threshold ?? (count / 2) + 1;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Origin is { } origin && !ValidName(origin))
        {
            yield return new ValidationResult("Witnessing:Origin must be a key name: non-empty, no spaces or '+'.", [nameof(Origin)]);
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var keys = new List<NoteVerifierKey>();
        for (var i = 0; i < Witnesses.Count; i++)
        {
            var w = Witnesses[i];
            var at = $"Witnessing:Witnesses:{i}";
            if (!ValidName(w.Name) || w.Name == "none")
            {
                yield return new ValidationResult($"{at}:Name must be a word without spaces (e.g. utility).", [nameof(Witnesses)]);
            }
            else if (!names.Add(w.Name))
            {
                yield return new ValidationResult($"{at}:Name '{w.Name}' is used twice.", [nameof(Witnesses)]);
            }

            if (!NoteVerifierKey.TryParse(w.Key ?? "", out var key, out var error))
            {
                yield return new ValidationResult($"{at}:Key is not a verifier key: {error}", [nameof(Witnesses)]);
            }
            else if (key!.Type != NoteVerifierKey.CosignatureV1)
            {
                yield return new ValidationResult($"{at}:Key must be a cosignature key (type 0x04), as `market witness` prints it.", [nameof(Witnesses)]);
            }
            else if (keys.Any(k => k.SameKey(key)))
            {
                yield return new ValidationResult($"{at}:Key is the key of another witness.", [nameof(Witnesses)]);
            }
            else
            {
                keys.Add(key);
            }

            if (!Uri.TryCreate(w.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                yield return new ValidationResult($"{at}:Url must be the witness's http(s) address.", [nameof(Witnesses)]);
            }
        }

        if (Threshold is { } t && (t < 1 || t > Witnesses.Count))
        {
            yield return new ValidationResult($"Witnessing:Threshold must be between 1 and the number of witnesses ({Witnesses.Count}).", [nameof(Threshold)]);
        }
    }

    private static bool ValidName(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= 200 && !name.Any(c => char.IsWhiteSpace(c) || c == '+' || char.IsControl(c));
}

/// <summary>One witness of the policy.</summary>
public sealed class WitnessSettings
{
    /// <summary>Its name in the policy, a word without spaces (e.g. <c>utility</c>); pages show it.</summary>
    public string Name { get; set; } = "";

    /// <summary>Its verifier key as <c>market witness</c> prints it (C2SP vkey, type 0x04).</summary>
    public string? Key { get; set; }

    /// <summary>Its submission address (<c>http://host:port/</c>); <c>add-checkpoint</c> is posted below it.</summary>
    public string? Url { get; set; }
}
