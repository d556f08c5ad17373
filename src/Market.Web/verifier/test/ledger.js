// Builds small version-3 ledgers for the tests: blocks signed with a fixed secp256k1 operator key (noble, RFC 6979),
// households with WebCrypto keys that sign their statements in submissions, and the export text (§10).
import { getPublicKey, hashes, sign } from '@noble/secp256k1';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { hashLeaf, rootOfLeafHashes, rootOfLeaves } from '../src/merkle.js';
import { bytesToHex } from '../src/hex.js';
import { checkpointDigest } from '../src/chain.js';
import { KIND, KIND_NAMES } from '../src/records.js';
import { ALGORITHM, ROLE, STATEMENT, buildSubmission, encodeKeyEnrolment, encodeMandate, encodeOrderBody, encodeReference, encodeStatement, householdKeyId } from '../src/statements.js';

hashes.sha256 = sha256;
hashes.hmacSha256 = (key, message) => hmac(sha256, key, message);

export const OPERATOR_SECRET = new Uint8Array(32).fill(0x11);
export const OPERATOR_PUBLIC = getPublicKey(OPERATOR_SECRET, true);
export const OPERATOR_KEY_ID = sha256(OPERATOR_PUBLIC);

/** A secp256k1 signature over a 32-byte digest (64 bytes r ‖ s, low S), as the operator signs. */
export const operatorSign = (digest, secret = OPERATOR_SECRET) => sign(digest, secret, { prehash: false, lowS: true });

export const START = 1767229200n; // the first interval (900 s, gate closure 300 s before)
const u64 = (value) => {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, BigInt(value));
  return out;
};
const u32 = (value) => {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value);
  return out;
};
const u16 = (value) => Uint8Array.of(value >> 8, value & 0xff);
export const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
export const party = (n) => concat(new Uint8Array(8), u64(n));

/** Header v1 (170 bytes). */
export function header({ kind, height, previous, leaves, start = 0n, end = 0n, sealedAt, reference = new Uint8Array(32), mechanism = 0, rulesVersion = 0 }) {
  return concat(u16(1), Uint8Array.of(kind), u64(height), previous, rootOfLeaves(leaves), u32(leaves.length), u64(start), u64(end),
    u64(sealedAt), OPERATOR_KEY_ID, reference, Uint8Array.of(mechanism), u16(rulesVersion));
}

/** A household with a WebCrypto key: makes its statements, signs them in one submission and gives their tails. */
export class Household {
  constructor(n, ledgerId) {
    this.id = party(n);
    this.ledgerId = ledgerId;
  }

  static async create(n, ledgerId, algorithm = ALGORITHM.p256) {
    const h = new Household(n, ledgerId);
    h.key = await newKey(algorithm);
    return h;
  }

  statement(type, body) {
    return encodeStatement(this.ledgerId, this.id, type, body);
  }

  /** Signs the statements with `key` (default: this household's) as one submission: the tail of each. */
  async sign(statementList, key = this.key) {
    const submission = buildSubmission(statementList);
    const params = key.algorithm === ALGORITHM.p256 ? { name: 'ECDSA', hash: 'SHA-256' } : { name: 'Ed25519' };
    const signature = new Uint8Array(await crypto.subtle.sign(params, key.pair.privateKey, submission.message));
    return submission.paths.map((path, i) => concat(Uint8Array.of(1), key.keyId, signature, u32(submission.size), u32(i), ...path));
  }
}

export async function newKey(algorithm = ALGORITHM.p256, role = ROLE.device) {
  const params = algorithm === ALGORITHM.p256 ? { name: 'ECDSA', namedCurve: 'P-256' } : { name: 'Ed25519' };
  const pair = await crypto.subtle.generateKey(params, true, ['sign', 'verify']);
  const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  return { algorithm, role, pair, publicKey, keyId: householdKeyId(algorithm, publicKey) };
}

export const enrolmentBody = (key) => encodeKeyEnrolment({ role: key.role, algorithm: key.algorithm, publicKey: key.publicKey });
export { encodeMandate, encodeOrderBody, encodeReference, STATEMENT };

/** Household record v1 leaf. */
export const householdRecord = (sequence, household, type, body, tail) => concat(Uint8Array.of(1), u64(sequence), household, Uint8Array.of(type), body, tail);

/** Order leaf v2 from an order statement's fields and a tail. */
export const orderLeaf = (sequence, owner, { side, energy, limitPrice, nonce }, tail) =>
  concat(Uint8Array.of(2), u64(sequence), owner, Uint8Array.of(side), u64(energy), u64(limitPrice), nonce, tail);

/** The mandate tail of an order leaf. */
export const mandateTail = (mandateId) => concat(Uint8Array.of(2), mandateId);

/** Trade leaf v1. */
export const tradeLeaf = ({ id, start, end, buyer, seller, buy, sell, energy, price }) =>
  concat(Uint8Array.of(1), u64(id), u64(start), u64(end), buyer, seller, u64(buy), u64(sell), u64(energy), u64(price),
    u64((BigInt(energy) * BigInt(price) + 500n) / 1000n));

/** A chain under construction: genesis and rules first (900 s intervals from START, floor 0, ceiling 10,000). */
export class Chain {
  constructor() {
    this.blocks = [];
    this.time = 1767225600000n;
    this.add(KIND.keyEvent, [concat(Uint8Array.of(1), OPERATOR_PUBLIC)]);
    this.ledgerId = sha256(this.blocks[0].header);
    this.add(KIND.rules, [concat(Uint8Array.of(1), u16(1), Uint8Array.of(1), u32(900), u32(300), u64(0), u64(10000), u64(START))]);
  }

  /** Appends a block; `fields` may set interval, reference, mechanism, rules version or the sealing time. */
  add(kind, leaves, fields = {}) {
    const previous = this.blocks.length === 0 ? new Uint8Array(32) : sha256(this.blocks[this.blocks.length - 1].header);
    this.time = fields.sealedAt ?? this.time + 1000n;
    const bytes = header({ kind, height: this.blocks.length, previous, leaves, sealedAt: this.time, ...fields });
    const block = { header: bytes, signature: operatorSign(sha256(bytes)), leaves };
    this.blocks.push(block);
    return block;
  }

  household(leaves, fields) {
    return this.add(KIND.household, leaves, fields);
  }

  /** The order book of interval n (0-based from START), sealed at its gate closure. */
  orderBook(n, leaves) {
    const start = START + 900n * BigInt(n);
    return this.add(KIND.orderBook, leaves, { start, end: start + 900n, mechanism: 1, rulesVersion: 1, sealedAt: (start - 300n) * 1000n });
  }

  clearing(book, trades) {
    const b = this.blocks[book];
    const v = new DataView(b.header.buffer, b.header.byteOffset);
    return this.add(KIND.clearing, trades, {
      start: v.getBigInt64(79), end: v.getBigInt64(87), mechanism: 1, rulesVersion: 1, reference: sha256(b.header),
    });
  }

  /** The checkpoint over all blocks: { size, root, time, keyId, signature } (size and time BigInt). */
  checkpoint() {
    const c = { size: BigInt(this.blocks.length), root: rootOfLeafHashes(this.blocks.map((b) => hashLeaf(sha256(b.header)))), time: this.time, keyId: OPERATOR_KEY_ID };
    return { ...c, signature: operatorSign(checkpointDigest(c)) };
  }

  /** The export text: format line, blocks, checkpoint over all blocks. */
  exportText() {
    const lines = ['{"format":"market-ledger-export","version":1}'];
    this.blocks.forEach((b, h) => lines.push(JSON.stringify({
      type: 'block', height: h, kind: KIND_NAMES[b.header[2]], header: bytesToHex(b.header), signature: bytesToHex(b.signature),
      leaves: b.leaves.map(bytesToHex),
    })));
    const checkpoint = { size: BigInt(this.blocks.length), root: rootOfLeafHashes(this.blocks.map((b) => hashLeaf(sha256(b.header)))), time: this.time, keyId: OPERATOR_KEY_ID };
    const signature = operatorSign(checkpointDigest(checkpoint));
    lines.push(`{"type":"checkpoint","size":${checkpoint.size},"root":"${bytesToHex(checkpoint.root)}","time":${checkpoint.time},"keyId":"${bytesToHex(OPERATOR_KEY_ID)}","signature":"${bytesToHex(signature)}"}`);
    return lines.join('\n') + '\n';
  }
}

export { sha256, bytesToHex };
