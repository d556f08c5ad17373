// Every vector of tests/Market.Ledger.Tests/Vectors/notes.json (Go's sumdb/note tests, the C2SP examples, the
// market's own; origins and licences in that folder's README) through src/notes.js, with the verdicts the C#
// NoteVectorTests expect: both verifiers read one file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  checkWitnesses, checkpointBody, cosignatureMessage, createPolicy, encodePolicy, encodeSignedNote, parseCheckpoint,
  parsePolicy, parseSignatureLine, parseSignedNote, parseSigningKey, parseVerifierKey, policySatisfiedBy,
  signCosignature, signNote, signatureLine, verifyCosignature, verifyNoteBy,
} from '../src/notes.js';
import { encodeBase64 } from '../src/base64.js';

const vectors = JSON.parse(readFileSync(new URL('../../../../tests/Market.Ledger.Tests/Vectors/notes.json', import.meta.url), 'utf8'));
const label = (v, i) => `${i}: ${v.comment ?? v.source}`;
const key = (vkey) => {
  const parsed = parseVerifierKey(vkey);
  assert.equal(parsed.error, undefined, `${vkey}: ${parsed.error}`);
  return parsed.value;
};

vectors.notes.forEach((v, i) => {
  test(`notes ${label(v, i)}: ${v.verdict}`, () => {
    const parsed = parseSignedNote(v.note);

    if (v.verdict === 'malformed') {
      assert.ok(parsed.error, 'parses but must not');
      return;
    }
    assert.equal(parsed.error, undefined, parsed.error);
    assert.equal(verifyNoteBy(parsed.value, key(v.vkey)), { verified: true, invalid: false, unverified: null }[v.verdict]);
    assert.equal(encodeSignedNote(parsed.value), v.note);
    if (v.text !== undefined) assert.equal(parsed.value.text, v.text);
  });

  if (v.skey !== undefined) {
    test(`notes ${label(v, i)}: signing the text reproduces the first signature line`, () => {
      const signer = parseSigningKey(v.skey);
      assert.equal(signer.error, undefined, signer.error);

      const line = signatureLine(signNote(v.text, signer.value));

      assert.equal(line, signatureLine(parseSignedNote(v.note).value.signatures[0]));
      assert.equal(signer.value.verifierKey.vkey, v.vkey);
    });
  }
});

vectors.vkeys.forEach((v, i) => {
  test(`vkeys ${label(v, i)}: ${v.valid ? 'valid' : 'refused'}`, () => {
    const parsed = parseVerifierKey(v.vkey);

    assert.equal(parsed.error === undefined, v.valid, parsed.error);
    if (v.valid) assert.equal(parsed.value.vkey, v.vkey);
  });
});

vectors.checkpoints.forEach((v, i) => {
  test(`checkpoints ${label(v, i)}: ${v.valid ? 'valid' : 'refused'}`, () => {
    const parsed = parseCheckpoint(v.body);

    assert.equal(parsed.error === undefined, v.valid, parsed.error);
    if (v.valid) {
      assert.equal(parsed.value.origin, v.origin);
      assert.equal(parsed.value.size, BigInt(v.size));
      assert.equal(encodeBase64(parsed.value.root), v.root);
      assert.deepEqual([...parsed.value.extensions], v.extensions ?? []);
      assert.equal(checkpointBody(parsed.value), v.body);
    }
  });
});

vectors.cosignatures.forEach((v, i) => {
  test(`cosignatures ${label(v, i)}`, () => {
    const line = parseSignatureLine(v.line);
    assert.equal(line.error, undefined, line.error);

    if (v.vkey === undefined) {
      // The C2SP example: its key is not published; the layout of the line and the signed message are checked.
      const s = line.value.signature;
      assert.equal(line.value.keyId, Number.parseInt(v.keyId, 16));
      assert.equal(s.length, 72);
      const time = new DataView(s.buffer, s.byteOffset, 8).getBigUint64(0);
      assert.equal(time, BigInt(v.timestamp));
      assert.equal(new TextDecoder().decode(cosignatureMessage(v.body, time)), v.message);
      return;
    }
    const verdict = verifyCosignature(v.body, line.value, key(v.vkey));
    assert.equal(verdict.valid, v.valid);
    if (v.valid) assert.equal(verdict.timestamp, BigInt(v.timestamp));
  });

  if (v.skey !== undefined) {
    test(`cosignatures ${label(v, i)}: signing reproduces the line`, () => {
      const signer = parseSigningKey(v.skey).value;

      assert.equal(signatureLine(signCosignature(v.body, BigInt(v.timestamp), signer)), `${v.line}\n`);
    });
  }
});

test('checkedNotes: the log signs it, w1 and w2 cosign it a second apart, a 2-of-2 quorum is met', () => {
  const v = vectors.checkedNotes[0];
  const witnesses = vectors.cosignatures.filter((c) => c.skey !== undefined)
    .map((c, i) => ({ name: `w${i + 1}`, key: key(c.vkey), url: null }));
  const policy = createPolicy(key(v.logVkey), null, witnesses, 2);

  const check = checkWitnesses(policy, parseSignedNote(v.note).value);

  assert.equal(check.logSignatureValid, true);
  assert.equal(check.quorumMet, true);
  assert.equal(check.problem, null);
  assert.deepEqual(check.cosigners.map((c) => c.name), ['w1', 'w2']);
  assert.equal(check.cosigners[1].timestamp - check.cosigners[0].timestamp, 1);
});

vectors.policies.forEach((v, i) => {
  test(`policies ${label(v, i)}: ${v.valid ? 'valid' : 'refused'}`, () => {
    const parsed = parsePolicy(v.text);

    assert.equal(parsed.error === undefined, v.valid, parsed.error);
    if (!v.valid) return;
    const again = parsePolicy(encodePolicy(parsed.value));
    assert.equal(again.error, undefined, again.error);
    assert.equal(encodePolicy(again.value), encodePolicy(parsed.value));
    for (const q of v.quorum ?? []) {
      assert.equal(policySatisfiedBy(parsed.value, new Set(q.witnesses)), q.met, q.witnesses.join(','));
      assert.equal(policySatisfiedBy(again.value, new Set(q.witnesses)), q.met);
    }
  });
});
