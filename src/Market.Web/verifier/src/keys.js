// The household's keys in this browser (docs/ledger-format.md §3.1, docs/adr/0029): a non-extractable WebCrypto
// P-256 key per household, kept in IndexedDB; the market only ever sees its public key. It signs submissions of
// statements (orders, cancellations, key enrolments and revocations, mandates), keeps the operator's acceptance
// receipts, and remembers which keys this browser made or authorised, so a page can point out a key it did not.
// The recovery key is derived from the recovery code shown at sign-up; the code stays on this device only until the
// household confirms it wrote it down (so leaving the page does not lose it), and is never sent to the market.
import { p256 } from '@noble/curves/nist.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from './hex.js';
import {
  ALGORITHM, ROLE, STATEMENT, buildSubmission, encodeStatement, encodeKeyEnrolment, encodeOrderBody, encodeMandate,
  encodeReference, householdKeyId,
} from './statements.js';
import { verifyOmissionProof } from './receipts.js';

const DATABASE = 'market-household-keys';
const VERSION = 1;

function open(indexedDb = globalThis.indexedDB) {
  return new Promise((resolve, reject) => {
    const request = indexedDb.open(DATABASE, VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore('keys', { keyPath: 'household' });
      db.createObjectStore('known', { keyPath: 'keyId' });
      const receipts = db.createObjectStore('receipts', { keyPath: 'statementHash' });
      receipts.createIndex('household', 'household');
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function run(store, mode, action) {
  return open().then((db) => new Promise((resolve, reject) => {
    const tx = db.transaction(store, mode);
    const result = action(tx.objectStore(store));
    tx.oncomplete = () => { db.close(); resolve(result?.result ?? result); };
    tx.onerror = () => { db.close(); reject(tx.error); };
  }));
}

const get = (store, key) => open().then((db) => new Promise((resolve, reject) => {
  const request = db.transaction(store).objectStore(store).get(key);
  request.onsuccess = () => { db.close(); resolve(request.result ?? null); };
  request.onerror = () => { db.close(); reject(request.error); };
}));

const all = (store, index, key) => open().then((db) => new Promise((resolve, reject) => {
  const source = db.transaction(store).objectStore(store);
  const request = (index ? source.index(index) : source).getAll(key);
  request.onsuccess = () => { db.close(); resolve(request.result ?? []); };
  request.onerror = () => { db.close(); reject(request.error); };
}));

/** This browser's key for the household (hex pseudonym): { keyId, publicKey } in hex, or null. */
export async function deviceKey(household) {
  const stored = await get('keys', household);
  return stored ? { keyId: stored.keyId, publicKey: stored.publicKey } : null;
}

/**
 * Makes this browser's key for the household: non-extractable (the private key cannot be read out, not even by this
 * page) and remembered as one of this browser's. Returns { keyId, publicKey } in hex.
 */
export async function createDeviceKey(household) {
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
  const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  const keyId = bytesToHex(householdKeyId(ALGORITHM.p256, publicKey));
  await run('keys', 'readwrite', (s) => s.put({ household, keyId, publicKey: bytesToHex(publicKey), privateKey: pair.privateKey, created: Date.now() }));
  await remember(keyId, 'this device');
  return { keyId, publicKey: bytesToHex(publicKey) };
}

/** The recovery code made here for the household and not yet confirmed as written down, or null. */
export async function pendingRecoveryCode(household) {
  return (await get('keys', household))?.pendingRecoveryCode ?? null;
}

/** Keeps the household's recovery code next to its key until it is confirmed as written down; null forgets it. */
export async function keepRecoveryCode(household, code) {
  const stored = await get('keys', household);
  if (!stored) return;
  const { pendingRecoveryCode: _, ...rest } = stored;
  await run('keys', 'readwrite', (s) => s.put(code ? { ...rest, pendingRecoveryCode: code } : rest));
}

/** Notes a key id as one this browser made or authorised. */
export const remember = (keyId, how) => run('known', 'readwrite', (s) => s.put({ keyId, how, at: Date.now() }));

/** The key ids this browser made or authorised: { keyId → how }. */
export async function knownKeys() {
  return Object.fromEntries((await all('known')).map((k) => [k.keyId, k.how]));
}

/**
 * Builds the statements' bytes, signs them as one submission with this browser's key, and answers, per statement,
 * { statementHash, signature: { keyId, value, submissionSize, index, path } } (hex), as the market's API reads it.
 * `items`: [{ type: 'order', intervalStart, intervalEnd, side ('buy'|'sell'), energy, limitPrice } |
 *           { type: 'cancellation', statementHash } | { type: 'keyRevocation', keyId } |
 *           { type: 'keyEnrolment', role, algorithm, publicKey } | { type: 'mandate', terms } |
 *           { type: 'mandateRevocation', mandateId } | { type: 'statement', statementType, body (hex) }]; an order gets a
 *           fresh nonce, returned as `nonce`.
 */
export async function signStatements(ledgerId, household, items) {
  const stored = await get('keys', household);
  if (!stored) throw new Error('This device has no key for the household yet.');
  return sign(ledgerId, household, items, stored.keyId,
    async (message) => new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, stored.privateKey, message)));
}

/** As signStatements, signed with the recovery key derived from the recovery code. */
export async function signWithRecoveryCode(ledgerId, household, code, items) {
  const recovery = recoveryKey(household, code);
  return sign(ledgerId, household, items, recovery.keyId, async (message) => p256.sign(message, recovery.secret, { prehash: true, lowS: false, format: 'compact' }));
}

async function sign(ledgerId, household, items, keyId, signer) {
  const ledger = hexToBytes(ledgerId);
  const party = hexToBytes(household);
  const nonces = [];
  const statementBytes = items.map((item) => {
    const [type, body, nonce] = bodyOf(item);
    nonces.push(nonce);
    return encodeStatement(ledger, party, type, body);
  });
  const submission = buildSubmission(statementBytes);
  const value = await signer(submission.message);
  return submission.hashes.map((hash, index) => ({
    statementHash: bytesToHex(hash),
    nonce: nonces[index] ? bytesToHex(nonces[index]) : undefined,
    signature: {
      keyId, value: bytesToHex(value), submissionSize: submission.size, index, path: submission.paths[index].map(bytesToHex),
    },
  }));
}

function bodyOf(item) {
  switch (item.type) {
    case 'order': {
      const nonce = crypto.getRandomValues(new Uint8Array(16));
      const side = item.side === 'buy' ? 1 : item.side === 'sell' ? 2 : item.side;
      return [STATEMENT.order, encodeOrderBody({ ...item, side, nonce }), nonce];
    }
    case 'statement': return [item.statementType, hexToBytes(item.body)];
    case 'cancellation': return [STATEMENT.cancellation, encodeReference(hexToBytes(item.statementHash))];
    case 'keyRevocation': return [STATEMENT.keyRevocation, encodeReference(hexToBytes(item.keyId))];
    case 'mandateRevocation': return [STATEMENT.mandateRevocation, encodeReference(hexToBytes(item.mandateId))];
    case 'keyEnrolment': return [STATEMENT.keyEnrolment, encodeKeyEnrolment({ role: item.role, algorithm: item.algorithm ?? ALGORITHM.p256, publicKey: hexToBytes(item.publicKey) })];
    case 'mandate': return [STATEMENT.mandate, encodeMandate({ ...item.terms, nonce: item.terms.nonce ? hexToBytes(item.terms.nonce) : crypto.getRandomValues(new Uint8Array(16)) })];
    default: throw new RangeError(`unknown statement type ${item.type}`);
  }
}

// ---- Recovery code ----

const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base 32: no I, L, O, U

/** A new recovery code: 130 random bits as 26 characters in groups of five ("7KQ2M-…"). Shown once, never stored. */
export function newRecoveryCode() {
  const bytes = crypto.getRandomValues(new Uint8Array(17));
  let bits = 0n;
  for (const b of bytes) bits = (bits << 8n) | BigInt(b);
  let text = '';
  for (let i = 0; i < 26; i++) {
    text += CODE_ALPHABET[Number(bits & 31n)];
    bits >>= 5n;
  }
  return text.match(/.{1,5}/g).join('-');
}

/** The code as typed, normalised: upper case, no separators, O→0 and I/L→1 as Crockford reads them. */
export function normaliseRecoveryCode(code) {
  return String(code).toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

/**
 * The household's recovery key from its code: the P-256 secret is HKDF-SHA-256 of the normalised code with the
 * household as salt (retried with a counter in the rare case it is not below the group order). Same code, same key.
 */
export function recoveryKey(household, code) {
  const normalised = new TextEncoder().encode(normaliseRecoveryCode(code));
  if (normalised.length !== 26) throw new RangeError('A recovery code has 26 letters and digits.');
  for (let counter = 0; counter < 256; counter++) {
    const secret = hkdf(sha256, normalised, hexToBytes(household), new TextEncoder().encode(`market recovery key ${counter}`), 32);
    if (p256.utils.isValidSecretKey(secret)) {
      const publicKey = p256.getPublicKey(secret, false);
      return { secret, publicKey: bytesToHex(publicKey), keyId: bytesToHex(householdKeyId(ALGORITHM.p256, publicKey)) };
    }
  }
  throw new Error('no recovery key could be derived');
}

/** The enrolment of the recovery key (role recovery), for the device to sign with its first key at sign-up. */
export const recoveryEnrolment = (household, code) => ({ type: 'keyEnrolment', role: ROLE.recovery, publicKey: recoveryKey(household, code).publicKey });

// ---- Receipts ----

/** Keeps the operator's acceptance receipt of a statement (JSON as the market returned it). */
export const keepReceipt = (household, receipt, extra = {}) =>
  run('receipts', 'readwrite', (s) => s.put({ household, statementHash: bytesToHex(sha256(hexToBytes(receipt.statement))), receipt, ...extra }));

/** Every receipt this browser kept for the household. */
export const receipts = (household) => all('receipts', 'household', household);

// ---- Checking receipts against the sealed books ----

/**
 * Checks every order receipt this browser kept for the household against its interval's sealed order book (fetched
 * from `base`/api/ledger/books/{start}): each is `included`, `waiting` (no sealed book yet), `missing` or `changed`
 * (the market signed the receipt but its book does not hold the order: `proof` is then a self-contained proof of
 * omission, docs/ledger-format.md §11.2), or `unchecked` with the reason the book's proof failed. Answers one entry
 * per receipt: { statementHash, intervalStart, sequence, status, reason?, proof? }.
 */
export async function checkReceipts(household, base = '') {
  const kept = (await receipts(household)).filter((r) => r.receipt.type === STATEMENT.order);
  const books = new Map();
  const results = [];
  for (const { receipt, statementHash } of kept) {
    const start = receipt.intervalStart;
    if (!books.has(start)) {
      const response = await fetch(`${base}/api/ledger/books/${start}`);
      books.set(start, response.ok ? await response.json() : null);
    }
    const book = books.get(start);
    const entry = { statementHash, intervalStart: start, sequence: receipt.sequence };
    if (book === null) {
      results.push({ ...entry, status: 'waiting' });
      continue;
    }
    const proof = JSON.stringify({ format: 'market-omission-proof', version: 1, receipt, ...book });
    const verdict = verifyOmissionProof(proof);
    if (verdict.valid) {
      results.push({ ...entry, status: verdict.omission, proof });
    } else if (verdict.failure?.reason === 'OrderIncluded') {
      results.push({ ...entry, status: 'included' });
    } else {
      results.push({ ...entry, status: 'unchecked', reason: verdict.failure?.message ?? verdict.failure?.reason });
    }
  }
  return results;
}

/** Offers a proof of omission as a file download. */
export function downloadProof(proof, name) {
  const url = URL.createObjectURL(new Blob([proof], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
