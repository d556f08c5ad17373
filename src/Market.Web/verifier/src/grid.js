// The network tree of a network block (docs/ledger-format.md §5.8, §8) as the C# GridTopology builds it: the same
// checks in the same order, each order's connection, the nearest common ancestor of two nodes, the lines' fees from
// the rules' fee table and their limits in Wh per interval.
import { bytesToHex } from './hex.js';

export const NODE_KIND = Object.freeze({ community: 1, transformer: 2, feeder: 3, connection: 4 });
const KIND_WORDS = Object.freeze({ 1: 'Community', 2: 'Transformer', 3: 'Feeder', 4: 'Connection' });
const NO_HOUSEHOLD = '0'.repeat(32);
/** A limit in Wh that means "no limit" (2^63 − 1, as GridTopology.UnlimitedWh and GridNetwork.Unlimited). */
export const UNLIMITED_WH = (1n << 63n) - 1n;

/** Checks the decoded nodes; returns { value: topology } or { error, node } (node -1 when none is to blame). */
export function buildTopology(nodes) {
  const n = nodes.length;
  if (n === 0) return { error: 'the network has no node', node: -1 };
  let root = -1;
  const ids = new Set();
  const connectionOf = new Map();
  for (let i = 0; i < n; i++) {
    const leaf = nodes[i];
    if (leaf.parent === -1) {
      if (root >= 0) return { error: `node ${i} is a second root (node ${root} is the first)`, node: i };
      root = i;
    } else if (leaf.parent < 0 || leaf.parent >= n) {
      return { error: `node ${i} has parent ${leaf.parent}, which is not a node of the network (an orphan)`, node: i };
    }
    if (ids.has(leaf.id)) return { error: `node ${i} repeats the node id "${leaf.id}"`, node: i };
    ids.add(leaf.id);
    if (leaf.household !== NO_HOUSEHOLD) {
      if (connectionOf.has(leaf.household)) {
        return { error: `node ${i}'s household is already at connection ${connectionOf.get(leaf.household)}`, node: i };
      }
      connectionOf.set(leaf.household, i);
    }
  }
  if (root < 0) return { error: 'no node is the root (parent -1)', node: -1 };
  const depth = new Array(n);
  for (let i = 0; i < n; i++) {
    let steps = 0;
    for (let at = i; at !== root; at = nodes[at].parent) {
      if (++steps > n) return { error: `node ${i} does not lead to the root: its parents form a cycle`, node: i };
    }
    depth[i] = steps;
  }
  for (let i = 0; i < n; i++) {
    const leaf = nodes[i];
    if (leaf.kind !== depth[i] + 1 || depth[i] > 3) {
      return { error: `node ${i} is a ${KIND_WORDS[leaf.kind]} ${depth[i]} levels below the root; the tree is community, transformers, feeders, connections`, node: i };
    }
    if (i === root && (leaf.exportCapacityW !== -1n || leaf.importCapacityW !== -1n)) {
      return { error: 'the community (root) has no line above it: its capacities are -1', node: i };
    }
  }
  const children = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) if (i !== root) children[nodes[i].parent].push(i);
  const topDown = [root];
  for (let head = 0; head < topDown.length; head++) topDown.push(...children[topDown[head]]);
  return { value: { nodes, root, depth, topDown, connectionOf } };
}

/** The connection a household (16 bytes) is at, or -1. */
export function connectionOf(topology, owner) {
  return topology.connectionOf.get(bytesToHex(owner)) ?? -1;
}

/** The nearest common ancestor of two nodes. */
export function meetNode(topology, a, b) {
  const { nodes, depth } = topology;
  while (depth[a] > depth[b]) a = nodes[a].parent;
  while (depth[b] > depth[a]) b = nodes[b].parent;
  while (a !== b) {
    a = nodes[a].parent;
    b = nodes[b].parent;
  }
  return a;
}

/** The export fee of a node's line from the rules' fee table (all import fees are 0). */
export function exportFee(topology, node, rules) {
  switch (topology.nodes[node].kind) {
    case NODE_KIND.connection: return rules.sameFeederFee;
    case NODE_KIND.feeder: return rules.sameTransformerFee - rules.sameFeederFee;
    case NODE_KIND.transformer: return rules.acrossTransformersFee - rules.sameTransformerFee;
    default: return 0n;
  }
}

/** The fee of a trade's path: the export fees from the seller's node up to the meet node. */
export function pathFee(topology, sellerNode, meet, rules) {
  let fee = 0n;
  for (let at = sellerNode; at !== meet; at = topology.nodes[at].parent) fee += exportFee(topology, at, rules);
  return fee;
}

/** floor(W × seconds / 3600); -1 and anything beyond 2^63 − 1 Wh are unlimited. */
export function capacityWh(watts, seconds) {
  if (watts < 0n) return UNLIMITED_WH;
  const wh = (watts * seconds) / 3600n;
  return wh >= UNLIMITED_WH ? UNLIMITED_WH : wh;
}

/** Each node's static { exportWh, importWh } for an interval of `seconds`. */
export function staticLimits(topology, seconds) {
  return topology.nodes.map((x) => ({ exportWh: capacityWh(x.exportCapacityW, seconds), importWh: capacityWh(x.importCapacityW, seconds) }));
}

export const kindWord = (kind) => KIND_WORDS[kind].toLowerCase();
