// The published vectors the C# library is tested with (tests/Market.Ledger.Tests/Vectors; origin and licence in its
// README), through this verifier's API (window.marketVerifier in the browser): the same inputs and the same expected
// verdicts as MerkleVectorTests, Secp256k1VectorTests and WycheproofTests. Every signature goes through noble's
// verify and through the per-key table the chain verifier uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { getPublicKey } from '@noble/secp256k1';
import { api } from '../src/index.js';

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_N = N >> 1n;

/** A vector file. Integers of 16 digits or more become strings first: JSON numbers in JavaScript cannot hold u64
 * values (the probes have 2^64 − 1) exactly, and the API takes sizes and indexes as decimal strings. */
function vectors(name) {
  const text = readFileSync(new URL(`../../../../tests/Market.Ledger.Tests/Vectors/${name}`, import.meta.url), 'utf8');
  return JSON.parse(text.replace(/:\s*(\d{16,})/g, ': "$1"'));
}

const hex = (value) => (value === null || value === undefined ? '' : value.toLowerCase());
const hexList = (list) => (list === null || list === undefined ? [] : list.map(hex));
const ascii = (text) => Buffer.from(text, 'ascii').toString('hex');
const scalar = (value) => value.toString(16).padStart(64, '0');
const unsigned = (h) => (h.length === 0 ? 0n : BigInt(`0x${h}`));
/** The hex cut or padded with zeros to a number of bytes. */
const resize = (h, bytes) => (h + '0'.repeat(64)).slice(0, bytes * 2);

/** Checks of API calls against expected answers; `mismatches` names those that differ. */
class Checks {
  constructor() {
    this.list = [];
  }

  add(name, fn, expected, ...args) {
    this.list.push({ name, fn, expected, args });
  }

  /** A signature through noble's verify and through the per-key table. */
  signature(name, key, digest, sig, expected, tableBits) {
    this.add(name, 'verifySignature', expected, key, digest, sig);
    this.add(`${name} [table]`, 'verifySignatureWithTable', expected, key, digest, sig, tableBits);
  }

  mismatches() {
    const extra = {
      // The Wycheproof cases need strict DER, SHA-256 of the message, then verification.
      verifyDer: (key, message, der, tableBits) => {
        const rs = api.decodeDer(der);
        if (rs === null) return false;
        const digest = api.sha256(message);
        return tableBits ? api.verifySignatureWithTable(key, digest, rs, tableBits) : api.verifySignature(key, digest, rs);
      },
    };
    return this.list
      .map((c) => ({ ...c, got: (extra[c.fn] ?? api[c.fn])(...c.args) }))
      .filter((c) => (typeof c.expected === 'string' ? c.got?.toLowerCase() !== c.expected : c.got !== c.expected))
      .map((c) => `${c.name}: expected ${c.expected}, got ${c.got}`);
  }
}

const merkle = vectors('merkle_vectors.json');
const leaves = hexList(merkle.leaf_inputs_hex);
const roots = merkle.root_hashes_by_tree_size.map(hex);

function allHashes32(probe) {
  const hashes = ['leafHash_hex', 'root_hex', 'root1_hex', 'root2_hex'].filter((f) => f in probe).map((f) => hex(probe[f]));
  return [...hashes, ...hexList(probe.proof_hex)].every((h) => h.length === 64);
}

const describeProbe = (probe) => `${probe.source_path} (${probe.desc})`;

test('merkle: roots of the first n leaf inputs and every perfect subtree', () => {
  const checks = new Checks();
  roots.forEach((root, size) => checks.add(`root of ${size} leaves`, 'merkleRoot', root, leaves.slice(0, size)));
  merkle.node_hashes_by_level.forEach((level, l) => level.forEach((node, i) =>
    checks.add(`level ${l} node ${i}`, 'merkleRoot', hex(node), leaves.slice(i << l, (i + 1) << l))));

  assert.deepEqual(checks.mismatches(), []);
  assert.equal(checks.list.length, 9 + 8 + 4 + 2 + 1);
});

test('merkle: RFC 6962 hasher vectors', () => {
  const [empty, emptyLeaf, leaf, node] = merkle.hasher_vectors;
  const checks = new Checks();
  checks.add('empty root', 'merkleRoot', hex(empty.want), []);
  checks.add('empty leaf', 'hashLeaf', hex(emptyLeaf.want), '');
  checks.add('leaf L123456', 'hashLeaf', hex(leaf.want), ascii(leaf.leaf_ascii));
  checks.add('node N123 N456', 'hashChildren', hex(node.want), ascii(node.left_ascii), ascii(node.right_ascii));

  assert.deepEqual(checks.mismatches(), []);
});

test('merkle: classic inclusion and consistency proofs', () => {
  const checks = new Checks();
  for (const v of merkle.classic_inclusion_proofs.vectors) {
    if (v.size === 0) {
      checks.add('classic inclusion in the empty tree', 'verifyInclusion', false, api.hashLeaf(''), -1, 0, [], roots[0]);
      continue;
    }
    const index = v.leaf_1based - 1;
    checks.add(`classic inclusion ${index}/${v.size}`, 'verifyInclusion', true,
      api.hashLeaf(leaves[index]), index, v.size, hexList(v.proof), roots[v.size]);
  }
  for (const v of merkle.classic_consistency_proofs.vectors) {
    checks.add(`classic consistency ${v.size1}->${v.size2}`, 'verifyConsistency', true,
      v.size1, v.size2, hexList(v.proof), roots[v.size1], roots[v.size2]);
  }

  assert.deepEqual(checks.mismatches(), []);
  assert.equal(checks.list.length, 6 + 5);
});

test('merkle: golden probes, every wantErr one rejected and every other one with 32-byte hashes accepted', () => {
  const checks = new Checks();
  for (const p of merkle.probes.inclusion) {
    checks.add(describeProbe(p), 'verifyInclusion', !p.wantErr && allHashes32(p),
      hex(p.leafHash_hex), String(p.leafIdx), String(p.treeSize), hexList(p.proof_hex), hex(p.root_hex));
  }
  for (const p of merkle.probes.consistency) {
    checks.add(describeProbe(p), 'verifyConsistency', !p.wantErr && allHashes32(p),
      String(p.size1), String(p.size2), hexList(p.proof_hex), hex(p.root1_hex), hex(p.root2_hex));
  }

  assert.deepEqual(checks.mismatches(), []);
  assert.deepEqual([merkle.probes.inclusion.length, merkle.probes.consistency.length], [98, 98]);
  // The one valid probe rejected on purpose: its equal-size "roots" are 12 bytes (docs/ledger-format.md §2).
  assert.deepEqual([...merkle.probes.inclusion, ...merkle.probes.consistency].filter((p) => !p.wantErr && !allHashes32(p)).map((p) => p.source_path),
    ['testdata/consistency/additional/sizes-are-equal-one-and-proof-is-empty.json']);
});

test('merkle: a leaf hash, root or proof element that is not 32 bytes is rejected', () => {
  const inclusion = merkle.classic_inclusion_proofs.vectors.find((v) => v.leaf_1based === 6 && v.size === 8);
  const consistency = merkle.classic_consistency_proofs.vectors.find((v) => v.size1 === 6 && v.size2 === 8);
  const leafHash = api.hashLeaf(leaves[5]);
  const path = hexList(inclusion.proof);
  const proof = hexList(consistency.proof);
  const [root6, root8] = [roots[6], roots[8]];
  const checks = new Checks();
  checks.add('control: the 5/8 inclusion proof itself', 'verifyInclusion', true, leafHash, 5, 8, path, root8);
  checks.add('control: the 6->8 consistency proof itself', 'verifyConsistency', true, 6, 8, proof, root6, root8);
  for (const length of [31, 33, 0]) {
    checks.add(`inclusion proof element of ${length} bytes`, 'verifyInclusion', false,
      leafHash, 5, 8, path.map((p, i) => (i === 1 ? resize(p, length) : p)), root8);
  }
  for (const length of [31, 33]) {
    checks.add(`leaf hash of ${length} bytes`, 'verifyInclusion', false, resize(leafHash, length), 5, 8, path, root8);
    checks.add(`inclusion root of ${length} bytes`, 'verifyInclusion', false, leafHash, 5, 8, path, resize(root8, length));
    checks.add(`consistency proof element of ${length} bytes`, 'verifyConsistency', false,
      6, 8, proof.map((p, i) => (i === 0 ? resize(p, length) : p)), root6, root8);
    checks.add(`consistency root1 of ${length} bytes`, 'verifyConsistency', false, 6, 8, proof, resize(root6, length), root8);
    checks.add(`consistency root2 of ${length} bytes`, 'verifyConsistency', false, 6, 8, proof, root6, resize(root8, length));
    checks.add(`equal sizes with roots of ${length} bytes`, 'verifyConsistency', false, 6, 6, [], resize(root6, length), resize(root6, length));
  }

  assert.deepEqual(checks.mismatches(), []);
});

const secp = vectors('secp256k1_vectors.json');

test('secp256k1: text vectors verify in low-S form and are rejected in high-S form', () => {
  const checks = new Checks();
  for (const v of secp.text_vectors) {
    const [key, digest, r] = [hex(v.pubkey_compressed), hex(v.msg_sha256), hex(v.r)];
    checks.signature(`${v.message_utf8} low-S`, key, digest, r + hex(v.s), true, 8);
    checks.signature(`${v.message_utf8} high-S`, key, digest, r + hex(v.s_high_form), false, 8);
  }

  assert.deepEqual(checks.mismatches(), []);
  assert.equal(secp.text_vectors.length, 12);
});

test('secp256k1: noble\'s 2019 valid signatures verify, their high-S twins do not', () => {
  const checks = new Checks();
  for (const v of secp.noble_valid) {
    const key = Buffer.from(getPublicKey(Buffer.from(hex(v.d), 'hex'), true)).toString('hex');
    const [digest, r, s] = [hex(v.m_hash), hex(v.r), hex(v.s)];
    checks.signature(`d=${hex(v.d)}`, key, digest, r + s, true, 2);
    checks.signature(`d=${hex(v.d)} as high-S`, key, digest, r + scalar(N - unsigned(s)), false, 2);
  }

  assert.deepEqual(checks.mismatches(), []);
  assert.equal(secp.noble_valid.length, 2019);
});

test('secp256k1: noble\'s invalid verify vectors are all rejected', () => {
  const checks = new Checks();
  for (const v of secp.noble_invalid.verify) {
    checks.signature(`invalid: ${v.description}`, hex(v.Q), hex(v.m), hex(v.signature), false, 4);
  }

  assert.deepEqual(checks.mismatches(), []);
  assert.equal(secp.noble_invalid.verify.length, 25);
});

/** Every Wycheproof ecdsa_secp256k1_sha256 case, with the key compressed and whether its DER signature is high-S. */
function wycheproofCases() {
  const cases = [];
  for (const group of vectors('wycheproof_ecdsa_secp256k1_sha256_test.json').testGroups) {
    const y = unsigned(hex(group.publicKey.wy));
    const key = ((y & 1n) === 0n ? '02' : '03') + scalar(unsigned(hex(group.publicKey.wx)));
    for (const t of group.tests) {
      const rs = api.decodeDer(hex(t.sig));
      const highS = rs !== null && unsigned(rs.slice(64)) > HALF_N;
      cases.push({ ...t, key, msg: hex(t.msg), der: hex(t.sig), rs, highS, expected: t.result === 'valid' && !highS });
    }
  }
  return cases;
}

test('wycheproof: exactly the valid low-S cases verify; the 69 valid high-S ones verify once normalised', () => {
  const cases = wycheproofCases();
  const checks = new Checks();
  for (const c of cases) {
    const name = `wycheproof ${c.tcId} (${c.result}: ${c.comment})`;
    checks.add(name, 'verifyDer', c.expected, c.key, c.msg, c.der, 0);
    checks.add(`${name} [table]`, 'verifyDer', c.expected, c.key, c.msg, c.der, 4);
    if (c.result === 'valid' && c.highS) {
      checks.signature(`${name} normalised to low-S`, c.key, api.sha256(c.msg), c.rs.slice(0, 64) + scalar(N - unsigned(c.rs.slice(64))), true, 4);
    }
  }

  assert.deepEqual(checks.mismatches(), []);
  const valid = cases.filter((c) => c.result === 'valid');
  assert.deepEqual([cases.length, valid.length, cases.filter((c) => c.result === 'invalid').length], [463, 164, 299]);
  assert.ok(valid.every((c) => c.rs !== null), 'every valid case is strict DER');
  assert.equal(valid.filter((c) => !c.expected).length, 69);
  assert.ok(valid.filter((c) => !c.expected).every((c) => c.highS));
});
