// The chain checks of docs/ledger-format.md §8, block by block and in the same order as the C# ChainVerifier, so
// both report the same first failure (reason code, height, leaf index, trade id). The one thing left out is the
// clearing replay (§9), which the `market ledger verify` command line does, and the meter readings themselves: the
// ledger holds only commitments to households' settlement records; given their openings (a household's own, an
// auditor's of a range), it checks those records too, and every reconciliation whose records are all opened in full.
// Household blocks and each order's signature or mandate (format version 3) are checked by households.js; their
// signatures are checked asynchronously before a block is walked (`appendAsync`).
import { sha256, hashChildren, hashLeaf, rootOfLeafHashes } from './merkle.js';
import { KeyVerifier, verifySignature } from './ecdsa.js';
import { bytesToHex, equalBytes } from './hex.js';
import {
  ACTION, GRID_ZONAL_AUCTION, KIND, SIDE,
  decodeGridLimit, decodeGridTrade, decodeHeader, decodeHousehold, decodeKeyRecord, decodeNetworkNode, decodeOrder,
  decodeReconciliationSummary, decodeResidual, decodeRules, decodeTrade, decodeZone, looksLikeResidual, residualProblem, tradeAmount,
  validateRules,
} from './records.js';
import {
  NODE_KIND, buildTopology, connectionOf, exportFee, kindWord, meetNode, pathFee, staticLimits,
} from './grid.js';
import { checkGridCertificate } from './gridCertificate.js';
import { checkFully, checkOpened, summaryTotalsProblem } from './settlement.js';
import { commitmentOf, openingKey } from './openings.js';
import { Households } from './households.js';
import { KEY_TYPE, MAX_POLICY_BYTES, parsePolicy, sameKey } from './notes.js';

const ZERO32 = new Uint8Array(32);
const UTILITY = '0'.repeat(32); // the utility's party id (16 zero bytes) as decoded: lower-case hex
const UNIFORM_PRICE_DOUBLE_AUCTION = 1;
const I64_MIN = -(1n << 63n);
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The result's link to its verifier (a symbol: copied by spreads, left out of JSON), for checking notes later. */
export const VERIFIED_CHAIN = Symbol('verifiedChain');

/** The first thing that failed. Heights and leaf indexes are numbers; trade ids are decimal strings (u64). */
export function failure(reason, height, message, tradeId = null, leafIndex = null) {
  return { reason, height, tradeId: tradeId === null ? null : String(tradeId), leafIndex, message };
}

export class ChainVerifier {
  /**
   * @param {object} [options]
   * @param {Uint8Array} [options.trustedGenesisKeyId] when set, the genesis key must have this id.
   * @param {object} [options.keptCheckpoint] a checkpoint the auditor kept from earlier ({ size, root, time, keyId,
   *   signature }, as in the export): the chain must still hold its blocks and extend its root.
   * @param {number} [options.windowBits] table size of the per-key signature verifier (2..8, default 8); 0 uses
   *   noble's plain verify for every block (about ten times slower: for measurements).
   * @param {Array} [options.openings] openings of household commitments, as readOpeningsText gives them.
   */
  constructor(options = {}) {
    this.options = options;
    this.failure = null;
    this.blockCount = 0;
    this.tradeCount = 0;
    this.orderCount = 0;
    this.reconciliationCount = 0;
    this._leafHashes = []; // ledger-wide tree: SHA-256(0x00 ‖ header hash) per block
    this._frontier = []; // roots of the perfect subtrees of the ledger-wide tree, largest first: { size, hash }
    this._sealedAt = [];
    this._keyHistory = []; // { activeFrom: number, verifier, keyId }
    this._knownKeys = new Map(); // key id hex → verifier
    this._rules = [];
    this._pendingBooks = new Map(); // order-book header hash hex → { header, rules, orders }
    this._clearedBooks = new Set();
    this._clearings = new Map(); // clearing header hash hex → what its reconciliations need (clearedInterval)
    this._committedIntervals = new Set();
    this._gridLimits = new Map(); // interval key → { header, networkHash, limits }
    this._network = null; // the topology in force
    this._networkHash = null;
    this._active = null;
    this._genesisKeyId = null;
    this._previousHash = ZERO32;
    this._nextTradeId = 1n;
    this._lastSealedAt = I64_MIN;
    this._maxCommittedIntervalEnd = I64_MIN;
    this._openings = new Map();
    for (const o of options.openings ?? []) {
      this._openings.set(openingKey(o.settlement.household, o.settlement.intervalStart, o.settlement.reconciliationVersion), o);
    }
    this.householdRecords = 0;
    this.households = new Households();
    this.openingsChecked = 0;
    this.reconciliationsFullyChecked = 0;
    this.witnessPolicy = null; // the policy in force: { policy, text, height, origin }
    this._policyOrigin = null; // the origin named by the first policy block: it never changes
    this.logKeys = []; // every log key sealed so far, oldest first: a note of an earlier size may carry an earlier key's signature
  }

  /**
   * Starts what a block needs before it can be checked: its household signatures (WebCrypto). Call it for every
   * block in file order, as early as it is read; returns a promise to wait for before `append`, or null.
   */
  prepare(block) {
    return this.households.prepare(block);
  }

  /** Checks the next block ({ header, signature, leaves } as Uint8Arrays), prepared and its signatures checked.
   * Returns whether the chain is still valid. */
  append(block) {
    if (this.failure !== null) return false;
    this.prepare(block);
    this.failure = this._check(block);
    return this.failure === null;
  }

  /** Prepares, waits for the block's signature checks and checks it. */
  async appendAsync(block) {
    const ready = this.prepare(block);
    if (ready !== null) await ready;
    return this.append(block);
  }

  /** Finishes with the export's checkpoint ({ size, root, time, keyId, signature } or null). */
  complete(checkpoint) {
    if (this.failure === null) {
      if (this.blockCount === 0) this.failure = failure('EmptyChain', null, 'the chain has no blocks');
      else if (checkpoint == null) this.failure = failure('CheckpointMissing', null, 'no checkpoint to verify the chain against');
      else this.failure = this._checkCheckpoint(checkpoint, 'checkpoint') ?? this._checkKept(this.options.keptCheckpoint);
    }
    return this.result(checkpoint);
  }

  /** The outcome so far. */
  result(checkpoint = null) {
    const valid = this.failure === null;
    return {
      valid,
      failure: this.failure,
      blocks: this.blockCount,
      trades: this.tradeCount,
      orders: this.orderCount,
      reconciliations: this.reconciliationCount,
      readingsChecked: 0,
      householdRecords: this.householdRecords,
      householdStatements: this.households.records,
      householdSignaturesChecked: this.households.signaturesChecked,
      openingsChecked: this.openingsChecked,
      openingsUnmatched: this._openings.size - this.openingsChecked,
      reconciliationsFullyChecked: this.reconciliationsFullyChecked,
      keyIds: this._keyHistory.map((k) => k.keyIdHex),
      pendingOrderBooks: this._pendingBooks.size,
      ledgerRoot: this.blockCount > 0 ? bytesToHex(this._rootAt(this.blockCount)) : null,
      checkpointSize: valid && checkpoint ? Number(checkpoint.size) : null,
      checkpointRoot: valid && checkpoint ? bytesToHex(checkpoint.root) : null,
      checkpointTime: valid && checkpoint ? Number(checkpoint.time) : null,
      checkpointKeyId: valid && checkpoint ? bytesToHex(checkpoint.keyId) : null,
      checkpointSignature: valid && checkpoint ? bytesToHex(checkpoint.signature) : null,
      genesisKeyId: this._genesisKeyId ?? null,
      replayPerformed: false,
      witnessPolicy: this._policySummary(),
      [VERIFIED_CHAIN]: this,
    };
  }

  /** The policy in force as plain data (JSON for the page): null before the first policy block. */
  _policySummary() {
    const w = this.witnessPolicy;
    if (w === null) return null;
    return {
      height: w.height,
      origin: w.origin,
      text: w.text,
      logKey: w.policy.logs[0].key.vkey,
      logUrl: w.policy.logs[0].url,
      sealedLogKeys: this.logKeys.map((k) => k.vkey),
      witnesses: w.policy.witnesses.map((x) => ({ name: x.name, key: x.key.vkey, url: x.url })),
      quorum: w.policy.quorum,
      needed: w.policy.threshold,
      of: w.policy.of,
    };
  }

  /** Root of the ledger-wide tree over the first `size` blocks verified (0 ≤ size ≤ blocks). */
  ledgerRootAt(size) {
    return this._rootAt(size);
  }

  _check(block) {
    const h = this.blockCount;
    const decoded = decodeHeader(block.header);
    if (decoded.error) {
      const b = block.header;
      const reason = b.length >= 2 && (b[0] !== 0 || b[1] !== 1) ? 'UnsupportedVersion' : 'MalformedHeader';
      return failure(reason, h, decoded.error);
    }
    const header = decoded.value;
    if (header.height !== BigInt(h)) {
      return failure('HeightGap', h, `expected height ${h}, found ${header.height} (a block is missing, duplicated or out of order)`);
    }
    if (!equalBytes(header.previousHash, this._previousHash)) {
      return failure('BrokenLink', h, 'the previous header hash is not the hash of the previous block');
    }

    const headerHash = sha256(block.header);
    const signer = h === 0 ? this._checkGenesisKey(block, header) : this._checkSigner(header, h);
    if (signer !== null) return signer;
    if (!this._active.verifier.verify(headerHash, block.signature)) {
      return failure('BadSignature', h, 'the signature over the header hash does not verify with the valid key');
    }
    if (block.leaves.length !== header.leafCount) {
      return failure('LeafCountMismatch', h, `the header says ${header.leafCount} leaves, the block has ${block.leaves.length}`);
    }
    const leafHashes = new Array(block.leaves.length);
    for (let i = 0; i < leafHashes.length; i++) leafHashes[i] = hashLeaf(block.leaves[i]);
    if (!equalBytes(rootOfLeafHashes(leafHashes), header.payloadRoot)) return this._rootMismatch(block, header, h);
    if (header.sealedAt < this._lastSealedAt) return failure('TimeNotMonotonic', h, 'sealed before the previous block');

    const kindFailure = this._checkHeaderFields(header, h) ?? this._checkKind(block, header, headerHash, h);
    if (kindFailure !== null) return kindFailure;

    this._appendLedgerLeaf(hashLeaf(headerHash));
    this._sealedAt.push(header.sealedAt);
    this._lastSealedAt = header.sealedAt;
    this._previousHash = headerHash;
    this.blockCount++;
    return null;
  }

  _checkKind(block, header, headerHash, h) {
    switch (header.kind) {
      case KIND.keyEvent: return this._checkKeyEvent(block, header, h);
      case KIND.rules: return this._checkRules(block, h);
      case KIND.orderBook: return this._checkOrderBook(block, header, headerHash, h);
      case KIND.clearing: return this._checkClearing(block, header, headerHash, h);
      case KIND.household:
        return this.households.checkHouseholdBlock(block, (reason, message, leafIndex) => failure(reason, h, message, null, leafIndex));
      case KIND.witnessPolicy: return this._checkWitnessPolicy(block, h);
      case KIND.network: return this._checkNetwork(block, headerHash, h);
      case KIND.gridLimits: return this._checkGridLimits(block, header, h);
      default: return this._checkReconciliation(block, header, h);
    }
  }

  /**
   * The leaves do not hash to the signed root: something in them changed after sealing. As the C# verifier does,
   * a clearing block names the first trade that is not what its committed order book and the rules give (not a
   * valid trade leaf, wrong id, amount, interval, orders or owners), with the id it should have; the replay part of
   * that test is left to the command line, like the replay itself.
   */
  _rootMismatch(block, header, h) {
    const book = header.kind === KIND.clearing ? this._pendingBooks.get(bytesToHex(header.reference)) : undefined;
    if (book !== undefined && book.grid === null) {
      const prefix = 'the Merkle root of the leaves is not the header\'s payload root: ';
      for (let i = 0; i < block.leaves.length; i++) {
        const id = this._nextTradeId + BigInt(i);
        const decoded = decodeTrade(block.leaves[i]);
        if (decoded.error) return failure('PayloadRootMismatch', h, prefix + 'this entry is not a valid trade', id, i);
        const t = decoded.value;
        const amount = tradeAmount(t.energy, t.price);
        const buy = findOrder(book.orders, t.buySequence);
        const sell = findOrder(book.orders, t.sellSequence);
        const partiesOk = buy >= 0 && sell >= 0
          && equalBytes(book.orders[buy].owner, t.buyer) && equalBytes(book.orders[sell].owner, t.seller);
        if (t.tradeId !== id || amount === null || amount !== t.amount || !partiesOk
          || t.intervalStart !== header.intervalStart || t.intervalEnd !== header.intervalEnd) {
          return failure('PayloadRootMismatch', h,
            prefix + 'this trade was changed (it is not what the committed order book and the rules give)', id, i);
        }
      }
    }
    return failure('PayloadRootMismatch', h, 'the Merkle root of the leaves is not the header\'s payload root');
  }

  _checkGenesisKey(block, header) {
    this._genesisKeyId = bytesToHex(header.keyId); // named in the result even when block 0 fails (e.g. another ledger)
    if (header.kind !== KIND.keyEvent || block.leaves.length !== 1) {
      return failure('GenesisInvalid', 0, 'height 0 must be a key event with exactly one key record');
    }
    const record = decodeKeyRecord(block.leaves[0]);
    if (record.error) return failure('MalformedLeaf', 0, record.error, null, 0);
    const keyId = sha256(record.value.publicKey);
    if (record.value.action !== ACTION.introduce || !equalBytes(keyId, header.keyId)) {
      return failure('GenesisInvalid', 0, 'the genesis block must introduce the key that signs it');
    }
    const trusted = this.options.trustedGenesisKeyId;
    if (trusted && !equalBytes(keyId, trusted)) {
      return failure('UnknownKey', 0, 'the genesis key is not the trusted genesis key');
    }
    this._active = this._newKey(record.value.publicKey, keyId);
    return null;
  }

  _newKey(publicKey, keyId) {
    const bits = this.options.windowBits ?? 8;
    const verifier = bits === 0
      ? { verify: (digest, signature) => verifySignature(publicKey, digest, signature) }
      : new KeyVerifier(publicKey, bits);
    return { verifier, keyId, keyIdHex: bytesToHex(keyId), publicKey };
  }

  _checkSigner(header, h) {
    if (equalBytes(this._active.keyId, header.keyId)) return null;
    return this._knownKeys.has(bytesToHex(header.keyId))
      ? failure('RetiredKey', h, 'signed by a retired key')
      : failure('UnknownKey', h, 'signed by a key that was never introduced');
  }

  _checkHeaderFields(header, h) {
    const referenceIsZero = equalBytes(header.reference, ZERO32);
    const book = header.kind === KIND.orderBook;
    const clearing = header.kind === KIND.clearing;
    const reconciliation = header.kind === KIND.reconciliation;
    const limits = header.kind === KIND.gridLimits;
    let problem = null;
    if (!book && !clearing && !reconciliation && !limits) {
      if (header.intervalStart !== 0n || header.intervalEnd !== 0n || !referenceIsZero || header.mechanism !== 0 || header.rulesVersion !== 0) {
        problem = 'key-event, rules, household, witness-policy and network blocks have zero interval, reference, mechanism and rules version';
      }
    } else if (header.intervalEnd <= header.intervalStart) {
      problem = 'the interval end must be after its start';
    } else if (header.mechanism === 0 || header.rulesVersion === 0) {
      problem = reconciliation
        ? 'a reconciliation block repeats its clearing block\'s mechanism and rules version'
        : 'order-book, clearing and grid-limits blocks name a mechanism and rules version';
    } else if (book && !referenceIsZero) {
      problem = 'an order-book block has a zero reference';
    } else if (clearing && referenceIsZero) {
      problem = 'a clearing block references its order-book block';
    } else if (reconciliation && referenceIsZero) {
      problem = 'a reconciliation block references its clearing block';
    } else if (limits && referenceIsZero) {
      problem = 'a grid-limits block references the network block in force';
    }
    return problem === null ? null : failure('InvalidHeaderField', h, problem);
  }

  _checkKeyEvent(block, header, h) {
    if (h === 0) {
      this._knownKeys.set(this._active.keyIdHex, this._active);
      this._keyHistory.push({ activeFrom: 0, ...this._active });
      return null;
    }
    if (block.leaves.length !== 2) {
      return failure('InvalidKeyEvent', h, 'a key rotation has exactly two records: introduce the new key, retire the current one');
    }
    const records = [];
    for (let i = 0; i < 2; i++) {
      const record = decodeKeyRecord(block.leaves[i]);
      if (record.error) return failure('MalformedLeaf', h, record.error, null, i);
      records.push(record.value);
    }
    const [introduce, retire] = records;
    const newKeyId = sha256(introduce.publicKey);
    if (introduce.action !== ACTION.introduce || retire.action !== ACTION.retire
      || !equalBytes(retire.publicKey, this._active.publicKey) || this._knownKeys.has(bytesToHex(newKeyId))) {
      return failure('InvalidKeyEvent', h, 'a key rotation must introduce a never-used key and then retire the current key');
    }
    const key = this._newKey(introduce.publicKey, newKeyId);
    this._knownKeys.set(key.keyIdHex, key);
    this._keyHistory.push({ activeFrom: h + 1, ...key });
    this._active = key;
    return null;
  }

  _checkRules(block, h) {
    if (block.leaves.length !== 1) return failure('InvalidRules', h, 'a rules block holds exactly one rules record');
    const decoded = decodeRules(block.leaves[0]);
    if (decoded.error) return failure('MalformedLeaf', h, decoded.error, null, 0);
    const rules = decoded.value;
    const invalid = validateRules(rules);
    if (invalid !== null) return failure('InvalidRules', h, invalid, null, 0);
    const last = this._rules[this._rules.length - 1];
    if (last && (rules.rulesVersion <= last.rulesVersion || rules.effectiveFrom < last.effectiveFrom)) {
      return failure('InvalidRules', h, 'rules versions must increase and effective-from must not go back', null, 0);
    }
    if (rules.effectiveFrom < this._maxCommittedIntervalEnd) {
      return failure('InvalidRules', h, 'rules must not apply to an interval whose order book is already committed', null, 0);
    }
    this._rules.push(rules);
    return null;
  }

  _checkOrderBook(block, header, headerHash, h) {
    let rules = null;
    for (let i = this._rules.length - 1; i >= 0 && rules === null; i--) {
      if (this._rules[i].effectiveFrom <= header.intervalStart) rules = this._rules[i];
    }
    if (rules === null) return failure('RulesMissing', h, 'no rules block is in effect for this interval');
    if (rules.rulesVersion !== header.rulesVersion || rules.mechanism !== header.mechanism) {
      return failure('RulesMismatch', h,
        `the rules in effect are version ${rules.rulesVersion} mechanism ${rules.mechanism}, the block names version ${header.rulesVersion} mechanism ${header.mechanism}`);
    }
    const length = rules.intervalLength;
    if (header.intervalEnd - header.intervalStart !== length || ((header.intervalStart % length) + length) % length !== 0n) {
      return failure('InvalidInterval', h, `intervals are ${length} s long and aligned to that length`);
    }
    const intervalKey = `${header.intervalStart}/${header.intervalEnd}`;
    if (this._committedIntervals.has(intervalKey)) {
      return failure('DuplicateInterval', h, 'this interval already has an order-book block');
    }
    this._committedIntervals.add(intervalKey);
    if (header.sealedAt < (header.intervalStart - rules.gateLead) * 1000n) {
      return failure('SealedBeforeGateClosure', h, 'the order book was committed before gate closure');
    }
    const orders = new Array(block.leaves.length);
    const decodedOrders = block.prepared?.decoded ?? block.leaves.map(decodeOrder);
    const mandateEnergy = this.households.startBook();
    for (let i = 0; i < orders.length; i++) {
      const decoded = decodedOrders[i];
      if (decoded.error) return failure('MalformedLeaf', h, decoded.error, null, i);
      const order = decoded.value;
      if (i > 0 && order.sequence <= orders[i - 1].sequence) {
        return failure('InvalidOrder', h, 'order sequences must strictly increase', null, i);
      }
      if (order.energy <= 0n) return failure('InvalidOrder', h, 'order energy must be positive', null, i);
      if (order.limitPrice < rules.priceFloor || order.limitPrice > rules.priceCeiling) {
        return failure('PriceOutOfBounds', h, `limit price ${order.limitPrice} outside [${rules.priceFloor}, ${rules.priceCeiling}]`, null, i);
      }
      const household = this.households.checkOrder(block, i, order, header, mandateEnergy, (reason, message) => failure(reason, h, message, null, i));
      if (household !== null) return household;
      orders[i] = order;
    }
    let grid = null;
    if (rules.mechanism === GRID_ZONAL_AUCTION) {
      const checked = this._checkGridBook(header, orders, h);
      if (checked.failure) return checked.failure;
      grid = checked.grid;
    }
    this._pendingBooks.set(bytesToHex(headerHash), { header, rules, orders, grid });
    if (header.intervalEnd > this._maxCommittedIntervalEnd) this._maxCommittedIntervalEnd = header.intervalEnd;
    this.orderCount += orders.length;
    return null;
  }

  _checkClearing(block, header, headerHash, h) {
    const reference = bytesToHex(header.reference);
    const book = this._pendingBooks.get(reference);
    if (book === undefined) {
      return this._clearedBooks.has(reference)
        ? failure('DuplicateClearing', h, 'this order book was already cleared')
        : failure('OrderBookMissing', h, 'the referenced order-book block is not in the chain before this block');
    }
    this._pendingBooks.delete(reference);
    const bh = book.header;
    if (bh.intervalStart !== header.intervalStart || bh.intervalEnd !== header.intervalEnd
      || bh.mechanism !== header.mechanism || bh.rulesVersion !== header.rulesVersion) {
      return failure('ReferenceMismatch', h, 'interval, mechanism or rules version differ from the referenced order-book block');
    }
    if (book.grid !== null) return this._checkGridClearing(block, header, headerHash, book, reference, h);
    const filled = new Array(book.orders.length).fill(0n);
    const cleared = clearedInterval(header, book.rules);
    for (let i = 0; i < block.leaves.length; i++) {
      const decoded = decodeTrade(block.leaves[i]);
      if (decoded.error) return failure('MalformedLeaf', h, decoded.error, null, i);
      const trade = decoded.value;
      const problem = this._checkTrade(trade, header, book, filled, h, i);
      if (problem !== null) return problem;
      addTrade(cleared, trade);
      this._nextTradeId++;
    }
    this._clearedBooks.add(reference);
    this.tradeCount += block.leaves.length;
    this._clearings.set(bytesToHex(headerHash), cleared);
    return null;
  }

  /** A reconciliation block (§5.5, §8): its clearing block, the summary and its totals, each household record (and
   * its opening, when given), that every trader has a record, and the whole interval when every record is opened. */
  _checkReconciliation(block, header, h) {
    const clearing = this._clearings.get(bytesToHex(header.reference));
    if (clearing === undefined) {
      return failure('ClearingMissing', h, 'the referenced clearing block is not in the chain before this block');
    }
    if (clearing.intervalStart !== header.intervalStart || clearing.intervalEnd !== header.intervalEnd
      || clearing.mechanism !== header.mechanism || clearing.rulesVersion !== header.rulesVersion) {
      return failure('ReferenceMismatch', h, 'interval, mechanism or rules version differ from the referenced clearing block');
    }
    if (block.leaves.length === 0) {
      return failure('InvalidReconciliation', h, 'a reconciliation block starts with its summary record');
    }
    const decoded = decodeReconciliationSummary(block.leaves[0]);
    if (decoded.error) return failure('MalformedLeaf', h, decoded.error, null, 0);
    const summary = decoded.value;
    const expectedVersion = clearing.lastReconciliationVersion + 1;
    if (summary.reconciliationVersion !== expectedVersion) {
      return failure('ReconciliationVersionGap', h,
        `expected reconciliation version ${expectedVersion} of this interval, found ${summary.reconciliationVersion}`, null, 0);
    }
    const problem = summaryProblem(summary, clearing, header, block.leaves.length);
    if (problem !== null) return failure('InvalidReconciliation', h, problem, null, 0);
    const rules = clearing.rules;
    if (summary.retailPrice !== rules.priceCeiling || summary.feedInTariff !== rules.priceFloor) {
      return failure('TariffNotInForce', h,
        `retail ${summary.retailPrice} and feed-in ${summary.feedInTariff} are not the tariffs of rules version ${rules.rulesVersion}, under which the interval was cleared: retail ${rules.priceCeiling} (the price ceiling), feed-in ${rules.priceFloor} (the price floor)`,
        null, 0);
    }
    const inconsistent = summaryTotalsProblem(summary, clearing.tradedWh);
    if (inconsistent !== null) return failure('TotalsInconsistent', h, inconsistent, null, 0);

    const households = new Array(summary.householdCount);
    const opened = [];
    for (let i = 0; i < households.length; i++) {
      const leafIndex = i + 1;
      const record = decodeHousehold(block.leaves[leafIndex]);
      if (record.error) return failure('MalformedLeaf', h, record.error, null, leafIndex);
      const x = record.value;
      let householdFailure = checkHousehold(x, i === 0 ? null : households[i - 1], clearing, h, leafIndex);
      const opening = householdFailure === null ? this._openings.get(openingKey(x.household, header.intervalStart, summary.reconciliationVersion)) : undefined;
      if (opening !== undefined) {
        householdFailure = equalBytes(commitmentOf(opening.salt, opening.record), x.commitment)
          ? checkOpened(x, opening.settlement, summary, header, h, leafIndex)
          : failure('OpeningMismatch', h,
            `the opening of household ${x.household} does not hash to its commitment: the record or the salt is not what was sealed`, null, leafIndex);
        opened.push(opening.settlement);
        if (householdFailure === null) this.openingsChecked++;
      }
      if (householdFailure !== null) return householdFailure;
      households[i] = x;
    }

    this.householdRecords += households.length;
    const listed = new Set(households.map((x) => x.household));
    for (const party of [...clearing.parties.keys()].sort()) {
      if (!listed.has(party)) {
        return failure('TradedEnergyMismatch', h, `household ${party} traded in this interval but has no reconciliation record`);
      }
    }
    if (opened.length === households.length) {
      const full = checkFully(opened, summary, h);
      if (full !== null) return full;
      this.reconciliationsFullyChecked++;
    }

    clearing.lastReconciliationVersion = summary.reconciliationVersion;
    this.reconciliationCount++;
    return null;
  }

  /**
   * A witness-policy block: one leaf, the UTF-8 text of a tlog-policy of at most 16384 bytes with exactly one log
   * (a type 0x01 key whose name is the log's origin) and type 0x04 witness keys. The origin is the one the first
   * policy block named (the log key may change, the log's identity may not). It becomes the policy in force.
   */
  _checkWitnessPolicy(block, h) {
    const invalid = (message, leafIndex = 0) => failure('WitnessPolicyInvalid', h, message, null, leafIndex);
    if (block.leaves.length !== 1) return invalid(`a witness-policy block has exactly one leaf, this one has ${block.leaves.length}`, null);
    const leaf = block.leaves[0];
    if (leaf.length > MAX_POLICY_BYTES) return invalid(`the policy is ${leaf.length} bytes, more than ${MAX_POLICY_BYTES}`);
    let text;
    try {
      text = strictUtf8.decode(leaf);
    } catch {
      return invalid('the policy is not UTF-8 text');
    }
    const parsed = parsePolicy(text);
    if (parsed.error) return invalid(`the policy does not parse: ${parsed.error}`);
    const policy = parsed.value;
    if (policy.logs.length !== 1) return invalid(`the policy names ${policy.logs.length} logs, not exactly one`);
    const log = policy.logs[0].key;
    if (log.type !== KEY_TYPE.ed25519 || policy.witnesses.some((w) => w.key.type !== KEY_TYPE.cosignatureV1)) {
      return invalid('the log key is not of type 0x01 or a witness key is not of type 0x04');
    }
    if (this._policyOrigin !== null && log.name !== this._policyOrigin) {
      return failure('WitnessPolicyOriginChanged', h,
        `the policy names the log ${log.name}, the first policy block named ${this._policyOrigin}: a log's origin never changes`, null, 0);
    }
    this._policyOrigin ??= log.name;
    if (!this.logKeys.some((k) => k.keyId === log.keyId && sameKey(k, log))) this.logKeys.push(log);
    this.witnessPolicy = { policy, text, height: h, origin: log.name };
    return null;
  }

  /** A network block (§5.8, §8): every node decodes, and they form the community's tree. It is then in force. */
  _checkNetwork(block, headerHash, h) {
    const nodes = new Array(block.leaves.length);
    for (let i = 0; i < nodes.length; i++) {
      const decoded = decodeNetworkNode(block.leaves[i]);
      if (decoded.error) return failure('GridNetworkInvalid', h, decoded.error, null, i);
      nodes[i] = decoded.value;
    }
    const built = buildTopology(nodes);
    if (built.error) return failure('GridNetworkInvalid', h, built.error, null, built.node >= 0 ? built.node : null);
    this._network = built.value;
    this._networkHash = headerHash;
    return null;
  }

  _rulesInEffect(intervalStart) {
    for (let i = this._rules.length - 1; i >= 0; i--) {
      if (this._rules[i].effectiveFrom <= intervalStart) return this._rules[i];
    }
    return null;
  }

  /** A grid-limits block (§5.9, §8), before its interval's order book, naming the network in force. */
  _checkGridLimits(block, header, h) {
    if (this._network === null) return failure('GridNetworkMissing', h, 'no network block comes before this grid-limits block');
    const rules = this._rulesInEffect(header.intervalStart);
    if (rules === null || rules.mechanism !== GRID_ZONAL_AUCTION || rules.mechanism !== header.mechanism || rules.rulesVersion !== header.rulesVersion) {
      return failure('GridLimitsWrongInterval', h, 'the rules in effect for this interval are not mechanism 3 with the block\'s mechanism and rules version');
    }
    const length = rules.intervalLength;
    if (header.intervalEnd - header.intervalStart !== length || ((header.intervalStart % length) + length) % length !== 0n) {
      return failure('GridLimitsWrongInterval', h, `intervals are ${length} s long and aligned to that length`);
    }
    const intervalKey = `${header.intervalStart}/${header.intervalEnd}`;
    if (this._committedIntervals.has(intervalKey)) {
      return failure('GridLimitsWrongInterval', h, 'the interval\'s order book is already sealed: its limits come before it');
    }
    if (this._gridLimits.has(intervalKey)) return failure('GridLimitsDuplicate', h, 'this interval already has a grid-limits block');
    if (!equalBytes(header.reference, this._networkHash)) {
      return failure('GridLimitsNetworkMismatch', h, 'the reference is not the header hash of the network block in force');
    }
    const network = this._network;
    const limits = staticLimits(network, length);
    let previous = -1;
    for (let i = 0; i < block.leaves.length; i++) {
      const decoded = decodeGridLimit(block.leaves[i]);
      if (decoded.error) return failure('GridLimitsInvalid', h, decoded.error, null, i);
      const leaf = decoded.value;
      if (leaf.node >= network.nodes.length || leaf.node === network.root) {
        return failure('GridLimitsInvalid', h, `node ${leaf.node} is not a node below the root of the network in force`, null, i);
      }
      if (leaf.node <= previous) return failure('GridLimitsUnsorted', h, 'limits leaves must be in strictly increasing node order', null, i);
      if (leaf.exportWh < 0n || leaf.importWh < 0n) {
        return failure('GridLimitsNegative', h, `node ${leaf.node}'s limits are negative (${leaf.exportWh} Wh export, ${leaf.importWh} Wh import)`, null, i);
      }
      previous = leaf.node;
      limits[leaf.node] = { exportWh: leaf.exportWh, importWh: leaf.importWh };
    }
    this._gridLimits.set(intervalKey, { header, networkHash: this._networkHash, limits });
    return null;
  }

  /** Under mechanism 3: the interval's limits against the network still in force, and each order's connection. */
  _checkGridBook(header, orders, h) {
    if (this._network === null) return { failure: failure('GridNetworkMissing', h, 'no network block comes before this mechanism-3 order book') };
    // Taken out once its book is sealed: a later limits block for the interval fails as sealed after the book.
    const intervalKey = `${header.intervalStart}/${header.intervalEnd}`;
    const sealed = this._gridLimits.get(intervalKey);
    this._gridLimits.delete(intervalKey);
    if (sealed === undefined) return { failure: failure('GridLimitsMissing', h, 'no grid-limits block for this interval comes before its order book') };
    if (!equalBytes(sealed.networkHash, this._networkHash)) {
      return { failure: failure('GridLimitsNetworkMismatch', h, 'the interval\'s grid-limits block references a network that is no longer in force at its order book') };
    }
    if (sealed.header.mechanism !== header.mechanism || sealed.header.rulesVersion !== header.rulesVersion) {
      return { failure: failure('GridLimitsWrongInterval', h, 'the grid-limits block names another mechanism or rules version than the order book') };
    }
    const nodes = new Array(orders.length);
    for (let i = 0; i < orders.length; i++) {
      nodes[i] = connectionOf(this._network, orders[i].owner);
      if (nodes[i] < 0) {
        return { failure: failure('GridOrderNotConnected', h, `order ${orders[i].sequence}'s owner is at no connection of the network in force: the book cannot be cleared under mechanism 3`, null, i) };
      }
    }
    return { grid: { network: this._network, limits: sealed.limits, orderNodes: nodes } };
  }

  /** A mechanism-3 clearing block (§5.4.1, §8): trades v2, one zone leaf per node, the residual, and the certificate. */
  _checkGridClearing(block, header, headerHash, book, reference, h) {
    const { network } = book.grid;
    const n = network.nodes.length;
    const residualIndex = block.leaves.length - 1;
    if (residualIndex < 0 || !looksLikeResidual(block.leaves[residualIndex])) {
      return failure('GridResidualInvalid', h, 'the block does not end with the community\'s residual leaf', null, residualIndex < 0 ? null : residualIndex);
    }
    const decodedResidual = decodeResidual(block.leaves[residualIndex]);
    if (decodedResidual.error) return failure('GridResidualInvalid', h, decodedResidual.error, null, residualIndex);
    const residual = decodedResidual.value;
    const residualError = residualProblem(residual);
    if (residualError !== null) return failure('GridResidualInvalid', h, `residual: ${residualError}`, null, residualIndex);
    const tradeCount = block.leaves.length - n - 1;
    const zones = new Array(n);
    for (let k = 0; k < n; k++) {
      const index = tradeCount + k;
      if (index < 0) continue;
      const decoded = decodeZone(block.leaves[index]);
      if (decoded.error) {
        return decodeGridTrade(block.leaves[index]).error
          ? failure('MalformedLeaf', h, decoded.error, null, index)
          : failure('GridZoneLeavesInvalid', h, `expected ${n} zone leaves after the trades (one per node), found a trade in their place`, null, index);
      }
      if (decoded.value.node !== k) {
        return failure('GridZoneLeavesInvalid', h, `zone leaf ${k} names node ${decoded.value.node}: one per node, in node order`, null, index);
      }
      zones[k] = decoded.value;
    }
    if (tradeCount < 0) {
      return failure('GridZoneLeavesInvalid', h, `the block has ${block.leaves.length} leaves, fewer than the network's ${n} zone leaves and the residual`);
    }
    const filled = new Array(book.orders.length).fill(0n);
    const flow = new Array(n).fill(0n);
    const cleared = clearedInterval(header, book.rules);
    for (let i = 0; i < tradeCount; i++) {
      const decoded = decodeGridTrade(block.leaves[i]);
      if (decoded.error) {
        if (!decodeZone(block.leaves[i]).error) {
          return failure('GridZoneLeavesInvalid', h, `a zone leaf among the trades: the block must end with exactly ${n} zone leaves and the residual`, null, i);
        }
        return looksLikeResidual(block.leaves[i])
          ? failure('GridResidualInvalid', h, 'a residual leaf among the trades: one residual, the block\'s last leaf', null, i)
          : failure('MalformedLeaf', h, decoded.error, null, i);
      }
      const trade = decoded.value;
      const problem = this._checkGridTrade(trade, header, book, filled, zones, flow, h, i);
      if (problem !== null) return problem;
      addTrade(cleared, { ...trade, price: trade.buyPrice });
      this._nextTradeId++;
    }
    const after = checkGridFlows(book.grid, flow, zones, tradeCount, h)
      ?? checkCertificate(book, filled, zones, tradeCount, h)
      ?? checkResidualRange(book, residual, residualIndex, h);
    if (after !== null) return after;
    this._clearedBooks.add(reference);
    this.tradeCount += tradeCount;
    this._clearings.set(bytesToHex(headerHash), cleared);
    return null;
  }

  _checkGridTrade(trade, header, book, filled, zones, flow, h, i) {
    const id = trade.tradeId;
    const rules = book.rules;
    const { network, orderNodes } = book.grid;
    if (id !== this._nextTradeId) return failure('TradeIdGap', h, `expected trade id ${this._nextTradeId}, found ${id}`, id, i);
    if (trade.intervalStart !== header.intervalStart || trade.intervalEnd !== header.intervalEnd) {
      return failure('TradeIntervalMismatch', h, 'the trade\'s interval is not its block\'s', id, i);
    }
    if (trade.energy <= 0n || trade.buyPrice < 0n || trade.sellPrice < 0n || trade.feePrice < 0n) {
      return failure('InvalidTrade', h, 'energy must be positive and prices and fee not negative', id, i);
    }
    const fill = this._checkFill(trade.buySequence, SIDE.buy, trade.buyer, trade.energy, book.orders, filled, h, id, i)
      ?? this._checkFill(trade.sellSequence, SIDE.sell, trade.seller, trade.energy, book.orders, filled, h, id, i);
    if (fill !== null) return fill;
    for (const price of [trade.buyPrice, trade.sellPrice]) {
      if (price < rules.priceFloor || price > rules.priceCeiling) {
        return failure('PriceOutOfBounds', h, `price ${price} outside [${rules.priceFloor}, ${rules.priceCeiling}]`, id, i);
      }
    }
    const buyerNode = orderNodes[findOrder(book.orders, trade.buySequence)];
    const sellerNode = orderNodes[findOrder(book.orders, trade.sellSequence)];
    if (trade.buyPrice !== zones[buyerNode].zonePrice || trade.sellPrice !== zones[sellerNode].zonePrice) {
      return failure('GridTradePriceNotZonePrice', h,
        `prices ${trade.buyPrice} (buy) and ${trade.sellPrice} (sell) are not the zone prices of nodes ${buyerNode} (${zones[buyerNode].zonePrice}) and ${sellerNode} (${zones[sellerNode].zonePrice})`, id, i);
    }
    const meet = meetNode(network, buyerNode, sellerNode);
    if (trade.meetNode !== meet) {
      return failure('GridTradeMeetNodeWrong', h, `meet node ${trade.meetNode} is not the nearest common ancestor of nodes ${sellerNode} and ${buyerNode} (${meet})`, id, i);
    }
    const fee = pathFee(network, sellerNode, meet, rules);
    if (trade.feePrice !== fee) {
      return failure('GridTradeFeeWrong', h, `fee ${trade.feePrice} is not the path fee ${fee} from node ${sellerNode} to node ${buyerNode}`, id, i);
    }
    const buyerAmount = tradeAmount(trade.energy, trade.buyPrice);
    const sellerAmount = tradeAmount(trade.energy, trade.sellPrice);
    if (buyerAmount === null || buyerAmount !== trade.buyerAmount || sellerAmount === null || sellerAmount !== trade.sellerAmount) {
      return failure('AmountMismatch', h,
        `amounts ${trade.buyerAmount} and ${trade.sellerAmount} are not ${trade.energy} Wh x ${trade.buyPrice} and x ${trade.sellPrice} / 1000 rounded half up`, id, i);
    }
    flow[sellerNode] += trade.energy;
    flow[buyerNode] -= trade.energy;
    return null;
  }

  _checkTrade(trade, header, book, filled, h, i) {
    const id = trade.tradeId;
    const rules = book.rules;
    if (id !== this._nextTradeId) return failure('TradeIdGap', h, `expected trade id ${this._nextTradeId}, found ${id}`, id, i);
    if (trade.intervalStart !== header.intervalStart || trade.intervalEnd !== header.intervalEnd) {
      return failure('TradeIntervalMismatch', h, 'the trade\'s interval is not its block\'s', id, i);
    }
    if (trade.energy <= 0n || trade.price < 0n) {
      return failure('InvalidTrade', h, 'energy must be positive and price not negative', id, i);
    }
    if (trade.price < rules.priceFloor || trade.price > rules.priceCeiling) {
      return failure('PriceOutOfBounds', h, `price ${trade.price} outside [${rules.priceFloor}, ${rules.priceCeiling}]`, id, i);
    }
    const amount = tradeAmount(trade.energy, trade.price);
    if (amount === null || amount !== trade.amount) {
      return failure('AmountMismatch', h,
        `amount ${trade.amount} is not ${trade.energy} Wh x ${trade.price} / 1000 rounded half up (${amount ?? 0})`, id, i);
    }
    return this._checkFill(trade.buySequence, SIDE.buy, trade.buyer, trade.energy, book.orders, filled, h, id, i)
      ?? this._checkFill(trade.sellSequence, SIDE.sell, trade.seller, trade.energy, book.orders, filled, h, id, i);
  }

  _checkFill(sequence, side, party, energy, orders, filled, h, id, i) {
    const index = findOrder(orders, sequence);
    if (index < 0) return failure('OrderNotInBook', h, `order ${sequence} is not in the committed book`, id, i);
    const order = orders[index];
    if (order.side !== side) {
      return failure('OrderSideMismatch', h, `order ${sequence} is not a ${side === SIDE.buy ? 'bid' : 'offer'}`, id, i);
    }
    if (!equalBytes(order.owner, party)) {
      return failure('OrderOwnerMismatch', h, `the ${side === SIDE.buy ? 'buyer' : 'seller'} is not the owner of order ${sequence}`, id, i);
    }
    filled[index] += energy;
    return filled[index] > order.energy
      ? failure('Overfill', h, `fills of order ${sequence} exceed its ${order.energy} Wh`, id, i)
      : null;
  }

  _appendLedgerLeaf(leafHash) {
    this._leafHashes.push(leafHash);
    let node = { size: 1, hash: leafHash };
    while (this._frontier.length > 0 && this._frontier[this._frontier.length - 1].size === node.size) {
      const left = this._frontier.pop();
      node = { size: left.size * 2, hash: hashChildren(left.hash, node.hash) };
    }
    this._frontier.push(node);
  }

  /** Root of the ledger-wide tree over the first `size` blocks (from the frontier when it is all of them). */
  _rootAt(size) {
    if (size !== this.blockCount) return rootOfLeafHashes(this._leafHashes, size);
    let root = this._frontier[this._frontier.length - 1].hash;
    for (let i = this._frontier.length - 2; i >= 0; i--) root = hashChildren(this._frontier[i].hash, root);
    return root;
  }

  _keyForSize(size) {
    let key = this._keyHistory[0];
    for (const candidate of this._keyHistory) if (candidate.activeFrom <= size) key = candidate;
    return key;
  }

  _checkCheckpoint(checkpoint, name) {
    const size = checkpoint.size;
    if (!(checkpoint.root instanceof Uint8Array) || checkpoint.root.length !== 32
      || !(checkpoint.keyId instanceof Uint8Array) || checkpoint.keyId.length !== 32 || size < 1n) {
      return failure('CheckpointMismatch', null, `the ${name} needs a size of at least 1 and a 32-byte root and key id`);
    }
    if (size > BigInt(this.blockCount)) {
      return failure('Truncated', null, `the ${name} covers ${size} blocks but only ${this.blockCount} are present: the tail was cut`);
    }
    const n = Number(size);
    if (!equalBytes(this._rootAt(n), checkpoint.root)) {
      return failure('CheckpointMismatch', null, `the ${name}'s root is not the root of the first ${size} header hashes`);
    }
    if (checkpoint.time < this._sealedAt[n - 1]) {
      return failure('CheckpointMismatch', null, `the ${name} is dated before its last block was sealed`);
    }
    const key = this._keyForSize(n);
    const ok = equalBytes(key.keyId, checkpoint.keyId) && checkpoint.signature.length === 64
      && key.verifier.verify(checkpointDigest(checkpoint), checkpoint.signature);
    return ok ? null
      : failure('BadCheckpointSignature', null, `the ${name} is not validly signed by the key valid after block ${n - 1}`);
  }

  /**
   * A checkpoint kept from earlier (§8, 9): its blocks must all still be here and their header hashes must give its
   * root. Every header hash is at hand, so the older root is recomputed from them (§7) instead of checking a
   * consistency proof; then the kept checkpoint itself must be valid.
   */
  _checkKept(kept) {
    if (kept == null) return null;
    if (!(kept.root instanceof Uint8Array) || kept.root.length !== 32 || kept.size < 1n) {
      return failure('CheckpointMismatch', null, 'the kept checkpoint needs a size of at least 1 and a 32-byte root');
    }
    if (kept.size > BigInt(this.blockCount)) {
      return failure('Truncated', null,
        `the kept checkpoint covers ${kept.size} blocks but only ${this.blockCount} are present: blocks were dropped`);
    }
    if (!equalBytes(this._rootAt(Number(kept.size)), kept.root)) {
      return failure('NotConsistent', null,
        `the chain does not extend the kept checkpoint of size ${kept.size}: history was rewritten or forked`);
    }
    return this._checkCheckpoint(kept, 'kept checkpoint');
  }
}

const DOMAIN_TAG = new TextEncoder().encode('MarketCheckpoint');

/** SHA-256 of the 98 signed checkpoint bytes (§7): tag, version 1, size, root, time, key id. */
export function checkpointDigest(checkpoint) {
  const bytes = new Uint8Array(98);
  const v = new DataView(bytes.buffer);
  bytes.set(DOMAIN_TAG, 0);
  v.setUint16(16, 1);
  v.setBigInt64(18, BigInt(checkpoint.size));
  bytes.set(checkpoint.root, 26);
  v.setBigInt64(58, BigInt(checkpoint.time));
  bytes.set(checkpoint.keyId, 66);
  return sha256(bytes);
}

/** What a reconciliation needs from its clearing block, kept for the whole chain (corrections may come at any
 * time): the interval, mechanism and rules version, the rules (their band is the tariffs), whether it had trades,
 * their one price when all share it, the energy traded and each party's sold and bought energy (party hex →
 * { sold, bought }). */
function clearedInterval(header, rules) {
  return {
    intervalStart: header.intervalStart,
    intervalEnd: header.intervalEnd,
    mechanism: header.mechanism,
    rulesVersion: header.rulesVersion,
    rules,
    tradedWh: 0n,
    hasTrades: false,
    singlePrice: null,
    samePrice: true,
    parties: new Map(),
    lastReconciliationVersion: 0,
  };
}

function addTrade(cleared, trade) {
  if (!cleared.hasTrades) {
    cleared.hasTrades = true;
    cleared.singlePrice = trade.price;
  } else if (cleared.samePrice && trade.price !== cleared.singlePrice) {
    cleared.samePrice = false;
    cleared.singlePrice = null;
  }
  cleared.tradedWh += trade.energy;
  party(cleared.parties, bytesToHex(trade.seller)).sold += trade.energy;
  party(cleared.parties, bytesToHex(trade.buyer)).bought += trade.energy;
}

function party(parties, id) {
  let traded = parties.get(id);
  if (traded === undefined) {
    traded = { sold: 0n, bought: 0n };
    parties.set(id, traded);
  }
  return traded;
}

/** The summary's value checks, in the C# verifier's order; an error text or null. */
function summaryProblem(summary, clearing, header, leafCount) {
  const lp = summary.localPrice;
  if (summary.settlementRulesVersion !== 1) return `unknown settlement rules version ${summary.settlementRulesVersion}`;
  if (summary.feedInTariff < 0n || summary.retailPrice < summary.feedInTariff) return 'prices need 0 <= feed-in <= retail';
  if (lp !== null && (lp < summary.feedInTariff || lp > summary.retailPrice)) return 'the local price lies outside [feed-in, retail]';
  if (leafCount !== summary.householdCount + 1) {
    return `the summary names ${summary.householdCount} households, the block has ${leafCount - 1}`;
  }
  if (clearing.hasTrades !== (lp !== null)) return 'an interval has a local price exactly when it had trades';
  const price = clearing.singlePrice;
  if (price !== null && header.mechanism === UNIFORM_PRICE_DOUBLE_AUCTION && lp !== price) {
    return `the local price ${lp ?? ''} is not the clearing price ${price}`;
  }
  return null;
}

/** One household's public record against the clearing block's trades (§8, reconciliation). */
function checkHousehold(x, previous, clearing, h, leafIndex) {
  if (x.household === UTILITY || (previous !== null && previous.household >= x.household)) {
    return failure('InvalidReconciliation', h, 'households are in strictly increasing pseudonym order and not zero (the utility)', null, leafIndex);
  }
  if (x.sold < 0n || x.bought < 0n) return failure('InvalidReconciliation', h, 'energies must not be negative', null, leafIndex);
  const traded = clearing.parties.get(x.household) ?? { sold: 0n, bought: 0n };
  if (traded.sold !== x.sold || traded.bought !== x.bought) {
    return failure('TradedEnergyMismatch', h,
      `household ${x.household} records sold ${x.sold} Wh, bought ${x.bought} Wh; the clearing block's trades say sold ${traded.sold} Wh, bought ${traded.bought} Wh`,
      null, leafIndex);
  }
  return null;
}

function findOrder(orders, sequence) {
  let low = 0;
  let high = orders.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const value = orders[mid].sequence;
    if (value === sequence) return mid;
    if (value < sequence) low = mid + 1;
    else high = mid - 1;
  }
  return -1;
}


/** Sums the trades' net energy up the tree, checks every line against the limits in force, then the zone leaves' flows. */
function checkGridFlows(grid, flow, zones, tradeCount, h) {
  const { network, limits } = grid;
  const { topDown, nodes } = network;
  for (let k = topDown.length - 1; k > 0; k--) flow[nodes[topDown[k]].parent] += flow[topDown[k]];
  for (let k = 1; k < topDown.length; k++) {
    const node = topDown[k];
    const { exportWh, importWh } = limits[node];
    const y = flow[node];
    if (y > exportWh || -y > importWh) {
      const what = y > 0n ? `exports ${y} Wh, above its export limit of ${exportWh} Wh` : `imports ${-y} Wh, above its import limit of ${importWh} Wh`;
      return nodes[node].kind === NODE_KIND.connection
        ? failure('GridEnvelopeExceeded', h, `connection ${node} (${nodes[node].id}) ${what} (its envelope)`, null, tradeCount + node)
        : failure('GridCapacityExceeded', h, `${kindWord(nodes[node].kind)} ${node} (${nodes[node].id}) ${what} (its capacity)`, null, tradeCount + node);
    }
  }
  for (let node = 0; node < zones.length; node++) {
    if (zones[node].flowWh !== flow[node]) {
      return failure('GridFlowMismatch', h, `node ${node}'s zone leaf records a flow of ${zones[node].flowWh} Wh; the trades give ${flow[node]} Wh`, null, tradeCount + node);
    }
  }
  return null;
}

/**
 * The residual's ends against the book and the limits (§8): bottom up, a node's least net injection is its own bids
 * (negated) plus each child's capped by the child line's import limit, its most its own offers plus each child's capped
 * by the export limit; the root's are the community's.
 */
function checkResidualRange(book, residual, residualIndex, h) {
  const { network, limits, orderNodes } = book.grid;
  const { topDown, nodes, root } = network;
  const least = new Array(nodes.length).fill(0n);
  const most = new Array(nodes.length).fill(0n);
  book.orders.forEach((o, i) => {
    if (o.side === SIDE.buy) least[orderNodes[i]] -= o.energy;
    else most[orderNodes[i]] += o.energy;
  });
  for (let k = topDown.length - 1; k > 0; k--) {
    const node = topDown[k];
    const parent = nodes[node].parent;
    const { exportWh, importWh } = limits[node];
    least[parent] += least[node] > -importWh ? least[node] : -importWh;
    most[parent] += most[node] < exportWh ? most[node] : exportWh;
  }
  if (least[root] === residual.minInjectionWh && most[root] === residual.maxInjectionWh) return null;
  return failure('GridResidualRangeWrong', h,
    `the residual records net injections from ${residual.minInjectionWh} to ${residual.maxInjectionWh} Wh; the book and the limits allow ${least[root]} to ${most[root]} Wh`, null, residualIndex);
}

/** The clearing's certificate (§8), with the shared port of Market.Matching's GridCertificate. */
function checkCertificate(book, filled, zones, tradeCount, h) {
  const { network, limits, orderNodes } = book.grid;
  const rules = book.rules;
  const refused = checkGridCertificate({
    nodes: network.nodes.map((x, i) => ({
      parent: x.parent, exportCapacityWh: limits[i].exportWh, importCapacityWh: limits[i].importWh, exportFee: exportFee(network, i, rules), importFee: 0n,
    })),
    limits,
    orders: book.orders.map((o) => ({ id: o.sequence, side: o.side === SIDE.buy ? 'buy' : 'sell', energyWh: o.energy, price: o.limitPrice })),
    orderNodes,
    filledWh: filled,
    zonePrices: zones.map((z) => z.zonePrice),
  });
  if (refused === null) return null;
  switch (refused.code) {
    case 'ZonePriceOutOfRange': return failure('GridZonePriceWrong', h, refused.message, null, tradeCount + refused.index);
    case 'OrderOnWrongSide': return failure('GridZonePriceWrong', h, refused.message, null, tradeCount + orderNodes[refused.index]);
    case 'PriceGapWithoutLimit': return failure('GridPriceGapWithoutLimit', h, refused.message, null, tradeCount + refused.index);
    default: return failure('GridCertificateFailed', h, `the clearing's certificate does not hold: ${refused.message}`);
  }
}
