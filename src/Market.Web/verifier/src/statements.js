// Household statements and submissions (ledger format version 3, §3.1): what a household says, hashed and signed on
// its own device. Shared by the ledger verifier and the browser's key store, which builds and signs submissions with
// the same functions. Encoders take integers as BigInt or safe Numbers and bytes as Uint8Array; decoders return
// { value } or { error } and never throw. Signature checks use WebCrypto (P-256 and Ed25519) and are async.
import { sha256 } from '@noble/hashes/sha2.js';
import { hashChildren, hashLeaf, rootOfLeafHashes } from './merkle.js';
import { bytesToBigInt, bytesToHex, equalBytes } from './hex.js';

const ascii = (text) => new TextEncoder().encode(text);

export const STATEMENT_TAG = ascii('MarketStatement');
export const SUBMISSION_TAG = ascii('MarketSubmission');
export const STATEMENT_VERSION = 1;
export const MAX_SUBMISSION_SIZE = 1024;

/** Household key algorithms (u8). */
export const ALGORITHM = Object.freeze({ p256: 1, ed25519: 2 });
/** Public key length per algorithm. */
export const PUBLIC_KEY_SIZE = Object.freeze({ 1: 65, 2: 32 });
/** Household key roles (u8). */
export const ROLE = Object.freeze({ device: 1, recovery: 2, agent: 3 });
/** Statement types (u8). */
export const STATEMENT = Object.freeze({
  keyEnrolment: 1, keyRevocation: 2, mandate: 3, mandateRevocation: 4, cancellation: 5, order: 6,
});
/** Order sides (u8) and the side mask bits of a mandate. */
export const SIDE = Object.freeze({ buy: 1, sell: 2 });
const SIDE_BIT = Object.freeze({ 1: 1, 2: 2 });

/** Offset of the body in a statement: tag, version, ledger id, household, type. */
export const STATEMENT_HEADER_SIZE = 15 + 1 + 32 + 16 + 1;
export const ORDER_BODY_SIZE = 8 + 8 + 1 + 8 + 8 + 16;
/** Mandate body without its time zone name. */
export const MANDATE_FIXED_SIZE = 1 + 8 + 8 + 8 + 8 + 8 + 1 + 4 + 16 + 1;

const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;
const view = (bytes) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

function i64(value, what) {
  const v = BigInt(value);
  if (v < I64_MIN || v > I64_MAX) throw new RangeError(`${what} is beyond a signed 64-bit integer`);
  return v;
}

function fixed(bytes, length, what) {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) throw new TypeError(`${what} must be ${length} bytes`);
  return bytes;
}

// ---- P-256 points (the check a decoder needs synchronously; WebCrypto only says so when importing) ----

const P256 = Object.freeze({
  p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
  b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
  n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
});

/** Whether the bytes are a 65-byte uncompressed SEC1 P-256 point on the curve (`04 ‖ x ‖ y`, x and y below p). */
export function isP256PublicKey(bytes) {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 65 || bytes[0] !== 0x04) return false;
  const { p, b } = P256;
  const x = bytesToBigInt(bytes.subarray(1, 33));
  const y = bytesToBigInt(bytes.subarray(33, 65));
  if (x >= p || y >= p) return false;
  const right = (((x * x) % p) * x - 3n * x + b) % p;
  return (y * y) % p === (right + p) % p;
}

/** Whether the bytes are a public key of the algorithm (P-256: on the curve; Ed25519: 32 bytes). */
export function isPublicKey(algorithm, bytes) {
  if (algorithm === ALGORITHM.p256) return isP256PublicKey(bytes);
  return algorithm === ALGORITHM.ed25519 && bytes instanceof Uint8Array && bytes.length === 32;
}

/** Household key id: SHA-256(algorithm u8 ‖ public key). */
export function householdKeyId(algorithm, publicKey) {
  const input = new Uint8Array(1 + publicKey.length);
  input[0] = algorithm;
  input.set(publicKey, 1);
  return sha256(input);
}

// ---- Statement bytes ----

/** Statement bytes: "MarketStatement" ‖ 1 ‖ ledger id [32] ‖ household [16] ‖ type u8 ‖ body. */
export function encodeStatement(ledgerId, household, type, body) {
  fixed(ledgerId, 32, 'the ledger id');
  fixed(household, 16, 'the household');
  if (!Number.isInteger(type) || type < 1 || type > 6) throw new RangeError('statement type must be 1 … 6');
  const out = new Uint8Array(STATEMENT_HEADER_SIZE + body.length);
  out.set(STATEMENT_TAG, 0);
  out[15] = STATEMENT_VERSION;
  out.set(ledgerId, 16);
  out.set(household, 48);
  out[64] = type;
  out.set(body, STATEMENT_HEADER_SIZE);
  return out;
}

/** Statement hash: SHA-256 of the statement bytes. */
export const statementHash = (statement) => sha256(statement);

/** Body of a key enrolment: role u8 ‖ algorithm u8 ‖ public key. */
export function encodeKeyEnrolment({ role, algorithm, publicKey }) {
  if (!Object.values(ROLE).includes(role)) throw new RangeError('role must be 1 (device), 2 (recovery) or 3 (agent)');
  if (!isPublicKey(algorithm, publicKey)) throw new TypeError('not a public key of the algorithm (P-256: 65-byte point on the curve; Ed25519: 32 bytes)');
  const out = new Uint8Array(2 + publicKey.length);
  out[0] = role;
  out[1] = algorithm;
  out.set(publicKey, 2);
  return out;
}

/** Body of a key revocation, mandate revocation or cancellation: one 32-byte id or hash. */
export const encodeReference = (id) => fixed(id, 32, 'the id').slice();

/** Body of an order: interval start, end i64 ‖ side u8 ‖ energy Wh i64 ‖ limit price i64 ‖ nonce [16]. */
export function encodeOrderBody({ intervalStart, intervalEnd, side, energy, limitPrice, nonce }) {
  if (side !== SIDE.buy && side !== SIDE.sell) throw new RangeError('side must be 1 (buy) or 2 (sell)');
  fixed(nonce, 16, 'the nonce');
  const out = new Uint8Array(ORDER_BODY_SIZE);
  const v = view(out);
  v.setBigInt64(0, i64(intervalStart, 'interval start'));
  v.setBigInt64(8, i64(intervalEnd, 'interval end'));
  out[16] = side;
  v.setBigInt64(17, i64(energy, 'energy'));
  v.setBigInt64(25, i64(limitPrice, 'limit price'));
  out.set(nonce, 33);
  return out;
}

/** Body of a mandate (§3.1). `terms`: { sideMask, maxEnergy, lowestSellPrice, highestBuyPrice, validFrom, validUntil,
 * days, hours, nonce, timeZone }. Refuses what a decoder would refuse. */
export function encodeMandate(terms) {
  const zone = ascii(terms.timeZone ?? '');
  const out = new Uint8Array(MANDATE_FIXED_SIZE + zone.length);
  const v = view(out);
  out[0] = terms.sideMask;
  v.setBigInt64(1, i64(terms.maxEnergy, 'most energy per interval'));
  v.setBigInt64(9, i64(terms.lowestSellPrice, 'lowest sell price'));
  v.setBigInt64(17, i64(terms.highestBuyPrice, 'highest buy price'));
  v.setBigInt64(25, i64(terms.validFrom, 'valid from'));
  v.setBigInt64(33, i64(terms.validUntil, 'valid until'));
  out[41] = terms.days;
  v.setUint32(42, terms.hours >>> 0);
  out.set(fixed(terms.nonce, 16, 'the nonce'), 46);
  out[62] = zone.length;
  out.set(zone, MANDATE_FIXED_SIZE);
  const decoded = decodeMandate(out);
  if (decoded.error) throw new RangeError(decoded.error);
  return out;
}

/** The six statements, each as (ledger id, household, fields) → statement bytes. */
export const statements = Object.freeze({
  keyEnrolment: (ledgerId, household, key) => encodeStatement(ledgerId, household, STATEMENT.keyEnrolment, encodeKeyEnrolment(key)),
  keyRevocation: (ledgerId, household, keyId) => encodeStatement(ledgerId, household, STATEMENT.keyRevocation, encodeReference(keyId)),
  mandate: (ledgerId, household, terms) => encodeStatement(ledgerId, household, STATEMENT.mandate, encodeMandate(terms)),
  mandateRevocation: (ledgerId, household, mandateId) => encodeStatement(ledgerId, household, STATEMENT.mandateRevocation, encodeReference(mandateId)),
  cancellation: (ledgerId, household, orderStatementHash) => encodeStatement(ledgerId, household, STATEMENT.cancellation, encodeReference(orderStatementHash)),
  order: (ledgerId, household, order) => encodeStatement(ledgerId, household, STATEMENT.order, encodeOrderBody(order)),
});

// ---- Decoding ----

const ZONE_CHARS = /^[A-Za-z0-9/_+-]{1,64}$/;
const zoneFormats = new Map(); // zone → Intl.DateTimeFormat | null (unknown to this engine)

function zoneFormat(zone) {
  let format = zoneFormats.get(zone);
  if (format === undefined) {
    try {
      format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', weekday: 'short', hour: 'numeric' });
      // Intl ignores case ("europe/berlin"); the zone database's names (and the C# verifier's lookup) do not.
      const resolved = format.resolvedOptions().timeZone;
      if (resolved !== zone && resolved.toLowerCase() === zone.toLowerCase()) format = null;
    } catch {
      format = null;
    }
    zoneFormats.set(zone, format);
  }
  return format;
}

/** Whether the name is an IANA time zone this engine knows, spelled with the characters §3.1 allows. */
export const isTimeZone = (zone) => typeof zone === 'string' && ZONE_CHARS.test(zone) && zoneFormat(zone) !== null;

/**
 * Decodes a body of a statement type from the start of `bytes`: { value: { body, fields }, end } with `end` the
 * offset after the body, or { error }. Types 1 … 6; lengths, enum values, masks, the time zone and P-256 points are
 * checked.
 */
export function decodeBody(type, bytes, at = 0) {
  const rest = bytes.length - at;
  const need = (n, what) => (rest < n ? `${what}: expected at least ${n} bytes, got ${rest}` : null);
  let length;
  let fields;
  switch (type) {
    case STATEMENT.keyEnrolment: {
      const short = need(2, 'key enrolment');
      if (short) return { error: short };
      const role = bytes[at];
      const algorithm = bytes[at + 1];
      if (role < 1 || role > 3) return { error: `key enrolment: role must be 1, 2 or 3, got ${role}` };
      if (algorithm !== ALGORITHM.p256 && algorithm !== ALGORITHM.ed25519) {
        return { error: `key enrolment: algorithm must be 1 (P-256) or 2 (Ed25519), got ${algorithm}` };
      }
      length = 2 + PUBLIC_KEY_SIZE[algorithm];
      const tooShort = need(length, 'key enrolment');
      if (tooShort) return { error: tooShort };
      const publicKey = bytes.subarray(at + 2, at + length);
      if (!isPublicKey(algorithm, publicKey)) return { error: 'key enrolment: the P-256 public key is not a point on the curve' };
      fields = { role, algorithm, publicKey, keyId: householdKeyId(algorithm, publicKey) };
      break;
    }
    case STATEMENT.keyRevocation:
    case STATEMENT.mandateRevocation:
    case STATEMENT.cancellation: {
      const short = need(32, ['key revocation', 'mandate revocation', 'cancellation'][[2, 4, 5].indexOf(type)]);
      if (short) return { error: short };
      length = 32;
      fields = { reference: bytes.subarray(at, at + 32) };
      break;
    }
    case STATEMENT.mandate: {
      const short = need(MANDATE_FIXED_SIZE, 'mandate');
      if (short) return { error: short };
      length = MANDATE_FIXED_SIZE + bytes[at + MANDATE_FIXED_SIZE - 1];
      const tooShort = need(length, 'mandate');
      if (tooShort) return { error: tooShort };
      const decoded = decodeMandate(bytes.subarray(at, at + length));
      if (decoded.error) return decoded;
      fields = decoded.value;
      break;
    }
    case STATEMENT.order: {
      const short = need(ORDER_BODY_SIZE, 'order');
      if (short) return { error: short };
      length = ORDER_BODY_SIZE;
      const v = view(bytes.subarray(at, at + length));
      const side = bytes[at + 16];
      if (side !== SIDE.buy && side !== SIDE.sell) return { error: `order: side must be 1 (buy) or 2 (sell), got ${side}` };
      fields = {
        intervalStart: v.getBigInt64(0), intervalEnd: v.getBigInt64(8), side, energy: v.getBigInt64(17),
        limitPrice: v.getBigInt64(25), nonce: bytes.subarray(at + 33, at + 49),
      };
      break;
    }
    default:
      return { error: `unknown statement type ${type}` };
  }
  return { value: { body: bytes.subarray(at, at + length), fields }, end: at + length };
}

/** A whole mandate body (exactly its bytes): { value: terms } or { error }. */
export function decodeMandate(bytes) {
  const what = 'mandate';
  if (bytes.length < MANDATE_FIXED_SIZE) return { error: `${what}: expected at least ${MANDATE_FIXED_SIZE} bytes, got ${bytes.length}` };
  const v = view(bytes);
  const zoneLength = bytes[MANDATE_FIXED_SIZE - 1];
  if (bytes.length !== MANDATE_FIXED_SIZE + zoneLength) {
    return { error: `${what}: expected ${MANDATE_FIXED_SIZE + zoneLength} bytes, got ${bytes.length}` };
  }
  const sideMask = bytes[0];
  const days = bytes[41];
  const hours = v.getUint32(42);
  if (sideMask < 1 || sideMask > 3) return { error: `${what}: side mask must be 1, 2 or 3, got ${sideMask}` };
  if (days === 0 || days > 0x7f) return { error: `${what}: days must name at least one of Monday … Sunday (bits 0 … 6)` };
  if (hours === 0 || hours > 0xffffff) return { error: `${what}: hours must name at least one of 0 … 23 (bits 0 … 23)` };
  if (zoneLength < 1 || zoneLength > 64) return { error: `${what}: the time zone name is 1 … 64 characters` };
  let timeZone = '';
  for (let i = MANDATE_FIXED_SIZE; i < bytes.length; i++) timeZone += String.fromCharCode(bytes[i]);
  if (!ZONE_CHARS.test(timeZone)) return { error: `${what}: the time zone name has characters other than A-Z a-z 0-9 / _ + -` };
  if (zoneFormat(timeZone) === null) return { error: `${what}: unknown time zone "${timeZone}"` };
  const terms = {
    sideMask,
    maxEnergy: v.getBigInt64(1),
    lowestSellPrice: v.getBigInt64(9),
    highestBuyPrice: v.getBigInt64(17),
    validFrom: v.getBigInt64(25),
    validUntil: v.getBigInt64(33),
    days,
    hours,
    nonce: bytes.subarray(46, 62),
    timeZone,
  };
  if (terms.maxEnergy <= 0n) return { error: `${what}: the most energy per interval must be positive` };
  if (terms.validUntil <= terms.validFrom) return { error: `${what}: valid until must be after valid from` };
  return { value: terms };
}

/** A whole statement: { value: { ledgerId, household, type, body, fields, hash } } or { error }. */
export function decodeStatement(bytes) {
  if (!(bytes instanceof Uint8Array) || bytes.length < STATEMENT_HEADER_SIZE) return { error: 'statement: too short' };
  if (!equalBytes(bytes.subarray(0, 15), STATEMENT_TAG)) return { error: 'statement: does not start with "MarketStatement"' };
  if (bytes[15] !== STATEMENT_VERSION) return { error: `statement: unsupported version ${bytes[15]} (expected 1)` };
  const type = bytes[64];
  const body = decodeBody(type, bytes, STATEMENT_HEADER_SIZE);
  if (body.error) return { error: `statement: ${body.error}` };
  if (body.end !== bytes.length) return { error: 'statement: bytes follow the body' };
  return {
    value: {
      ledgerId: bytes.subarray(16, 48), household: bytes.subarray(48, 64), type, body: body.value.body,
      fields: body.value.fields, hash: statementHash(bytes),
    },
  };
}

// ---- Submissions ----

/** The submission root: RFC 9162 MTH over the statement hashes as leaves (1 … 1024 of them). */
export function submissionRoot(hashes) {
  if (hashes.length < 1 || hashes.length > MAX_SUBMISSION_SIZE) throw new RangeError('a submission has 1 … 1024 statements');
  return rootOfLeafHashes(hashes.map((h) => hashLeaf(fixed(h, 32, 'a statement hash'))));
}

/** RFC 9162 §2.1.3.1 inclusion path of leaf `index` among the leaf hashes `nodes[from, to)`. */
function path(nodes, index, from, to, out) {
  const n = to - from;
  if (n <= 1) return out;
  let k = 1;
  while (k * 2 < n) k *= 2;
  if (index < k) {
    path(nodes, index, from, from + k, out);
    out.push(rootOfLeafHashes(nodes.slice(from + k, to)));
  } else {
    path(nodes, index - k, from + k, to, out);
    out.push(rootOfLeafHashes(nodes.slice(from, from + k)));
  }
  return out;
}

/** The inclusion path of each statement of a submission: an array (one per statement) of 32-byte hashes. */
export function submissionPaths(hashes) {
  submissionRoot(hashes);
  const leaves = hashes.map((h) => hashLeaf(h));
  return leaves.map((_, i) => path(leaves, i, 0, leaves.length, []));
}

/** The 48 bytes a household key signs: "MarketSubmission" ‖ root. */
export function signedMessage(root) {
  const out = new Uint8Array(48);
  out.set(SUBMISSION_TAG, 0);
  out.set(fixed(root, 32, 'the submission root'), 16);
  return out;
}

/** What a device needs to sign and send a submission: statement hashes, root, the signed message, each path. */
export function buildSubmission(statementList) {
  const hashes = statementList.map((s) => statementHash(s));
  const root = submissionRoot(hashes);
  return { hashes, root, message: signedMessage(root), paths: submissionPaths(hashes), size: hashes.length };
}

/** Number of hashes in the inclusion path of leaf `index` in a tree of `size` leaves (0 ≤ index < size). */
export function pathLength(index, size) {
  let inner = 0;
  for (let x = index ^ (size - 1); x > 0; x = Math.floor(x / 2)) inner++;
  let border = 0;
  for (let x = Math.floor(index / 2 ** inner); x > 0; x = Math.floor(x / 2)) border += x & 1;
  return inner + border;
}

/**
 * The submission root from a statement hash, its index, the submission's size and the path (RFC 9162 §2.1.3.2 run
 * forwards), or null when the index, size or path length do not fit (size 1 … 1024, index < size, 32-byte hashes).
 */
export function rootFromPath(hash, index, size, pathHashes) {
  if (!Number.isInteger(index) || !Number.isInteger(size) || size < 1 || size > MAX_SUBMISSION_SIZE || index < 0 || index >= size) return null;
  if (!(hash instanceof Uint8Array) || hash.length !== 32 || pathHashes.length !== pathLength(index, size)) return null;
  let fn = index;
  let sn = size - 1;
  let r = hashLeaf(hash);
  for (const p of pathHashes) {
    if (!(p instanceof Uint8Array) || p.length !== 32 || sn === 0) return null;
    if ((fn & 1) === 1 || fn === sn) {
      r = hashChildren(p, r);
      if ((fn & 1) === 0) {
        while ((fn & 1) === 0 && fn !== 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = hashChildren(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn === 0 ? r : null;
}

// ---- Signatures (WebCrypto) ----

const subtle = () => globalThis.crypto?.subtle;
const importedKeys = new Map(); // algorithm:key hex → Promise<CryptoKey>

/** Thrown when this engine's WebCrypto cannot check an algorithm (Ed25519 in an older browser). */
export class AlgorithmUnsupportedError extends Error {}

function importKey(algorithm, publicKey) {
  const cacheKey = `${algorithm}:${bytesToHex(publicKey)}`;
  let key = importedKeys.get(cacheKey);
  if (key === undefined) {
    const crypto = subtle();
    if (crypto === undefined) {
      return Promise.reject(new AlgorithmUnsupportedError('WebCrypto is not available here (the page must be served over HTTPS or from localhost)'));
    }
    const params = algorithm === ALGORITHM.p256 ? { name: 'ECDSA', namedCurve: 'P-256' } : { name: 'Ed25519' };
    key = crypto.importKey('raw', publicKey, params, false, ['verify']).catch((e) => {
      if (algorithm === ALGORITHM.ed25519 && (e?.name === 'NotSupportedError' || e?.name === 'SyntaxError' || e instanceof TypeError)) {
        throw new AlgorithmUnsupportedError('this browser\'s WebCrypto cannot check Ed25519 signatures');
      }
      return null; // not a key of the algorithm: no signature verifies
    });
    if (importedKeys.size > 4096) importedKeys.clear();
    importedKeys.set(cacheKey, key);
  }
  return key;
}

const P256_N = P256.n;

/**
 * Whether `signature` (64 bytes) is the household key's signature over "MarketSubmission" ‖ root. P-256: ECDSA with
 * SHA-256, r ‖ s (P1363) with r and s in [1, n − 1] (high S accepted); Ed25519: RFC 8032. Resolves to a boolean;
 * rejects with AlgorithmUnsupportedError when WebCrypto lacks the algorithm.
 */
export async function verifySubmission(algorithm, publicKey, root, signature) {
  if (!(signature instanceof Uint8Array) || signature.length !== 64 || !(root instanceof Uint8Array) || root.length !== 32) return false;
  if (algorithm === ALGORITHM.p256) {
    if (!isP256PublicKey(publicKey)) return false;
    const r = bytesToBigInt(signature.subarray(0, 32));
    const s = bytesToBigInt(signature.subarray(32));
    if (r < 1n || r >= P256_N || s < 1n || s >= P256_N) return false;
  } else if (algorithm !== ALGORITHM.ed25519 || !isPublicKey(algorithm, publicKey)) {
    return false;
  }
  const key = await importKey(algorithm, publicKey);
  if (key === null) return false;
  const params = algorithm === ALGORITHM.p256 ? { name: 'ECDSA', hash: 'SHA-256' } : { name: 'Ed25519' };
  try {
    return await subtle().verify(params, key, signature, signedMessage(root));
  } catch {
    return false;
  }
}

// ---- Mandates: local day and hour ----

const WEEKDAY = Object.freeze({ Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 });
const localTimes = new Map(); // "zone|start" → { day, hour }
const MAX_DATE_SECONDS = 8_640_000_000_000n;

/**
 * The local weekday (0 Monday … 6 Sunday) and hour (0 … 23) of a Unix time in seconds in an IANA zone, or null when
 * the zone is unknown or the time beyond what a Date holds. Cached per (zone, time).
 */
export function localDayHour(zone, unixSeconds) {
  const cacheKey = `${zone}|${unixSeconds}`;
  let found = localTimes.get(cacheKey);
  if (found !== undefined) return found;
  const format = zoneFormat(zone);
  const seconds = BigInt(unixSeconds);
  if (format === null || seconds > MAX_DATE_SECONDS || seconds < -MAX_DATE_SECONDS) return null;
  let day = -1;
  let hour = -1;
  for (const part of format.formatToParts(new Date(Number(seconds) * 1000))) {
    if (part.type === 'weekday') day = WEEKDAY[part.value] ?? -1;
    else if (part.type === 'hour') hour = Number(part.value) % 24;
  }
  found = day < 0 || hour < 0 || Number.isNaN(hour) ? null : { day, hour };
  if (localTimes.size > 65536) localTimes.clear();
  localTimes.set(cacheKey, found);
  return found;
}

const DAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/**
 * Why a mandate's terms do not cover an order for the interval starting at `intervalStart` (Unix s) on `side` at
 * `limitPrice`, or null when they do: the side mask, [valid from, valid until), the local day and hour of the
 * interval start in the mandate's zone, the sell floor or buy ceiling. (The energy per interval needs the book.)
 */
export function mandateRefuses(terms, intervalStart, side, limitPrice) {
  const start = BigInt(intervalStart);
  const price = BigInt(limitPrice);
  if ((terms.sideMask & (SIDE_BIT[side] ?? 0)) === 0) return `the mandate does not allow ${side === SIDE.sell ? 'selling' : 'buying'}`;
  if (start < terms.validFrom || start >= terms.validUntil) {
    return `the interval starts at ${start}, outside the mandate's [${terms.validFrom}, ${terms.validUntil})`;
  }
  const local = localDayHour(terms.timeZone, start);
  if (local === null) return `the local time of ${start} in ${terms.timeZone} is not known here`;
  if ((terms.days & (1 << local.day)) === 0) return `the mandate does not cover ${DAY_NAMES[local.day]}s in ${terms.timeZone}`;
  if (((terms.hours >>> local.hour) & 1) === 0) return `the mandate does not cover the hour ${local.hour}:00 in ${terms.timeZone}`;
  if (side === SIDE.sell && price < terms.lowestSellPrice) return `the limit ${price} is below the mandate's lowest sell price ${terms.lowestSellPrice}`;
  if (side === SIDE.buy && price > terms.highestBuyPrice) return `the limit ${price} is above the mandate's highest buy price ${terms.highestBuyPrice}`;
  return null;
}
