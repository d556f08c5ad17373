// secp256k1 ECDSA verification with the rules of docs/ledger-format.md §3: 33-byte compressed public key, 32-byte
// digest used directly as e (never hashed again), 64-byte r ‖ s with r, s in [1, n − 1] and low S (s ≤ ⌊n/2⌋,
// high S is rejected exactly like the C# verifier). Never throws: anything malformed is simply "not valid".
import { verify as nobleVerify, Point, etc } from '@noble/secp256k1';
import { bytesToBigInt } from './hex.js';

const N = Point.CURVE().n;
const HALF_N = N >> 1n;

/** The compressed point, or null when the bytes are not a 33-byte compressed secp256k1 point. */
export function decodePublicKey(bytes) {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 33 || (bytes[0] !== 0x02 && bytes[0] !== 0x03)) return null;
  try {
    return Point.fromBytes(bytes);
  } catch {
    return null;
  }
}

function scalars(signature) {
  if (!(signature instanceof Uint8Array) || signature.length !== 64) return null;
  const r = bytesToBigInt(signature.subarray(0, 32));
  const s = bytesToBigInt(signature.subarray(32, 64));
  return r >= 1n && r < N && s >= 1n && s <= HALF_N ? { r, s } : null;
}

/**
 * Verifies with @noble/secp256k1's own `verify` (lowS: true, prehash: false) after the format checks above.
 * Used for one-off keys (vectors, the API for tests).
 */
export function verifySignature(publicKey, digest, signature) {
  if (!(digest instanceof Uint8Array) || digest.length !== 32) return false;
  if (decodePublicKey(publicKey) === null || scalars(signature) === null) return false;
  try {
    return nobleVerify(signature, digest, publicKey, { prehash: false, lowS: true, format: 'compact' });
  } catch {
    return false;
  }
}

/**
 * A verifier for one public key that signs many blocks. ECDSA verification computes u1·G + u2·Q; noble keeps a
 * precomputed table for G only, so multiplying the operator key Q dominates (about 2.5 ms per signature). This
 * class precomputes the same kind of signed-window table for Q once per key (tens of milliseconds), after which a
 * verification costs about as much as two fixed-base multiplications. The point arithmetic (complete addition
 * formulas, decompression and on-curve checks) is noble's Point; only the scalar multiplication order differs. The
 * equation and every acceptance rule are those of `verifySignature`, and the vector tests run both.
 */
export class KeyVerifier {
  /** @param {Uint8Array} publicKey 33-byte compressed key; @param {number} windowBits table window (2..8). */
  constructor(publicKey, windowBits = 8) {
    const point = decodePublicKey(publicKey);
    if (point === null) throw new TypeError('not a compressed secp256k1 public key');
    if (!Number.isInteger(windowBits) || windowBits < 2 || windowBits > 8) throw new RangeError('window bits 2..8');
    this.publicKey = publicKey.slice();
    this._w = windowBits;
    this._half = 1 << (windowBits - 1);
    this._windows = Math.ceil(256 / windowBits) + 1;
    // Window i holds j·2^(w·i)·Q for j = 1 … 2^(w−1); negative digits use the negated point.
    const table = new Array(this._windows * this._half);
    let base = point;
    for (let i = 0; i < this._windows; i++) {
      let acc = base;
      table[i * this._half] = acc;
      for (let j = 1; j < this._half; j++) {
        acc = acc.add(base);
        table[i * this._half + j] = acc;
      }
      base = acc.double(); // 2^w·B: the next window's base
    }
    this._table = table;
  }

  /** k·Q for 0 < k < n (signed-digit fixed windows over the precomputed table). */
  _multiply(k) {
    const w = BigInt(this._w);
    const mask = (1n << w) - 1n;
    const full = 1 << this._w;
    let p = Point.ZERO;
    for (let i = 0; i < this._windows; i++) {
      let digit = Number(k & mask);
      k >>= w;
      if (digit > this._half) {
        digit -= full;
        k += 1n;
      }
      if (digit !== 0) {
        const entry = this._table[i * this._half + Math.abs(digit) - 1];
        p = p.add(digit < 0 ? entry.negate() : entry);
      }
    }
    if (k !== 0n) throw new Error('scalar out of range');
    return p;
  }

  /** Verifies a 64-byte r ‖ s over a 32-byte digest with this key (same rules as verifySignature). */
  verify(digest, signature) {
    if (!(digest instanceof Uint8Array) || digest.length !== 32) return false;
    const rs = scalars(signature);
    if (rs === null) return false;
    try {
      const e = bytesToBigInt(digest) % N;
      const w = etc.invert(rs.s, N);
      const u1 = (e * w) % N;
      const u2 = (rs.r * w) % N;
      const left = u1 === 0n ? Point.ZERO : Point.BASE.multiply(u1, false);
      const sum = left.add(this._multiply(u2));
      if (sum.is0()) return false;
      return sum.toAffine().x % N === rs.r;
    } catch {
      return false;
    }
  }
}

/** Strict DER (SEQUENCE { INTEGER r, INTEGER s }, minimal lengths and integers, nothing trailing) → 64 bytes
 * r ‖ s, or null. Used for the Wycheproof vectors, whose signatures are DER. */
export function decodeDer(der) {
  if (!(der instanceof Uint8Array) || der.length < 2 || der[0] !== 0x30) return null;
  const seq = readLength(der, 1);
  if (seq === null || der.length - seq.next !== seq.length) return null;
  const out = new Uint8Array(64);
  let pos = seq.next;
  for (let part = 0; part < 2; part++) {
    if (pos + 2 > der.length || der[pos] !== 0x02) return null;
    const len = readLength(der, pos + 1);
    if (len === null || len.length === 0 || len.next + len.length > der.length) return null;
    let value = der.subarray(len.next, len.next + len.length);
    pos = len.next + len.length;
    if (value[0] >= 0x80) return null; // negative
    if (value.length > 1 && value[0] === 0 && value[1] < 0x80) return null; // not minimal
    if (value[0] === 0) value = value.subarray(1);
    if (value.length > 32) return null;
    out.set(value, part * 32 + 32 - value.length);
  }
  return pos === der.length ? out : null;
}

function readLength(bytes, at) {
  if (at >= bytes.length) return null;
  const first = bytes[at];
  if (first < 0x80) return { length: first, next: at + 1 };
  // Below 256 bytes only the one-byte long form can occur, and DER requires it to be needed (≥ 128).
  if (first === 0x81 && at + 1 < bytes.length && bytes[at + 1] >= 0x80) return { length: bytes[at + 1], next: at + 2 };
  return null;
}

export const CURVE_ORDER = N;
