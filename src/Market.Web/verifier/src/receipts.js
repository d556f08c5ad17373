// Acceptance receipts (receipt version 2, ledger format 3, §11.1) and proofs of omission (§11.2): what the market signs when it accepts
// a household's statement, and what a household shows when an accepted order is not in its interval's order book.
// Both verify offline with nothing else. A verdict is { valid, failure: { reason, height, leafIndex, message } |
// null, … }, with the reason codes of the C# verifier. Never throws for bad input.
import { sha256 } from './merkle.js';
import { hashLeaf, rootFromInclusion, rootOfLeaves, verifyInclusion } from './merkle.js';
import { verifySignature } from './ecdsa.js';
import { bytesToHex, equalBytes, tryHexToBytes } from './hex.js';
import { JsonNumber, JsonString, parseObjectLine } from './json.js';
import { checkpointDigest } from './chain.js';
import { KIND, decodeHeader, decodeOrder, orderStatementBody } from './records.js';
import { STATEMENT, decodeStatement, encodeStatement } from './statements.js';

const TAG = new TextEncoder().encode('MarketAcceptance');
const RECEIPT_FIELDS = ['format', 'version', 'statement', 'sequence', 'type', 'intervalStart', 'acceptedAt', 'keyId', 'publicKey', 'batchIndex', 'batchSize', 'batchPath', 'signature'];
const RECEIPT_VERSION = 2;
const PROOF_FIELDS = ['format', 'version', 'receipt', 'book', 'checkpoint', 'checkpointPublicKey', 'headerProof'];
const BOOK_FIELDS = ['header', 'signature', 'publicKey', 'leaves'];
const CHECKPOINT_FIELDS = ['size', 'root', 'time', 'keyId', 'signature'];

class Malformed extends Error {}

const bad = (message) => {
  throw new Malformed(message);
};

function fields(map, what, names) {
  if (!(map instanceof Map)) bad(`${what}: expected a JSON object`);
  for (const name of map.keys()) if (!names.includes(name)) bad(`${what}: unexpected field "${name}"`);
  for (const name of names) if (!map.has(name)) bad(`${what}: missing field "${name}"`);
  return map;
}

function integer(map, what, name) {
  const v = map.get(name);
  const n = v instanceof JsonNumber ? v.toInt64() : null;
  return n === null ? bad(`${what}: "${name}" must be an integer`) : n;
}

function hex(value, what) {
  const bytes = value instanceof JsonString ? tryHexToBytes(value.value) : null;
  return bytes === null ? bad(`${what} must be a hex string`) : bytes;
}

const hexField = (map, what, name) => hex(map.get(name), `${what}: "${name}"`);

function hexArray(map, what, name) {
  const list = map.get(name);
  if (!Array.isArray(list)) bad(`${what}: "${name}" must be an array of hex strings`);
  return list.map((x, i) => hex(x, `${what}: "${name}"[${i}]`));
}

function format(map, what, name, version = 1) {
  const f = map.get('format');
  if (!(f instanceof JsonString) || f.value !== name) bad(`${what}: "format" must be "${name}"`);
  if (integer(map, what, 'version') !== BigInt(version)) bad(`${what}: unsupported version (expected ${version})`);
}

function parse(json) {
  const text = typeof json === 'string' ? json : JSON.stringify(json);
  const parsed = parseObjectLine(text ?? '');
  return parsed.error ? bad(`invalid JSON: ${parsed.error}`) : parsed.value;
}

function readReceipt(map) {
  const what = 'acceptance receipt';
  fields(map, what, RECEIPT_FIELDS);
  format(map, what, 'market-acceptance-receipt', RECEIPT_VERSION);
  const type = integer(map, what, 'type');
  if (type < 1n || type > 6n) bad(`${what}: "type" must be 1 … 6`);
  return {
    statement: hexField(map, what, 'statement'),
    sequence: integer(map, what, 'sequence'),
    type: Number(type),
    intervalStart: integer(map, what, 'intervalStart'),
    acceptedAt: integer(map, what, 'acceptedAt'),
    keyId: hexField(map, what, 'keyId'),
    publicKey: hexField(map, what, 'publicKey'),
    batchIndex: integer(map, what, 'batchIndex'),
    batchSize: integer(map, what, 'batchSize'),
    batchPath: hexArray(map, what, 'batchPath'),
    signature: hexField(map, what, 'signature'),
  };
}

/** The 155 bytes of a receipt (§11.1, its leaf in the batch tree), from its statement and fields. */
export function acceptanceBytes(receipt) {
  const bytes = new Uint8Array(155);
  const v = new DataView(bytes.buffer);
  bytes.set(TAG, 0);
  v.setUint16(16, RECEIPT_VERSION);
  bytes.set(receipt.statement.subarray(16, 48), 18);
  bytes.set(sha256(receipt.statement), 50);
  bytes.set(receipt.statement.subarray(48, 64), 82);
  v.setBigInt64(98, BigInt(receipt.sequence));
  bytes[106] = receipt.type;
  v.setBigInt64(107, BigInt(receipt.intervalStart));
  v.setBigInt64(115, BigInt(receipt.acceptedAt));
  bytes.set(receipt.keyId, 123);
  return bytes;
}

/** The 58 bytes the operator key signs (after SHA-256) for a batch of receipts: tag, version, size and root. */
export function acceptanceBatchMessage(size, root) {
  const bytes = new Uint8Array(58);
  const v = new DataView(bytes.buffer);
  bytes.set(TAG, 0);
  v.setUint16(16, RECEIPT_VERSION);
  v.setBigInt64(18, BigInt(size));
  bytes.set(root, 26);
  return bytes;
}

const failed = (reason, message, height = null, leafIndex = null) => ({ reason, height, leafIndex, tradeId: null, message });
const trusts = (trusted, keyId) => trusted === undefined || trusted === null || [...trusted].some((id) => equalBytes(typeof id === 'string' ? tryHexToBytes(id) ?? new Uint8Array(0) : id, keyId));

/** Checks a parsed receipt: { failure, statement } (failure null when it verifies). */
function checkReceipt(r, trustedKeyIds) {
  const decoded = decodeStatement(r.statement);
  if (decoded.error) return { failure: failed('MalformedLeaf', `acceptance receipt: ${decoded.error}`) };
  const s = decoded.value;
  const start = s.type === STATEMENT.order ? s.fields.intervalStart : 0n;
  if (s.type !== r.type || start !== r.intervalStart || r.sequence < 0n) {
    return { failure: failed('ReceiptInvalid', 'the receipt\'s type, interval start or sequence does not fit its statement') };
  }
  if (r.publicKey.length !== 33 || r.keyId.length !== 32 || !equalBytes(sha256(r.publicKey), r.keyId)) {
    return { failure: failed('ReceiptInvalid', 'the receipt\'s key id is not SHA-256 of its public key') };
  }
  const root = rootFromInclusion(hashLeaf(acceptanceBytes(r)), r.batchIndex, r.batchSize, r.batchPath);
  if (root === null) {
    return { failure: failed('ReceiptInvalid', 'the receipt\'s batch index, size or path does not lead to a batch root') };
  }
  if (!verifySignature(r.publicKey, sha256(acceptanceBatchMessage(r.batchSize, root)), r.signature)) {
    return { failure: failed('ReceiptInvalid', 'the receipt\'s signature does not verify') };
  }
  if (!trusts(trustedKeyIds, r.keyId)) return { failure: failed('UntrustedKey', 'the receipt\'s key is not among the trusted keys') };
  return { failure: null, statement: s };
}

function describeReceipt(r, s) {
  return {
    statementHash: bytesToHex(s.hash),
    ledgerId: bytesToHex(s.ledgerId),
    household: bytesToHex(s.household),
    type: s.type,
    sequence: String(r.sequence),
    intervalStart: s.type === STATEMENT.order ? Number(s.fields.intervalStart) : null,
    acceptedAt: Number(r.acceptedAt),
    keyId: bytesToHex(r.keyId),
  };
}

/**
 * Verifies an acceptance receipt (JSON text, §11.1): the statement decodes and fits the receipt's type, interval start
 * and sequence, the key id is SHA-256 of the operator's public key, the signature over the 155 bytes verifies, and
 * (with `trustedKeyIds`, hex or bytes) the key is trusted. Returns { valid, failure, receipt: { statementHash,
 * ledgerId, household, type, sequence, intervalStart, acceptedAt, keyId } | null }.
 */
export function verifyAcceptanceReceipt(json, { trustedKeyIds } = {}) {
  let r;
  try {
    r = readReceipt(parse(json));
  } catch (e) {
    if (!(e instanceof Malformed)) throw e;
    return { valid: false, failure: failed('ReceiptInvalid', e.message), receipt: null };
  }
  const checked = checkReceipt(r, trustedKeyIds);
  return checked.failure === null
    ? { valid: true, failure: null, receipt: describeReceipt(r, checked.statement) }
    : { valid: false, failure: checked.failure, receipt: null };
}

function readProof(map) {
  const what = 'omission proof';
  fields(map, what, PROOF_FIELDS);
  format(map, what, 'market-omission-proof');
  const book = fields(map.get('book'), `${what} book`, BOOK_FIELDS);
  const c = fields(map.get('checkpoint'), `${what} checkpoint`, CHECKPOINT_FIELDS);
  return {
    receipt: readReceipt(map.get('receipt')),
    header: hexField(book, `${what} book`, 'header'),
    signature: hexField(book, `${what} book`, 'signature'),
    publicKey: hexField(book, `${what} book`, 'publicKey'),
    leaves: hexArray(book, `${what} book`, 'leaves'),
    checkpoint: {
      size: integer(c, `${what} checkpoint`, 'size'),
      root: hexField(c, `${what} checkpoint`, 'root'),
      time: integer(c, `${what} checkpoint`, 'time'),
      keyId: hexField(c, `${what} checkpoint`, 'keyId'),
      signature: hexField(c, `${what} checkpoint`, 'signature'),
    },
    checkpointPublicKey: hexField(map, what, 'checkpointPublicKey'),
    headerProof: hexArray(map, what, 'headerProof'),
  };
}

/**
 * Verifies a proof of omission (JSON text, §11.2): the receipt of an order verifies; the book is the signed order book
 * of its interval (kind, interval, key id and signature, leaf count and payload root); the book is in the
 * checkpointed ledger (checkpoint signature and time, header proof at index = height); and no leaf of the book is the
 * receipted statement at the receipted sequence. Returns { valid, failure, omission: 'missing' | 'changed' | null,
 * height, leafIndex (of the leaf with that sequence, when changed), receipt: { … as verifyAcceptanceReceipt } }.
 * A proof whose order is in the book fails with OrderIncluded.
 */
export function verifyOmissionProof(json, { trustedKeyIds } = {}) {
  const result = { valid: false, failure: null, omission: null, height: null, leafIndex: null, receipt: null };
  const fail = (reason, message, height = null, leafIndex = null) => ({ ...result, failure: failed(reason, message, height, leafIndex) });
  let p;
  try {
    p = readProof(parse(json));
  } catch (e) {
    if (!(e instanceof Malformed)) throw e;
    return fail('ReceiptInvalid', e.message);
  }
  const checked = checkReceipt(p.receipt, trustedKeyIds);
  if (checked.failure !== null) return { ...result, failure: checked.failure };
  const s = checked.statement;
  result.receipt = describeReceipt(p.receipt, s);
  if (s.type !== STATEMENT.order) return fail('ReceiptInvalid', 'a proof of omission is about an order, and the receipt is not for one');

  const decoded = decodeHeader(p.header);
  if (decoded.error) return fail('MalformedHeader', decoded.error);
  const header = decoded.value;
  const h = Number(header.height);
  if (header.kind !== KIND.orderBook) return fail('InvalidHeaderField', 'the block is not an order book', h);
  if (header.intervalStart !== s.fields.intervalStart || header.intervalEnd !== s.fields.intervalEnd) {
    return fail('ReferenceMismatch', 'the order book is not the one of the receipted order\'s interval', h);
  }
  if (p.publicKey.length !== 33 || !equalBytes(sha256(p.publicKey), header.keyId)) {
    return fail('UnknownKey', 'the book\'s public key is not the one its header names', h);
  }
  const headerHash = sha256(p.header);
  if (!verifySignature(p.publicKey, headerHash, p.signature)) return fail('BadSignature', 'the book\'s header signature does not verify', h);
  if (p.leaves.length !== header.leafCount) {
    return fail('LeafCountMismatch', `the header says ${header.leafCount} leaves, the proof has ${p.leaves.length}`, h);
  }
  if (!equalBytes(rootOfLeaves(p.leaves), header.payloadRoot)) {
    return fail('PayloadRootMismatch', 'the leaves do not hash to the book\'s payload root: they are not the book\'s', h);
  }
  const c = p.checkpoint;
  const checkpointOk = c.root.length === 32 && c.keyId.length === 32 && c.size >= 1n && p.checkpointPublicKey.length === 33
    && equalBytes(sha256(p.checkpointPublicKey), c.keyId) && verifySignature(p.checkpointPublicKey, checkpointDigest(c), c.signature);
  if (!checkpointOk) return fail('BadCheckpointSignature', 'the checkpoint signature does not verify with its public key', h);
  if (c.time < header.sealedAt) return fail('CheckpointMismatch', 'the checkpoint is dated before the book', h);
  if (!verifyInclusion(hashLeaf(headerHash), header.height, c.size, p.headerProof, c.root)) {
    return fail('InclusionProofInvalid', 'the book is not in the ledger tree of the checkpoint', h);
  }
  if (!trusts(trustedKeyIds, header.keyId) || !trusts(trustedKeyIds, c.keyId)) {
    return fail('UntrustedKey', 'a signing key is not among the trusted keys', h);
  }

  const sequence = p.receipt.sequence;
  for (let i = 0; i < p.leaves.length; i++) {
    const order = decodeOrder(p.leaves[i]);
    if (order.error) return fail('MalformedLeaf', order.error, h, i);
    if (order.value.sequence !== sequence) continue;
    const o = order.value;
    const statement = encodeStatement(s.ledgerId, o.owner, STATEMENT.order, orderStatementBody(o, header.intervalStart, header.intervalEnd));
    if (equalBytes(sha256(statement), s.hash)) {
      return fail('OrderIncluded', `the receipted order is in the book at leaf ${i}, with its sequence ${sequence}`, h, i);
    }
    return { ...result, valid: true, omission: 'changed', height: h, leafIndex: i };
  }
  return { ...result, valid: true, omission: 'missing', height: h };
}
