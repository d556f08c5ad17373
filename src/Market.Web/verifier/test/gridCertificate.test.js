// Certificates of clearings under the grid's limits (src/gridCertificate.js): every shared case of
// tests/grid-cases/certificates.json gives what the C# GridCertificate.Check (or GridNetwork.TryCreate) gave, code,
// index and message; then cases written here for what the C# check never sees: nodes that are not a tree, values
// that are not integers, and exactness beyond 2^53.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  GRID_CERTIFICATE_CODES, GRID_NETWORK_CODES, MAX_ZONE_PRICE, UNLIMITED, checkGridCertificate,
} from '../src/gridCertificate.js';
import { api } from '../src/index.js';

const file = JSON.parse(readFileSync(new URL('../../../../tests/grid-cases/certificates.json', import.meta.url), 'utf8'));

/** A case as the checker takes it, every 64-bit value (a decimal string in the file) a BigInt. */
function certificateOf(c) {
  return {
    nodes: c.nodes.map((n) => ({
      parent: n.parent,
      exportCapacityWh: BigInt(n.exportCapacityWh),
      importCapacityWh: BigInt(n.importCapacityWh),
      exportFee: BigInt(n.exportFee),
      importFee: BigInt(n.importFee),
    })),
    limits: c.limits.map((l) => ({ exportWh: BigInt(l.exportWh), importWh: BigInt(l.importWh) })),
    orders: c.orders.map((o) => ({
      id: BigInt(o.id), side: o.side, energyWh: BigInt(o.energyWh), price: BigInt(o.price), sequence: BigInt(o.sequence),
    })),
    orderNodes: c.orderNodes,
    filledWh: c.filledWh.map(BigInt),
    zonePrices: c.zonePrices.map(BigInt),
  };
}

/** The result in the file's terms. */
const resultOf = (r) => (r === null ? null : { code: r.code, index: r.index, networkCode: r.networkCode ?? null, message: r.message });

test('certificates.json: names the C# codes, holds at least 40 valid clearings and every code', () => {
  assert.equal(file.format, 'market-grid-certificates');
  assert.equal(file.version, 1);
  assert.equal(BigInt(file.maxZonePrice), MAX_ZONE_PRICE);
  assert.deepEqual(file.codes, GRID_CERTIFICATE_CODES);
  assert.deepEqual(file.networkCodes, GRID_NETWORK_CODES);
  const cleared = file.cases.filter((c) => /^clearing-\d+$/.test(c.name));
  assert.ok(cleared.length >= 40, `${cleared.length} valid clearings`);
  assert.ok(cleared.every((c) => c.expected === null));
  const codes = new Set(file.cases.map((c) => c.expected?.code).filter((code) => code !== undefined));
  assert.deepEqual([...GRID_CERTIFICATE_CODES, 'Network'].filter((code) => !codes.has(code)), []);
});

for (const c of file.cases) {
  test(`certificates.json: ${c.name}`, () => {
    const result = checkGridCertificate(certificateOf(c));

    assert.deepEqual(resultOf(result), c.expected);
    assert.deepEqual(resultOf(checkGridCertificate(c)), c.expected, 'the same with the decimal strings of the file');
  });
}

// Hand-written: a feeder (node 1) under the community (node 0), its line exporting at most 4 Wh for a fee of 1.
const node = (parent, exportCapacityWh = UNLIMITED, importCapacityWh = UNLIMITED, exportFee = 0n, importFee = 0n) =>
  ({ parent, exportCapacityWh, importCapacityWh, exportFee, importFee });
const offer = (id, energyWh, price) => ({ id, side: 'sell', energyWh, price, sequence: id });
const bid = (id, energyWh, price) => ({ id, side: 'buy', energyWh, price, sequence: id });
const feeder = {
  nodes: [node(-1), node(0, 4n, 0n, 1n, 0n)],
  limits: [],
  orders: [offer(1n, 10n, 5n), bid(2n, 10n, 20n)],
  orderNodes: [1, 0],
  filledWh: [4n, 4n],
  zonePrices: [20n, 5n],
};

test('checkGridCertificate: a binding export limit splits the prices; both marginal orders are at their zone\'s price', () => {
  assert.equal(checkGridCertificate(feeder), null);
});

test('checkGridCertificate: the same prices across a line with room left are a gap its fee does not explain', () => {
  const roomy = { ...feeder, limits: [{ exportWh: 0n, importWh: 0n }, { exportWh: 10n, importWh: 0n }] };

  assert.deepEqual(checkGridCertificate(roomy), {
    code: 'PriceGapWithoutLimit',
    index: 1,
    message: 'Node 1\'s zone price 5 against its parent\'s 20 is not justified by its line (flow 4 Wh, fees 1 export and 0 import, limits 10 and 0 Wh).',
  });
});

test('checkGridCertificate: limits null or missing are the nodes\' static capacities, as an empty list', () => {
  const tight = { ...feeder, filledWh: [5n, 5n] };

  assert.equal(checkGridCertificate({ ...feeder, limits: null }), null);
  assert.equal(checkGridCertificate({ ...feeder, limits: undefined }), null);
  assert.equal(checkGridCertificate({ ...tight, limits: null })?.code, 'ExportLimitExceeded');
});

test('checkGridCertificate: an order at node -1 is a Shape failure at that order (the C# check throws on it)', () => {
  assert.deepEqual(checkGridCertificate({ ...feeder, orderNodes: [1, -1] }), {
    code: 'Shape', index: 1, message: 'Order 2 is at node -1, which is not a node of the network.',
  });
});

test('checkGridCertificate: one Wh beyond 2^61 is seen (BigInt throughout, never a double)', () => {
  const big = 1n << 61n;
  const certificate = { ...feeder, nodes: [node(-1), node(0)], orders: [offer(1n, big, 5n), bid(2n, big, 20n)], filledWh: [big, big], zonePrices: [20n, 20n] };

  assert.equal(checkGridCertificate(certificate), null);
  assert.equal(checkGridCertificate({ ...certificate, filledWh: [big + 1n, big] })?.code, 'FillOutOfRange');
  assert.deepEqual(checkGridCertificate({ ...certificate, filledWh: [big, big - 1n] }), {
    code: 'Unbalanced', index: 0, message: 'The fills sell 1 Wh more than they buy.',
  });
});

test('checkGridCertificate: values as BigInt, safe-integer numbers or decimal strings give the same result', () => {
  // Unlimited (2^63 - 1) is no safe integer: it stays a string.
  const safe = (v) => (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString());
  const asNumbers = JSON.parse(JSON.stringify(feeder, (_, v) => (typeof v === 'bigint' ? safe(v) : v)));
  const asStrings = JSON.parse(JSON.stringify(feeder, (_, v) => (typeof v === 'bigint' ? v.toString() : v)));
  const moved = (c) => ({ ...c, zonePrices: [c.zonePrices[0], typeof c.zonePrices[1] === 'string' ? '21' : 21] });

  assert.equal(checkGridCertificate(asNumbers), null);
  assert.equal(checkGridCertificate(asStrings), null);
  assert.deepEqual(checkGridCertificate(moved(asNumbers)), checkGridCertificate({ ...feeder, zonePrices: [20n, 21n] }));
  assert.deepEqual(checkGridCertificate(moved(asStrings)), checkGridCertificate({ ...feeder, zonePrices: [20n, 21n] }));
});

// Nodes that are not a tree: refused as GridNetwork.TryCreate refuses them, and never followed round a cycle.
const withNodes = (nodes) => ({ nodes, limits: [], orders: [], orderNodes: [], filledWh: [], zonePrices: nodes.map(() => 0n) });
const networkFailure = (nodes) => {
  const r = checkGridCertificate(withNodes(nodes));
  return r === null ? null : { code: r.code, networkCode: r.networkCode, index: r.index };
};

test('checkGridCertificate: a parent past the last node or below -1 is an unknown parent', () => {
  assert.deepEqual(networkFailure([node(-1), node(2)]), { code: 'Network', networkCode: 'UnknownParent', index: 1 });
  assert.deepEqual(networkFailure([node(-1), node(0), node(-7)]), { code: 'Network', networkCode: 'UnknownParent', index: 2 });
  assert.deepEqual(checkGridCertificate(withNodes([node(-1), node(5)])).message, 'Node 1 has parent 5, which is not a node of the network.');
});

test('checkGridCertificate: a node its own parent, and a cycle beside the tree, are cycles', () => {
  assert.deepEqual(networkFailure([node(-1), node(1)]), { code: 'Network', networkCode: 'Cycle', index: 1 });
  assert.deepEqual(networkFailure([node(-1), node(0), node(3), node(4), node(2)]), { code: 'Network', networkCode: 'Cycle', index: 2 });
  assert.equal(checkGridCertificate(withNodes([node(-1), node(2), node(1)])).message, 'Node 1 does not lead to the root: its parents form a cycle.');
});

test('checkGridCertificate: a ring of 20,000 nodes with nothing at its root is refused at once', () => {
  const ring = Array.from({ length: 20_000 }, (_, i) => node((i + 1) % 20_000));
  const hanging = [node(-1), ...Array.from({ length: 20_000 }, (_, i) => node(1 + ((i + 1) % 20_000)))];

  assert.deepEqual(networkFailure(ring), { code: 'Network', networkCode: 'NoRoot', index: 0 });
  assert.deepEqual(networkFailure(hanging), { code: 'Network', networkCode: 'Cycle', index: 1 });
});

test('checkGridCertificate: 64 lines below the root is the deepest a node may lie', () => {
  const chain = (length) => Array.from({ length }, (_, i) => node(i - 1));

  assert.equal(networkFailure(chain(65)), null);
  assert.deepEqual(networkFailure(chain(66)), { code: 'Network', networkCode: 'TooDeep', index: 65 });
});

test('checkGridCertificate: two roots, no node, a negative capacity and a fee above 2^40 are refused', () => {
  assert.deepEqual(networkFailure([node(-1), node(-1)]), { code: 'Network', networkCode: 'SeveralRoots', index: 1 });
  assert.deepEqual(networkFailure([]), { code: 'Network', networkCode: 'Empty', index: -1 });
  assert.deepEqual(networkFailure([node(-1), node(0, -1n)]), { code: 'Network', networkCode: 'NegativeCapacity', index: 1 });
  assert.deepEqual(networkFailure([node(-1, 0n, 0n, (1n << 40n) + 1n)]), { code: 'Network', networkCode: 'FeeOutOfRange', index: 0 });
});

test('checkGridCertificate: what is not an integer of its type is a Shape failure naming it, never an exception', () => {
  const shape = (certificate) => {
    const r = checkGridCertificate(certificate);
    assert.equal(r?.code, 'Shape');
    assert.equal(r.index, -1);
    return r.message;
  };

  assert.equal(shape(null), 'The certificate is not an object.');
  assert.equal(shape([]), 'The certificate is not an object.');
  assert.equal(shape({}), 'The certificate\'s nodes is not an array.');
  assert.equal(shape({ ...feeder, nodes: [node(-1), null] }), 'The certificate\'s nodes[1] is not an object.');
  assert.equal(shape({ ...feeder, filledWh: [4n, 4.5] }), 'The certificate\'s filledWh[1] is not a 64-bit integer.');
  assert.equal(shape({ ...feeder, zonePrices: [20n, '5a'] }), 'The certificate\'s zonePrices[1] is not a 64-bit integer.');
  assert.equal(shape({ ...feeder, zonePrices: [20n, '05'] }), 'The certificate\'s zonePrices[1] is not a 64-bit integer.');
  assert.equal(shape({ ...feeder, filledWh: [2 ** 53 + 2, 4n] }), 'The certificate\'s filledWh[0] is not a 64-bit integer.');
  assert.equal(shape({ ...feeder, filledWh: ['9223372036854775808', 4n] }), 'The certificate\'s filledWh[0] is not a 64-bit integer.');
  assert.equal(shape({ ...feeder, orderNodes: [1, 2 ** 31] }), 'The certificate\'s orderNodes[1] is not a 32-bit integer.');
  assert.equal(shape({ ...feeder, orders: [offer(1n, 10n, 5n), { ...bid(2n, 10n, 20n), side: 'Buy' }] }),
    'The certificate\'s orders[1].side is neither "buy" nor "sell".');
  assert.equal(shape({ ...feeder, limits: 'none' }), 'The certificate\'s limits is not an array.');
});

test('api.checkGridCertificate: the page\'s API gives the same result', () => {
  assert.equal(api.checkGridCertificate(feeder), null);
  assert.equal(api.checkGridCertificate({ ...feeder, zonePrices: [20n, 21n] })?.code, 'OrderOnWrongSide');
});
