namespace Market.Ledger;

/// <summary>Why a chain, export or receipt failed verification.</summary>
public enum VerificationFailureReason
{
    /// <summary>Header bytes are not a well-formed header (length, kind, field range).</summary>
    MalformedHeader = 1,

    /// <summary>Header format version is not 1.</summary>
    UnsupportedVersion,

    /// <summary>A leaf cannot be decoded as the block kind's record (length, version, enum values).</summary>
    MalformedLeaf,

    /// <summary>The signature does not verify (including high-S, wrong length, r or s out of range).</summary>
    BadSignature,

    /// <summary>The block names a key id that was never introduced (or is not the trusted genesis key).</summary>
    UnknownKey,

    /// <summary>The block is signed by a key that is no longer valid at its height.</summary>
    RetiredKey,

    /// <summary>A key event is not of the allowed shape (genesis: introduce own key; rotation: introduce new, retire current).</summary>
    InvalidKeyEvent,

    /// <summary>Height 0 is not a valid genesis key event.</summary>
    GenesisInvalid,

    /// <summary>The previous header hash is not the hash of the previous block.</summary>
    BrokenLink,

    /// <summary>The height is not previous height + 1 (dropped, duplicated or reordered blocks).</summary>
    HeightGap,

    /// <summary>The number of leaves is not the header's leaf count.</summary>
    LeafCountMismatch,

    /// <summary>The RFC 9162 root of the leaves is not the header's payload root.</summary>
    PayloadRootMismatch,

    /// <summary>A header field is not allowed for its kind (e.g. a reference on a non-clearing block).</summary>
    InvalidHeaderField,

    /// <summary>The sealing time goes back in time.</summary>
    TimeNotMonotonic,

    /// <summary>A rules record is invalid, not newer than the previous one, or retroactive.</summary>
    InvalidRules,

    /// <summary>No rules are in effect for the interval.</summary>
    RulesMissing,

    /// <summary>The block's mechanism or rules version is not that of the rules in effect.</summary>
    RulesMismatch,

    /// <summary>The interval does not have the rules' length or alignment.</summary>
    InvalidInterval,

    /// <summary>A second order-book block for the same interval.</summary>
    DuplicateInterval,

    /// <summary>The order book was committed before gate closure.</summary>
    SealedBeforeGateClosure,

    /// <summary>An order is invalid (sequence not strictly increasing, energy not positive).</summary>
    InvalidOrder,

    /// <summary>A price outside the rules' floor and ceiling.</summary>
    PriceOutOfBounds,

    /// <summary>The clearing block names no earlier order-book block.</summary>
    OrderBookMissing,

    /// <summary>The clearing block's interval, mechanism or rules version differs from its order book's.</summary>
    ReferenceMismatch,

    /// <summary>A second clearing block for the same order book.</summary>
    DuplicateClearing,

    /// <summary>Trade ids are not 1-based and consecutive.</summary>
    TradeIdGap,

    /// <summary>A trade's interval is not its block's.</summary>
    TradeIntervalMismatch,

    /// <summary>A trade with energy not positive or price negative.</summary>
    InvalidTrade,

    /// <summary>amount ≠ energy × price / 1000 rounded half up.</summary>
    AmountMismatch,

    /// <summary>A trade names an order sequence not in the committed book.</summary>
    OrderNotInBook,

    /// <summary>A trade's buy order is not a bid or its sell order not an offer.</summary>
    OrderSideMismatch,

    /// <summary>A trade's buyer or seller is not the owner of the order.</summary>
    OrderOwnerMismatch,

    /// <summary>The fills of an order exceed its energy.</summary>
    Overfill,

    /// <summary>The recorded trades differ from what the rules give for the committed book.</summary>
    ReplayMismatch,

    /// <summary>The replayer does not support the mechanism or rules version.</summary>
    ReplayUnsupported,

    /// <summary>No blocks at all.</summary>
    EmptyChain,

    /// <summary>No checkpoint to verify against.</summary>
    CheckpointMissing,

    /// <summary>The checkpoint's root or time does not match the blocks it covers.</summary>
    CheckpointMismatch,

    /// <summary>The checkpoint's signature does not verify, or it is not signed by the key valid at its size.</summary>
    BadCheckpointSignature,

    /// <summary>A checkpoint covers more blocks than are present: the tail was cut.</summary>
    Truncated,

    /// <summary>The blocks do not extend a kept checkpoint: a fork or rewritten history.</summary>
    NotConsistent,

    /// <summary>An inclusion proof does not verify.</summary>
    InclusionProofInvalid,

    /// <summary>The key is not among the keys the caller trusts.</summary>
    UntrustedKey,

    /// <summary>The export file is not well-formed (syntax, types, missing fields, encodings).</summary>
    MalformedExport,

    /// <summary>A reconciliation block names no earlier clearing block.</summary>
    ClearingMissing,

    /// <summary>A reconciliation's version is not 1 for its interval's first, or the previous version + 1.</summary>
    ReconciliationVersionGap,

    /// <summary>A reconciliation block is not well-formed: summary, prices, household order, counts, an opened record's values.</summary>
    InvalidReconciliation,

    /// <summary>A reconciliation's retail price or feed-in tariff is not the one in force: the price ceiling and floor
    /// of the rules its interval was cleared under.</summary>
    TariffNotInForce,

    /// <summary>A reconciliation summary's community totals contradict each other or the interval's trades under the
    /// settlement rules (netting, utility residuals, amounts at the prices).</summary>
    TotalsInconsistent,

    /// <summary>With every household record of a reconciliation opened: the summary's totals are not their sums.</summary>
    TotalsMismatch,

    /// <summary>An opening does not hash to the commitment of its household's record: the record or the salt is not
    /// what was sealed.</summary>
    OpeningMismatch,

    /// <summary>A household's sold or bought energy is not what the clearing block's trades say, or a trader is missing.</summary>
    TradedEnergyMismatch,

    /// <summary>An opened household record sold more than its metered export plus the imbalance bought to cover it (plus energy bought and not used).</summary>
    SoldNotCovered,

    /// <summary>An opened household record's deviation is not exactly settled by its postings, not at its pro-rata
    /// share, or a posting total's amount is not at its price.</summary>
    ImbalanceMismatch,

    /// <summary>The meter reading the caller holds does not hash to what an opened record names: it changed after sealing.</summary>
    ReadingMismatch,

    /// <summary>The caller's reading records have no reading for an opened household record.</summary>
    ReadingMissing,

    /// <summary>A household block's record breaks the household rules: out of sequence, a key enrolled twice, a
    /// self-signed recovery key, a revocation or mandate revocation naming nothing of the household, a mandate id
    /// used before, or a household block without records.</summary>
    InvalidHouseholdRecord,

    /// <summary>A household statement is signed by a key id that is not one of its household's keys (or, for a
    /// household's first enrolment, not the key it enrols).</summary>
    HouseholdKeyUnknown,

    /// <summary>A household statement is signed by a key its household revoked earlier.</summary>
    HouseholdKeyRevoked,

    /// <summary>A household signature does not verify over its submission root.</summary>
    HouseholdSignatureInvalid,

    /// <summary>A nonce its household already used (a copied order, or a mandate's nonce used twice).</summary>
    OrderReplayed,

    /// <summary>An order its household cancelled in an earlier block is in a book.</summary>
    CancelledOrderInBook,

    /// <summary>A mandate order names no mandate of its owner.</summary>
    MandateUnknown,

    /// <summary>A mandate order is outside its mandate: revoked, side, validity, day, hour, price or energy per interval.</summary>
    OutsideMandate,

    /// <summary>An acceptance receipt (or the receipt in a proof of omission) does not verify or does not fit its statement.</summary>
    ReceiptInvalid,

    /// <summary>A proof of omission whose order is in the book after all.</summary>
    OrderIncluded,

    /// <summary>A witness-policy block is not one leaf of at most 16384 bytes holding a C2SP tlog-policy with exactly
    /// one log whose key is of type 0x01 (Ed25519 note signatures) and witnesses whose keys are of type 0x04
    /// (cosignatures); the message says which.</summary>
    WitnessPolicyInvalid,

    /// <summary>A witness-policy block names a log whose key name (the origin) differs from the chain's first
    /// witness-policy block: the origin never changes (the log key may).</summary>
    WitnessPolicyOriginChanged,

    /// <summary>A checkpoint note given beside the export is not a checkpoint, names another origin, covers more
    /// blocks than there are, has another root than the blocks' tree at its size, or carries no valid signature from
    /// a sealed log key (or one of its lines from such a key fails).</summary>
    CheckpointNoteInvalid,

    /// <summary>With an auditor's witness policy: a checkpoint note's cosignatures do not meet its quorum (or a line
    /// from one of its witnesses does not verify).</summary>
    WitnessQuorumNotMet,

    /// <summary>A network block is malformed or not a tree: a leaf that does not decode, no root or two, an orphan,
    /// a cycle, a node of the wrong kind for its depth (community, transformers, feeders, connections), a repeated
    /// node id, or a household at two connections.</summary>
    GridNetworkInvalid,

    /// <summary>A grid-limits block or a mechanism-3 order book comes before any network block.</summary>
    GridNetworkMissing,

    /// <summary>A mechanism-3 order book has no grid-limits block for its interval sealed before it.</summary>
    GridLimitsMissing,

    /// <summary>A second grid-limits block for the same interval.</summary>
    GridLimitsDuplicate,

    /// <summary>A grid-limits block for an interval that is not one of the rules (length, alignment), whose rules in
    /// effect are not mechanism 3 or whose mechanism or rules version differ from them, or sealed after its interval's
    /// order book.</summary>
    GridLimitsWrongInterval,

    /// <summary>A grid-limits block does not reference the network block in force (the latest before it, and still the
    /// latest at its order book).</summary>
    GridLimitsNetworkMismatch,

    /// <summary>A grid-limits leaf does not decode, names a node beyond the network or the root.</summary>
    GridLimitsInvalid,

    /// <summary>Grid-limits leaves are not in strictly increasing node order.</summary>
    GridLimitsUnsorted,

    /// <summary>A grid-limits leaf has a negative limit.</summary>
    GridLimitsNegative,

    /// <summary>Under mechanism 3, an order's owner is at no connection of the network in force: the book cannot be
    /// cleared.</summary>
    GridOrderNotConnected,

    /// <summary>A trade leaf v2's buy or sell price is not its order's node's zone price.</summary>
    GridTradePriceNotZonePrice,

    /// <summary>A trade leaf v2's fee price is not the fee of its path (the rules' fee for its distance).</summary>
    GridTradeFeeWrong,

    /// <summary>A trade leaf v2's meet node is not the nearest common ancestor of both orders' connections.</summary>
    GridTradeMeetNodeWrong,

    /// <summary>A mechanism-3 clearing block's zone leaves are missing, extra, out of node order, or a leaf in the trades'
    /// place is a zone leaf.</summary>
    GridZoneLeavesInvalid,

    /// <summary>A zone leaf's flow is not the net flow the block's trades give at that node.</summary>
    GridFlowMismatch,

    /// <summary>The trades at a connection exceed its export or import envelope for the interval.</summary>
    GridEnvelopeExceeded,

    /// <summary>The net flow through a feeder's or transformer's line exceeds its capacity for the interval.</summary>
    GridCapacityExceeded,

    /// <summary>A zone price is wrong: an order on the wrong side of its zone's price (a bid above it or an offer
    /// below it not fully filled, a bid below it or an offer above it filled), or a price beyond ±2^50.</summary>
    GridZonePriceWrong,

    /// <summary>Two neighbouring zones' prices differ by more (or less) than their line's fee although no limit of the
    /// line binds: the allocation was not the best.</summary>
    GridPriceGapWithoutLimit,

    /// <summary>The replayer's own certificate check (Market.Matching's GridCertificate) refused the clearing.</summary>
    GridCertificateFailed,

    /// <summary>A mechanism-3 clearing block does not end with one well-formed residual leaf (missing, malformed, or a
    /// curve out of order or not ending at the injection range's ends).</summary>
    GridResidualInvalid,

    /// <summary>The residual's least or most net injection is not what the book and the limits in force allow.</summary>
    GridResidualRangeWrong,
}
