namespace Market.Ledger;

public sealed partial class ChainVerifier
{
    private VerificationFailure? CheckGenesisKey(LedgerBlock block, BlockHeader header)
    {
        if (header.Kind != BlockKind.KeyEvent || block.Leaves.Count != 1)
        {
            return Fail(VerificationFailureReason.GenesisInvalid, 0, "height 0 must be a key event with exactly one key record");
        }

        if (!KeyRecord.TryDecode(block.Leaves.GetSpan(0), out var record, out var error))
        {
            return Fail(VerificationFailureReason.MalformedLeaf, 0, error!, leafIndex: 0);
        }

        var key = VerifyingKey.Create(record.PublicKey);
        if (record.Action != KeyAction.Introduce || !key.KeyIdSpan.SequenceEqual(header.KeyId))
        {
            return Fail(VerificationFailureReason.GenesisInvalid, 0, "the genesis block must introduce the key that signs it");
        }

        if (_options.TrustedGenesisKeyId is { } trusted && !key.KeyIdSpan.SequenceEqual(trusted))
        {
            return Fail(VerificationFailureReason.UnknownKey, 0, "the genesis key is not the trusted genesis key");
        }

        _activeKey = key;
        return null;
    }

    private VerificationFailure? CheckSigner(BlockHeader header)
    {
        if (_activeKey!.KeyIdSpan.SequenceEqual(header.KeyId))
        {
            return null;
        }

        return _knownKeys.ContainsKey(header.KeyId)
            ? Fail(VerificationFailureReason.RetiredKey, header.Height, "signed by a retired key")
            : Fail(VerificationFailureReason.UnknownKey, header.Height, "signed by a key that was never introduced");
    }

    private VerificationFailure? CheckKeyEvent(LedgerBlock block, BlockHeader header)
    {
        if (header.Height == 0)
        {
            _knownKeys[_activeKey!.KeyId] = _activeKey;
            _keyHistory.Add((0, _activeKey));
            return null;
        }

        if (block.Leaves.Count != 2)
        {
            return Fail(VerificationFailureReason.InvalidKeyEvent, header.Height,
                "a key rotation has exactly two records: introduce the new key, retire the current one");
        }

        for (var i = 0; i < 2; i++)
        {
            if (!KeyRecord.TryDecode(block.Leaves.GetSpan(i), out _, out var error))
            {
                return Fail(VerificationFailureReason.MalformedLeaf, header.Height, error!, leafIndex: i);
            }
        }

        var introduce = KeyRecord.Decode(block.Leaves.GetSpan(0));
        var retire = KeyRecord.Decode(block.Leaves.GetSpan(1));
        var newKey = VerifyingKey.Create(introduce.PublicKey);
        if (introduce.Action != KeyAction.Introduce || retire.Action != KeyAction.Retire
            || !retire.PublicKey.SequenceEqual(_activeKey!.PublicKey) || _knownKeys.ContainsKey(newKey.KeyId))
        {
            return Fail(VerificationFailureReason.InvalidKeyEvent, header.Height,
                "a key rotation must introduce a never-used key and then retire the current key");
        }

        _knownKeys[newKey.KeyId] = newKey;
        _keyHistory.Add((header.Height + 1, newKey));
        _activeKey = newKey;
        return null;
    }
}
