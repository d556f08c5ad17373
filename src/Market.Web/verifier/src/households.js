// What households said (format version 3, §3.1, §5.3, §5.7, §8): their keys, mandates, cancellations and the
// nonces they used, and the checks of household blocks and of each order's authorisation, in the order of the C#
// ChainVerifier. Household signatures are checked with WebCrypto, which is asynchronous: before a block is walked,
// `prepare` decodes its leaves and starts verifying every distinct (key, root, signature) it could need, all at once;
// the walk then reads the results in leaf order, so the first failure is the same as a synchronous check's.
//
// `prepare` resolves keys against every key enrolled by any record seen so far (valid or not): a key id is the hash
// of the algorithm and the public key, so it names one key whatever the state, and whatever the walk can resolve,
// `prepare` has resolved too. The walk decides with the real state.
import { sha256 } from './merkle.js';
import { bytesToHex, equalBytes } from './hex.js';
import { AUTH, KIND, decodeHouseholdRecord, decodeOrder, orderStatementBody } from './records.js';
import {
  AlgorithmUnsupportedError, ROLE, STATEMENT, encodeStatement, mandateRefuses, rootFromPath, statementHash,
  verifySubmission,
} from './statements.js';

const MEMO_LIMIT = 8192;

/** Result of a prepared signature check: true, false, or UNSUPPORTED (WebCrypto lacks the algorithm). */
export const UNSUPPORTED = 'unsupported';

const tripleKey = (keyIdHex, root, signature) => keyIdHex + bytesToHex(root) + bytesToHex(signature);

/** The nonce of a mandate order: the first 16 bytes of SHA-256(mandate id ‖ interval start i64 ‖ sequence u64). */
export function mandateNonce(mandateId, intervalStart, sequence) {
  const input = new Uint8Array(48);
  const v = new DataView(input.buffer);
  input.set(mandateId, 0);
  v.setBigInt64(32, BigInt(intervalStart));
  v.setBigInt64(40, BigInt(sequence));
  return sha256(input).subarray(0, 16);
}

export class Households {
  constructor() {
    this.ledgerId = null;
    this._seenKeys = new Map(); // key id hex → { algorithm, publicKey }: every key any record enrolled (for prepare)
    this._memo = new Map(); // triple → Promise<result> (recent blocks; bounded)
    this.keys = new Map(); // key id hex → { household (hex), algorithm, publicKey, role, revoked }
    this._householdsWithKeys = new Set();
    this.mandates = new Map(); // mandate id hex → { household (hex), terms, revoked }
    this._cancelled = new Set(); // "household/statement hash" (hex)
    this._nonces = new Set(); // "household/nonce" (hex)
    this.records = 0;
    this.signaturesChecked = 0;
  }

  /**
   * Decodes the leaves of a household or order-book block, computes their statement hashes and submission roots
   * and starts the signature checks they may need. Stores all on the block (`block.prepared`); returns a promise
   * that settles when the checks are done, or null when there are none to wait for. Never rejects.
   */
  prepare(block) {
    if (block.prepared !== undefined) return block.prepared.ready;
    const header = block.header;
    const prepared = { kind: 0, decoded: null, hashes: null, roots: null, triples: null, results: new Map(), ready: null };
    block.prepared = prepared;
    if (!(header instanceof Uint8Array) || header.length !== 170) return null;
    const v = new DataView(header.buffer, header.byteOffset, header.byteLength);
    if (this.ledgerId === null && v.getBigInt64(3) === 0n) this.ledgerId = sha256(header);
    const kind = header[2];
    if ((kind !== KIND.household && kind !== KIND.orderBook) || this.ledgerId === null) return null;
    prepared.kind = kind;
    const n = block.leaves.length;
    prepared.decoded = new Array(n);
    prepared.hashes = new Array(n);
    prepared.roots = new Array(n);
    prepared.triples = new Array(n);
    const pending = [];
    const start = v.getBigInt64(79);
    const end = v.getBigInt64(87);
    for (let i = 0; i < n; i++) {
      const decoded = kind === KIND.household ? decodeHouseholdRecord(block.leaves[i]) : decodeOrder(block.leaves[i]);
      prepared.decoded[i] = decoded;
      if (decoded.error) continue;
      const x = decoded.value;
      const statement = kind === KIND.household
        ? encodeStatement(this.ledgerId, x.household, x.type, x.body)
        : encodeStatement(this.ledgerId, x.owner, STATEMENT.order, orderStatementBody(x, start, end));
      const hash = statementHash(statement);
      prepared.hashes[i] = hash;
      if (kind === KIND.household && x.type === STATEMENT.keyEnrolment) {
        const f = x.fields;
        const id = bytesToHex(f.keyId);
        if (!this._seenKeys.has(id)) this._seenKeys.set(id, { algorithm: f.algorithm, publicKey: f.publicKey });
      }
      const auth = x.authorisation;
      if (auth.auth !== AUTH.signed) continue;
      const root = rootFromPath(hash, auth.index, auth.size, auth.path);
      prepared.roots[i] = root;
      const keyIdHex = bytesToHex(auth.keyId);
      const key = this._seenKeys.get(keyIdHex);
      if (root === null || key === undefined) continue;
      const triple = tripleKey(keyIdHex, root, auth.signature);
      prepared.triples[i] = triple;
      if (prepared.results.has(triple)) continue;
      let check = this._memo.get(triple);
      if (check === undefined) {
        check = verifySubmission(key.algorithm, key.publicKey, root, auth.signature)
          .catch((e) => (e instanceof AlgorithmUnsupportedError ? UNSUPPORTED : false));
        if (this._memo.size >= MEMO_LIMIT) this._memo.clear();
        this._memo.set(triple, check);
      }
      prepared.results.set(triple, undefined);
      pending.push(check.then((ok) => prepared.results.set(triple, ok)));
    }
    if (pending.length > 0) prepared.ready = Promise.all(pending).then(() => undefined);
    return prepared.ready;
  }

  /** The prepared result of the signature check of leaf i: true, false or UNSUPPORTED. */
  _signature(prepared, i) {
    const triple = prepared.triples[i];
    const result = triple === undefined ? undefined : prepared.results.get(triple);
    if (result === undefined) throw new Error('a household signature was not prepared before its block was checked');
    this.signaturesChecked++;
    return result;
  }

  /**
   * A household block (kind 6, §8), after the header checks: records in order, their sequence, signer, signature and
   * the rules of their type. `fail(reason, message, leafIndex)` makes the failure.
   */
  checkHouseholdBlock(block, fail) {
    const prepared = block.prepared;
    const n = block.leaves.length;
    if (n === 0) return fail('InvalidHouseholdRecord', 'a household block holds at least one record', null);
    let previous = -1n;
    for (let i = 0; i < n; i++) {
      const decoded = prepared.decoded[i];
      if (decoded.error) return fail('MalformedLeaf', decoded.error, i);
      const x = decoded.value;
      if (x.sequence <= previous) {
        return fail('InvalidHouseholdRecord', 'record sequences must strictly increase within the block', i);
      }
      previous = x.sequence;
      const problem = this._checkRecord(x, prepared.hashes[i], i, prepared, (reason, message) => fail(reason, message, i));
      if (problem !== null) return problem;
      this.records++;
    }
    return null;
  }

  _checkRecord(x, hash, i, prepared, fail) {
    const household = bytesToHex(x.household);
    const auth = x.authorisation;
    const signerId = bytesToHex(auth.keyId);
    const f = x.fields;
    const enrolment = x.type === STATEMENT.keyEnrolment;
    let signer;
    if (enrolment && !this._householdsWithKeys.has(household)) {
      if (!equalBytes(auth.keyId, f.keyId) || (f.role !== ROLE.device && f.role !== ROLE.agent)) {
        return fail('HouseholdKeyUnknown', `household ${household} has no key yet: its first key must enrol itself (signed by the key it enrols, a device or agent key)`);
      }
      signer = { algorithm: f.algorithm, publicKey: f.publicKey };
    } else {
      signer = this.keys.get(signerId);
      if (signer === undefined || signer.household !== household) {
        return fail('HouseholdKeyUnknown', `the signing key ${signerId} is not a key of household ${household}`);
      }
      if (signer.revoked) return fail('HouseholdKeyRevoked', `the signing key ${signerId} of household ${household} was revoked`);
    }
    const signed = this._signature(prepared, i);
    if (signed === UNSUPPORTED) return fail('AlgorithmUnsupported', 'this browser cannot check the signature\'s algorithm (Ed25519)');
    if (!signed) return fail('HouseholdSignatureInvalid', `the signature of key ${signerId} over the record's submission does not verify`);

    switch (x.type) {
      case STATEMENT.keyEnrolment: {
        const id = bytesToHex(f.keyId);
        if (this.keys.has(id)) return fail('InvalidHouseholdRecord', `the key ${id} was enrolled before`);
        if (f.role === ROLE.recovery && equalBytes(auth.keyId, f.keyId)) {
          return fail('InvalidHouseholdRecord', 'a recovery key is enrolled by another key of the household, never by itself');
        }
        this.keys.set(id, { household, algorithm: f.algorithm, publicKey: f.publicKey, role: f.role, revoked: false });
        this._householdsWithKeys.add(household);
        return null;
      }
      case STATEMENT.keyRevocation: {
        const id = bytesToHex(f.reference);
        const key = this.keys.get(id);
        if (key === undefined || key.household !== household || key.revoked) {
          return fail('InvalidHouseholdRecord', `the revoked key ${id} is not a key of household ${household} in force`);
        }
        key.revoked = true;
        return null;
      }
      case STATEMENT.mandate: {
        const nonce = `${household}/${bytesToHex(f.nonce)}`;
        if (this._nonces.has(nonce)) return fail('OrderReplayed', `household ${household} used the mandate's nonce before`);
        const id = bytesToHex(hash);
        if (this.mandates.has(id)) return fail('InvalidHouseholdRecord', `the mandate ${id} was recorded before`);
        this._nonces.add(nonce);
        this.mandates.set(id, { household, terms: f, revoked: false });
        return null;
      }
      case STATEMENT.mandateRevocation: {
        const id = bytesToHex(f.reference);
        const mandate = this.mandates.get(id);
        if (mandate === undefined || mandate.household !== household || mandate.revoked) {
          return fail('InvalidHouseholdRecord', `the revoked mandate ${id} is not a mandate of household ${household} in force`);
        }
        mandate.revoked = true;
        return null;
      }
      default:
        this._cancelled.add(`${household}/${bytesToHex(f.reference)}`);
        return null;
    }
  }

  /** Starts the checks of one order book: what is summed per mandate within it. */
  startBook() {
    return new Map(); // mandate id hex → energy of its orders in this book
  }

  /**
   * An order's household checks (§8), after its price check: nonce, cancellation, then its signature or mandate.
   * `fail(reason, message)` makes the failure.
   */
  checkOrder(block, i, order, header, mandateEnergy, fail) {
    const prepared = block.prepared;
    const owner = bytesToHex(order.owner);
    const nonce = `${owner}/${bytesToHex(order.nonce)}`;
    if (this._nonces.has(nonce)) return fail('OrderReplayed', `household ${owner} used this order's nonce before`);
    const hash = prepared.hashes[i];
    if (this._cancelled.has(`${owner}/${bytesToHex(hash)}`)) {
      return fail('CancelledOrderInBook', `household ${owner} cancelled this order before the book was sealed`);
    }
    const auth = order.authorisation;
    if (auth.auth === AUTH.signed) {
      const keyId = bytesToHex(auth.keyId);
      const key = this.keys.get(keyId);
      if (key === undefined || key.household !== owner) return fail('HouseholdKeyUnknown', `the signing key ${keyId} is not a key of household ${owner}`);
      if (key.revoked) return fail('HouseholdKeyRevoked', `the signing key ${keyId} of household ${owner} was revoked before this book`);
      const signed = this._signature(prepared, i);
      if (signed === UNSUPPORTED) return fail('AlgorithmUnsupported', 'this browser cannot check the signature\'s algorithm (Ed25519)');
      if (!signed) return fail('HouseholdSignatureInvalid', `the signature of key ${keyId} over the order's submission does not verify`);
    } else {
      const id = bytesToHex(auth.mandateId);
      const mandate = this.mandates.get(id);
      if (mandate === undefined || mandate.household !== owner) return fail('MandateUnknown', `household ${owner} has no mandate ${id}`);
      const terms = mandate.terms;
      if (mandate.revoked) return fail('OutsideMandate', `the mandate ${id} was revoked`);
      const refused = mandateRefuses(terms, header.intervalStart, order.side, order.limitPrice);
      if (refused !== null) return fail('OutsideMandate', refused);
      if (!equalBytes(mandateNonce(auth.mandateId, header.intervalStart, order.sequence), order.nonce)) {
        return fail('OutsideMandate', 'the nonce is not the one the mandate gives for this interval and sequence');
      }
      const energy = (mandateEnergy.get(id) ?? 0n) + order.energy;
      if (energy > terms.maxEnergy) {
        return fail('OutsideMandate', `the orders under mandate ${id} in this book come to ${energy} Wh, above its ${terms.maxEnergy} Wh per interval`);
      }
      mandateEnergy.set(id, energy);
    }
    this._nonces.add(nonce);
    return null;
  }
}
