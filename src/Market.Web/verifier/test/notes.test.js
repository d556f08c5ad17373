// Signed notes, checkpoints, cosignatures, witness policies and fork evidence (src/notes.js): the published
// examples of C2SP signed-note and Go's golang.org/x/mod/sumdb/note tests (BSD-3-Clause; copied as data), and
// notes built here with fixed seeds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  KEY_TYPE, MAX_SIGNATURES, buildForkEvidence, checkWitnesses, checkpointBody, cosignatureMessage, createPolicy,
  createSigningKey, createVerifierKey, encodePolicy, encodeSignedNote, forkEvidenceJson, isValidKeyName, noteKeyId,
  parseCheckpoint, parseForkEvidence, parsePolicy, parseSignatureLine, parseSignedNote, parseSigningKey,
  parseVerifierKey, policySatisfiedBy, sameKey, signCosignature, signNote, signatureLine, verifyCosignature,
  verifyForkEvidence, verifyNoteBy, withSignature,
} from '../src/notes.js';
import { decodeBase64, encodeBase64 } from '../src/base64.js';
import { hashLeaf, rootOfLeafHashes } from '../src/merkle.js';

// Go's sumdb/note tests.
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const TEXT = 'If you think cryptography is the answer to your problem,\nthen you don\'t know what your problem is.\n';
const PETER_SIG = '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const ENOCH_SIG = '— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';
// C2SP signed-note's example.
const FOO_VKEY = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
const FOO_NOTE = 'This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';

const key = (vkey) => {
  const parsed = parseVerifierKey(vkey);
  assert.equal(parsed.error, undefined, parsed.error);
  return parsed.value;
};
const note = (text) => {
  const parsed = parseSignedNote(text);
  assert.equal(parsed.error, undefined, parsed.error);
  return parsed.value;
};
const seed = (n) => new Uint8Array(32).fill(n);

test('parseVerifierKey: the PeterNeumann key parses and re-encodes to itself', () => {
  const k = key(PETER_VKEY);

  assert.equal(k.name, 'PeterNeumann');
  assert.equal(k.type, KEY_TYPE.ed25519);
  assert.equal(k.keyId, 0xc74f20a3);
  assert.equal(k.vkey, PETER_VKEY);
});

test('parseVerifierKey: every part of the key and every byte changed by one is refused (Go TestNewVerifier)', () => {
  const accepted = [];
  for (let i = 0; i <= PETER_VKEY.length; i++) {
    for (let j = i + 1; j <= PETER_VKEY.length; j++) {
      if ((i !== 0 || j !== PETER_VKEY.length) && parseVerifierKey(PETER_VKEY.slice(i, j)).value) accepted.push(PETER_VKEY.slice(i, j));
    }
  }
  for (let i = 0; i < PETER_VKEY.length; i++) {
    const changed = PETER_VKEY.slice(0, i) + String.fromCharCode(PETER_VKEY.charCodeAt(i) + 1) + PETER_VKEY.slice(i + 1);
    if (parseVerifierKey(changed).value) accepted.push(changed);
  }

  assert.deepEqual(accepted, []);
});

test('parseVerifierKey: a wrong key length or unknown type with a matching key id is refused', () => {
  assert.ok(parseVerifierKey('PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==').error);
  assert.ok(parseVerifierKey('PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW').error);
  assert.ok(parseVerifierKey(PETER_VKEY.replace('c74f20a3', 'C74F20A3')).error, 'the key id is lower-case hex');
});

test('noteKeyId: SHA-256(name || "\\n" || type || key)[:4], big-endian; type 0x04 gives another id', () => {
  const k = key(PETER_VKEY);

  assert.equal(noteKeyId('PeterNeumann', 0x01, k.publicKey), 0xc74f20a3);
  assert.notEqual(createVerifierKey('PeterNeumann', KEY_TYPE.cosignatureV1, k.publicKey).keyId, 0xc74f20a3);
  assert.ok(sameKey(k, createVerifierKey('other', KEY_TYPE.cosignatureV1, k.publicKey)));
});

test('parseSigningKey: the PeterNeumann signing key gives its verifier key and Go\'s signature', () => {
  const s = parseSigningKey(PETER_SKEY).value;

  assert.equal(s.verifierKey.vkey, PETER_VKEY);
  assert.equal(s.skey, PETER_SKEY);
  assert.equal(`${TEXT}\n${signatureLine(signNote(TEXT, s))}`, `${TEXT}\n${PETER_SIG}`);
});

test('parseSigningKey: every part of the key and every byte changed by one is refused (Go TestNewSigner)', () => {
  const accepted = [];
  for (let i = 0; i <= PETER_SKEY.length; i++) {
    for (let j = i + 1; j <= PETER_SKEY.length; j++) {
      if ((i !== 0 || j !== PETER_SKEY.length) && parseSigningKey(PETER_SKEY.slice(i, j)).value) accepted.push(PETER_SKEY.slice(i, j));
    }
  }
  for (let i = 0; i < PETER_SKEY.length; i++) {
    const changed = PETER_SKEY.slice(0, i) + String.fromCharCode(PETER_SKEY.charCodeAt(i) + 1) + PETER_SKEY.slice(i + 1);
    if (parseSigningKey(changed).value) accepted.push(changed);
  }

  assert.deepEqual(accepted, []);
});

test('verifyNoteBy: Go\'s note verifies by Peter, Enoch\'s line is ignored for Peter and verifies for Enoch', () => {
  const n = note(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`);

  assert.equal(n.text, TEXT);
  assert.equal(n.signatures.length, 2);
  assert.equal(verifyNoteBy(n, key(PETER_VKEY)), true);
  assert.equal(verifyNoteBy(n, key(ENOCH_VKEY)), true);
  assert.equal(verifyNoteBy(note(`${TEXT}\n${ENOCH_SIG}`), key(PETER_VKEY)), null);
});

test('verifyNoteBy: the C2SP signed-note example verifies', () => {
  assert.equal(verifyNoteBy(note(FOO_NOTE), key(FOO_VKEY)), true);
  assert.equal(encodeSignedNote(note(FOO_NOTE)), FOO_NOTE);
});

test('verifyNoteBy: a changed signature from the known key is false (the note is to be rejected)', () => {
  const bad = `${TEXT}\n${PETER_SIG.slice(0, 60)}ABCD${PETER_SIG.slice(60)}`;

  const parsed = parseSignedNote(bad);

  assert.equal(verifyNoteBy(parsed.value, key(PETER_VKEY)), false);
});

test('verifyNoteBy: a changed text does not verify', () => {
  assert.equal(verifyNoteBy(note(`${TEXT.replace('problem', 'Problem')}\n${PETER_SIG}`), key(PETER_VKEY)), false);
});

test('parseSignedNote: Go\'s malformed notes are refused', () => {
  const bad = [
    TEXT,
    `${TEXT}\n`,
    `${TEXT}\n${PETER_SIG.slice(0, -1)}`,
    `\x01${TEXT}\n${PETER_SIG}`,
    `${TEXT}\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=`,
    `${TEXT}\n${PETER_SIG}Unexpected line.\n`,
    `${TEXT}\n${PETER_SIG.repeat(MAX_SIGNATURES + 1)}`,
    `${TEXT}\n— PeterNeumann\n`,
    `${TEXT}\n— PeterNeumann AAAA\n`,
    `${TEXT}\r\n${PETER_SIG}`,
    `\ud800${TEXT}\n${PETER_SIG}`,
  ];

  for (const text of bad) assert.ok(parseSignedNote(text).error, JSON.stringify(text));
});

test('parseSignedNote: bytes that are not UTF-8 are refused; UTF-8 bytes are read', () => {
  const bytes = new TextEncoder().encode(`${TEXT}\n${PETER_SIG}`);

  assert.ok(parseSignedNote(Uint8Array.of(0xff, ...bytes)).error);
  assert.equal(verifyNoteBy(parseSignedNote(bytes).value, key(PETER_VKEY)), true);
});

test('parseSignedNote: 100 signatures are accepted, the text may hold blank lines', () => {
  const text = 'a\n\nb\n';
  const s = createSigningKey('a.example/log', KEY_TYPE.ed25519, seed(1));
  const line = signatureLine(signNote(text, s));

  const parsed = note(`${text}\n${line.repeat(MAX_SIGNATURES)}`);

  assert.equal(parsed.text, text);
  assert.equal(parsed.signatures.length, MAX_SIGNATURES);
  assert.equal(verifyNoteBy(parsed, s.verifierKey), true);
});

test('parseSignatureLine: names with spaces or "+", and non-canonical base64, are refused', () => {
  assert.ok(parseSignatureLine('— a+b AAAAAAA=').error);
  assert.ok(parseSignatureLine('— a\u00a0b AAAAAAA=').error);
  assert.ok(parseSignatureLine('- a AAAAAAA=').error);
  assert.ok(parseSignatureLine('— a AAAAAAB=').error, 'unused bits must be zero');
  assert.ok(parseSignatureLine('— a AAAAAA==').error, 'at least 5 bytes');
  assert.deepEqual(parseSignatureLine('— a AAAAAQI=').value, { name: 'a', keyId: 1, signature: Uint8Array.of(2) });
});

test('isValidKeyName: non-empty, no spaces, control characters or "+"', () => {
  assert.ok(isValidKeyName('example.com/log42'));
  assert.ok(isValidKeyName('ünïcode'));
  for (const name of ['', 'a b', 'a\tb', 'a+b', 'a\u3000b', 'a\x7fb', 'a\x01b']) assert.ok(!isValidKeyName(name), JSON.stringify(name));
});

test('base64: canonical padded standard base64 only', () => {
  for (let n = 0; n < 10; n++) {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 255);
    assert.deepEqual(decodeBase64(encodeBase64(bytes)), bytes);
  }
  for (const text of ['A', 'AA', 'AA=', 'AB==', 'AAB=', 'A===', 'AA=A', 'AA A', 'AA\nA', '-_AA']) assert.equal(decodeBase64(text), null, text);
});

// tlog-checkpoint

const ROOT = decodeBase64('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=');

test('parseCheckpoint: the C2SP example body', () => {
  const c = parseCheckpoint('example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n').value;

  assert.equal(c.origin, 'example.com/behind-the-sofa');
  assert.equal(c.size, 20852163n);
  assert.deepEqual(c.root, ROOT);
  assert.deepEqual(c.extensions, []);
  assert.equal(checkpointBody(c), 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n');
});

test('parseCheckpoint: extension lines are kept; malformed bodies are refused', () => {
  const r = 'CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=';

  assert.deepEqual(parseCheckpoint(`o\n0\n${r}\next 1\n`).value.extensions, ['ext 1']);
  assert.equal(parseCheckpoint(`o\n9223372036854775807\n${r}\n`).value.size, 9223372036854775807n);
  for (const body of [`o\n1\n${r}`, `o\n1\n`, `\n1\n${r}\n`, `o\n01\n${r}\n`, `o\n-1\n${r}\n`, `o\n+1\n${r}\n`, `o\n 1\n${r}\n`,
    `o\n9223372036854775808\n${r}\n`, 'o\n1\nAAAA\n', `o\n1\n${r}\n\n`, `o\n1\n${r}\n\next\n`, `o\x01\n1\n${r}\n`]) {
    assert.ok(parseCheckpoint(body).error, JSON.stringify(body));
  }
});

// tlog-cosignature v1

const BODY = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';

test('cosignatureMessage: the C2SP example message', () => {
  assert.equal(new TextDecoder().decode(cosignatureMessage(BODY, 1679315147n)),
    'cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n');
});

test('verifyCosignature: a cosignature verifies with its timestamp; a changed one, another key or a plain key does not', () => {
  const w = createSigningKey('witness.example/w1', KEY_TYPE.cosignatureV1, seed(7));
  const s = signCosignature(BODY, 1679315147n, w);

  assert.equal(s.signature.length, 72);
  assert.deepEqual(verifyCosignature(BODY, s, w.verifierKey), { valid: true, timestamp: 1679315147n });
  assert.equal(verifyCosignature(BODY.replace('20852163', '20852164'), s, w.verifierKey).valid, false);
  const later = { ...s, signature: s.signature.slice() };
  later.signature[7] ^= 1;
  assert.equal(verifyCosignature(BODY, later, w.verifierKey).valid, false);
  const other = createSigningKey('witness.example/w1', KEY_TYPE.cosignatureV1, seed(8)).verifierKey;
  assert.equal(verifyCosignature(BODY, s, other).valid, false);
  const plain = createVerifierKey('witness.example/w1', KEY_TYPE.ed25519, w.verifierKey.publicKey);
  assert.equal(verifyCosignature(BODY, s, plain).valid, false);
});

test('verifyCosignature: a timestamp of 2^63 or more is refused', () => {
  const w = createSigningKey('w', KEY_TYPE.cosignatureV1, seed(7));

  const s = signCosignature(BODY, 1n << 63n, w);

  assert.equal(verifyCosignature(BODY, s, w.verifierKey).valid, false);
});

// tlog-policy

const LOG = createSigningKey('market.example/ledger', KEY_TYPE.ed25519, seed(1));
const WITNESSES = ['utility', 'community-association', 'auditor'].map((name, i) => ({
  name, signer: createSigningKey(`${name}.example/witness`, KEY_TYPE.cosignatureV1, seed(20 + i)),
}));
const policyWitnesses = WITNESSES.map((w) => ({ name: w.name, key: w.signer.verifierKey, url: null }));

test('createPolicy: the canonical text parses back to itself', () => {
  const policy = createPolicy(LOG.verifierKey, 'https://market.example', policyWitnesses, 2);

  const text = encodePolicy(policy);

  assert.equal(text, [
    `log ${LOG.verifierKey.vkey} https://market.example`,
    ...policyWitnesses.map((w) => `witness ${w.name} ${w.key.vkey}`),
    'group witnesses 2 utility community-association auditor',
    'quorum witnesses',
    '',
  ].join('\n'));
  assert.equal(encodePolicy(parsePolicy(text).value), text);
  assert.equal(policy.threshold, 2);
  assert.equal(policy.of, 3);
});

test('createPolicy: without witnesses the quorum is none', () => {
  const policy = createPolicy(LOG.verifierKey, null, [], 0);

  assert.equal(encodePolicy(policy), `log ${LOG.verifierKey.vkey}\nquorum none\n`);
  assert.equal(policy.threshold, 0);
  assert.ok(policySatisfiedBy(policy, new Set()));
});

const [U, C, A] = policyWitnesses.map((w) => w.key.vkey);

test('parsePolicy: the C2SP example\'s two-level quorum, with comments, blank lines and tabs', () => {
  const y = [30, 31, 32].map((n) => createSigningKey(`y${n}`, KEY_TYPE.cosignatureV1, seed(n)).verifierKey.vkey);
  const text = `# a comment\nlog ${LOG.verifierKey.vkey}\n\n  witness X1 ${U}\nwitness X2 ${C}\nwitness\tX3 ${A} https://x3.example\n`
    + 'group X-witnesses 2 X1 X2 X3\n   \n'
    + `witness Y1 ${y[0]}\nwitness Y2 ${y[1]}\nwitness Y3 ${y[2]}\ngroup Y-witnesses any Y1 Y2 Y3\n`
    + '\t# indented comment\ngroup X-and-Y all X-witnesses Y-witnesses\nquorum X-and-Y';

  const policy = parsePolicy(text).value;

  assert.equal(policy.quorum, 'X-and-Y');
  assert.equal(policy.witnesses[2].url, 'https://x3.example');
  assert.equal(policy.threshold, 2);
  assert.ok(policySatisfiedBy(policy, new Set(['X1', 'X3', 'Y2'])));
  assert.ok(!policySatisfiedBy(policy, new Set(['X1', 'Y1', 'Y2', 'Y3'])));
  assert.ok(!policySatisfiedBy(policy, new Set(['X1', 'X2', 'X3'])));
});

test('parsePolicy: a single witness as the quorum', () => {
  const policy = parsePolicy(`witness w ${U}\nquorum w\n`).value;

  assert.equal(policy.threshold, 1);
  assert.ok(policySatisfiedBy(policy, new Set(['w'])));
  assert.ok(!policySatisfiedBy(policy, new Set(['v'])));
});

test('parsePolicy: malformed policies are refused', () => {
  const log = `log ${LOG.verifierKey.vkey}\n`;
  const bad = {
    'no quorum': `${log}witness a ${U}\n`,
    'two quorums': `${log}quorum none\nquorum none\n`,
    'quorum before its witness': `${log}quorum a\nwitness a ${U}\n`,
    'undefined member': `${log}witness a ${U}\ngroup g 1 a b\nquorum g\n`,
    'member defined later': `${log}witness a ${U}\ngroup g 1 a b\nwitness b ${C}\nquorum g\n`,
    'member listed twice': `${log}witness a ${U}\ngroup g 1 a a\nquorum g\n`,
    'member of two groups': `${log}witness a ${U}\nwitness b ${C}\ngroup g 1 a\ngroup h 1 a b\nquorum h\n`,
    'none as a member': `${log}witness a ${U}\ngroup g any a none\nquorum g\n`,
    'none defined': `${log}witness none ${U}\nquorum none\n`,
    'name defined twice': `${log}witness a ${U}\nwitness a ${C}\nquorum a\n`,
    'group named like a witness': `${log}witness a ${U}\ngroup a 1 a\nquorum a\n`,
    'duplicate witness key': `${log}witness a ${U}\nwitness b ${U}\nquorum a\n`,
    'same witness key under another name': `${log}witness a ${U}\nwitness b ${createVerifierKey('other', KEY_TYPE.cosignatureV1, policyWitnesses[0].key.publicKey).vkey}\nquorum a\n`,
    'duplicate log': `${log}${log}quorum none\n`,
    'threshold 0': `${log}witness a ${U}\ngroup g 0 a\nquorum g\n`,
    'threshold above n': `${log}witness a ${U}\ngroup g 2 a\nquorum g\n`,
    'threshold with a leading zero': `${log}witness a ${U}\ngroup g 01 a\nquorum g\n`,
    'threshold with a sign': `${log}witness a ${U}\ngroup g +1 a\nquorum g\n`,
    'group without members': `${log}group g any\nquorum none\n`,
    'log key of type 0x04': `log ${U}\nquorum none\n`,
    'witness key of type 0x01': `${log}witness a ${LOG.verifierKey.vkey}\nquorum a\n`,
    'bad vkey': `log ${LOG.verifierKey.vkey}x\nquorum none\n`,
    'unknown keyword': `${log}logs ${LOG.verifierKey.vkey}\nquorum none\n`,
    'too many items on a log line': `log ${LOG.verifierKey.vkey} url more\nquorum none\n`,
    'too many items on a quorum line': `${log}quorum none extra\n`,
    'carriage return': `${log}quorum none\r\n`,
    'control character': `${log}# \x01\nquorum none\n`,
    'delete': `${log}quorum none\x7f\n`,
  };

  for (const [name, text] of Object.entries(bad)) assert.ok(parsePolicy(text).error, name);
});

test('parsePolicy: a witness key wrapping another witness\'s public key is a duplicate', () => {
  const other = createVerifierKey('b.example', KEY_TYPE.cosignatureV1, policyWitnesses[0].key.publicKey).vkey;

  assert.ok(parsePolicy(`witness a ${U}\nwitness b ${other}\nquorum a\n`).error);
  assert.ok(parsePolicy(`witness a ${U}\nwitness b ${C}\nquorum a\n`).value);
});

// checkWitnesses

function checkpointNote(size, root, signers, timestamp = 1700000000n) {
  const body = checkpointBody({ origin: LOG.name, size, root, extensions: [] });
  let n = { text: body, signatures: [signNote(body, LOG)] };
  for (const s of signers) n = withSignature(n, signCosignature(body, timestamp, s));
  return n;
}

const POLICY = createPolicy(LOG.verifierKey, null, policyWitnesses, 2);

test('checkWitnesses: two of three witnesses meet a 2-of-3 quorum, with their timestamps', () => {
  const n = note(encodeSignedNote(checkpointNote(5n, ROOT, [WITNESSES[0].signer, WITNESSES[2].signer])));

  const check = checkWitnesses(POLICY, n);

  assert.equal(check.logSignatureValid, true);
  assert.deepEqual(check.cosigners, [{ name: 'utility', timestamp: 1700000000 }, { name: 'auditor', timestamp: 1700000000 }]);
  assert.deepEqual(check.invalidCosigners, []);
  assert.equal(check.quorumMet, true);
  assert.equal(check.problem, null);
  assert.equal(check.checkpoint.size, 5n);
});

test('checkWitnesses: one of three does not meet it; a changed cosignature makes the note malformed', () => {
  const one = checkpointNote(5n, ROOT, [WITNESSES[1].signer]);
  const two = checkpointNote(5n, ROOT, [WITNESSES[0].signer, WITNESSES[1].signer]);
  const broken = { ...two.signatures[2], signature: two.signatures[2].signature.slice() };
  broken.signature[20] ^= 1;

  const checkOne = checkWitnesses(POLICY, one);
  const checkBroken = checkWitnesses(POLICY, { text: two.text, signatures: [two.signatures[0], two.signatures[1], broken] });

  assert.equal(checkOne.quorumMet, false);
  assert.match(checkOne.problem, /quorum witnesses not met/);
  assert.deepEqual(checkBroken.cosigners.map((c) => c.name), ['utility']);
  assert.deepEqual(checkBroken.invalidCosigners, ['community-association']);
  assert.equal(checkBroken.quorumMet, false);
});

test('checkWitnesses: a note not signed by the log, or signed by a log of another origin, fails the log signature', () => {
  const n = checkpointNote(5n, ROOT, [WITNESSES[0].signer, WITNESSES[1].signer]);
  const other = createSigningKey('market.example/ledger', KEY_TYPE.ed25519, seed(2));
  const impostor = { text: n.text, signatures: [signNote(n.text, other), ...n.signatures.slice(1)] };

  const check = checkWitnesses(POLICY, impostor);

  assert.equal(check.logSignatureValid, false);
  assert.equal(check.quorumMet, false);
  assert.match(check.problem, /no valid signature from a policy log/);
});

test('checkWitnesses: a note whose text is not a checkpoint', () => {
  const check = checkWitnesses(POLICY, { text: 'hello\n', signatures: [signNote('hello\n', LOG)] });

  assert.equal(check.checkpoint, null);
  assert.match(check.problem, /not a checkpoint/);
});

// Fork evidence

function tree(n, salt = 0) {
  return Array.from({ length: n }, (_, i) => hashLeaf(Uint8Array.of(i, salt)));
}

const signed = (size, root) => ({ text: checkpointBody({ origin: LOG.name, size, root, extensions: [] }), signatures: [] });
const signedByLog = (size, root) => {
  const n = signed(size, root);
  return { text: n.text, signatures: [signNote(n.text, LOG)] };
};

test('verifyForkEvidence: a larger tree that does not extend the smaller one is a fork', () => {
  const honest = tree(7);
  const forked = [...tree(4, 1), ...honest.slice(4)];
  const small = signedByLog(4n, rootOfLeafHashes(honest, 4));
  const large = signedByLog(7n, rootOfLeafHashes(forked));

  const evidence = buildForkEvidence(LOG.verifierKey, small, large, forked);
  const json = forkEvidenceJson(evidence);
  const parsed = parseForkEvidence(json).value;
  const verdict = verifyForkEvidence(parsed);

  assert.equal(JSON.parse(json).format, 'market-fork-evidence/1');
  assert.equal(verdict.valid, true, verdict.explanation);
  assert.match(verdict.explanation, /forked/);
});

test('verifyForkEvidence: the same size with two roots is a fork; a consistent pair is not', () => {
  const honest = tree(7);
  const a = signedByLog(7n, rootOfLeafHashes(honest));
  const b = signedByLog(7n, rootOfLeafHashes(tree(7, 1)));
  const small = signedByLog(4n, rootOfLeafHashes(honest, 4));

  assert.equal(buildForkEvidence(LOG.verifierKey, a, b, []) !== null, true);
  assert.equal(buildForkEvidence(LOG.verifierKey, small, a, honest), null);
  assert.equal(buildForkEvidence(LOG.verifierKey, a, a, []), null);
});

test('verifyForkEvidence: unsigned notes, wrong leaf hashes, other origins and malformed JSON are refused', () => {
  const honest = tree(7);
  const forked = [...tree(4, 1), ...honest.slice(4)];
  const small = signedByLog(4n, rootOfLeafHashes(honest, 4));
  const large = signedByLog(7n, rootOfLeafHashes(forked));
  const base = { logKey: LOG.verifierKey.vkey, first: encodeSignedNote(small), second: encodeSignedNote(large), leafHashes: forked };
  const otherLog = createSigningKey('other.example/log', KEY_TYPE.ed25519, seed(3));
  const otherBody = checkpointBody({ origin: 'other.example/log', size: 4n, root: rootOfLeafHashes(honest, 4), extensions: [] });

  assert.equal(verifyForkEvidence(base).valid, true);
  assert.equal(verifyForkEvidence({ ...base, logKey: otherLog.verifierKey.vkey }).valid, false);
  assert.equal(verifyForkEvidence({ ...base, leafHashes: honest }).valid, false);
  assert.equal(verifyForkEvidence({ ...base, leafHashes: forked.slice(0, 6) }).valid, false);
  assert.equal(verifyForkEvidence({ ...base, first: `${otherBody}\n${signatureLine(signNote(otherBody, LOG))}` }).valid, false);
  assert.equal(verifyForkEvidence({ ...base, first: `${small.text}\n— x AAAAAQI=\n` }).valid, false);
  for (const json of ['', '[]', '{"format":"market-fork-evidence/2","logKey":"","first":"","second":"","leafHashes":[]}',
    '{"format":"market-fork-evidence/1","logKey":"k","first":"f","second":"s","leafHashes":["AAAA"]}']) {
    assert.ok(parseForkEvidence(json).error, json);
  }
});

test('verifyForkEvidence: for equal sizes, leaf hashes given must be the tree of one of the two roots', () => {
  const honest = tree(7);
  const a = signedByLog(7n, rootOfLeafHashes(honest));
  const b = signedByLog(7n, rootOfLeafHashes(tree(7, 1)));
  const base = { logKey: LOG.verifierKey.vkey, first: encodeSignedNote(a), second: encodeSignedNote(b) };

  assert.equal(verifyForkEvidence({ ...base, leafHashes: honest }).valid, true);
  assert.equal(verifyForkEvidence({ ...base, leafHashes: tree(7, 2) }).valid, false);
  assert.equal(verifyForkEvidence({ ...base, leafHashes: honest.slice(0, 6) }).valid, false);
});
