// The in-browser verifier's trust anchor (docs/adr/0016-trust-anchor.md): what this browser remembers of the ledger
// it verified at this origin (localStorage is per origin), namely the genesis key id and the latest checkpoint it
// verified. The next verification must find the same genesis key and a chain that extends that checkpoint;
// otherwise the page says plainly that this is another ledger, or that the history seen before was rewritten.
// Pure functions over a Storage-like object ({ getItem, setItem, removeItem }), so node's tests can drive them.
import { hexToBytes } from './hex.js';

export const STORAGE_KEY = 'market-ledger-anchor';

const HEX64 = /^[0-9a-f]{64}$/;
const HEX128 = /^[0-9a-f]{128}$/;
const DECIMAL = /^(0|[1-9][0-9]{0,18})$/;

/**
 * What is remembered: `{ anchor, problem }`, anchor `{ version: 1, genesisKeyId, checkpoint: { size, root, time,
 * keyId, signature }, checkedAt }` (hex strings; size and time as decimal strings; checkedAt in ms) or null when
 * nothing is; `problem` says why a stored value cannot be used (it is then neither trusted nor overwritten).
 */
export function readAnchor(storage) {
  let text;
  try {
    text = storage.getItem(STORAGE_KEY);
  } catch {
    return { anchor: null, problem: 'this browser does not let the page keep anything (storage is off)', text: null };
  }
  if (text === null) return { anchor: null, problem: null, text };
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    return { anchor: null, problem: 'what this browser remembered is not readable', text };
  }
  const c = value?.checkpoint;
  const valid = value?.version === 1 && HEX64.test(value.genesisKeyId ?? '') && Number.isFinite(value.checkedAt)
    && DECIMAL.test(c?.size ?? '') && c.size !== '0' && HEX64.test(c.root ?? '') && /^-?(0|[1-9][0-9]{0,18})$/.test(c.time ?? '')
    && HEX64.test(c.keyId ?? '') && HEX128.test(c.signature ?? '');
  return valid
    ? { anchor: value, problem: null, text }
    : { anchor: null, problem: 'what this browser remembered is not readable', text };
}

/** The verifier's options for an anchor: the genesis key id it must find and the checkpoint it must extend. */
export function verifierOptions(anchor) {
  if (anchor === null) return {};
  const c = anchor.checkpoint;
  return {
    trustedGenesisKeyId: hexToBytes(anchor.genesisKeyId),
    keptCheckpoint: { size: BigInt(c.size), root: hexToBytes(c.root), time: BigInt(c.time), keyId: hexToBytes(c.keyId), signature: hexToBytes(c.signature) },
  };
}

/**
 * How the result relates to what was remembered: 'first-contact' (valid, nothing remembered), 'same-ledger' (valid,
 * the same genesis key, extends the remembered checkpoint), 'other-ledger' (its genesis key is not the remembered
 * one), 'rewritten' (it does not extend the remembered checkpoint: changed, forked or cut short), or 'invalid' (it
 * fails for another reason, reported by the verdict).
 */
export function judge(result, anchor) {
  if (anchor === null) return result.valid ? 'first-contact' : 'invalid';
  if (result.valid) return 'same-ledger';
  const f = result.failure;
  if (f.reason === 'UnknownKey' && f.height === 0) return 'other-ledger';
  if (f.reason === 'NotConsistent') return 'rewritten';
  if (f.reason === 'Truncated' && BigInt(anchor.checkpoint.size) > BigInt(result.blocks)) return 'rewritten';
  return 'invalid';
}

/**
 * Remembers a valid result's genesis key id and checkpoint when nothing was remembered or the checkpoint is larger
 * than the remembered one (it never moves back), and only if the storage still holds what this run verified
 * against (`read`, from readAnchor before the run; another tab may have checked meanwhile). Returns the anchor
 * remembered afterwards.
 */
export function remember(storage, read, result, now) {
  if (!result.valid || read.problem !== null || result.genesisKeyId === null || result.checkpointSize === null) return read.anchor;
  const remembered = read.anchor;
  if (remembered !== null && BigInt(result.checkpointSize) <= BigInt(remembered.checkpoint.size)) return remembered;
  const next = {
    version: 1,
    genesisKeyId: result.genesisKeyId,
    checkpoint: {
      size: String(result.checkpointSize),
      root: result.checkpointRoot,
      time: String(result.checkpointTime),
      keyId: result.checkpointKeyId,
      signature: result.checkpointSignature,
    },
    checkedAt: now,
  };
  try {
    if (storage.getItem(STORAGE_KEY) !== read.text) return readAnchor(storage).anchor;
    storage.setItem(STORAGE_KEY, JSON.stringify(next));
  } catch {
    return remembered;
  }
  return next;
}

/** Forgets the remembered ledger, deliberately: the next verification is a first contact. */
export function forget(storage) {
  try {
    storage.removeItem(STORAGE_KEY);
  } catch {
    // Nothing could be kept, so nothing is remembered.
  }
}

/**
 * Verifies with the anchor remembered in `storage`: `verify(options)` runs the verifier with the anchor's options;
 * then the result is judged and, when valid, remembered. The result gains `anchor: { status, problem, remembered,
 * now }`: the judgement ('memory-unreadable' when a stored anchor could not be read: it was not used and is left as
 * it is), why nothing could be used or kept, and what was remembered before and after (see summary).
 */
export async function verifyWithAnchor(storage, verify, now) {
  const read = readAnchor(storage);
  const result = await verify(verifierOptions(read.anchor));
  let status = judge(result, read.anchor);
  if (status === 'first-contact' && read.text !== null && read.problem !== null) status = 'memory-unreadable';
  const after = remember(storage, read, result, now);
  return { ...result, anchor: { status, problem: read.problem, remembered: summary(read.anchor), now: summary(after) } };
}

/** What the page shows of an anchor (numbers for .NET), or null. */
export function summary(anchor) {
  return anchor === null
    ? null
    : { genesisKeyId: anchor.genesisKeyId, size: Number(anchor.checkpoint.size), checkedAt: anchor.checkedAt };
}
