// The shared tamper cases (tests/tamper-cases; docs/ledger-format.md §14) through this verifier: the
// manifest says what every export must give, with the case's openings and without them. This verifier leaves the
// clearing replay to the command line, so where the manifest names a verdict without the replay, that is the one it
// must give.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { verifyExportText } from '../src/exportReader.js';
import { withVerdict } from '../src/describe.js';
import { hexToBytes } from '../src/hex.js';
import { readOpeningsText } from '../src/openings.js';
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

/** A case's openings file as the verifier takes it. */
function openings(file) {
  const read_ = readOpeningsText(read(file));
  assert.equal(read_.error, undefined, `${file}: ${read_.error}`);
  return read_.value;
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

function optionsOf(c) {
  const options = {};
  if (c.keptCheckpoint !== null) options.keptCheckpoint = keptCheckpoint(c.keptCheckpoint);
  if (c.trustedGenesisKeyId !== null) options.trustedGenesisKeyId = hexToBytes(c.trustedGenesisKeyId);
  return options;
}

for (const c of manifest.cases) {
  test(`${c.ledger}: ${c.name}`, async () => {
    const options = optionsOf(c);
    if (c.openings !== null) options.openings = openings(c.openings);

    const result = await verifyExportText(read(c.file), options);

    assert.deepEqual(verdictOf(result), expectedOf(c.withoutReplay ?? c), `${c.file}: ${result.failure?.message ?? 'valid'}`);
  });

  if (c.openings !== null) {
    test(`${c.ledger}: ${c.name}, without openings`, async () => {
      const result = await verifyExportText(read(c.file), optionsOf(c));

      assert.deepEqual(verdictOf(result), expectedOf(c.withoutOpenings ?? c.withoutReplay ?? c), `${c.file}: ${result.failure?.message ?? 'valid'}`);
    });
  }
}

test('openings: every household record of the valid ledgers opened checks them in full', async () => {
  for (const c of manifest.cases.filter((x) => x.valid && x.openings !== null)) {
    const result = await verifyExportText(read(c.file), { openings: openings(c.openings) });

    assert.equal(result.valid, true, c.file);
    assert.equal(result.openingsChecked, result.householdRecords, c.file);
    assert.equal(result.openingsUnmatched, 0, c.file);
    assert.equal(result.reconciliationsFullyChecked, result.reconciliations, c.file);
  }
});

test('openings: without them the verdict says only the public checks were made', async () => {
  const c = manifest.cases.find((x) => x.file === 'reconciliation-valid.jsonl');

  const result = withVerdict(await verifyExportText(read(c.file), {}));

  assert.equal(result.openingsChecked, 0);
  assert.equal(result.reconciliationsFullyChecked, 0);
  assert.match(result.verdict, /public checks only/);
});

test('openings: a file with two openings of one record is refused naming the line', () => {
  const text = read('reconciliation.openings.jsonl').split('\n');

  const result = readOpeningsText([text[0], text[1], text[1]].join('\n'));

  assert.match(result.error, /^openings line 3: a second opening/);
});
