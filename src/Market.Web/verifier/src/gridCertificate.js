// The certificate of a clearing under the grid's limits (rules version 2): a port of Market.Matching's
// GridCertificate.Check. From a network tree, the interval's limits, the book, each order's fill and each node's zone
// price it checks, without a solver, that the clearing is feasible (every fill within its order, every line's flow
// within its limits, nothing crossing the root) and allocates the most surplus (every order on the right side of its
// zone's price, every line priced by its state): the fills and the zone prices are a primal and a dual solution of
// the clearing's linear programme. Same codes, same order of checks, same indexes and same messages as the C# check;
// both run the shared cases of tests/grid-cases/certificates.json.
//
// The C# check takes a network that GridNetwork.TryCreate validated and typed 64-bit values. Here both come as plain
// data, so two steps come first: every value must be an integer of its C# type (else `Shape`, index -1), and the
// nodes must be a tree as GridNetwork.TryCreate requires (else `Network`, with its GridNetworkErrorCode as
// `networkCode` and its node as `index`). Every energy, price, fee, limit and flow is a BigInt. Never throws for bad
// input, and a parent chain that never reaches the root is reported, not followed.

/** The largest zone price in magnitude a clearing can produce (GridCertificate.MaxZonePrice). */
export const MAX_ZONE_PRICE = 1n << 50n;
/** The highest fee a line may carry (GridNetwork.MaxFee). */
export const MAX_FEE = 1n << 40n;
/** The deepest a node may lie below the root (GridNetwork.MaxDepth). */
export const MAX_DEPTH = 64;
/** A capacity with no limit (GridNetwork.Unlimited). */
export const UNLIMITED = (1n << 63n) - 1n;

/** GridCertificateCode's names, in enum order, and the code of nodes that are not a tree. */
export const GRID_CERTIFICATE_CODES = Object.freeze([
  'Shape', 'FillOutOfRange', 'Unbalanced', 'ExportLimitExceeded', 'ImportLimitExceeded', 'ZonePriceOutOfRange',
  'OrderOnWrongSide', 'PriceGapWithoutLimit',
]);
export const NETWORK_CODE = 'Network';
/** GridNetworkErrorCode's names, in enum order. */
export const GRID_NETWORK_CODES = Object.freeze([
  'Empty', 'NoRoot', 'SeveralRoots', 'UnknownParent', 'Cycle', 'TooDeep', 'NegativeCapacity', 'FeeOutOfRange',
]);

const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;
const I32_MIN = -(2 ** 31);
const I32_MAX = 2 ** 31 - 1;
const DECIMAL = /^-?(?:0|[1-9][0-9]*)$/;

/**
 * Checks a clearing's certificate.
 *
 * `nodes`: `[{ parent, exportCapacityWh, importCapacityWh, exportFee, importFee }]`, parent -1 for the root;
 * `limits`: the interval's `[{ exportWh, importWh }]`, one per node, or empty (or null) for the nodes' static
 * capacities; `orders`: `[{ id, side: 'buy' | 'sell', energyWh, price, sequence? }]`; `orderNodes`: each order's
 * node; `filledWh`: each order's fill; `zonePrices`: each node's zone price. 64-bit values as BigInt, safe-integer
 * numbers or decimal strings; indexes (parent, orderNodes) as 32-bit integers.
 *
 * Returns null when the certificate holds, else the first failure: `{ code, index, message }` with a
 * GridCertificateCode name, the offending order's position or node's index (-1 for counts), and the C# message word
 * for word; or `{ code: 'Network', index, networkCode, message }` when the nodes are not a tree.
 */
export function checkGridCertificate(certificate) {
  let input;
  try {
    input = readInput(certificate);
  } catch (e) {
    if (e instanceof Malformed) return fail('Shape', -1, e.message);
    throw e;
  }
  const network = readNetwork(input.nodes);
  if (network.failure !== undefined) return network.failure;
  return check(network, input.limits, input.orders, input.orderNodes, input.filledWh, input.zonePrices);
}

class Malformed extends Error {}

const isObject = (x) => typeof x === 'object' && x !== null && !Array.isArray(x);

function int64(value, what) {
  let v = null;
  if (typeof value === 'bigint') v = value;
  else if (typeof value === 'number' && Number.isSafeInteger(value)) v = BigInt(value);
  else if (typeof value === 'string' && DECIMAL.test(value)) v = BigInt(value);
  if (v === null || v < I64_MIN || v > I64_MAX) throw new Malformed(`${what} is not a 64-bit integer`);
  return v;
}

function int32(value, what) {
  const v = int64(value, what);
  if (v < BigInt(I32_MIN) || v > BigInt(I32_MAX)) throw new Malformed(`${what} is not a 32-bit integer`);
  return Number(v);
}

function list(value, what, read) {
  if (!Array.isArray(value)) throw new Malformed(`${what} is not an array`);
  const result = new Array(value.length);
  for (let i = 0; i < value.length; i++) result[i] = read(value[i], `${what}[${i}]`);
  return result;
}

function object(value, what) {
  if (!isObject(value)) throw new Malformed(`${what} is not an object`);
  return value;
}

function readInput(certificate) {
  const c = object(certificate, 'the certificate');
  const nodes = list(c.nodes, "the certificate's nodes", (x, what) => {
    const n = object(x, what);
    return {
      parent: int32(n.parent, `${what}.parent`),
      exportCapacityWh: int64(n.exportCapacityWh, `${what}.exportCapacityWh`),
      importCapacityWh: int64(n.importCapacityWh, `${what}.importCapacityWh`),
      exportFee: int64(n.exportFee, `${what}.exportFee`),
      importFee: int64(n.importFee, `${what}.importFee`),
    };
  });
  const limits = c.limits === null || c.limits === undefined ? [] : list(c.limits, "the certificate's limits", (x, what) => {
    const l = object(x, what);
    return { exportWh: int64(l.exportWh, `${what}.exportWh`), importWh: int64(l.importWh, `${what}.importWh`) };
  });
  const orders = list(c.orders, "the certificate's orders", (x, what) => {
    const o = object(x, what);
    if (o.side !== 'buy' && o.side !== 'sell') throw new Malformed(`${what}.side is neither "buy" nor "sell"`);
    if (o.sequence !== undefined) int64(o.sequence, `${what}.sequence`);
    return {
      id: int64(o.id, `${what}.id`),
      buy: o.side === 'buy',
      energyWh: int64(o.energyWh, `${what}.energyWh`),
      price: int64(o.price, `${what}.price`),
    };
  });
  return {
    nodes,
    limits,
    orders,
    orderNodes: list(c.orderNodes, "the certificate's orderNodes", int32),
    filledWh: list(c.filledWh, "the certificate's filledWh", int64),
    zonePrices: list(c.zonePrices, "the certificate's zonePrices", int64),
  };
}

/**
 * The nodes as a tree, with GridNetwork.TryCreate's checks in its order: `{ nodes, root, topDown }` (every node once,
 * parents before children: breadth first from the root, children in input order) or `{ failure }`.
 */
function readNetwork(nodes) {
  const n = nodes.length;
  const failure = (index, networkCode, message) => ({
    failure: { code: NETWORK_CODE, index, networkCode, message: sentence(message) },
  });
  if (n === 0) return failure(-1, 'Empty', 'the network has no node');
  let root = -1;
  for (let i = 0; i < n; i++) {
    const node = nodes[i];
    if (node.parent === -1) {
      if (root >= 0) return failure(i, 'SeveralRoots', `node ${i} is a second root (node ${root} is the first)`);
      root = i;
    } else if (node.parent < 0 || node.parent >= n || node.parent === i) {
      return node.parent === i
        ? failure(i, 'Cycle', `node ${i} is its own parent`)
        : failure(i, 'UnknownParent', `node ${i} has parent ${node.parent}, which is not a node of the network`);
    }
    if (node.exportCapacityWh < 0n || node.importCapacityWh < 0n) {
      return failure(i, 'NegativeCapacity', `node ${i} has a negative capacity (${node.exportCapacityWh} Wh export, ${node.importCapacityWh} Wh import)`);
    }
    if (node.exportFee < 0n || node.exportFee > MAX_FEE || node.importFee < 0n || node.importFee > MAX_FEE) {
      return failure(i, 'FeeOutOfRange', `node ${i} has a fee outside 0..${MAX_FEE} (${node.exportFee} export, ${node.importFee} import)`);
    }
  }
  if (root < 0) return failure(0, 'NoRoot', 'no node is the root (parent -1)');

  // Every parent is now a node other than the node itself: the children lists hold each non-root node once, so the
  // walk from the root visits each node at most once, and a node it never reaches sits on or under a cycle.
  const children = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) if (i !== root) children[nodes[i].parent].push(i);
  const depth = new Array(n).fill(-1);
  const topDown = [root];
  depth[root] = 0;
  for (let head = 0; head < topDown.length; head++) {
    const parent = topDown[head];
    for (const child of children[parent]) {
      depth[child] = depth[parent] + 1;
      topDown.push(child);
    }
  }
  for (let i = 0; i < n; i++) {
    if (depth[i] < 0) return failure(i, 'Cycle', `node ${i} does not lead to the root: its parents form a cycle`);
    if (depth[i] > MAX_DEPTH) return failure(i, 'TooDeep', `node ${i} lies ${depth[i]} levels below the root; at most ${MAX_DEPTH} are allowed`);
  }
  return { nodes, root, topDown };
}

/** GridCertificate.Check on read values and a valid tree. */
function check(network, limits, orders, orderNodes, filledWh, zonePrices) {
  const { nodes, root, topDown } = network;
  const count = nodes.length;
  if (filledWh.length !== orders.length || orderNodes.length !== orders.length || zonePrices.length !== count
      || (limits.length !== 0 && limits.length !== count)) {
    return fail('Shape', -1, `expected ${orders.length} fills and nodes, ${count} zone prices and 0 or ${count} limits, got ${filledWh.length} fills, ${orderNodes.length} nodes, ${zonePrices.length} zone prices and ${limits.length} limits`);
  }

  for (let node = 0; node < limits.length; node++) {
    if (limits[node].exportWh < 0n || limits[node].importWh < 0n) {
      return fail('Shape', node, `node ${node}'s limits are negative (${limits[node].exportWh} Wh export, ${limits[node].importWh} Wh import)`);
    }
  }

  for (let node = 0; node < count; node++) {
    if (zonePrices[node] < -MAX_ZONE_PRICE || zonePrices[node] > MAX_ZONE_PRICE) {
      return fail('ZonePriceOutOfRange', node, `node ${node}'s zone price ${zonePrices[node]} is outside ±${MAX_ZONE_PRICE}`);
    }
  }

  // Net energy sold at each node, then summed up the tree into each line's flow.
  const flow = new Array(count).fill(0n);
  for (let i = 0; i < orders.length; i++) {
    const o = orders[i];
    const fill = filledWh[i];
    const at = orderNodes[i];
    if (at < 0 || at >= count) return fail('Shape', i, `order ${o.id} is at node ${at}, which is not a node of the network`);
    if (fill < 0n || fill > o.energyWh) return fail('FillOutOfRange', i, `order ${o.id} is filled ${fill} Wh of ${o.energyWh} Wh`);

    flow[at] += o.buy ? -fill : fill;

    const zone = zonePrices[at];
    const better = o.buy ? o.price > zone : o.price < zone;
    const worse = o.buy ? o.price < zone : o.price > zone;
    if ((better && fill < o.energyWh) || (worse && fill > 0n)) {
      return fail('OrderOnWrongSide', i, `${o.buy ? 'bid' : 'offer'} ${o.id} at ${o.price} is filled ${fill} Wh of ${o.energyWh} Wh, but its zone's price is ${zone}`);
    }
  }

  for (let k = topDown.length - 1; k > 0; k--) {
    const node = topDown[k];
    flow[nodes[node].parent] += flow[node];
  }

  if (flow[root] !== 0n) {
    const excess = flow[root];
    return fail('Unbalanced', root, excess > 0n ? `the fills sell ${excess} Wh more than they buy` : `the fills buy ${-excess} Wh more than they sell`);
  }

  for (let k = 1; k < topDown.length; k++) {
    const node = topDown[k];
    const line = nodes[node];
    const limit = limits.length === 0 ? { exportWh: line.exportCapacityWh, importWh: line.importCapacityWh } : limits[node];
    const y = flow[node];
    if (y > limit.exportWh) return fail('ExportLimitExceeded', node, `node ${node} exports ${y} Wh, above its limit of ${limit.exportWh} Wh`);
    if (-y > limit.importWh) return fail('ImportLimitExceeded', node, `node ${node} imports ${-y} Wh, above its limit of ${limit.importWh} Wh`);

    const parentPrice = zonePrices[line.parent];
    const { low, high } = lineBounds(parentPrice, y, limit, line);
    const price = zonePrices[node];
    if ((low !== null && price < low) || (high !== null && price > high)) {
      return fail('PriceGapWithoutLimit', node, `node ${node}'s zone price ${price} against its parent's ${parentPrice} is not justified by its line (flow ${y} Wh, fees ${line.exportFee} export and ${line.importFee} import, limits ${limit.exportWh} and ${limit.importWh} Wh)`);
    }
  }

  return null;
}

/**
 * What the line to the parent allows the node's price to be, given the parent's price and the flow (GridAuction.LineBounds):
 * the complementary slackness of the line's two directions. `{ low, high }`, null where unbounded.
 */
export function lineBounds(parentPrice, flow, limit, line) {
  let low = null;
  let high = null;
  const up = flow > 0n ? flow : 0n;
  const down = flow < 0n ? -flow : 0n;
  const raise = (v) => {
    low = low === null || v > low ? v : low;
  };
  const lower = (v) => {
    high = high === null || v < high ? v : high;
  };
  if (limit.exportWh > 0n) {
    if (up < limit.exportWh) raise(parentPrice - line.exportFee);
    if (up > 0n) lower(parentPrice - line.exportFee);
  }
  if (limit.importWh > 0n) {
    if (down < limit.importWh) lower(parentPrice + line.importFee);
    if (down > 0n) raise(parentPrice + line.importFee);
  }
  return { low, high };
}

const sentence = (text) => `${text.slice(0, 1).toUpperCase()}${text.slice(1)}.`;

const fail = (code, index, message) => ({ code, index, message: sentence(message) });
