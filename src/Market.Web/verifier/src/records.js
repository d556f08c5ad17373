// Decoders of the canonical records of docs/ledger-format.md §5 (with the reconciliation records of §5.5) and
// §6.1, with the order leaf v2 and household records of format version 3 (§5.3, §5.7). All integers are big-endian;
// 64-bit fields are BigInt so nothing is ever rounded. Each decoder returns { value } or { error } (never throws).
import { decodePublicKey } from './ecdsa.js';
import { bytesToHex } from './hex.js';
import { MAX_SUBMISSION_SIZE, STATEMENT, decodeBody, pathLength } from './statements.js';

export const HEADER_SIZE = 170;
export const KIND = Object.freeze({
  keyEvent: 1, orderBook: 2, clearing: 3, rules: 4, reconciliation: 5, household: 6, witnessPolicy: 7, network: 8, gridLimits: 9,
});
export const KIND_NAMES = Object.freeze({
  1: 'keyEvent', 2: 'orderBook', 3: 'clearing', 4: 'rules', 5: 'reconciliation', 6: 'household', 7: 'witnessPolicy',
  8: 'network', 9: 'gridLimits',
});
/** The clearing mechanism under the grid's limits (rules version 2 of the clearing, §9.2). */
export const GRID_ZONAL_AUCTION = 3;
export const ACTION = Object.freeze({ introduce: 1, retire: 2 });
export const SIDE = Object.freeze({ buy: 1, sell: 2 });

const view = (bytes) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** Block header v1 (170 bytes). */
export function decodeHeader(bytes) {
  if (bytes.length !== HEADER_SIZE) return { error: `block header: expected ${HEADER_SIZE} bytes, got ${bytes.length}` };
  const v = view(bytes);
  const version = v.getUint16(0);
  if (version !== 1) return { error: `block header: unsupported version ${version} (expected 1)` };
  const kind = bytes[2];
  if (kind < 1 || kind > 9) return { error: `block header: unknown kind ${kind}` };
  const height = v.getBigInt64(3);
  const leafCount = v.getUint32(75);
  if (height < 0n || leafCount > 0x7fffffff) {
    return { error: 'block header: height beyond 2^63-1 or leaf count beyond 2^31-1' };
  }
  return {
    value: {
      kind,
      height,
      previousHash: bytes.subarray(11, 43),
      payloadRoot: bytes.subarray(43, 75),
      leafCount,
      intervalStart: v.getBigInt64(79),
      intervalEnd: v.getBigInt64(87),
      sealedAt: v.getBigInt64(95),
      keyId: bytes.subarray(103, 135),
      reference: bytes.subarray(135, 167),
      mechanism: bytes[167],
      rulesVersion: v.getUint16(168),
    },
  };
}

/** Key record (34 bytes): action, compressed public key. */
export function decodeKeyRecord(bytes) {
  if (bytes.length !== 34) return { error: `key record: expected 34 bytes, got ${bytes.length}` };
  const action = bytes[0];
  if (action !== ACTION.introduce && action !== ACTION.retire) {
    return { error: `key record: action must be 1 (introduce) or 2 (retire), got ${action}` };
  }
  const publicKey = bytes.subarray(1, 34);
  if (decodePublicKey(publicKey) === null) return { error: 'key record: not a compressed secp256k1 public key' };
  return { value: { action, publicKey } };
}

const MAX_FEE = 1n << 40n;

/** Rules record v1 (36 bytes) or v2 (60 bytes: v1 and the three network fees). */
export function decodeRules(bytes) {
  if (bytes.length === 0 || (bytes[0] !== 1 && bytes[0] !== 2)) {
    return { error: `rules record: unsupported version ${bytes.length === 0 ? '(empty)' : bytes[0]} (expected 1 or 2)` };
  }
  const size = bytes[0] === 2 ? 60 : 36;
  if (bytes.length !== size) return { error: `rules record: version ${bytes[0]} has ${size} bytes, got ${bytes.length}` };
  if (bytes[0] === 1 && bytes[3] === GRID_ZONAL_AUCTION) {
    return { error: 'rules record: version 1 cannot name the grid\'s mechanism 3 (it has no fees); mechanism 3 needs version 2' };
  }
  const v = view(bytes);
  const length = v.getUint32(4);
  const lead = v.getUint32(8);
  if (length > 0x7fffffff || lead > 0x7fffffff) {
    return { error: 'rules record: interval length or gate closure lead beyond 2^31-1 seconds' };
  }
  return {
    value: {
      rulesVersion: v.getUint16(1),
      mechanism: bytes[3],
      intervalLength: BigInt(length),
      gateLead: BigInt(lead),
      priceFloor: v.getBigInt64(12),
      priceCeiling: v.getBigInt64(20),
      effectiveFrom: v.getBigInt64(28),
      sameFeederFee: size === 60 ? v.getBigInt64(36) : 0n,
      sameTransformerFee: size === 60 ? v.getBigInt64(44) : 0n,
      acrossTransformersFee: size === 60 ? v.getBigInt64(52) : 0n,
    },
  };
}

/** The value checks of a decoded rules record; returns an error text or null. */
export function validateRules(r) {
  if (r.rulesVersion < 1) return 'rules version must be in 1..65535';
  if (r.mechanism === 0) return 'mechanism must not be 0';
  if (r.intervalLength <= 0n) return 'interval length must be positive';
  if (r.priceFloor < 0n) return 'price floor must not be negative';
  if (r.priceCeiling < r.priceFloor) return 'price ceiling must not be below the floor';
  if (r.effectiveFrom % r.intervalLength !== 0n) return 'effective-from must be aligned to the interval length';
  const fees = [r.sameFeederFee, r.sameTransformerFee, r.acrossTransformersFee];
  if (fees.some((f) => f < 0n || f > MAX_FEE)) return 'network fees must be in 0..2^40';
  if (r.sameTransformerFee < r.sameFeederFee || r.acrossTransformersFee < r.sameTransformerFee) {
    return 'network fees must not decrease with distance (same feeder <= same transformer <= across transformers)';
  }
  if (r.mechanism !== GRID_ZONAL_AUCTION && fees.some((f) => f !== 0n)) return 'network fees apply only under the grid\'s mechanism 3';
  return null;
}

export const AUTH = Object.freeze({ signed: 1, mandate: 2 });
const ORDER_FIXED_SIZE = 58;
const SIGNED_TAIL_FIXED = 1 + 32 + 64 + 4 + 4;

/**
 * The authorisation tail (§3.1) at `at`, which must run to the end of the bytes: signed { auth: 1, keyId, signature,
 * size, index, path } or, where allowed, mandate { auth: 2, mandateId }.
 */
function decodeAuth(bytes, at, what, mandateAllowed) {
  const rest = bytes.length - at;
  if (rest < 1) return { error: `${what}: the authorisation is missing` };
  const auth = bytes[at];
  if (auth === AUTH.mandate && mandateAllowed) {
    if (rest !== 33) return { error: `${what}: a mandate authorisation is 33 bytes, got ${rest}` };
    return { value: { auth, mandateId: bytes.subarray(at + 1, at + 33) } };
  }
  if (auth !== AUTH.signed) {
    return { error: `${what}: authorisation must be 1 (signed)${mandateAllowed ? ' or 2 (mandate)' : ''}, got ${auth}` };
  }
  if (rest < SIGNED_TAIL_FIXED) return { error: `${what}: a signed authorisation is at least ${SIGNED_TAIL_FIXED} bytes, got ${rest}` };
  const v = view(bytes);
  const size = v.getUint32(at + 97);
  const index = v.getUint32(at + 101);
  if (size < 1 || size > MAX_SUBMISSION_SIZE || index >= size) {
    return { error: `${what}: submission size ${size} and index ${index} need 0 <= index < size <= ${MAX_SUBMISSION_SIZE}` };
  }
  const k = pathLength(index, size);
  if (rest !== SIGNED_TAIL_FIXED + 32 * k) {
    return { error: `${what}: the path of statement ${index} of ${size} is ${k} hashes (${SIGNED_TAIL_FIXED + 32 * k} bytes of authorisation), got ${rest} bytes` };
  }
  const path = new Array(k);
  for (let i = 0; i < k; i++) path[i] = bytes.subarray(at + SIGNED_TAIL_FIXED + 32 * i, at + SIGNED_TAIL_FIXED + 32 * (i + 1));
  return {
    value: { auth, keyId: bytes.subarray(at + 1, at + 33), signature: bytes.subarray(at + 33, at + 97), size, index, path },
  };
}

/** Order leaf v2 (58 bytes and the authorisation tail, §5.3). */
export function decodeOrder(bytes) {
  if (bytes.length < ORDER_FIXED_SIZE + 1) return { error: `order leaf: expected at least ${ORDER_FIXED_SIZE + 1} bytes, got ${bytes.length}` };
  if (bytes[0] !== 2) return { error: `order leaf: unsupported version ${bytes[0]} (expected 2)` };
  const v = view(bytes);
  const sequence = v.getBigInt64(1);
  if (sequence < 0n) return { error: 'order leaf: sequence beyond 2^63-1' };
  const side = bytes[25];
  if (side !== SIDE.buy && side !== SIDE.sell) return { error: `order leaf: side must be 1 (buy) or 2 (sell), got ${side}` };
  const auth = decodeAuth(bytes, ORDER_FIXED_SIZE, 'order leaf', true);
  if (auth.error) return auth;
  return {
    value: {
      sequence, owner: bytes.subarray(9, 25), side, energy: v.getBigInt64(26), limitPrice: v.getBigInt64(34),
      nonce: bytes.subarray(42, 58), authorisation: auth.value,
    },
  };
}

/** The body of an order leaf's statement (type 6) in the interval of its block: the bytes the household signed. */
export function orderStatementBody(order, intervalStart, intervalEnd) {
  const body = new Uint8Array(49);
  const v = view(body);
  v.setBigInt64(0, intervalStart);
  v.setBigInt64(8, intervalEnd);
  body[16] = order.side;
  v.setBigInt64(17, order.energy);
  v.setBigInt64(25, order.limitPrice);
  body.set(order.nonce, 33);
  return body;
}

/** Household record v1 (§5.7): version, sequence, household, statement type 1 … 5, body, signed authorisation. */
export function decodeHouseholdRecord(bytes) {
  const what = 'household record';
  if (bytes.length < 26) return { error: `${what}: expected at least 26 bytes, got ${bytes.length}` };
  if (bytes[0] !== 1) return { error: `${what}: unsupported version ${bytes[0]} (expected 1)` };
  const v = view(bytes);
  const sequence = v.getBigInt64(1);
  if (sequence < 0n || bytes.subarray(9, 25).every((b) => b === 0)) return { error: `${what}: sequence beyond 2^63-1 or a zero household` };
  const type = bytes[25];
  if (type < STATEMENT.keyEnrolment || type > STATEMENT.cancellation) {
    return { error: `${what}: statement type must be 1 … 5, got ${type}` };
  }
  const body = decodeBody(type, bytes, 26);
  if (body.error) return { error: `${what}: ${body.error}` };
  const auth = decodeAuth(bytes, body.end, what, false);
  if (auth.error) return auth;
  return {
    value: {
      sequence, household: bytes.subarray(9, 25), type, body: body.value.body, fields: body.value.fields,
      authorisation: auth.value,
    },
  };
}

/** Trade leaf v1 (97 bytes). */
export function decodeTrade(bytes) {
  if (bytes.length !== 97) return { error: `trade leaf: expected 97 bytes, got ${bytes.length}` };
  if (bytes[0] !== 1) return { error: `trade leaf: unsupported version ${bytes[0]} (expected 1)` };
  const v = view(bytes);
  const tradeId = v.getBigInt64(1);
  const buySequence = v.getBigInt64(57);
  const sellSequence = v.getBigInt64(65);
  if (tradeId < 0n || buySequence < 0n || sellSequence < 0n) {
    return { error: 'trade leaf: trade id or order sequence beyond 2^63-1' };
  }
  return {
    value: {
      tradeId,
      intervalStart: v.getBigInt64(9),
      intervalEnd: v.getBigInt64(17),
      buyer: bytes.subarray(25, 41),
      seller: bytes.subarray(41, 57),
      buySequence,
      sellSequence,
      energy: v.getBigInt64(73),
      price: v.getBigInt64(81),
      amount: v.getBigInt64(89),
    },
  };
}

const I64_MAX = (1n << 63n) - 1n;

/** The amount rule (§1): floor((energy × price + 500) / 1000), exact; null for negative inputs or beyond i64. */
export function tradeAmount(energy, price) {
  if (energy < 0n || price < 0n) return null;
  const amount = (energy * price + 500n) / 1000n;
  return amount > I64_MAX ? null : amount;
}

const RECONCILIATION_SUMMARY_SIZE = 137;
const HOUSEHOLD_SIZE = 66;
const SETTLEMENT_SIZE = 169;
const I32_MAX = 0x7fffffff;

/** A total of postings of one kind (20 bytes: postings u32, energy i64, amount i64); null when the count is beyond 2^31-1. */
function postingTotal(v, at) {
  const postings = v.getUint32(at);
  return postings > I32_MAX ? null : { postings: BigInt(postings), energy: v.getBigInt64(at + 4), amount: v.getBigInt64(at + 12) };
}

/**
 * Whether a posting total is what that many postings of that energy in all can add up to at one price when each is
 * rounded half up on its own: energy × price − 500 × postings < 1000 × amount ≤ energy × price + 500 × postings,
 * no postings exactly when there is no energy (and then no amount), never more postings than Wh. Exact for one.
 */
export function isRoundingOf(t, price) {
  if (t.postings < 0n || t.energy < 0n || t.amount < 0n || price < 0n || (t.postings === 0n) !== (t.energy === 0n) || t.postings > t.energy) return false;
  if (t.postings === 0n) return t.amount === 0n;
  const exact = t.energy * price;
  const slack = 500n * t.postings;
  const scaled = t.amount * 1000n;
  return scaled > exact - slack && scaled <= exact + slack;
}

/** Reconciliation summary v2 (137 bytes), leaf 0 of a reconciliation block. `localPrice` is null when the flag is 0. */
export function decodeReconciliationSummary(bytes) {
  const what = 'reconciliation summary';
  if (bytes.length !== RECONCILIATION_SUMMARY_SIZE) {
    return { error: `${what}: expected ${RECONCILIATION_SUMMARY_SIZE} bytes, got ${bytes.length}` };
  }
  const v = view(bytes);
  const version = v.getUint32(2);
  const householdCount = v.getUint32(33);
  const cover = postingTotal(v, 77);
  const purchase = postingTotal(v, 97);
  const feedIn = postingTotal(v, 117);
  if (bytes[0] !== 2) return { error: `${what}: unsupported version ${bytes[0]} (expected 2)` };
  if (bytes[1] !== 1) return { error: `${what}: record type ${bytes[1]} (expected 1)` };
  if (bytes[8] > 1) return { error: `${what}: the has-local-price flag is 0 or 1` };
  if (bytes[8] === 0 && v.getBigInt64(9) !== 0n) return { error: `${what}: no local price but a non-zero price field` };
  if (version > I32_MAX || householdCount > I32_MAX || cover === null || purchase === null || feedIn === null) {
    return { error: `${what}: version, household count or posting count beyond 2^31-1` };
  }
  return {
    value: {
      reconciliationVersion: version,
      settlementRulesVersion: v.getUint16(6),
      localPrice: bytes[8] === 1 ? v.getBigInt64(9) : null,
      retailPrice: v.getBigInt64(17),
      feedInTariff: v.getBigInt64(25),
      householdCount,
      exportWh: v.getBigInt64(37),
      importWh: v.getBigInt64(45),
      shortfall: v.getBigInt64(53),
      surplus: v.getBigInt64(61),
      netted: v.getBigInt64(69),
      cover,
      purchase,
      feedIn,
    },
  };
}

/**
 * Household reconciliation record v2 (66 bytes): the public part, pseudonym, sold, bought and the commitment to the
 * household's settlement record. Party ids are kept as lower-case hex (32 digits): their string order is their
 * byte order.
 */
export function decodeHousehold(bytes) {
  const what = 'household reconciliation';
  if (bytes.length !== HOUSEHOLD_SIZE) return { error: `${what}: expected ${HOUSEHOLD_SIZE} bytes, got ${bytes.length}` };
  if (bytes[0] !== 2) return { error: `${what}: unsupported version ${bytes[0]} (expected 2)` };
  if (bytes[1] !== 2) return { error: `${what}: record type ${bytes[1]} (expected 2)` };
  const v = view(bytes);
  return {
    value: {
      household: bytesToHex(bytes.subarray(2, 18)),
      sold: v.getBigInt64(18),
      bought: v.getBigInt64(26),
      commitment: bytes.subarray(34, 66),
    },
  };
}

/** A household's private settlement record v1 (169 bytes), as an opening carries it. */
export function decodeSettlement(bytes) {
  const what = 'settlement record';
  if (bytes.length !== SETTLEMENT_SIZE) return { error: `${what}: expected ${SETTLEMENT_SIZE} bytes, got ${bytes.length}` };
  const v = view(bytes);
  const reconciliationVersion = v.getUint32(33);
  const readingVersion = v.getUint32(37);
  const totals = [89, 109, 129, 149].map((at) => postingTotal(v, at));
  if (bytes[0] !== 1) return { error: `${what}: unsupported version ${bytes[0]} (expected 1)` };
  if (reconciliationVersion > I32_MAX || readingVersion > I32_MAX || totals.includes(null)) {
    return { error: `${what}: a version or posting count beyond 2^31-1` };
  }
  return {
    value: {
      household: bytesToHex(bytes.subarray(1, 17)),
      intervalStart: v.getBigInt64(17),
      intervalEnd: v.getBigInt64(25),
      reconciliationVersion,
      readingVersion,
      readingHash: bytes.subarray(41, 73),
      exportWh: v.getBigInt64(73),
      importWh: v.getBigInt64(81),
      covered: totals[0],
      provided: totals[1],
      bought: totals[2],
      sold: totals[3],
    },
  };
}

const NODE_ID = /^[A-Za-z0-9._-]{1,64}$/;
const ascii = (bytes) => String.fromCharCode(...bytes);
const NETWORK_NODE_FIXED = 39;

/** Network node leaf v1 (§5.8): parent, kind, capacities in W (-1 unlimited), household, node id. */
export function decodeNetworkNode(bytes) {
  if (bytes.length < NETWORK_NODE_FIXED) return { error: `network node: at least ${NETWORK_NODE_FIXED + 1} bytes, got ${bytes.length}` };
  if (bytes[0] !== 1) return { error: `network node: unsupported version ${bytes[0]} (expected 1)` };
  const idLength = bytes[38];
  if (idLength === 0 || idLength > 64 || bytes.length !== NETWORK_NODE_FIXED + idLength) {
    return { error: `network node: the id length ${idLength} must be 1..64 and match the leaf's ${bytes.length} bytes` };
  }
  const id = ascii(bytes.subarray(39));
  if (!NODE_ID.test(id)) return { error: 'network node: the id has characters outside [A-Za-z0-9._-]' };
  const kind = bytes[5];
  if (kind < 1 || kind > 4) return { error: `network node: unknown kind ${kind}` };
  const v = view(bytes);
  const node = {
    parent: v.getInt32(1),
    kind,
    exportCapacityW: v.getBigInt64(6),
    importCapacityW: v.getBigInt64(14),
    household: bytesToHex(bytes.subarray(22, 38)),
    id,
  };
  if (node.exportCapacityW < -1n || node.importCapacityW < -1n) return { error: 'network node: a capacity is below -1 (unlimited)' };
  if (node.household !== '0'.repeat(32) && kind !== 4) return { error: 'network node: only a connection has a household' };
  return { value: node };
}

/** Grid-limits leaf v1 (§5.9): node index, export and import limits in Wh, event id. */
export function decodeGridLimit(bytes) {
  if (bytes.length < 22) return { error: `grid limits: at least 22 bytes, got ${bytes.length}` };
  if (bytes[0] !== 1) return { error: `grid limits: unsupported version ${bytes[0]} (expected 1)` };
  const idLength = bytes[21];
  if (idLength > 64 || bytes.length !== 22 + idLength) {
    return { error: `grid limits: the event id length ${idLength} must be 0..64 and match the leaf's ${bytes.length} bytes` };
  }
  const id = ascii(bytes.subarray(22));
  if (id.length > 0 && !NODE_ID.test(id)) return { error: 'grid limits: the event id has characters outside [A-Za-z0-9._-]' };
  const v = view(bytes);
  const node = v.getUint32(1);
  if (node > 0x7fffffff) return { error: 'grid limits: node index beyond 2^31-1' };
  return { value: { node, exportWh: v.getBigInt64(5), importWh: v.getBigInt64(13), eventId: id } };
}

/** Trade leaf v2 (125 bytes, §5.4.1): a trade under the grid's limits. */
export function decodeGridTrade(bytes) {
  if (bytes.length !== 125) return { error: `trade leaf v2: expected 125 bytes, got ${bytes.length}` };
  if (bytes[0] !== 2) return { error: `trade leaf v2: unsupported version ${bytes[0]} (expected 2)` };
  const v = view(bytes);
  const tradeId = v.getBigInt64(1);
  const buySequence = v.getBigInt64(57);
  const sellSequence = v.getBigInt64(65);
  const meetNode = v.getUint32(121);
  if (tradeId < 0n || buySequence < 0n || sellSequence < 0n || meetNode > 0x7fffffff) {
    return { error: 'trade leaf v2: trade id or order sequence beyond 2^63-1, or meet node beyond 2^31-1' };
  }
  return {
    value: {
      tradeId,
      intervalStart: v.getBigInt64(9),
      intervalEnd: v.getBigInt64(17),
      buyer: bytes.subarray(25, 41),
      seller: bytes.subarray(41, 57),
      buySequence,
      sellSequence,
      energy: v.getBigInt64(73),
      buyPrice: v.getBigInt64(81),
      sellPrice: v.getBigInt64(89),
      feePrice: v.getBigInt64(97),
      buyerAmount: v.getBigInt64(105),
      sellerAmount: v.getBigInt64(113),
      meetNode,
    },
  };
}

/** Whether a leaf starts like a residual leaf (version 1, type 4). */
export function looksLikeResidual(bytes) {
  return bytes.length >= 2 && bytes[0] === 1 && bytes[1] === 4;
}

/**
 * Residual leaf v1 (type 4, the last leaf of a mechanism-3 clearing block): min and max net injection in Wh, the
 * export and import step counts, then each step's price and cumulative Wh; 26 + 16 x steps bytes.
 */
export function decodeResidual(bytes) {
  if (bytes.length < 26 || !looksLikeResidual(bytes)) return { error: 'residual leaf: expected at least 26 bytes starting 01 04' };
  const v = view(bytes);
  const exportCount = v.getUint32(18);
  const importCount = v.getUint32(22);
  const needed = 26 + (16 * (exportCount + importCount));
  if (needed !== bytes.length) {
    return { error: `residual leaf: ${exportCount} export and ${importCount} import steps need ${needed} bytes, the leaf has ${bytes.length}` };
  }
  const step = (i) => ({ price: v.getBigInt64(26 + (16 * i)), cumulativeWh: v.getBigInt64(34 + (16 * i)) });
  const steps = Array.from({ length: exportCount + importCount }, (_, i) => step(i));
  return {
    value: {
      minInjectionWh: v.getBigInt64(2),
      maxInjectionWh: v.getBigInt64(10),
      exportSteps: steps.slice(0, exportCount),
      importSteps: steps.slice(exportCount),
    },
  };
}

function curveProblem(name, steps, ascending, end) {
  for (let i = 0; i < steps.length; i++) {
    const before = i === 0 ? 0n : steps[i - 1].cumulativeWh;
    if (steps[i].cumulativeWh <= before) {
      return `${name} step ${i}: cumulative energy ${steps[i].cumulativeWh} Wh does not grow from ${before} Wh`;
    }
    if (i > 0 && (ascending ? steps[i].price <= steps[i - 1].price : steps[i].price >= steps[i - 1].price)) {
      return `${name} step ${i}: price ${steps[i].price} is not strictly ${ascending ? 'above' : 'below'} the step before's ${steps[i - 1].price}`;
    }
  }
  const last = steps.length === 0 ? 0n : steps[steps.length - 1].cumulativeWh;
  return last === end ? null : `the ${name} curve ends at ${last} Wh, not at ${end} Wh`;
}

/**
 * What makes a decoded residual ill-formed, or null (ResidualLeaf.Problem): min <= 0 <= max; export prices strictly
 * ascending, import prices strictly descending; cumulative energies strictly growing from above 0; the export curve
 * ends at max, the import curve at -min.
 */
export function residualProblem(residual) {
  if (residual.minInjectionWh > 0n || residual.maxInjectionWh < 0n) {
    return `the injection range [${residual.minInjectionWh}, ${residual.maxInjectionWh}] Wh does not contain 0`;
  }
  return curveProblem('export', residual.exportSteps, true, residual.maxInjectionWh)
    ?? curveProblem('import', residual.importSteps, false, -residual.minInjectionWh);
}

/** Zone leaf v1 (22 bytes, type 3): node index, zone price, flow in Wh. */
export function decodeZone(bytes) {
  if (bytes.length !== 22 || bytes[0] !== 1 || bytes[1] !== 3) return { error: 'zone leaf: expected 22 bytes starting 01 03' };
  const v = view(bytes);
  const node = v.getUint32(2);
  if (node > 0x7fffffff) return { error: 'zone leaf: node index beyond 2^31-1' };
  return { value: { node, zonePrice: v.getBigInt64(6), flowWh: v.getBigInt64(14) } };
}
