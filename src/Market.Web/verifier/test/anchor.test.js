// The trust anchor of the in-browser verifier (src/anchor.js): what a browser remembers of the ledger it verified,
// driven with the shared tamper cases' exports and a storage object that behaves like localStorage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { verifyExportText } from '../src/exportReader.js';
import { STORAGE_KEY, forget, judge, readAnchor, remember, verifyWithAnchor } from '../src/anchor.js';

const folder = new URL('../../../../tests/tamper-cases/', import.meta.url);
const exportOf = (file) => readFileSync(new URL(file, folder), 'utf8');

/** An in-memory Storage with localStorage's three methods. */
function memoryStorage() {
  const items = new Map();
  return {
    items,
    getItem: (key) => (items.has(key) ? items.get(key) : null),
    setItem: (key, value) => items.set(key, String(value)),
    removeItem: (key) => items.delete(key),
  };
}

const check = (storage, file, now = 1_000) => verifyWithAnchor(storage, (options) => verifyExportText(exportOf(file), options), now);

test('anchor: a first verification is a first contact and remembers the genesis key id and the checkpoint', async () => {
  const storage = memoryStorage();

  const result = await check(storage, 'chain-valid.jsonl');

  assert.equal(result.anchor.status, 'first-contact');
  assert.equal(result.anchor.remembered, null);
  assert.equal(result.checkpointSize, result.blocks);
  assert.deepEqual(result.anchor.now, { genesisKeyId: result.genesisKeyId, size: result.blocks, checkedAt: 1_000 });
  assert.equal(readAnchor(storage).anchor.checkpoint.signature, result.checkpointSignature);
});

test('anchor: the same ledger again is the same ledger', async () => {
  const storage = memoryStorage();
  await check(storage, 'chain-valid.jsonl');

  const result = await check(storage, 'chain-valid.jsonl', 2_000);

  assert.equal(result.anchor.status, 'same-ledger');
  assert.equal(result.anchor.now.checkedAt, 1_000, 'a checkpoint that is not newer is not remembered again');
});

test('anchor: another ledger at the same origin is not the ledger checked before, and is not remembered', async () => {
  const storage = memoryStorage();
  await check(storage, 'chain-valid.jsonl');
  const before = storage.getItem(STORAGE_KEY);

  const result = await check(storage, 'chain-foreign-chain-sealed-with-a-fresh-key-against-the-trusted-genesis-key.jsonl');

  assert.equal(result.valid, false);
  assert.equal(result.anchor.status, 'other-ledger');
  assert.notEqual(result.genesisKeyId, result.anchor.remembered.genesisKeyId);
  assert.equal(storage.getItem(STORAGE_KEY), before);
});

test('anchor: a re-signed fork of the history checked before is a rewritten history, and is not remembered', async () => {
  const storage = memoryStorage();
  await check(storage, 'chain-valid.jsonl');
  const before = storage.getItem(STORAGE_KEY);

  const result = await check(storage, 'chain-complete-re-signed-fork-no-kept-checkpoint.jsonl');

  assert.equal(result.failure?.reason, 'NotConsistent');
  assert.equal(result.anchor.status, 'rewritten');
  assert.equal(storage.getItem(STORAGE_KEY), before);
});

test('anchor: the same fork checked first is a valid first contact: only a remembered checkpoint can tell', async () => {
  const result = await check(memoryStorage(), 'chain-complete-re-signed-fork-no-kept-checkpoint.jsonl');

  assert.equal(result.anchor.status, 'first-contact');
});

test('anchor: a history cut short below the remembered checkpoint is a rewritten history', async () => {
  const storage = memoryStorage();
  await check(storage, 'chain-valid.jsonl');

  const result = await check(storage, 'chain-tail-cut-old-checkpoint.jsonl');

  assert.equal(result.failure?.reason, 'Truncated');
  assert.equal(result.anchor.status, 'rewritten');
});

test('anchor: an export tampered otherwise is invalid, not another ledger', async () => {
  const storage = memoryStorage();
  await check(storage, 'chain-valid.jsonl');

  const result = await check(storage, 'chain-trade-energy-raw.jsonl');

  assert.equal(result.anchor.status, 'invalid');
});

test('anchor: the remembered checkpoint never moves back to a smaller one', async () => {
  const storage = memoryStorage();
  const first = await check(storage, 'chain-valid.jsonl');
  const read = readAnchor(storage);
  const older = { ...first, checkpointSize: 9, checkpointRoot: '00'.repeat(32) };

  const kept = remember(storage, read, older, 5_000);

  assert.equal(kept.checkpoint.size, String(first.checkpointSize));
  assert.equal(readAnchor(storage).anchor.checkpoint.size, String(first.checkpointSize));
});

test('anchor: another tab remembered meanwhile: nothing is overwritten', async () => {
  const storage = memoryStorage();
  const read = readAnchor(storage);
  const result = await verifyExportText(exportOf('chain-valid.jsonl'));
  storage.setItem(STORAGE_KEY, 'remembered by another tab');

  remember(storage, read, result, 1_000);

  assert.equal(storage.getItem(STORAGE_KEY), 'remembered by another tab');
});

test('anchor: an unreadable memory is neither trusted nor overwritten, and is said so', async () => {
  const storage = memoryStorage();
  storage.setItem(STORAGE_KEY, '{"version":1,"genesisKeyId":"zz"}');

  const result = await check(storage, 'chain-valid.jsonl');

  assert.equal(result.anchor.status, 'memory-unreadable');
  assert.match(result.anchor.problem, /not readable/);
  assert.equal(storage.getItem(STORAGE_KEY), '{"version":1,"genesisKeyId":"zz"}');
});

test('anchor: storage the browser forbids is reported, and verification still runs', async () => {
  const storage = { getItem: () => { throw new Error('SecurityError'); }, setItem: () => { throw new Error('SecurityError'); }, removeItem: () => {} };

  const result = await check(storage, 'chain-valid.jsonl');

  assert.equal(result.valid, true);
  assert.equal(result.anchor.status, 'first-contact');
  assert.match(result.anchor.problem, /storage is off/);
  assert.equal(result.anchor.now, null);
});

test('anchor: forgetting makes the next verification a first contact', async () => {
  const storage = memoryStorage();
  await check(storage, 'chain-valid.jsonl');

  forget(storage);
  const result = await check(storage, 'chain-foreign-chain-sealed-with-a-fresh-key-against-the-trusted-genesis-key.jsonl');

  assert.equal(result.anchor.status, 'first-contact');
});

test('judge: a failure at block 0 for another reason is not another ledger', () => {
  const anchor = { checkpoint: { size: '11' } };

  assert.equal(judge({ valid: false, blocks: 0, failure: { reason: 'GenesisInvalid', height: 0 } }, anchor), 'invalid');
  assert.equal(judge({ valid: false, blocks: 12, failure: { reason: 'Truncated', height: null } }, anchor), 'invalid');
});
