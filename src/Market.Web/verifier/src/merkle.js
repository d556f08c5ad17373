// RFC 9162 §2.1 Merkle trees over SHA-256 (docs/ledger-format.md §2):
// leaf hash = SHA-256(0x00 ‖ leaf), node hash = SHA-256(0x01 ‖ left ‖ right), the empty tree's root is SHA-256("").
// SHA-256 is @noble/hashes, synchronous. For the ledger's many short inputs WebCrypto is no faster (its per-call
// promise costs about what the hashing does: measured with bench/verifier), it would make every check async, and it
// is missing on pages not served over HTTPS or from localhost.
import { sha256 } from '@noble/hashes/sha2.js';

export const HASH_SIZE = 32;
export const EMPTY_ROOT = sha256(new Uint8Array(0));

let scratch = new Uint8Array(256);
const nodeInput = new Uint8Array(65);
nodeInput[0] = 0x01;

export { sha256 };

/** SHA-256(0x00 ‖ leaf). */
export function hashLeaf(leaf) {
  if (scratch.length < leaf.length + 1) scratch = new Uint8Array(Math.max(leaf.length + 1, scratch.length * 2));
  scratch[0] = 0x00;
  scratch.set(leaf, 1);
  return sha256(scratch.subarray(0, leaf.length + 1));
}

/** SHA-256(0x01 ‖ left ‖ right). Children of any length are hashed as given (the RFC 6962 hasher vectors use
 * short ones); proof verification itself only ever combines 32-byte hashes. */
export function hashChildren(left, right) {
  if (left.length === HASH_SIZE && right.length === HASH_SIZE) {
    nodeInput.set(left, 1);
    nodeInput.set(right, 33);
    return sha256(nodeInput);
  }
  const input = new Uint8Array(1 + left.length + right.length);
  input[0] = 0x01;
  input.set(left, 1);
  input.set(right, 1 + left.length);
  return sha256(input);
}

/** MTH over leaf hashes in order: pairs level by level, an unpaired last node moves up unchanged (the same tree
 * as splitting at the largest power of two below n). The input array is not modified. */
export function rootOfLeafHashes(leafHashes, count = leafHashes.length) {
  if (count === 0) return EMPTY_ROOT.slice();
  let level = leafHashes.slice(0, count);
  while (level.length > 1) {
    const next = new Array((level.length + 1) >> 1);
    for (let i = 0, j = 0; i < level.length; i += 2, j++) {
      next[j] = i + 1 < level.length ? hashChildren(level[i], level[i + 1]) : level[i];
    }
    level = next;
  }
  return level[0];
}

/** MTH over leaf data (each leaf hashed with the 0x00 prefix). */
export function rootOfLeaves(leaves) {
  const hashes = new Array(leaves.length);
  for (let i = 0; i < leaves.length; i++) hashes[i] = hashLeaf(leaves[i]);
  return rootOfLeafHashes(hashes);
}

const isHash = (h) => h instanceof Uint8Array && h.length === HASH_SIZE;

function sameBytes(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function bitLength(x) {
  let n = 0;
  while (x > 0n) {
    x >>= 1n;
    n++;
  }
  return n;
}

function popCount(x) {
  let n = 0;
  while (x > 0n) {
    n += Number(x & 1n);
    x >>= 1n;
  }
  return n;
}

const U64_LIMIT = 1n << 63n;
const toIndex = (value) => {
  // Sizes and indexes are u64 in the format; anything at or beyond 2^63, negative or not an integer is invalid.
  try {
    const v = BigInt(value);
    return v >= 0n && v < U64_LIMIT ? v : null;
  } catch {
    return null;
  }
};

/**
 * RFC 9162 §2.1.3.2 without the final comparison: the root that `proof` gives for leafHash at `index` in a tree of
 * `size` leaves, or null for a hash that is not exactly 32 bytes, an index not below the size, or a proof whose length
 * is not the one (index, size) determines.
 */
export function rootFromInclusion(leafHash, index, size, proof) {
  const fnStart = toIndex(index);
  const n = toIndex(size);
  if (fnStart === null || n === null || !isHash(leafHash) || !Array.isArray(proof) || !proof.every(isHash)) {
    return null;
  }
  if (fnStart >= n) return null;
  const inner = bitLength(fnStart ^ (n - 1n));
  const border = popCount(fnStart >> BigInt(inner));
  if (proof.length !== inner + border) return null;

  let fn = fnStart;
  let sn = n - 1n;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0n) return null;
    if ((fn & 1n) === 1n || fn === sn) {
      r = hashChildren(p, r);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = hashChildren(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n ? r : null;
}

/**
 * RFC 9162 §2.1.3.2: whether leafHash is leaf `index` of the tree of `size` leaves with `root`. Hashes are
 * Uint8Arrays; anything that is not exactly 32 bytes, an index not below the size, or a proof whose length is not the
 * one (index, size) determines, fails.
 */
export function verifyInclusion(leafHash, index, size, proof, root) {
  if (!isHash(root)) return false;
  const r = rootFromInclusion(leafHash, index, size, proof);
  return r !== null && sameBytes(r, root);
}

/**
 * RFC 9162 §2.1.4.2: whether the tree of size2 leaves with root2 extends the tree of size1 leaves with root1.
 * Equal sizes need an empty proof and equal roots; a proof from the empty tree (size1 = 0 < size2) is rejected
 * (RFC 9162 defines consistency proofs for 0 < size1 < size2 only). Any hash that is not 32 bytes fails.
 */
export function verifyConsistency(size1, size2, proof, root1, root2) {
  const m = toIndex(size1);
  const n = toIndex(size2);
  if (m === null || n === null || !isHash(root1) || !isHash(root2) || !Array.isArray(proof) || !proof.every(isHash)) {
    return false;
  }
  if (n < m) return false;
  if (m === n) return proof.length === 0 && sameBytes(root1, root2);
  if (m === 0n || proof.length === 0) return false;

  const path = (m & (m - 1n)) === 0n ? [root1, ...proof] : [...proof];
  let fn = m - 1n;
  let sn = n - 1n;
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = path[0];
  let sr = path[0];
  for (let i = 1; i < path.length; i++) {
    const c = path[i];
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && sameBytes(fr, root1) && sameBytes(sr, root2);
}
