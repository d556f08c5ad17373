// Openings of household commitments (docs/ledger-format.md §10.1): a household's own, or an auditor's of a range.
// JSON Lines: the format line, then {"salt":"<hex 32 bytes>","record":"<hex 169-byte settlement record>"} per opening.
// They never come from the server's export: the household or auditor picks the file, and it stays in the browser.
import { parseObjectLine, JsonNumber, JsonString } from './json.js';
import { sha256 } from './merkle.js';
import { tryHexToBytes } from './hex.js';
import { decodeSettlement } from './records.js';

const FORMAT = 'market-reconciliation-openings';
const TAG = new TextEncoder().encode('MarketSettlement');

/** The commitment a household's public record carries: SHA-256("MarketSettlement" ‖ salt ‖ record). */
export function commitmentOf(salt, record) {
  const preimage = new Uint8Array(TAG.length + salt.length + record.length);
  preimage.set(TAG, 0);
  preimage.set(salt, TAG.length);
  preimage.set(record, TAG.length + salt.length);
  return sha256(preimage);
}

/** Where an opening belongs: household, interval start and reconciliation version. */
export const openingKey = (household, intervalStart, reconciliationVersion) => `${household}/${intervalStart}/${reconciliationVersion}`;

/**
 * Reads an openings file held in a string: { value: [{ salt, record, settlement }] } or { error } naming the line
 * (wrong format line, a field missing, repeated or unknown, bad hex, a wrong length, a record that does not decode,
 * two openings of one household record).
 */
export function readOpeningsText(text) {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) return { error: 'openings line 1: empty file: expected the format line' };
  const openings = [];
  const seen = new Set();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i];
    const problem = i === 0 ? formatProblem(line) : null;
    if (problem !== null) return { error: `openings line 1: ${problem}` };
    if (i === 0) continue;
    const opening = parseOpening(line);
    if (opening.error) return { error: `openings line ${i + 1}: ${opening.error}` };
    const s = opening.value.settlement;
    const key = openingKey(s.household, s.intervalStart, s.reconciliationVersion);
    if (seen.has(key)) {
      return { error: `openings line ${i + 1}: a second opening for household ${s.household}, interval ${s.intervalStart}, version ${s.reconciliationVersion}` };
    }
    seen.add(key);
    openings.push(opening.value);
  }
  return { value: openings };
}

function formatProblem(line) {
  const parsed = parseObjectLine(line);
  const map = parsed.value;
  const ok = map !== undefined && map.size === 2 && map.get('format') instanceof JsonString && map.get('format').value === FORMAT
    && map.get('version') instanceof JsonNumber && map.get('version').toInt64() === 1n;
  return ok ? null : `expected {"format":"${FORMAT}","version":1}`;
}

function parseOpening(line) {
  const parsed = parseObjectLine(line);
  if (parsed.error) return parsed;
  const map = parsed.value;
  if (map.size !== 2 || !map.has('salt') || !map.has('record')) return { error: 'an opening has exactly the fields "salt" and "record"' };
  const [salt, record] = ['salt', 'record'].map((name) => {
    const v = map.get(name);
    return v instanceof JsonString && !v.escaped ? tryHexToBytes(v.value) : null;
  });
  if (salt === null || record === null) return { error: '"salt" and "record" must be hex strings' };
  if (salt.length !== 32) return { error: `"salt" must be 32 bytes, got ${salt.length}` };
  const settlement = decodeSettlement(record);
  return settlement.error ? settlement : { value: { salt, record, settlement: settlement.value } };
}
