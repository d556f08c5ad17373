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
        Mechanism: (byte)(c.Mechanism == "pay-as-bid" ? Market.Matching.Mechanism.PayAsBid : Market.Matching.Mechanism.UniformPrice),
        IntervalLengthSeconds: checked((int)c.IntervalSeconds),
        GateClosureLeadSeconds: checked((int)c.GateClosureSeconds),
        PriceFloor: c.PriceFloor,
        PriceCeiling: c.PriceCeiling,
        EffectiveFrom: effectiveFrom);

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
