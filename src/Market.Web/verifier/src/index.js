// Entry point of wwwroot/js/verifier.js: the in-browser ledger verifier. It downloads /api/ledger/export and
// recomputes everything itself (leaf hashes, payload roots, header hashes, links, signatures against the key valid
// at each height, trade ids, amounts, order-book references, the checkpoint), trusting nothing the server says.
// `window.marketVerifier` exposes the building blocks so tests can run published vectors against them.
import { verifyExportStream, verifyExportText } from './exportReader.js';
import { hashChildren, hashLeaf, rootOfLeaves, sha256, verifyConsistency, verifyInclusion } from './merkle.js';
import { KeyVerifier, decodeDer, verifySignature } from './ecdsa.js';
import { bytesToHex, tryHexToBytes } from './hex.js';
import { checkpointDigest } from './chain.js';
import { describeNote, describePolicy, withVerdict } from './describe.js';
import { forget as forgetAnchor, readAnchor, summary, verifyWithAnchor } from './anchor.js';
import { readOpeningsText } from './openings.js';
import { verifyAcceptanceReceipt, verifyOmissionProof } from './receipts.js';
import { checkNote } from './witnessing.js';
import { parseForkEvidence, parsePolicy, verifyForkEvidence } from './notes.js';
import { checkGridCertificate } from './gridCertificate.js';

export { verifyAcceptanceReceipt, verifyOmissionProof, checkNote, describeNote, describePolicy, checkGridCertificate };

const bytes = (hex) => (hex === null || hex === undefined ? new Uint8Array(0) : tryHexToBytes(hex));
const hexList = (list) => (list === null || list === undefined ? [] : list.map(bytes));
const anyInvalid = (...values) => values.some((v) => v === null || (Array.isArray(v) && v.some((x) => x === null)));

const tables = new Map();

/** The small API used by tests (and handy in the browser console). Hex in, booleans or hex out; never throws for
 * bad input, which is simply not valid. Sizes and indexes may be numbers or decimal strings (u64). */
export const api = Object.freeze({
  version: 1,
  /** Verifies a whole export given as text: a promise of the result object the page shows. */
  verifyExportText: async (text, options) => withVerdict(await verifyExportText(text, options)),
  /** An acceptance receipt (JSON text, §11.1): { valid, failure, receipt }. Options: { trustedKeyIds }. */
  verifyAcceptanceReceipt: (json, options) => verifyAcceptanceReceipt(json, options),
  /** A proof of omission (JSON text, §11.2): { valid, failure, omission: 'missing' | 'changed', height, leafIndex, receipt }. */
  verifyOmissionProof: (json, options) => verifyOmissionProof(json, options),
  /** Reads an openings file (text) into the `openings` option: { value } or { error } naming the line. */
  readOpenings: (text) => readOpeningsText(text),
  /** RFC 9162 root of leaf data (not leaf hashes). */
  merkleRoot: (leavesHex) => {
    const leaves = hexList(leavesHex);
    return anyInvalid(leaves) ? null : bytesToHex(rootOfLeaves(leaves));
  },
  hashLeaf: (leafHex) => bytesToHex(hashLeaf(bytes(leafHex))),
  hashChildren: (leftHex, rightHex) => bytesToHex(hashChildren(bytes(leftHex), bytes(rightHex))),
  /** SHA-256 of hex or of a Uint8Array, as hex. */
  sha256: (input) => bytesToHex(sha256(input instanceof Uint8Array ? input : bytes(input))),
  verifyInclusion: (leafHashHex, index, size, proofHex, rootHex) => {
    const args = [bytes(leafHashHex), hexList(proofHex), bytes(rootHex)];
    return !anyInvalid(...args) && verifyInclusion(args[0], index, size, args[1], args[2]);
  },
  verifyConsistency: (size1, size2, proofHex, root1Hex, root2Hex) => {
    const args = [hexList(proofHex), bytes(root1Hex), bytes(root2Hex)];
    return !anyInvalid(...args) && verifyConsistency(size1, size2, args[0], args[1], args[2]);
  },
  /** secp256k1 with @noble/secp256k1's verify: 33-byte compressed key, 32-byte digest, 64-byte low-S r ‖ s. */
  verifySignature: (pubHex, msgHashHex, sigHex) => {
    const args = [bytes(pubHex), bytes(msgHashHex), bytes(sigHex)];
    return !anyInvalid(...args) && verifySignature(args[0], args[1], args[2]);
  },
  /** The same check through the per-key table the chain verifier uses (window 2..8 bits; tables are cached). */
  verifySignatureWithTable: (pubHex, msgHashHex, sigHex, windowBits = 4) => {
    const args = [bytes(pubHex), bytes(msgHashHex), bytes(sigHex)];
    if (anyInvalid(...args)) return false;
    const cacheKey = `${windowBits}:${pubHex}`;
    let verifier = tables.get(cacheKey);
    if (verifier === undefined) {
      try {
        verifier = new KeyVerifier(args[0], windowBits);
      } catch {
        return false;
      }
      if (tables.size > 64) tables.clear();
      tables.set(cacheKey, verifier);
    }
    return verifier.verify(args[1], args[2]);
  },
  /** A checkpoint note (text) against a result of verifyExportText or verifyUrl (a verified chain), its cosignatures
   * judged by the auditor's tlog-policy text or, when null, the policy sealed in the ledger (see witnessing.js). */
  checkNote: (result, noteText, auditorPolicyText = null) => checkNote(result, noteText, auditorPolicyText),
  /** Whether a tlog-policy text parses: { valid, error, quorum, needed, of, witnesses: [name] }. */
  readPolicy: (text) => {
    const parsed = parsePolicy(text);
    return parsed.error
      ? { valid: false, error: parsed.error }
      : { valid: true, error: null, quorum: parsed.value.quorum, needed: parsed.value.threshold, of: parsed.value.of, witnesses: parsed.value.witnesses.map((w) => w.name) };
  },
  /** A clearing's certificate under the grid's limits (see gridCertificate.js): null when it holds, else the first
   * failure { code, index, message } with GridCertificate.Check's code, or { code: 'Network', networkCode, … }. */
  checkGridCertificate: (certificate) => checkGridCertificate(certificate),
  /** Fork evidence (JSON text, market-fork-evidence/1): { valid, explanation }, trusting no one. */
  verifyForkEvidence: (json) => {
    const parsed = parseForkEvidence(json);
    return parsed.error ? { valid: false, explanation: `Not fork evidence: ${parsed.error}.` } : verifyForkEvidence(parsed.value);
  },
  /** Strict DER → 64-byte r ‖ s hex, or null. */
  decodeDer: (derHex) => {
    const der = bytes(derHex);
    const rs = der === null ? null : decodeDer(der);
    return rs === null ? null : bytesToHex(rs);
  },
  /** SHA-256 of the 98 signed checkpoint bytes. */
  checkpointDigest: (size, rootHex, time, keyIdHex) =>
    bytesToHex(checkpointDigest({ size: BigInt(size), root: bytes(rootHex), time: BigInt(time), keyId: bytes(keyIdHex) })),
  /** Verifies the export at a URL while it downloads; onProgress(blocksDone) is called while it runs. The time
   * includes the download (it overlaps the checks). */
  verifyUrl: async (url, onProgress, options = {}) => {
    const started = performance.now();
    const response = await fetch(url, { cache: 'no-store', signal: options.signal });
    if (!response.ok || response.body === null) throw new Error(`HTTP ${response.status}`);
    const result = await verifyExportStream(response.body, { ...options, onProgress });
    return withVerdict({ ...result, elapsedMs: performance.now() - started });
  },
});

if (typeof window !== 'undefined') window.marketVerifier = api;

let current = null; // the page's run in progress: { controller }
let lastResult = null; // the page's last finished run (with its verified chain), for checkNoteText

/**
 * Used by the /ledger/verify page: starts verifying and returns at once (a long run must not hit the JS interop
 * timeout). Reports Progress(done, total) about every 100 ms and finally Completed(result) on the .NET object.
 * `total` comes from the published checkpoint and only sizes the progress bar; the verdict never depends on it.
 * `openingsInput`, a file input, may hold an openings file the user picked: it is read here and never uploaded.
 * With `noteUrl` (e.g. "api/ledger/checkpoint.note"), the signed checkpoint note is fetched before the export (so
 * the export holds every block it covers) and checked once the chain verified: the result gains `note` (checkNote's
 * report, or null without noteUrl) and `witnessPolicyText` (describePolicy of the policy in force). `policyInput`,
 * a file input, may hold the auditor's tlog-policy: the cosignatures are then judged by it, not the sealed one.
 */
export function start(dotnet, exportUrl, checkpointUrl, openingsInput, noteUrl = null, policyInput = null) {
  stop();
  const run = { controller: new AbortController() };
  current = run;
  verifyForPage(dotnet, exportUrl, checkpointUrl, openingsInput, run.controller.signal, noteUrl, policyInput)
    .then((result) => {
      if (run.controller.signal.aborted) return null;
      lastResult = result;
      return dotnet.invokeMethodAsync('Completed', result);
    })
    .catch(() => {
      // The page went away (its .NET object is disposed): nobody is waiting for the result.
    })
    .finally(() => {
      if (current === run) current = null;
    });
}

/**
 * Checks a checkpoint note (text) against the page's last verified ledger, its cosignatures judged by the auditor's
 * tlog-policy text or, when null, by the sealed policy: checkNote's report (plain data), with `description`.
 */
export function checkNoteText(noteText, auditorPolicyText = null) {
  return checkNote(lastResult, noteText, auditorPolicyText);
}

/** Stops the page's run (the page calls it when it is left). */
export function stop() {
  current?.controller.abort();
  current = null;
}

/** What this browser remembers of the ledger at this origin: `{ anchor: { genesisKeyId, size, checkedAt } | null,
 * problem }` (see anchor.js), for the page to show before a run. */
export function remembered() {
  const read = readAnchor(browserStorage());
  return { anchor: summary(read.anchor), problem: read.problem };
}

/** Forgets the remembered ledger (the page's button): the next run is a first contact. */
export function forget() {
  forgetAnchor(browserStorage());
}

// Merely reading window.localStorage throws where the browser forbids storage; readAnchor reports that.
const noStorage = { getItem: () => { throw new Error('no storage'); }, setItem: () => {}, removeItem: () => {} };

function browserStorage() {
  try {
    return window.localStorage ?? noStorage;
  } catch {
    return noStorage;
  }
}

async function verifyForPage(dotnet, exportUrl, checkpointUrl, openingsInput, signal, noteUrl = null, policyInput = null) {
  let openings;
  const file = openingsInput?.files?.[0];
  if (file !== undefined) {
    let read;
    try {
      read = readOpeningsText(await file.text());
    } catch (e) {
      read = { error: `${file.name}: ${e?.message ?? e}` };
    }
    if (read.error) return unreadable('OpeningsUnreadable', `the openings file could not be read: ${read.error}`);
    openings = read.value;
  }
  let auditorPolicy = null;
  let policyUnreadable = null;
  const policyFile = policyInput?.files?.[0];
  if (policyFile !== undefined) {
    try {
      auditorPolicy = await policyFile.text();
    } catch (e) {
      policyUnreadable = `the policy file ${policyFile.name} could not be read: ${e?.message ?? e}`;
    }
  }
  // The note first: the export fetched after it holds every block the note covers.
  const note = noteUrl === null || noteUrl === undefined ? null : await fetchNote(noteUrl, signal);
  let total = 0;
  try {
    const checkpoint = await (await fetch(checkpointUrl, { cache: 'no-store', signal })).json();
    total = Number(checkpoint.size) || 0;
  } catch {
    // Only the bar's scale is lost.
  }
  let lastReport = 0;
  const onProgress = (done) => {
    const t = performance.now();
    if (t - lastReport >= 100 && !signal.aborted) {
      lastReport = t;
      dotnet.invokeMethodAsync('Progress', done, Math.max(total, done)).catch(() => {});
    }
  };
  dotnet.invokeMethodAsync('Progress', 0, total).catch(() => {});
  let result;
  try {
    result = await verifyWithAnchor(browserStorage(), (options) => api.verifyUrl(exportUrl, onProgress, { ...options, signal, openings }), Date.now());
  } catch (e) {
    return unreadable('ExportUnreadable', `the export could not be downloaded: ${e?.message ?? e}`);
  }
  const withPolicy = { ...result, witnessPolicyText: describePolicy(result.witnessPolicy) };
  if (note === null) return { ...withPolicy, note: null };
  if (policyUnreadable !== null) return { ...withPolicy, note: noteUnavailable(policyUnreadable, 'auditor') };
  if (note.error !== undefined) return { ...withPolicy, note: noteUnavailable(note.error, auditorPolicy === null ? 'sealed' : 'auditor') };
  return { ...withPolicy, note: checkNote(result, note.bytes, auditorPolicy) };
}

/** The published note as bytes (checked as UTF-8 by the note parser): { bytes } or { error }. */
async function fetchNote(url, signal) {
  try {
    const response = await fetch(url, { cache: 'no-store', signal });
    if (!response.ok) return { error: `the checkpoint note could not be fetched (HTTP ${response.status})` };
    return { bytes: new Uint8Array(await response.arrayBuffer()) };
  } catch (e) {
    return { error: `the checkpoint note could not be fetched: ${e?.message ?? e}` };
  }
}

function noteUnavailable(problem, policySource) {
  const report = {
    valid: false, reason: null, problem, origin: null, size: null, root: null, rootMatches: false,
    logSignatureValid: false, cosigners: [], invalidCosigners: [], quorumMet: false, needed: 0, of: 0, witnesses: 0,
    policySource,
  };
  return { ...report, description: `checkpoint note not checked: ${problem}` };
}

function unreadable(reason, message) {
  return withVerdict({
    valid: false,
    failure: { reason, height: null, tradeId: null, leafIndex: null, message },
    blocks: 0, trades: 0, orders: 0, reconciliations: 0, readingsChecked: 0, householdRecords: 0, openingsChecked: 0,
    openingsUnmatched: 0, reconciliationsFullyChecked: 0, keyIds: [], pendingOrderBooks: 0, ledgerRoot: null,
    checkpointSize: null, checkpointRoot: null, checkpointTime: null, checkpointKeyId: null, checkpointSignature: null,
    genesisKeyId: null, replayPerformed: false, elapsedMs: 0, anchor: null, witnessPolicy: null, witnessPolicyText: '',
    note: null,
  });
}
