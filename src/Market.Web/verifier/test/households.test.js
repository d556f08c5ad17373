// Household blocks and signed or mandated orders (format version 3, §8) in small ledgers built here: a valid one and
// one tampering per rule, each re-sealed by the operator so that only the household checks can catch it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verifyExportText } from '../src/exportReader.js';
import { withVerdict } from '../src/describe.js';
import { ALGORITHM, ROLE, SIDE, statementHash } from '../src/statements.js';
import {
  Chain, Household, START, STATEMENT, concat, encodeMandate, encodeOrderBody, encodeReference, enrolmentBody,
  householdRecord, mandateTail, newKey, orderLeaf, party, sha256, tradeLeaf,
} from './ledger.js';

const nonce = (n) => new Uint8Array(16).fill(n);
const u64 = (v) => {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, BigInt(v));
  return out;
};

/** Berlin local time of interval 0 (2026-01-01 01:00Z) is Thursday 02:00. */
const mandateTerms = (t) => ({
  sideMask: 2, maxEnergy: 1500n, lowestSellPrice: 2000n, highestBuyPrice: 0n, validFrom: START, validUntil: START + 86400n,
  days: 1 << 3, hours: 1 << 2, nonce: nonce(0x4d), timeZone: 'Europe/Berlin', ...t.mandate,
});

/**
 * The ledger: genesis, rules, a household block (A and B enrol device keys, B a recovery key and a mandate to sell,
 * A cancels an order it signed for interval 1), the order book of interval 0 (A sells and buys in one submission, B
 * sells under its mandate), its clearing (B sells to A). `t` changes one thing.
 */
async function build(t = {}) {
  const chain = new Chain();
  const A = await Household.create(1, chain.ledgerId, t.algorithmA ?? ALGORITHM.p256);
  const B = await Household.create(2, chain.ledgerId);
  const recoveryB = await newKey(ALGORITHM.p256, ROLE.recovery);

  const enrolA = A.statement(STATEMENT.keyEnrolment, enrolmentBody(A.key));
  const enrolB = B.statement(STATEMENT.keyEnrolment, enrolmentBody(B.key));
  const enrolRecovery = B.statement(STATEMENT.keyEnrolment, enrolmentBody(recoveryB));
  const mandateBody = encodeMandate(mandateTerms(t));
  const mandate = B.statement(STATEMENT.mandate, mandateBody);
  const mandateId = statementHash(mandate);
  const start = START;
  const sell = { intervalStart: start, intervalEnd: start + 900n, side: SIDE.sell, energy: 3000n, limitPrice: 2000n, nonce: nonce(1) };
  const buy = { ...sell, side: SIDE.buy, energy: 2000n, limitPrice: 3000n, nonce: t.buyNonce ?? nonce(2) };
  const later = { ...sell, intervalStart: start + 900n, intervalEnd: start + 1800n, nonce: nonce(3) };
  const orders = [sell, buy, later].map((o) => A.statement(STATEMENT.order, encodeOrderBody(o)));
  const cancelled = t.cancelTheSell ? orders[0] : orders[2];
  const cancel = A.statement(STATEMENT.cancellation, encodeReference(statementHash(cancelled)));

  const [tailA] = await A.sign([enrolA], t.enrolASigner);
  const [tailB] = await B.sign([enrolB]);
  const [tailRecovery, tailMandate] = await B.sign([enrolRecovery, mandate], t.recoverySelfSigned ? recoveryB : B.key);
  const [tailCancel] = await A.sign([cancel]);
  let records = [
    householdRecord(1, A.id, STATEMENT.keyEnrolment, enrolmentBody(A.key), tailA),
    householdRecord(2, B.id, STATEMENT.keyEnrolment, enrolmentBody(B.key), tailB),
    householdRecord(3, B.id, STATEMENT.keyEnrolment, enrolmentBody(recoveryB), tailRecovery),
    householdRecord(4, B.id, STATEMENT.mandate, mandateBody, tailMandate),
    householdRecord(5, A.id, STATEMENT.cancellation, encodeReference(statementHash(cancelled)), tailCancel),
  ];
  if (t.records) records = await t.records(records, { A, B, chain, orders, recoveryB });
  chain.household(records, t.householdFields);
  if (t.revokeA) {
    const revoke = A.statement(STATEMENT.keyRevocation, encodeReference(A.key.keyId));
    const [tail] = await A.sign([revoke]);
    chain.household([householdRecord(6, A.id, STATEMENT.keyRevocation, encodeReference(A.key.keyId), tail)]);
  }

  const tails = await A.sign(orders);
  const mandateNonce = sha256(concat(mandateId, u64(start), u64(2))).subarray(0, 16);
  const mandated = { side: SIDE.sell, energy: t.mandateEnergy ?? 1000n, limitPrice: t.mandatePrice ?? 2500n, nonce: mandateNonce };
  let book = [
    orderLeaf(1, A.id, sell, tails[0]),
    orderLeaf(2, B.id, mandated, mandateTail(t.mandateId ?? mandateId)),
    orderLeaf(3, A.id, buy, tails[1]),
  ];
  if (t.book) book = await t.book(book, { A, B, orders, tails, mandateId, mandated });
  const bookBlock = chain.orderBook(0, book);
  const bookHeight = chain.blocks.indexOf(bookBlock);
  chain.clearing(bookHeight, [tradeLeaf({ id: 1, start, end: start + 900n, buyer: A.id, seller: B.id, buy: 3, sell: 2, energy: 1000, price: 2500 })]);
  return chain.exportText();
}

const verify = async (text) => withVerdict(await verifyExportText(text));
const verdict = (r) => (r.valid ? 'valid' : `${r.failure.reason} at ${r.failure.height}/${r.failure.leafIndex}`);

test('households: a ledger of household records, signed and mandated orders verifies', async () => {
  const result = await verify(await build());

  assert.equal(verdict(result), 'valid', result.verdict);
  assert.equal(result.blocks, 5);
  assert.equal(result.orders, 3);
  assert.equal(result.trades, 1);
  assert.equal(result.householdStatements, 5);
  assert.equal(result.householdSignaturesChecked, 7);
});

test('households: Ed25519 keys verify as well', async () => {
  assert.equal(verdict(await verify(await build({ algorithmA: ALGORITHM.ed25519 }))), 'valid');
});

test('households: a household block has zero interval fields and at least one record', async () => {
  assert.equal(verdict(await verify(await build({ householdFields: { start: START, end: START + 900n } }))), 'InvalidHeaderField at 2/null');
  assert.equal(verdict(await verify(await build({ records: () => [] }))), 'InvalidHouseholdRecord at 2/null');
});

test('households: records decode, and their sequences increase', async () => {
  const cut = await build({ records: (r) => [r[0], r[1].subarray(0, r[1].length - 32)] });
  const swapped = await build({ records: (r) => [r[1], r[0]] });
  const unknownType = await build({ records: (r) => { const x = r[1].slice(); x[25] = 6; return [r[0], x]; } });

  assert.equal(verdict(await verify(cut)), 'MalformedLeaf at 2/1');
  assert.equal(verdict(await verify(swapped)), 'InvalidHouseholdRecord at 2/1');
  assert.equal(verdict(await verify(unknownType)), 'MalformedLeaf at 2/1');
});

test('households: a first enrolment signed by another key is refused, and a recovery key never signs itself in', async () => {
  const other = await newKey();
  assert.equal(verdict(await verify(await build({ enrolASigner: other }))), 'HouseholdKeyUnknown at 2/0');
  assert.equal(verdict(await verify(await build({ recoverySelfSigned: true }))), 'HouseholdKeyUnknown at 2/2');
  const selfRecovery = await build({
    records: async (r, { A }) => {
      const key = await newKey(ALGORITHM.p256, ROLE.recovery);
      const [tail] = await A.sign([A.statement(STATEMENT.keyEnrolment, enrolmentBody(key))], key);
      return [householdRecord(1, A.id, STATEMENT.keyEnrolment, enrolmentBody(key), tail)];
    },
  });
  assert.equal(verdict(await verify(selfRecovery)), 'HouseholdKeyUnknown at 2/0', 'a first key is a device or agent key');
  const zero = await build({ records: (r) => { const x = r[1].slice(); x.fill(0, 9, 25); return [r[0], x]; } });
  assert.equal(verdict(await verify(zero)), 'MalformedLeaf at 2/1', 'a zero household');
});

test('households: a record signature that does not verify is refused at its record', async () => {
  const text = await build({ records: (r) => { const x = r[3].slice(); x[x.length - 32 - 8 - 40] ^= 1; return r.map((y, i) => (i === 3 ? x : y)); } });

  assert.equal(verdict(await verify(text)), 'HouseholdSignatureInvalid at 2/3');
});

test('households: a key enrolled twice, by any household, is refused', async () => {
  const text = await build({
    records: async (r, { B }) => {
      const [tail] = await B.sign([B.statement(STATEMENT.keyEnrolment, enrolmentBody(B.key))]);
      return [...r, householdRecord(9, B.id, STATEMENT.keyEnrolment, enrolmentBody(B.key), tail)];
    },
  });

  assert.equal(verdict(await verify(text)), 'InvalidHouseholdRecord at 2/5');
});

test('orders: a signature that does not verify, a key of another household, a revoked key', async () => {
  const flipped = await build({ book: (b) => { const x = b[2].slice(); x[100] ^= 1; return [b[0], b[1], x]; } });
  const foreign = await build({
    book: async (b, { B, orders }) => {
      const [tail] = await B.sign([orders[0]]);
      return [orderLeaf(1, party(1), { side: SIDE.sell, energy: 3000n, limitPrice: 2000n, nonce: nonce(1) }, tail), b[1], b[2]];
    },
  });

  assert.equal(verdict(await verify(flipped)), 'HouseholdSignatureInvalid at 3/2');
  assert.equal(verdict(await verify(foreign)), 'HouseholdKeyUnknown at 3/0');
  assert.equal(verdict(await verify(await build({ revokeA: true }))), 'HouseholdKeyRevoked at 4/0');
});

test('orders: a nonce used twice, and an order its household cancelled', async () => {
  assert.equal(verdict(await verify(await build({ buyNonce: nonce(1) }))), 'OrderReplayed at 3/2');
  assert.equal(verdict(await verify(await build({ cancelTheSell: true }))), 'CancelledOrderInBook at 3/0');
});

test('orders: under a mandate: unknown, another side, price, hour, day and energy per interval', async () => {
  assert.equal(verdict(await verify(await build({ mandateId: new Uint8Array(32) }))), 'MandateUnknown at 3/1');
  assert.equal(verdict(await verify(await build({ mandatePrice: 1999n }))), 'OutsideMandate at 3/1');
  assert.equal(verdict(await verify(await build({ mandateEnergy: 1501n }))), 'OutsideMandate at 3/1');
  assert.equal(verdict(await verify(await build({ mandate: { hours: 1 << 1 } }))), 'OutsideMandate at 3/1', '01:00Z is 02:00 in Berlin');
  assert.equal(verdict(await verify(await build({ mandate: { timeZone: 'UTC', hours: 1 << 1 } }))), 'valid');
  assert.equal(verdict(await verify(await build({ mandate: { days: 1 << 4 } }))), 'OutsideMandate at 3/1', 'a Thursday, not a Friday');
  assert.equal(verdict(await verify(await build({ mandate: { sideMask: 1 } }))), 'OutsideMandate at 3/1');
  assert.equal(verdict(await verify(await build({ mandate: { validFrom: START + 900n } }))), 'OutsideMandate at 3/1');
  const ownNonce = await build({ book: (b, { B, mandateId, mandated }) => [b[0], orderLeaf(2, B.id, { ...mandated, nonce: nonce(7) }, mandateTail(mandateId)), b[2]] });
  assert.equal(verdict(await verify(ownNonce)), 'OutsideMandate at 3/1', 'a mandate order\'s nonce is derived');
});
