namespace Market.Ledger;

public sealed partial class ChainVerifier
{
    private VerificationFailure? CheckRules(LedgerBlock block, BlockHeader header)
    {
        if (block.Leaves.Count != 1)
        {
            return Fail(VerificationFailureReason.InvalidRules, header.Height, "a rules block holds exactly one rules record");
        }

        if (!RulesRecord.TryDecode(block.Leaves.GetSpan(0), out var rules, out var error))
        {
            return Fail(VerificationFailureReason.MalformedLeaf, header.Height, error!, leafIndex: 0);
        }

        if (!rules.Validate(out error))
        {
            return Fail(VerificationFailureReason.InvalidRules, header.Height, error!, leafIndex: 0);
        }

        if (_rules.Count > 0 && (rules.RulesVersion <= _rules[^1].RulesVersion || rules.EffectiveFrom < _rules[^1].EffectiveFrom))
        {
            return Fail(VerificationFailureReason.InvalidRules, header.Height,
                "rules versions must increase and effective-from must not go back", leafIndex: 0);
        }

        if (rules.EffectiveFrom < _maxCommittedIntervalEnd)
        {
            return Fail(VerificationFailureReason.InvalidRules, header.Height,
                "rules must not apply to an interval whose order book is already committed", leafIndex: 0);
        }

        _rules.Add(rules);
        return null;
    }
}
