// Acceptance receipts (§11.1) and proofs of omission (§11.2), made here as the market makes them: the operator's
// secp256k1 key (noble, RFC 6979) signs the root of a batch of receipts' 155-byte leaves, and a proof carries a
// sealed order book, a checkpoint and the book's header proof.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getPublicKey } from '@noble/secp256k1';
import { verifyAcceptanceReceipt, verifyOmissionProof } from '../src/index.js';
import { hashLeaf, rootOfLeafHashes } from '../src/merkle.js';
import { SIDE, STATEMENT, encodeOrderBody, statementHash, submissionPaths } from '../src/statements.js';
import {
  Chain, Household, OPERATOR_KEY_ID, OPERATOR_PUBLIC, START, bytesToHex, concat, encodeReference, enrolmentBody,
  householdRecord, operatorSign, orderLeaf, sha256,
} from './ledger.js';

const u64 = (v) => {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, BigInt(v));
  return out;
};
const ACCEPTED_AT = 1767228000123n;

/** The 155 leaf bytes of a receipt (§11.1). */
function receiptBytes(statement, r) {
  const bytes = concat(new TextEncoder().encode('MarketAcceptance'), Uint8Array.of(0, 2), statement.subarray(16, 48), sha256(statement),
    statement.subarray(48, 64), u64(r.sequence), Uint8Array.of(r.type), u64(r.intervalStart), u64(r.acceptedAt), r.keyId);
  assert.equal(bytes.length, 155);
  return bytes;
}

/** RFC 9162 inclusion path of leaf `index` among the leaf hashes `nodes`. */
function inclusionPath(nodes, index) {
  if (nodes.length <= 1) return [];
  let k = 1;
  while (k * 2 < nodes.length) k *= 2;
  return index < k
    ? [...inclusionPath(nodes.slice(0, k), index), rootOfLeafHashes(nodes.slice(k))]
    : [...inclusionPath(nodes.slice(k), index - k), rootOfLeafHashes(nodes.slice(0, k))];
}

/**
 * The receipts JSON the market gives for statements accepted together (each [statement, sequence]), one signature
 * over the root of their batch; fields overridable for all of them.
 */
function receipts(accepted, change = {}) {
  const rs = accepted.map(([statement, sequence]) => {
    const type = statement[64];
    const intervalStart = type === STATEMENT.order ? new DataView(statement.buffer, statement.byteOffset).getBigInt64(65) : 0n;
    return { statement, sequence: BigInt(sequence), type, intervalStart, acceptedAt: ACCEPTED_AT, keyId: OPERATOR_KEY_ID, publicKey: OPERATOR_PUBLIC, secret: undefined, ...change };
  });
  const leaves = rs.map((r) => hashLeaf(receiptBytes(r.statement, r)));
  const root = rootOfLeafHashes(leaves);
  const message = concat(new TextEncoder().encode('MarketAcceptance'), Uint8Array.of(0, 2), u64(rs.length), root);
  assert.equal(message.length, 58);
  const signature = change.signature ?? operatorSign(sha256(message), change.secret);
  return rs.map((r, i) => `{"format":"market-acceptance-receipt","version":2,"statement":"${bytesToHex(r.statement)}","sequence":${r.sequence},`
    + `"type":${r.type},"intervalStart":${r.intervalStart},"acceptedAt":${r.acceptedAt},"keyId":"${bytesToHex(r.keyId)}",`
    + `"publicKey":"${bytesToHex(r.publicKey)}","batchIndex":${i},"batchSize":${rs.length},`
    + `"batchPath":[${inclusionPath(leaves, i).map((x) => `"${bytesToHex(x)}"`).join(',')}],"signature":"${bytesToHex(signature)}"}`);
}

/** The receipt JSON the market gives for a statement accepted with a sequence, alone in its batch (fields overridable). */
const receipt = (statement, sequence, change = {}) => receipts([[statement, sequence]], change)[0];

/** A ledger whose order book of interval 0 holds A's orders 1 (sell) and 3 (buy); A's order 2 is not in it. */
async function ledger() {
  const chain = new Chain();
  const A = await Household.create(1, chain.ledgerId);
  const enrol = A.statement(STATEMENT.keyEnrolment, enrolmentBody(A.key));
  const [tail] = await A.sign([enrol]);
  chain.household([householdRecord(1, A.id, STATEMENT.keyEnrolment, enrolmentBody(A.key), tail)]);
  const fields = (n, side) => ({ intervalStart: START, intervalEnd: START + 900n, side, energy: 1000n * BigInt(n), limitPrice: 2500n, nonce: new Uint8Array(16).fill(n) });
  const orders = [fields(1, SIDE.sell), fields(2, SIDE.sell), fields(3, SIDE.buy)];
  const statements = orders.map((o) => A.statement(STATEMENT.order, encodeOrderBody(o)));
  const tails = await A.sign(statements);
  const book = chain.orderBook(0, [orderLeaf(1, A.id, orders[0], tails[0]), orderLeaf(3, A.id, orders[2], tails[2])]);
  chain.household([householdRecord(2, A.id, STATEMENT.cancellation, encodeReference(new Uint8Array(32)), (await A.sign([A.statement(STATEMENT.cancellation, encodeReference(new Uint8Array(32)))]))[0])]);
  return { chain, A, enrol, statements, book, height: chain.blocks.indexOf(book) };
}

/** A proof of omission over the ledger's order book and a checkpoint over all its blocks. */
function proof(l, receiptJson, change = {}) {
  const c = l.chain.checkpoint();
  const headerHashes = l.chain.blocks.map((b) => sha256(b.header));
  const headerProof = change.headerProof ?? submissionPaths(headerHashes)[l.height];
  const leaves = change.leaves ?? l.book.leaves;
  return `{"format":"market-omission-proof","version":1,"receipt":${receiptJson},`
    + `"book":{"header":"${bytesToHex(change.header ?? l.book.header)}","signature":"${bytesToHex(l.book.signature)}","publicKey":"${bytesToHex(OPERATOR_PUBLIC)}",`
    + `"leaves":[${leaves.map((x) => `"${bytesToHex(x)}"`).join(',')}]},`
    + `"checkpoint":{"size":${c.size},"root":"${bytesToHex(c.root)}","time":${change.time ?? c.time},"keyId":"${bytesToHex(c.keyId)}","signature":"${bytesToHex(c.signature)}"},`
    + `"checkpointPublicKey":"${bytesToHex(OPERATOR_PUBLIC)}","headerProof":[${headerProof.map((x) => `"${bytesToHex(x)}"`).join(',')}]}`;
}

const reasonOf = (v) => (v.valid ? 'valid' : v.failure.reason);

test('acceptance receipts: a receipt for an order and one for a household record verify', async () => {
  const l = await ledger();

  const order = verifyAcceptanceReceipt(receipt(l.statements[1], 2));
  const enrolment = verifyAcceptanceReceipt(receipt(l.enrol, 1));

  assert.equal(order.valid, true, order.failure?.message);
  assert.deepEqual(order.receipt, {
    statementHash: bytesToHex(statementHash(l.statements[1])), ledgerId: bytesToHex(l.chain.ledgerId), household: bytesToHex(l.A.id),
    type: 6, sequence: '2', intervalStart: Number(START), acceptedAt: Number(ACCEPTED_AT), keyId: bytesToHex(OPERATOR_KEY_ID),
  });
  assert.equal(enrolment.valid, true, enrolment.failure?.message);
  assert.equal(enrolment.receipt.intervalStart, null);
  assert.equal(reasonOf(verifyAcceptanceReceipt(receipt(l.enrol, 1), { trustedKeyIds: [bytesToHex(OPERATOR_KEY_ID)] })), 'valid');
});

test('acceptance receipts: what does not fit the statement, another key, a changed field or JSON that is not a receipt', async () => {
  const l = await ledger();
  const other = new Uint8Array(32).fill(0x22);
  const otherPublic = getPublicKey(other, true);
  const json = receipt(l.statements[1], 2);

  assert.equal(reasonOf(verifyAcceptanceReceipt(receipt(l.statements[1], 2, { type: 5 }))), 'ReceiptInvalid', 'type');
  assert.equal(reasonOf(verifyAcceptanceReceipt(receipt(l.statements[1], 2, { intervalStart: START + 900n }))), 'ReceiptInvalid', 'interval');
  assert.equal(reasonOf(verifyAcceptanceReceipt(receipt(l.statements[1], 2, { publicKey: otherPublic, secret: other }))), 'ReceiptInvalid', 'key id');
  assert.equal(reasonOf(verifyAcceptanceReceipt(json.replace('"sequence":2', '"sequence":3'))), 'ReceiptInvalid', 'sequence changed');
  assert.equal(reasonOf(verifyAcceptanceReceipt(json.replace(`"acceptedAt":${ACCEPTED_AT}`, `"acceptedAt":${ACCEPTED_AT + 1n}`))), 'ReceiptInvalid');
  assert.equal(reasonOf(verifyAcceptanceReceipt(json, { trustedKeyIds: [other] })), 'UntrustedKey');
  const cut = l.statements[1].subarray(0, 100);
  assert.equal(reasonOf(verifyAcceptanceReceipt(json.replace(bytesToHex(l.statements[1]), bytesToHex(cut)))), 'MalformedLeaf');
  assert.equal(reasonOf(verifyAcceptanceReceipt(json.replace('"version":2', '"version":2,"extra":0'))), 'ReceiptInvalid');
  assert.equal(reasonOf(verifyAcceptanceReceipt(json.replace('"version":2', '"version":1'))), 'ReceiptInvalid', 'version 1');
  assert.equal(reasonOf(verifyAcceptanceReceipt('{')), 'ReceiptInvalid');
  assert.equal(reasonOf(verifyAcceptanceReceipt(json.replace('"type":6,', '"type":6,"type":6,'))), 'ReceiptInvalid', 'a repeated field');
});

test('acceptance receipts: a batch of three under one signature; each verifies, and a changed index, size or path does not', async () => {
  const l = await ledger();
  const batch = receipts([[l.enrol, 1], [l.statements[0], 1], [l.statements[1], 2]]);

  for (const json of batch) assert.equal(reasonOf(verifyAcceptanceReceipt(json)), 'valid');
  const signatures = batch.map((json) => JSON.parse(json).signature);
  assert.equal(new Set(signatures).size, 1, 'one signature for the batch');
  const [, , third] = batch;
  const path = JSON.parse(third).batchPath;
  assert.equal(path.length, 1);
  assert.equal(reasonOf(verifyAcceptanceReceipt(third.replace('"batchIndex":2', '"batchIndex":1'))), 'ReceiptInvalid', 'index');
  assert.equal(reasonOf(verifyAcceptanceReceipt(third.replace('"batchSize":3', '"batchSize":4'))), 'ReceiptInvalid', 'size');
  assert.equal(reasonOf(verifyAcceptanceReceipt(third.replace('"batchSize":3', '"batchSize":0'))), 'ReceiptInvalid', 'size 0');
  assert.equal(reasonOf(verifyAcceptanceReceipt(third.replace(path[0], '00'.repeat(32)))), 'ReceiptInvalid', 'path');
  assert.equal(reasonOf(verifyAcceptanceReceipt(third.replace(`"batchPath":["${path[0]}"]`, '"batchPath":[]'))), 'ReceiptInvalid', 'path cut');
  // Another batch's receipt with this batch's signature: the roots differ.
  const alone = receipt(l.statements[1], 2);
  assert.equal(reasonOf(verifyAcceptanceReceipt(alone.replace(JSON.parse(alone).signature, signatures[0]))), 'ReceiptInvalid', 'signature of another batch');
});

test('omission proofs: an accepted order missing from its book, and one whose sequence holds another order', async () => {
  const l = await ledger();

  const missing = verifyOmissionProof(proof(l, receipt(l.statements[1], 2)));
  const changed = verifyOmissionProof(proof(l, receipt(l.statements[1], 3)));

  assert.equal(missing.valid, true, missing.failure?.message);
  assert.equal(missing.omission, 'missing');
  assert.equal(missing.height, l.height);
  assert.equal(missing.leafIndex, null);
  assert.equal(changed.valid, true, changed.failure?.message);
  assert.equal(changed.omission, 'changed');
  assert.equal(changed.leafIndex, 1);
});

test('omission proofs: an order that is in the book is not omitted', async () => {
  const l = await ledger();

  const included = verifyOmissionProof(proof(l, receipt(l.statements[2], 3)));

  assert.equal(reasonOf(included), 'OrderIncluded');
  assert.equal(included.failure.leafIndex, 1);
  assert.equal(included.failure.height, l.height);
});

test('omission proofs: the book, the checkpoint and the proofs must all hold', async () => {
  const l = await ledger();
  const r = receipt(l.statements[1], 2);
  const otherBlock = l.chain.blocks[l.height - 1];

  assert.equal(reasonOf(verifyOmissionProof(proof(l, receipt(l.enrol, 1)))), 'ReceiptInvalid', 'not an order');
  assert.equal(reasonOf(verifyOmissionProof(proof(l, r, { header: otherBlock.header }))), 'InvalidHeaderField', 'not an order book');
  assert.equal(reasonOf(verifyOmissionProof(proof(l, r, { leaves: l.book.leaves.slice(0, 1) }))), 'LeafCountMismatch', 'a leaf left out');
  assert.equal(reasonOf(verifyOmissionProof(proof(l, r, { leaves: [l.book.leaves[1], l.book.leaves[0]] }))), 'PayloadRootMismatch');
  assert.equal(reasonOf(verifyOmissionProof(proof(l, r, { time: 1n }))), 'BadCheckpointSignature');
  assert.equal(reasonOf(verifyOmissionProof(proof(l, r, { headerProof: [] }))), 'InclusionProofInvalid');
  assert.equal(reasonOf(verifyOmissionProof(proof(l, r), { trustedKeyIds: [new Uint8Array(32)] })), 'UntrustedKey');
  const changedHeader = l.book.header.slice();
  changedHeader[100] ^= 1; // the sealing time
  assert.equal(reasonOf(verifyOmissionProof(proof(l, r, { header: changedHeader }))), 'BadSignature');
  const otherInterval = receipt(l.A.statement(STATEMENT.order, encodeOrderBody({ intervalStart: START + 900n, intervalEnd: START + 1800n, side: SIDE.sell, energy: 1n, limitPrice: 1n, nonce: new Uint8Array(16) })), 9);
  assert.equal(reasonOf(verifyOmissionProof(proof(l, otherInterval))), 'ReferenceMismatch', 'another interval\'s book');
});
