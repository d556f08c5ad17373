// Words for people: what each failure reason means, and the one-line verdict the page shows.

const WORDS = {
  MalformedHeader: 'the block header is not a well-formed version-1 header',
  UnsupportedVersion: 'the block header has a version this verifier does not know',
  MalformedLeaf: 'an entry of the block cannot be decoded',
  BadSignature: 'the block\'s signature does not verify with the operator key valid at that height',
  UnknownKey: 'the block is signed by a key that was never introduced',
  RetiredKey: 'the block is signed by a key that was already retired',
  InvalidKeyEvent: 'the key change is not of the allowed form',
  GenesisInvalid: 'the first block is not a valid genesis key event',
  BrokenLink: 'the block does not link to the hash of the block before it',
  HeightGap: 'a block is missing, duplicated or out of order',
  LeafCountMismatch: 'the block has a different number of entries than its header says',
  PayloadRootMismatch: 'the block\'s entries do not hash to the Merkle root it was signed with: an entry was changed, added or removed',
  InvalidHeaderField: 'a header field is not allowed for this kind of block',
  TimeNotMonotonic: 'the block was sealed before the block before it',
  InvalidRules: 'the rules block is invalid or retroactive',
  RulesMissing: 'no rules were in effect for the interval',
  RulesMismatch: 'the block names other rules than those in effect',
  InvalidInterval: 'the interval does not have the rules\' length or alignment',
  DuplicateInterval: 'the interval already has an order book',
  SealedBeforeGateClosure: 'the order book was sealed before gate closure',
  InvalidOrder: 'an order in the book is invalid',
  PriceOutOfBounds: 'a price is outside the rules\' floor and ceiling',
  OrderBookMissing: 'the clearing names no earlier order book',
  ReferenceMismatch: 'the block does not match the interval, mechanism or rules version of the block it names',
  DuplicateClearing: 'the order book was cleared twice',
  TradeIdGap: 'trade ids are not consecutive',
  TradeIntervalMismatch: 'a trade is for another interval than its block',
  InvalidTrade: 'a trade has no energy or a negative price',
  AmountMismatch: 'a trade\'s amount is not energy × price / 1000 rounded half up',
  OrderNotInBook: 'a trade names an order that is not in the committed order book',
  OrderSideMismatch: 'a trade\'s orders are not a bid and an offer',
  OrderOwnerMismatch: 'a trade\'s buyer or seller does not own the order',
  Overfill: 'the trades of an order exceed its energy',
  ClearingMissing: 'the reconciliation names no earlier clearing block',
  ReconciliationVersionGap: 'the reconciliation versions of the interval are not 1, 2, 3, … in chain order',
  InvalidReconciliation: 'the reconciliation block is not well-formed (summary, prices, households or an opened record\'s values)',
  TariffNotInForce: 'the reconciliation\'s retail price or feed-in tariff is not the one in force (the ceiling and floor of the interval\'s rules)',
  TotalsInconsistent: 'the reconciliation\'s community totals contradict each other or the interval\'s trades under the settlement rules',
  TotalsMismatch: 'the reconciliation\'s community totals are not the sums of its opened household records',
  OpeningMismatch: 'an opening does not match the commitment sealed for its household: the record or the salt is not what was sealed',
  TradedEnergyMismatch: 'a household\'s sold or bought energy is not what the clearing block\'s trades say',
  SoldNotCovered: 'an opened household record sold more energy than it exported plus what covered its shortfall',
  ImbalanceMismatch: 'an opened household record is not settled exactly by its postings, at its pro-rata share and the right prices',
  InvalidHouseholdRecord: 'a household block or record breaks the rules of household statements (order, keys, mandates)',
  HouseholdKeyUnknown: 'a household statement is signed by a key that is not one of that household\'s keys',
  HouseholdKeyRevoked: 'a household statement is signed by a key the household had revoked',
  HouseholdSignatureInvalid: 'a household\'s signature does not verify: the statement is not what the household signed',
  OrderReplayed: 'an order or mandate uses a nonce its household used before: a copied order',
  CancelledOrderInBook: 'the order book holds an order its household had cancelled',
  MandateUnknown: 'an automatic order names no mandate of its household',
  OutsideMandate: 'an automatic order is outside what its household\'s mandate allows (revoked, side, period, day, hour, price or energy)',
  AlgorithmUnsupported: 'this browser cannot check a household key\'s signature algorithm (Ed25519), so the ledger could not be verified here',
  WitnessPolicyInvalid: 'the witness policy is not a valid tlog-policy with exactly one log (a type 0x01 key named after the log) and type 0x04 witness keys, in one leaf of at most 16384 bytes',
  WitnessPolicyOriginChanged: 'the witness policy names another log origin than the first policy did: a log\'s identity never changes',
  CheckpointNoteInvalid: 'the checkpoint note is not a checkpoint of this ledger signed by its sealed log key (origin, size, root or signature)',
  WitnessQuorumNotMet: 'the checkpoint note is not cosigned by enough of the witnesses the auditor\'s policy requires',
  GridNetworkInvalid: 'the network block is malformed or not a tree of community, transformers, feeders and connections',
  GridNetworkMissing: 'a grid-limits block or an order book under the grid\'s mechanism comes before any network block',
  GridLimitsMissing: 'no grid-limits block was sealed for the interval before its order book',
  GridLimitsDuplicate: 'the interval has a second grid-limits block',
  GridLimitsWrongInterval: 'the grid-limits block is for an interval that is not one of the rules (or not under the grid\'s mechanism), or was sealed after its order book',
  GridLimitsNetworkMismatch: 'the grid-limits block does not name the network block in force',
  GridLimitsInvalid: 'a grid-limits entry cannot be decoded or names a node that is not below the root',
  GridLimitsUnsorted: 'the grid-limits entries are not in increasing node order',
  GridLimitsNegative: 'a grid limit is negative',
  GridOrderNotConnected: 'an order\'s household is at no connection of the network, so the book cannot be cleared under the grid\'s limits',
  GridTradePriceNotZonePrice: 'a trade\'s buy or sell price is not its node\'s zone price',
  GridTradeFeeWrong: 'a trade\'s network fee is not the fee of its path',
  GridTradeMeetNodeWrong: 'a trade\'s meet node is not where the paths of its two households meet',
  GridZoneLeavesInvalid: 'the clearing\'s zone entries are missing, extra or out of node order',
  GridFlowMismatch: 'a zone\'s recorded flow is not what the trades give',
  GridEnvelopeExceeded: 'the trades at a connection exceed its envelope for the interval',
  GridCapacityExceeded: 'the flow through a feeder or transformer exceeds its capacity for the interval',
  GridZonePriceWrong: 'a zone price is wrong: an order is on the wrong side of its zone\'s price',
  GridPriceGapWithoutLimit: 'two neighbouring zones\' prices differ by more than their line\'s fee although no limit of the line binds',
  GridCertificateFailed: 'the clearing\'s certificate does not hold',
  GridResidualInvalid: 'the clearing\'s residual curve of the community is missing or malformed',
  GridResidualRangeWrong: 'the residual\'s least or most net injection is not what the book and the limits allow',
  EmptyChain: 'the export holds no blocks',
  CheckpointMissing: 'the export has no signed checkpoint',
  CheckpointMismatch: 'the checkpoint does not match the blocks it covers',
  BadCheckpointSignature: 'the checkpoint is not validly signed by the key valid at its size',
  Truncated: 'the checkpoint covers more blocks than the export holds: the end was cut off',
  NotConsistent: 'the ledger does not extend the checkpoint kept from earlier: its history was rewritten or forked',
  MalformedExport: 'the export file is not well-formed',
  ExportUnreadable: 'the export could not be downloaded, so nothing was verified',
  OpeningsUnreadable: 'the openings file could not be read, so nothing was verified',
};

/** Every reason this verifier reports. */
export const REASONS = Object.freeze(Object.keys(WORDS));

const plural = (n, one, many) => `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;

/** The page's verdict: "Valid: …" or "Invalid at block h, trade t (leaf i): what went wrong. Detail." */
export function verdict(result) {
  if (result.valid) {
    const reconciliations = result.reconciliations > 0
      ? `, ${plural(result.reconciliations, 'reconciliation', 'reconciliations')}`
      : '';
    return `Valid: ${plural(result.blocks, 'block', 'blocks')} with ${plural(result.trades, 'trade', 'trades')}${reconciliations} `
      + `and the checkpoint over ${plural(result.checkpointSize, 'block', 'blocks')} check out.${settlementScope(result)}`;
  }
  const f = result.failure;
  let where = f.height === null ? '' : ` at block ${f.height}`;
  if (f.tradeId !== null) where += `, trade ${f.tradeId}`;
  if (f.leafIndex !== null) where += ` (leaf ${f.leafIndex})`;
  const words = WORDS[f.reason] ?? f.reason;
  return `Invalid${where}: ${words}. ${capitalise(f.message)} [${f.reason}]`;
}

/** What the reconciliations were checked against: the public totals only, or opened household records too. */
export function settlementScope(result) {
  if (result.reconciliations === 0) return '';
  if (result.openingsChecked === 0) {
    return ' Reconciliations: public checks only (tariffs, trades, community totals); household meter values are sealed as commitments, open yours to check them.';
  }
  const unmatched = result.openingsUnmatched > 0 ? ` (${plural(result.openingsUnmatched, 'opening', 'openings')} matched no record)` : '';
  return ` Reconciliations: ${plural(result.openingsChecked, 'opened household record', 'opened household records')} checked${unmatched}, `
    + `${result.reconciliationsFullyChecked.toLocaleString('en-GB')} of ${result.reconciliations.toLocaleString('en-GB')} checked in full.`;
}

const capitalise = (s) => (s.length === 0 ? s : s[0].toUpperCase() + s.slice(1)) + (/[.!?]$/.test(s) ? '' : '.');

/** The result with its verdict attached. */
export const withVerdict = (result) => ({ ...result, verdict: verdict(result) });

const names = (list) => list.map((c) => c.name ?? c).join(', ');

/**
 * A checked note (witnessing.js checkNote) in words: "witnessed by 2 of 3: utility, community-association",
 * "not witnessed: 0 of the 2 needed", "no witnesses required by the sealed policy", or why the note is not valid.
 */
export function describeNote(report) {
  if (report.reason === 'CheckpointNoteInvalid' || report.reason === 'WitnessPolicyInvalid') {
    return `checkpoint note not checked: ${report.problem}`;
  }
  const which = report.policySource === 'auditor' ? 'your policy' : 'the sealed policy';
  const broken = report.invalidCosigners.length > 0
    ? `; cosignatures that do not verify (the note is malformed): ${names(report.invalidCosigners)}`
    : '';
  const by = report.cosigners.length > 0 ? ` (cosigned by ${names(report.cosigners)})` : '';
  if (report.needed === 0) return `no witnesses required by ${which}${by}${broken}`;
  if (report.quorumMet) return `witnessed by ${report.cosigners.length} of ${report.witnesses}: ${names(report.cosigners)}`;
  return `not witnessed: ${report.cosigners.length} of the ${report.needed} needed${by}${broken}`;
}

/** The witness policy in force (a verifier result's witnessPolicy) in words, or '' when the ledger has none. */
export function describePolicy(policy) {
  if (policy === null || policy === undefined) return '';
  const witnesses = policy.witnesses.map((w) => w.name).join(', ');
  return policy.needed === 0
    ? `Witness policy (block ${policy.height}): log ${policy.origin}, no witnesses required.`
    : `Witness policy (block ${policy.height}): log ${policy.origin}, ${policy.needed} of ${policy.of} needed (${witnesses}).`;
}
