// The shared tamper cases (tests/tamper-cases; docs/ledger-format.md §14) through this verifier: the
// manifest says what every export must give. This verifier leaves the clearing replay to the command line, so where
// the manifest names a verdict without the replay, that is the one it must give.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { verifyExportText } from '../src/exportReader.js';
import { hexToBytes } from '../src/hex.js';
import { jsReason, mappingProblems } from './reasons.js';

const folder = new URL('../../../../tests/tamper-cases/', import.meta.url);
const read = (file) => readFileSync(new URL(file, folder), 'utf8');
const manifest = JSON.parse(read('manifest.json'));

/** A kept checkpoint file (the JSON `market ledger verify --checkpoint` reads) as the verifier takes it. */
function keptCheckpoint(file) {
  const c = JSON.parse(read(file));
  return { size: BigInt(c.size), root: hexToBytes(c.root), time: BigInt(c.time), keyId: hexToBytes(c.keyId), signature: hexToBytes(c.signature) };
}

/** The result in the manifest's terms. */
function verdictOf(result) {
  const f = result.failure;
  const line = f?.reason === 'MalformedExport' ? /^export line (\d+):/.exec(f.message)?.[1] : undefined;
  return {
    valid: result.valid,
    reason: f?.reason ?? null,
    height: f?.height ?? null,
    leaf: f?.leafIndex ?? null,
    tradeId: f?.tradeId == null ? null : Number(f.tradeId),
    line: line === undefined ? null : Number(line),
    blocks: result.valid ? result.blocks : null,
    trades: result.valid ? result.trades : null,
    reconciliations: result.valid ? result.reconciliations : null,
  };
}

const expectedOf = (v) => ({
  valid: v.valid,
  reason: v.reason === null ? null : jsReason(v.reason),
  height: v.height,
  leaf: v.leaf,
  tradeId: v.tradeId,
  line: v.line,
  blocks: v.blocks,
  trades: v.trades,
  reconciliations: v.reconciliations,
});

test('reasons: every C# reason is reported here under its name or listed as never reported', () => {
  assert.deepEqual(mappingProblems(manifest.reasons), []);
});

test('manifest: lists the valid exports and the tampered ones', () => {
  assert.ok(manifest.cases.filter((c) => c.valid).length >= 3);
  assert.ok(manifest.cases.filter((c) => !c.valid).length >= 150);
});

for (const c of manifest.cases) {
  test(`${c.ledger}: ${c.name}`, () => {
    const options = {};
    if (c.keptCheckpoint !== null) options.keptCheckpoint = keptCheckpoint(c.keptCheckpoint);
    if (c.trustedGenesisKeyId !== null) options.trustedGenesisKeyId = hexToBytes(c.trustedGenesisKeyId);

    const result = verifyExportText(read(c.file), options);

    assert.deepEqual(verdictOf(result), expectedOf(c.withoutReplay ?? c), `${c.file}: ${result.failure?.message ?? 'valid'}`);
  });
}
