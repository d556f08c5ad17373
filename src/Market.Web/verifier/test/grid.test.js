// The grid records and the network tree of docs/ledger-format.md §5.2, §5.8 (the chain checks are the shared tamper
// cases' "grid" ledger, run by tamperCases.test.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeNetworkNode, decodeRules, validateRules } from '../src/records.js';
import { buildTopology, capacityWh, meetNode, pathFee } from '../src/grid.js';

const node = (parent, kind, id, household = '0'.repeat(32)) => ({ parent, kind, exportCapacityW: -1n, importCapacityW: -1n, household, id });
const tree = () => [
  node(-1, 1, 'c'), node(0, 2, 't1'), node(1, 3, 'f1'), node(2, 4, 'h1', '01'.repeat(16)), node(2, 4, 'h2', '02'.repeat(16)),
  node(1, 3, 'f2'), node(5, 4, 'h3', '03'.repeat(16)),
];
const rules = { sameFeederFee: 10n, sameTransformerFee: 30n, acrossTransformersFee: 50n };

test('rules v2: 60 bytes with the fees; v1 may not name mechanism 3', () => {
  const v2 = new Uint8Array(60);
  v2.set([2, 0, 1, 3, 0, 0, 3, 132]);
  new DataView(v2.buffer).setBigInt64(36, 10n);
  new DataView(v2.buffer).setBigInt64(44, 30n);
  new DataView(v2.buffer).setBigInt64(52, 50n);
  const decoded = decodeRules(v2).value;
  assert.equal(decoded.mechanism, 3);
  assert.deepEqual([decoded.sameFeederFee, decoded.sameTransformerFee, decoded.acrossTransformersFee], [10n, 30n, 50n]);
  assert.equal(validateRules({ ...decoded, sameTransformerFee: 5n }), 'network fees must not decrease with distance (same feeder <= same transformer <= across transformers)');
  const v1 = new Uint8Array(36);
  v1.set([1, 0, 1, 3]);
  assert.match(decodeRules(v1).error, /version 1 cannot name the grid's mechanism 3/);
});

test('network node: an id with a space is refused', () => {
  const bytes = new Uint8Array(41);
  bytes.set([1, 0xff, 0xff, 0xff, 0xff, 1]);
  bytes[38] = 2;
  bytes.set([0x63, 0x20], 39);
  assert.match(decodeNetworkNode(bytes).error, /characters outside/);
});

test('topology: meet nodes and path fees by distance; a cycle is named at its first node', () => {
  const t = buildTopology(tree()).value;
  assert.deepEqual([meetNode(t, 3, 4), pathFee(t, 3, 2, rules)], [2, 10n]);
  assert.deepEqual([meetNode(t, 3, 6), pathFee(t, 3, 1, rules)], [1, 30n]);
  const cyclic = tree();
  cyclic[1] = { ...cyclic[1], parent: 2 };
  assert.deepEqual(buildTopology(cyclic), { error: 'node 1 does not lead to the root: its parents form a cycle', node: 1 });
});

test('capacityWh: floor(W × s / 3600), -1 and overflow unlimited', () => {
  assert.equal(capacityWh(6000n, 900n), 1500n);
  assert.equal(capacityWh(-1n, 900n), (1n << 63n) - 1n);
  assert.equal(capacityWh((1n << 63n) - 1n, 7200n), (1n << 63n) - 1n);
});
