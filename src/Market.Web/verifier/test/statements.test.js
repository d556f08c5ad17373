// Household statements and submissions (format version 3, §3.1): encoding, hashes, submission roots and paths, the
// signed message, signatures made by WebCrypto as a browser's key store makes them, and mandates' local time rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sha256 } from '@noble/hashes/sha2.js';
import { hashLeaf, verifyInclusion } from '../src/merkle.js';
import { bytesToHex, hexToBytes } from '../src/hex.js';
import {
  ALGORITHM, ROLE, SIDE, STATEMENT, buildSubmission, decodeMandate, decodeStatement, encodeMandate, householdKeyId,
  isP256PublicKey, localDayHour, mandateRefuses, pathLength, rootFromPath, signedMessage, statementHash, statements,
  submissionPaths, submissionRoot, verifySubmission,
} from '../src/statements.js';

const ledgerId = sha256(new TextEncoder().encode('a ledger'));
const household = hexToBytes('000000000000a0000000000000000007');
const nonce = (n) => new Uint8Array(16).fill(n);
const P256 = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGN = { name: 'ECDSA', hash: 'SHA-256' };

async function p256Key() {
  const pair = await crypto.subtle.generateKey(P256, true, ['sign', 'verify']);
  return { pair, publicKey: new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey)) };
}

const order = (n, side = SIDE.sell) => statements.order(ledgerId, household, {
  intervalStart: 1767229200n + 900n * BigInt(n), intervalEnd: 1767230100n + 900n * BigInt(n), side, energy: 1000 + n,
  limitPrice: 2500, nonce: nonce(n),
});

test('statements: the bytes are the tag, version, ledger id, household, type and body', () => {
  const s = order(1);

  assert.equal(s.length, 15 + 1 + 32 + 16 + 1 + 49);
  assert.equal(new TextDecoder().decode(s.subarray(0, 15)), 'MarketStatement');
  assert.equal(s[15], 1);
  assert.deepEqual(s.subarray(16, 48), ledgerId);
  assert.deepEqual(s.subarray(48, 64), household);
  assert.equal(s[64], STATEMENT.order);
  assert.equal(bytesToHex(s.subarray(65)),
    '000000006955ca94' + '000000006955ce18' + '02' + '00000000000003e9' + '00000000000009c4' + '01'.repeat(16));
  assert.deepEqual(statementHash(s), sha256(s));
  const decoded = decodeStatement(s).value;
  assert.equal(decoded.type, STATEMENT.order);
  assert.equal(decoded.fields.energy, 1001n);
  assert.deepEqual(decoded.hash, sha256(s));
});

test('statements: each type decodes back, and what is not a statement is refused', async () => {
  const { publicKey } = await p256Key();
  const keyId = householdKeyId(ALGORITHM.p256, publicKey);
  const all = [
    statements.keyEnrolment(ledgerId, household, { role: ROLE.device, algorithm: ALGORITHM.p256, publicKey }),
    statements.keyRevocation(ledgerId, household, keyId),
    statements.mandate(ledgerId, household, mandateTerms()),
    statements.mandateRevocation(ledgerId, household, sha256(new Uint8Array(1))),
    statements.cancellation(ledgerId, household, statementHash(order(1))),
    order(2),
  ];

  assert.deepEqual(all.map((s) => decodeStatement(s).value.type), [1, 2, 3, 4, 5, 6]);
  assert.equal(all[0].length, 65 + 67);
  assert.equal(all[2].length, 65 + 63 + 'Europe/Berlin'.length);
  assert.deepEqual(decodeStatement(all[0]).value.fields.keyId, keyId);
  assert.match(decodeStatement(all[5].subarray(0, all[5].length - 1)).error, /order: expected at least 49 bytes/);
  assert.match(decodeStatement(Uint8Array.of(...all[5], 0)).error, /bytes follow the body/);
  const unknown = all[1].slice();
  unknown[64] = 7;
  assert.match(decodeStatement(unknown).error, /unknown statement type 7/);
});

test('keys: the key id is SHA-256(algorithm ‖ public key); P-256 keys must be points on the curve', async () => {
  const { publicKey } = await p256Key();

  assert.deepEqual(householdKeyId(ALGORITHM.p256, publicKey), sha256(Uint8Array.of(1, ...publicKey)));
  assert.equal(isP256PublicKey(publicKey), true);
  const off = publicKey.slice();
  off[64] ^= 1;
  assert.equal(isP256PublicKey(off), false);
  assert.throws(() => statements.keyEnrolment(ledgerId, household, { role: ROLE.device, algorithm: ALGORITHM.p256, publicKey: off }));
  const enrolment = statements.keyEnrolment(ledgerId, household, { role: ROLE.device, algorithm: ALGORITHM.p256, publicKey });
  enrolment[enrolment.length - 1] ^= 1;
  assert.match(decodeStatement(enrolment).error, /not a point on the curve/);
});

test('submissions: three orders signed once by a WebCrypto P-256 key; each order\'s path leads to the signed root', async () => {
  const { pair, publicKey } = await p256Key();
  const orders = [order(1), order(2, SIDE.buy), order(3)];
  const submission = buildSubmission(orders);
  const signature = new Uint8Array(await crypto.subtle.sign(SIGN, pair.privateKey, submission.message));

  assert.equal(signature.length, 64);
  assert.equal(submission.message.length, 48);
  assert.equal(new TextDecoder().decode(submission.message.subarray(0, 16)), 'MarketSubmission');
  assert.deepEqual(submission.paths.map((p) => p.length), [2, 2, 1]);
  for (let i = 0; i < 3; i++) {
    const root = rootFromPath(statementHash(orders[i]), i, 3, submission.paths[i]);
    assert.deepEqual(root, submission.root, `statement ${i}`);
    assert.equal(await verifySubmission(ALGORITHM.p256, publicKey, root, signature), true, `statement ${i}`);
  }
});

test('submissions: a wrong path, index or statement leads elsewhere, and the signature does not verify there', async () => {
  const { pair, publicKey } = await p256Key();
  const orders = [order(1), order(2), order(3)];
  const submission = buildSubmission(orders);
  const signature = new Uint8Array(await crypto.subtle.sign(SIGN, pair.privateKey, submission.message));
  const changed = order(2, SIDE.buy);

  const wrongPath = rootFromPath(statementHash(orders[0]), 0, 3, submission.paths[1]);
  const wrongIndex = rootFromPath(statementHash(orders[0]), 1, 3, submission.paths[0]);
  const wrongStatement = rootFromPath(statementHash(changed), 1, 3, submission.paths[1]);

  for (const root of [wrongPath, wrongIndex, wrongStatement]) {
    assert.notDeepEqual(root, submission.root);
    assert.equal(await verifySubmission(ALGORITHM.p256, publicKey, root, signature), false);
  }
  assert.equal(rootFromPath(statementHash(orders[2]), 2, 3, submission.paths[0]), null, 'a path of the wrong length');
  assert.equal(rootFromPath(statementHash(orders[0]), 3, 3, []), null, 'an index beyond the size');
  assert.equal(rootFromPath(statementHash(orders[0]), 0, 1025, new Array(11).fill(new Uint8Array(32))), null, 'over 1024');
  const bad = signature.slice();
  bad[5] ^= 1;
  assert.equal(await verifySubmission(ALGORITHM.p256, publicKey, submission.root, bad), false);
  assert.equal(await verifySubmission(ALGORITHM.p256, publicKey, submission.root, new Uint8Array(64)), false, 'r = s = 0');
});

test('submissions: a P-256 signature with high S verifies (identity is the statement hash)', async () => {
  const { pair, publicKey } = await p256Key();
  const submission = buildSubmission([order(1)]);
  const signature = new Uint8Array(await crypto.subtle.sign(SIGN, pair.privateKey, submission.message));
  const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
  const s = BigInt(`0x${bytesToHex(signature.subarray(32))}`);
  const twin = Uint8Array.of(...signature.subarray(0, 32), ...hexToBytes((n - s).toString(16).padStart(64, '0')));

  assert.equal(await verifySubmission(ALGORITHM.p256, publicKey, submission.root, signature), true);
  assert.equal(await verifySubmission(ALGORITHM.p256, publicKey, submission.root, twin), true);
});

test('submissions: a single statement\'s root is its leaf hash; paths agree with RFC 9162 inclusion proofs', () => {
  const hashes = Array.from({ length: 21 }, (_, i) => sha256(Uint8Array.of(i)));

  assert.deepEqual(submissionRoot(hashes.slice(0, 1)), hashLeaf(hashes[0]));
  for (let size = 1; size <= hashes.length; size++) {
    const some = hashes.slice(0, size);
    const root = submissionRoot(some);
    submissionPaths(some).forEach((path, i) => {
      assert.equal(path.length, pathLength(i, size));
      assert.equal(verifyInclusion(hashLeaf(some[i]), i, size, path, root), true, `${i} of ${size}`);
      assert.deepEqual(rootFromPath(some[i], i, size, path), root, `${i} of ${size}`);
    });
  }
  assert.throws(() => submissionRoot([]));
  assert.throws(() => signedMessage(new Uint8Array(31)));
});

test('submissions: Ed25519 keys sign through WebCrypto too', async () => {
  const pair = await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']);
  const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  const submission = buildSubmission([order(1), order(2)]);
  const signature = new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, pair.privateKey, submission.message));

  assert.equal(await verifySubmission(ALGORITHM.ed25519, publicKey, submission.root, signature), true);
  assert.equal(await verifySubmission(ALGORITHM.ed25519, publicKey, submission.paths[0][0], signature), false);
  assert.equal(await verifySubmission(ALGORITHM.p256, publicKey, submission.root, signature), false, 'not a P-256 key');
});

function mandateTerms(overrides = {}) {
  return {
    sideMask: 2, maxEnergy: 3000n, lowestSellPrice: 2000n, highestBuyPrice: 0n, validFrom: 1767225600n,
    validUntil: 1798761600n, days: 0x7f, hours: 0xffffff, nonce: nonce(9), timeZone: 'Europe/Berlin', ...overrides,
  };
}

test('mandates: the body encodes and decodes; bad masks, periods and time zones are refused', () => {
  const body = encodeMandate(mandateTerms());
  const terms = decodeMandate(body).value;

  assert.equal(body.length, 63 + 13);
  assert.equal(terms.timeZone, 'Europe/Berlin');
  assert.equal(terms.maxEnergy, 3000n);
  for (const [change, pattern] of [
    [{ sideMask: 0 }, /side mask/], [{ sideMask: 4 }, /side mask/], [{ days: 0 }, /days/], [{ days: 0x80 }, /days/],
    [{ hours: 0 }, /hours/], [{ hours: 1 << 24 }, /hours/], [{ maxEnergy: 0n }, /most energy/],
    [{ validUntil: 1767225600n }, /valid until/], [{ timeZone: '' }, /1 … 64/], [{ timeZone: 'Europe/Atlantis' }, /unknown time zone/], [{ timeZone: 'europe/berlin' }, /unknown time zone/],
    [{ timeZone: 'Europe/Berlin ' }, /characters/], [{ timeZone: 'x'.repeat(65) }, /1 … 64/],
  ]) {
    assert.throws(() => encodeMandate(mandateTerms(change)), pattern, JSON.stringify(change, (_, v) => (typeof v === 'bigint' ? String(v) : v)));
  }
});

// 2026-03-29 is a Sunday: Berlin's clocks go from 02:00 CET to 03:00 CEST at 01:00 UTC.
// 2026-10-25 is a Sunday: from 03:00 CEST back to 02:00 CET at 01:00 UTC.
const utc = (iso) => BigInt(Date.parse(iso) / 1000);

test('mandates: local day and hour in Europe/Berlin across the changes to and from summer time', () => {
  assert.deepEqual(localDayHour('Europe/Berlin', utc('2026-03-28T22:45:00Z')), { day: 5, hour: 23 });
  assert.deepEqual(localDayHour('Europe/Berlin', utc('2026-03-28T23:00:00Z')), { day: 6, hour: 0 }, 'Sunday in Berlin, Saturday in UTC');
  assert.deepEqual(localDayHour('Europe/Berlin', utc('2026-03-29T00:45:00Z')), { day: 6, hour: 1 });
  assert.deepEqual(localDayHour('Europe/Berlin', utc('2026-03-29T01:00:00Z')), { day: 6, hour: 3 }, 'the hour 2 does not exist');
  assert.deepEqual(localDayHour('Europe/Berlin', utc('2026-10-25T00:15:00Z')), { day: 6, hour: 2 });
  assert.deepEqual(localDayHour('Europe/Berlin', utc('2026-10-25T01:15:00Z')), { day: 6, hour: 2 }, 'the hour 2 happens twice');
  assert.deepEqual(localDayHour('Europe/Berlin', utc('2026-10-25T02:00:00Z')), { day: 6, hour: 3 });
  assert.deepEqual(localDayHour('UTC', utc('2026-10-25T02:00:00Z')), { day: 6, hour: 2 });
  assert.equal(localDayHour('Europe/Atlantis', 0n), null);
});

test('mandates: a mandate for Sunday nights 01:00 to 03:00 Berlin time, across the spring change', () => {
  const terms = decodeMandate(encodeMandate(mandateTerms({ days: 1 << 6, hours: (1 << 1) | (1 << 2) }))).value;
  const sell = (iso, price = 2000n) => mandateRefuses(terms, utc(iso), SIDE.sell, price);

  assert.equal(sell('2026-03-29T00:00:00Z'), null, '01:00 CET');
  assert.equal(sell('2026-03-29T00:45:00Z'), null, '01:45 CET');
  assert.match(sell('2026-03-29T01:00:00Z'), /hour 3:00/, '03:00 CEST follows 01:59 CET');
  assert.match(sell('2026-03-28T23:45:00Z'), /hour 0:00/);
  assert.match(sell('2026-03-28T00:00:00Z'), /Saturdays/, '01:00 on a Saturday');
  assert.equal(sell('2026-10-25T00:00:00Z'), null, '02:00 CEST');
  assert.equal(sell('2026-10-25T01:45:00Z'), null, '02:45 CET, the second 02:45 of the night');
  assert.match(sell('2026-10-25T02:00:00Z'), /hour 3:00/);
  assert.match(sell('2026-03-29T00:00:00Z', 1999n), /below the mandate's lowest sell price 2000/);
  assert.match(mandateRefuses(terms, utc('2026-03-29T00:00:00Z'), SIDE.buy, 0n), /does not allow buying/);
  assert.match(sell('2025-12-28T00:00:00Z'), /outside the mandate's/, 'before valid from');
  assert.match(sell('2027-01-03T00:00:00Z'), /outside the mandate's/, 'at valid until');
});

test('mandates: a buy ceiling holds for buying', () => {
  const terms = decodeMandate(encodeMandate(mandateTerms({ sideMask: 3, highestBuyPrice: 3000n }))).value;

  assert.equal(mandateRefuses(terms, utc('2026-06-01T10:00:00Z'), SIDE.buy, 3000n), null);
  assert.match(mandateRefuses(terms, utc('2026-06-01T10:00:00Z'), SIDE.buy, 3001n), /above the mandate's highest buy price 3000/);
});
