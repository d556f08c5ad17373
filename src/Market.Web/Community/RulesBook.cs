using Market.Ledger;
using Microsoft.Extensions.Options;

namespace Market.Web.Community;

/// <summary>
/// The community's market rules as sealed in the ledger, by the interval they apply from. The ledger is the record:
/// configuration only seeds the rules at genesis. Until the ledger is read (first start), the configured rules apply.
/// </summary>
public sealed class RulesBook
{
    private readonly Lock _lock = new();
    private List<RulesRecord> _rules;

    public RulesBook(IOptions<CommunityOptions> options)
    {
        var c = options.Value;
        _rules = [FromOptions(c, 0)];
    }

    /// <summary>The configured rules in the ledger's form.</summary>
    public static RulesRecord FromOptions(CommunityOptions c, long effectiveFrom) => new(
        RulesVersion: Market.Matching.DoubleAuction.RulesVersion,
        Mechanism: (byte)MechanismOf(c.Mechanism),
        IntervalLengthSeconds: checked((int)c.IntervalSeconds),
        GateClosureLeadSeconds: checked((int)c.GateClosureSeconds),
        PriceFloor: c.PriceFloor,
        PriceCeiling: c.PriceCeiling,
        EffectiveFrom: effectiveFrom)
    {
        SameFeederFee = c.SameFeederFee,
        SameTransformerFee = c.SameTransformerFee,
        AcrossTransformersFee = c.AcrossTransformersFee,
    };

    /// <summary>The mechanism a configured name stands for.</summary>
    public static Market.Matching.Mechanism MechanismOf(string name) => name switch
    {
        "pay-as-bid" => Market.Matching.Mechanism.PayAsBid,
        "grid-zonal" => Market.Matching.Mechanism.GridZonal,
        _ => Market.Matching.Mechanism.UniformPrice,
    };

    /// <summary>A mechanism's name for people (lower case, as in a sentence).</summary>
    public static string NameOf(byte mechanism) => mechanism switch
    {
        (byte)Market.Matching.Mechanism.PayAsBid => "pay-as-bid",
        (byte)Market.Matching.Mechanism.GridZonal => "zonal prices under the grid's limits",
        _ => "uniform price",
    };

    /// <summary>All sealed rules, oldest first.</summary>
    public IReadOnlyList<RulesRecord> All
    {
        get
        {
            lock (_lock)
            {
                return _rules.ToList();
            }
        }
    }

    /// <summary>The newest rules record (possibly not yet in effect).</summary>
    public RulesRecord Latest
    {
        get
        {
            lock (_lock)
            {
                return _rules[^1];
            }
        }
    }

    /// <summary>The rules in effect at a moment (Unix seconds): the newest whose effective-from is not later.</summary>
    public RulesRecord At(long unixSeconds)
    {
        lock (_lock)
        {
            for (var i = _rules.Count - 1; i >= 0; i--)
            {
                if (_rules[i].EffectiveFrom <= unixSeconds)
                {
                    return _rules[i];
                }
            }

            return _rules[0];
        }
    }

    /// <summary>Replaces the known rules with those read from the ledger (oldest first).</summary>
    public void Load(IEnumerable<RulesRecord> sealedRules)
    {
        var list = sealedRules.OrderBy(r => r.RulesVersion).ToList();
        if (list.Count == 0)
        {
            return;
        }

        lock (_lock)
        {
            _rules = list;
        }
    }

    public void Add(RulesRecord rules)
    {
        lock (_lock)
        {
            _rules = [.. _rules, rules];
        }
    }
}
