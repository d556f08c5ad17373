// Witness-policy blocks (kind 7) in the chain verifier, and checkpoint notes checked against a verified chain
// (src/witnessing.js): ledgers built here with a fixed operator key, a note-signing log key and three witnesses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Chain, START } from './ledger.js';
import { verifyExportText } from '../src/exportReader.js';
import { KIND } from '../src/records.js';
import { checkNote } from '../src/witnessing.js';
import { describePolicy } from '../src/describe.js';
import {
  KEY_TYPE, checkpointBody, createPolicy, createSigningKey, encodePolicy, encodeSignedNote, signCosignature, signNote,
} from '../src/notes.js';
import { hexToBytes } from '../src/hex.js';

const ORIGIN = 'market.example/ledger';
const seed = (n) => new Uint8Array(32).fill(n);
const LOG = createSigningKey(ORIGIN, KEY_TYPE.ed25519, seed(1));
const NEW_LOG = createSigningKey(ORIGIN, KEY_TYPE.ed25519, seed(2));
const WITNESSES = ['utility', 'community-association', 'auditor'].map((name, i) => ({
  name, signer: createSigningKey(`${name}.example/witness`, KEY_TYPE.cosignatureV1, seed(10 + i)),
}));
const byName = Object.fromEntries(WITNESSES.map((w) => [w.name, w.signer]));
const policyOf = (log = LOG, threshold = 2) =>
  encodePolicy(createPolicy(log.verifierKey, 'https://market.example', WITNESSES.map((w) => ({ name: w.name, key: w.signer.verifierKey, url: null })), threshold));
const utf8 = (text) => new TextEncoder().encode(text);

/** Genesis, rules and a witness policy. */
function chainWithPolicy(policyText = policyOf()) {
  const chain = new Chain();
  chain.add(KIND.witnessPolicy, [utf8(policyText)]);
  return chain;
}

async function verified(chain) {
  const result = await verifyExportText(chain.exportText());
  assert.equal(result.valid, true, result.failure?.message);
  return result;
}

/** A checkpoint note of the chain's first `size` blocks, signed by `log` and cosigned by the named witnesses. */
function noteOf(result, chain, { size = chain.blocks.length, log = LOG, cosigners = [], origin = ORIGIN, root } = {}) {
  const c = chain.checkpoint();
  const r = root ?? (size === chain.blocks.length ? c.root : rootAt(chain, size));
  const body = checkpointBody({ origin, size: BigInt(size), root: r, extensions: [] });
  const signatures = [signNote(body, log), ...cosigners.map((name, i) => signCosignature(body, 1767225600n + BigInt(i), byName[name]))];
  return encodeSignedNote({ text: body, signatures });
}

function rootAt(chain, size) {
  const partial = new Chain();
  partial.blocks = chain.blocks.slice(0, size);
  return partial.checkpoint().root;
}

test('witness policy: a valid policy block is kept in force and shown in the result', async () => {
  const chain = chainWithPolicy();

  const result = await verified(chain);

  assert.equal(result.witnessPolicy.height, 2);
  assert.equal(result.witnessPolicy.origin, ORIGIN);
  assert.equal(result.witnessPolicy.logKey, LOG.verifierKey.vkey);
  assert.equal(result.witnessPolicy.logUrl, 'https://market.example');
  assert.deepEqual(result.witnessPolicy.witnesses.map((w) => w.name), ['utility', 'community-association', 'auditor']);
  assert.equal(result.witnessPolicy.needed, 2);
  assert.equal(result.witnessPolicy.of, 3);
  assert.equal(result.witnessPolicy.text, policyOf());
  assert.equal(describePolicy(result.witnessPolicy), `Witness policy (block 2): log ${ORIGIN}, 2 of 3 needed (utility, community-association, auditor).`);
  assert.equal(JSON.parse(JSON.stringify(result)).witnessPolicy.origin, ORIGIN, 'the result stays plain JSON');
});

test('witness policy: a later policy may change the log key and the witnesses; the last one is in force', async () => {
  const chain = chainWithPolicy();
  chain.add(KIND.witnessPolicy, [utf8(encodePolicy(createPolicy(NEW_LOG.verifierKey, null, [], 0)))]);

  const result = await verified(chain);

  assert.equal(result.witnessPolicy.height, 3);
  assert.equal(result.witnessPolicy.logKey, NEW_LOG.verifierKey.vkey);
  assert.deepEqual(result.witnessPolicy.sealedLogKeys, [LOG.verifierKey.vkey, NEW_LOG.verifierKey.vkey]);
  assert.equal(result.witnessPolicy.needed, 0);
});

test('witness policy: a ledger without one has none', async () => {
  const result = await verified(new Chain());

  assert.equal(result.witnessPolicy, null);
});

async function failureOf(chain) {
  const result = await verifyExportText(chain.exportText());
  assert.equal(result.valid, false);
  const { reason, height, leafIndex } = result.failure;
  return { reason, height, leafIndex };
}

test('witness policy: malformed policy blocks are WitnessPolicyInvalid', async () => {
  const other = createSigningKey('other.example/log', KEY_TYPE.ed25519, seed(3));
  const log = `log ${LOG.verifierKey.vkey}\n`;
  const cases = {
    'two leaves': [utf8(policyOf()), utf8(policyOf())],
    'no leaf': [],
    'does not parse': [utf8(`${log}quorum nobody\n`)],
    'no log': [utf8('quorum none\n')],
    'two logs': [utf8(`${log}log ${other.verifierKey.vkey}\nquorum none\n`)],
    'not UTF-8': [Uint8Array.of(...utf8(`${log}# `), 0xff, 0x0a, ...utf8('quorum none\n'))],
    'too long': [utf8(`${log}${'#'.repeat(16384)}\nquorum none\n`)],
  };

  for (const [name, leaves] of Object.entries(cases)) {
    const chain = new Chain();
    chain.add(KIND.witnessPolicy, leaves);

    const f = await failureOf(chain);

    assert.deepEqual(f, { reason: 'WitnessPolicyInvalid', height: 2, leafIndex: leaves.length === 1 ? 0 : null }, name);
  }
});

test('witness policy: exactly 16384 bytes is accepted', async () => {
  const head = `log ${LOG.verifierKey.vkey}\nquorum none\n# `;
  const chain = new Chain();
  chain.add(KIND.witnessPolicy, [utf8(head + 'x'.repeat(16384 - head.length))]);

  const result = await verified(chain);

  assert.equal(result.witnessPolicy.text.length, 16384);
});

test('witness policy: another origin than the first policy\'s is WitnessPolicyOriginChanged', async () => {
  const chain = chainWithPolicy();
  const moved = createSigningKey('elsewhere.example/ledger', KEY_TYPE.ed25519, seed(4));
  chain.add(KIND.witnessPolicy, [utf8(policyOf(moved))]);

  const f = await failureOf(chain);

  assert.deepEqual(f, { reason: 'WitnessPolicyOriginChanged', height: 3, leafIndex: 0 });
});

test('witness policy: an interval or reference in its header is InvalidHeaderField', async () => {
  const chain = new Chain();
  chain.add(KIND.witnessPolicy, [utf8(policyOf())], { start: START, end: START + 900n });

  const f = await failureOf(chain);

  assert.deepEqual(f, { reason: 'InvalidHeaderField', height: 2, leafIndex: null });
});

// checkNote

test('checkNote: a note of the whole ledger cosigned by two of three meets the sealed 2-of-3 quorum', async () => {
  const chain = chainWithPolicy();
  const result = await verified(chain);

  const report = checkNote(result, noteOf(result, chain, { cosigners: ['utility', 'auditor'] }));

  assert.equal(report.valid, true, report.problem);
  assert.equal(report.reason, null);
  assert.equal(report.size, 3);
  assert.equal(report.root, result.ledgerRoot);
  assert.equal(report.rootMatches, true);
  assert.equal(report.logSignatureValid, true);
  assert.deepEqual(report.cosigners, [{ name: 'utility', timestamp: 1767225600 }, { name: 'auditor', timestamp: 1767225601 }]);
  assert.deepEqual(report.invalidCosigners, []);
  assert.equal(report.quorumMet, true);
  assert.deepEqual([report.needed, report.of, report.witnesses], [2, 3, 3]);
  assert.equal(report.policySource, 'sealed');
  assert.equal(report.description, 'witnessed by 2 of 3: utility, auditor');
  assert.deepEqual(JSON.parse(JSON.stringify(report)), report, 'plain JSON for the page');
});

test('checkNote: one cosigner of the two needed is reported, not a failure, under the sealed policy', async () => {
  const chain = chainWithPolicy();
  const result = await verified(chain);

  const report = checkNote(result, noteOf(result, chain, { cosigners: ['community-association'] }));

  assert.equal(report.valid, true);
  assert.equal(report.quorumMet, false);
  assert.equal(report.description, 'not witnessed: 1 of the 2 needed (cosigned by community-association)');
  assert.equal(checkNote(result, noteOf(result, chain)).description, 'not witnessed: 0 of the 2 needed');
});

test('checkNote: a note of an earlier size is checked against the tree at that size', async () => {
  const chain = chainWithPolicy();
  const result = await verified(chain);

  const report = checkNote(result, noteOf(result, chain, { size: 2, cosigners: ['utility', 'community-association'] }));

  assert.equal(report.valid, true, report.problem);
  assert.equal(report.size, 2);
  assert.equal(report.quorumMet, true);
});

test('checkNote: with the auditor\'s policy its quorum decides, and not meeting it is WitnessQuorumNotMet', async () => {
  const chain = chainWithPolicy();
  const result = await verified(chain);
  const note = noteOf(result, chain, { cosigners: ['utility'] });
  const onlyUtility = `witness u ${byName.utility.verifierKey.vkey}\nquorum u\n`;
  const all = `witness u ${byName.utility.verifierKey.vkey}\nwitness a ${byName.auditor.verifierKey.vkey}\ngroup both all u a\nquorum both\n`;

  const met = checkNote(result, note, onlyUtility);
  const notMet = checkNote(result, note, all);
  const unreadable = checkNote(result, note, 'quorum nobody\n');

  assert.equal(met.valid, true);
  assert.equal(met.policySource, 'auditor');
  assert.equal(met.description, 'witnessed by 1 of 1: u');
  assert.equal(notMet.valid, false);
  assert.equal(notMet.reason, 'WitnessQuorumNotMet');
  assert.deepEqual([notMet.needed, notMet.of], [2, 2]);
  assert.equal(notMet.description, 'not witnessed: 1 of the 2 needed (cosigned by u)');
  assert.equal(unreadable.reason, 'WitnessPolicyInvalid');
});

test('checkNote: without witnesses in the policy nothing is needed', async () => {
  const chain = new Chain();
  chain.add(KIND.witnessPolicy, [utf8(encodePolicy(createPolicy(LOG.verifierKey, null, [], 0)))]);
  const result = await verified(chain);

  const report = checkNote(result, noteOf(result, chain));

  assert.equal(report.valid, true);
  assert.equal(report.quorumMet, true);
  assert.equal(report.description, 'no witnesses required by the sealed policy');
});

test('checkNote: a broken cosignature is named and the quorum is not met', async () => {
  const chain = chainWithPolicy();
  const result = await verified(chain);
  const note = noteOf(result, chain, { cosigners: ['utility', 'auditor', 'community-association'] });
  const lines = note.split('\n');
  lines[lines.length - 2] = lines[lines.length - 2].replace(/.(.)=*$/, (m) => (m[0] === 'A' ? 'B' : 'A') + m.slice(1));

  const report = checkNote(result, lines.join('\n'));

  assert.deepEqual(report.invalidCosigners, ['community-association']);
  assert.equal(report.quorumMet, false);
  assert.match(report.description, /do not verify \(the note is malformed\): community-association/);
});

test('checkNote: notes that are not this ledger\'s checkpoint are CheckpointNoteInvalid', async () => {
  const chain = chainWithPolicy();
  const result = await verified(chain);
  const stranger = createSigningKey(ORIGIN, KEY_TYPE.ed25519, seed(9));
  const cases = {
    'another root': noteOf(result, chain, { root: hexToBytes('00'.repeat(32)) }),
    'beyond the blocks': noteOf(result, chain, { size: 4, root: chain.checkpoint().root }),
    'another origin': noteOf(result, chain, { origin: 'elsewhere.example/ledger' }),
    'signed by another key': noteOf(result, chain, { log: stranger }),
    'not a note': 'hello\n',
    'not a checkpoint': `hello\n\n— ${ORIGIN} AAAAAQI=\n`,
  };

  for (const [name, text] of Object.entries(cases)) {
    const report = checkNote(result, text);

    assert.equal(report.valid, false, name);
    assert.equal(report.reason, 'CheckpointNoteInvalid', name);
    assert.match(report.description, /^checkpoint note not checked: /, name);
  }
  assert.equal(checkNote(result, cases['another root']).rootMatches, false);
});

test('checkNote: after a key change, notes signed by the new key and by the earlier one are both the log\'s', async () => {
  const chain = chainWithPolicy();
  chain.add(KIND.witnessPolicy, [utf8(policyOf(NEW_LOG))]);
  const result = await verified(chain);

  assert.equal(checkNote(result, noteOf(result, chain, { log: NEW_LOG })).valid, true);
  assert.equal(checkNote(result, noteOf(result, chain, { size: 3, log: LOG })).valid, true);
});

test('checkNote: an auditor\'s policy that names logs needs the note signed by one of them', async () => {
  const chain = chainWithPolicy();
  const result = await verified(chain);
  const note = noteOf(result, chain, { cosigners: ['utility'] });
  const witness = `witness u ${byName.utility.verifierKey.vkey}\nquorum u\n`;

  const ours = checkNote(result, note, `log ${LOG.verifierKey.vkey}\n${witness}`);
  const theirs = checkNote(result, note, `log ${NEW_LOG.verifierKey.vkey}\n${witness}`);

  assert.equal(ours.valid, true, ours.problem);
  assert.equal(theirs.reason, 'CheckpointNoteInvalid');
  assert.match(theirs.problem, /not signed by a log of the auditor's policy/);
});

test('checkNote: a ledger without a policy, or one that did not verify, checks no note', async () => {
  const plain = new Chain();
  const result = await verified(plain);
  const broken = await verifyExportText(chainWithPolicy().exportText().replace('"kind":"rules"', '"kind":"clearing"'));

  assert.match(checkNote(result, noteOf(result, plain)).problem, /no witness policy/);
  assert.equal(broken.valid, false);
  assert.match(checkNote(broken, 'x').problem, /did not verify/);
  assert.match(checkNote(null, 'x').problem, /did not verify/);
});

test('api.checkNote: the page API\'s result (copied with its verdict) still carries its chain', async () => {
  const { api } = await import('../src/index.js');
  const chain = chainWithPolicy();
  const result = await api.verifyExportText(chain.exportText());

  const report = api.checkNote({ ...result }, noteOf(result, chain, { cosigners: ['utility', 'auditor'] }));

  assert.equal(report.valid, true, report.problem);
  assert.equal(report.description, 'witnessed by 2 of 3: utility, auditor');
  assert.equal(api.checkNote(JSON.parse(JSON.stringify(result)), 'x').reason, 'CheckpointNoteInvalid', 'a JSON copy has no chain');
});

test('start: with a note URL the page fetches the note first and its result carries the checked note', async () => {
  const { start, checkNoteText } = await import('../src/index.js');
  const chain = chainWithPolicy();
  const exportText = chain.exportText();
  const note = noteOf(null, chain, { cosigners: ['utility', 'community-association'] });
  const served = { 'api/ledger/export': exportText, 'api/ledger/checkpoint': '{"size":3}', 'api/ledger/checkpoint.note': note };
  const fetched = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (url) => {
    fetched.push(url);
    return served[url] === undefined ? new Response('', { status: 404 }) : new Response(served[url]);
  };
  try {
    const completed = (noteUrl) => new Promise((resolve) => {
      start({ invokeMethodAsync: async (name, result) => (name === 'Completed' ? resolve(result) : undefined) },
        'api/ledger/export', 'api/ledger/checkpoint', null, noteUrl);
    });

    const result = await completed('api/ledger/checkpoint.note');
    const missing = await completed('api/ledger/missing.note');
    const without = await completed(undefined);

    assert.equal(result.valid, true);
    assert.ok(fetched.indexOf('api/ledger/checkpoint.note') < fetched.indexOf('api/ledger/export'), 'the note is fetched before the export');
    assert.equal(result.note.valid, true, result.note.problem);
    assert.equal(result.note.description, 'witnessed by 2 of 3: utility, community-association');
    assert.match(result.witnessPolicyText, /^Witness policy \(block 2\)/);
    assert.match(missing.note.description, /could not be fetched \(HTTP 404\)/);
    assert.equal(without.note, null);
    assert.equal(checkNoteText(note).valid, true, 'the last run is kept for another note');
  } finally {
    globalThis.fetch = realFetch;
  }
});
