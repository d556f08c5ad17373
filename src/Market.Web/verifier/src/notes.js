// C2SP signed notes and what is built on them (docs/ledger-format.md, witnessing): verifier keys (vkeys), signature
// lines, notes, tlog-checkpoint bodies, tlog-cosignature v1 (Ed25519, type 0x04), tlog-policy files and their
// quorums, and the market's fork evidence. The same rules as Market.Ledger's Notes (NoteVerifierKey, SignedNote,
// CheckpointNote, Cosignature, WitnessPolicy, ForkEvidence), so both verifiers give the same verdicts on the shared
// vectors. Nothing here throws for bad input: parsers return { value } or { error }, checks return booleans or
// reports. Ed25519 is @noble/curves, synchronous (WebCrypto's Ed25519 is missing in some browsers, and a note has
// few signatures).
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256, rootOfLeafHashes } from './merkle.js';
import { decodeBase64, encodeBase64 } from './base64.js';
import { equalBytes } from './hex.js';

/** Signature types of signed-note vkeys this verifier knows. */
export const KEY_TYPE = Object.freeze({ ed25519: 0x01, cosignatureV1: 0x04 });

/** Signature lines a note may have at most (signed-note: at least 16 must be accepted; Go's sumdb/note allows 100). */
export const MAX_SIGNATURES = 100;

/** The longest witness policy a ledger block may hold, in UTF-8 bytes. */
export const MAX_POLICY_BYTES = 16384;

export const FORK_EVIDENCE_FORMAT = 'market-fork-evidence/1';

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const EM_DASH_SPACE = '\u2014 ';
const MAX_I64 = (1n << 63n) - 1n;
// Unicode spaces as Go's unicode.IsSpace and .NET's char.IsWhiteSpace see them, and control characters.
const NOT_IN_NAME = /[\x00-\x20\x7f\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000+]/u;

const ok = (value) => ({ value });
const err = (error) => ({ error });

/** Whether the text is valid UTF-16 that encodes to valid UTF-8 (no lone surrogates). */
function wellFormed(text) {
  if (typeof text.isWellFormed === 'function') return text.isWellFormed();
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
}

/** Reads text given as a string or as UTF-8 bytes; null when the bytes are not UTF-8. */
function asText(input) {
  if (typeof input === 'string') return wellFormed(input) ? input : null;
  if (input instanceof Uint8Array) {
    try {
      return strictUtf8.decode(input);
    } catch {
      return null;
    }
  }
  return null;
}

/** A key name: non-empty, no Unicode space, control character or "+". */
export function isValidKeyName(name) {
  return typeof name === 'string' && name.length > 0 && wellFormed(name) && !NOT_IN_NAME.test(name);
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const u32 = (bytes, at = 0) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(at);
const u32Bytes = (value) => {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value >>> 0);
  return out;
};
const hex8 = (value) => (value >>> 0).toString(16).padStart(8, '0');

/** SHA-256(name || "\n" || type || key)[:4] as an unsigned big-endian number. */
export function noteKeyId(name, type, publicKey) {
  return u32(sha256(concat(utf8.encode(name), Uint8Array.of(0x0a, type), publicKey)));
}

function ed25519Verify(publicKey, message, signature) {
  try {
    return signature.length === 64 && ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Keys

/**
 * A verifier key: { name, type, publicKey (32 bytes), keyId (u32 number), vkey (its text) }. Types 0x01 (note
 * signatures: the log) and 0x04 (tlog-cosignature v1: witnesses); both are Ed25519.
 */
export function createVerifierKey(name, type, publicKey) {
  if (!isValidKeyName(name)) throw new TypeError('a key name is non-empty, without spaces or "+"');
  if (type !== KEY_TYPE.ed25519 && type !== KEY_TYPE.cosignatureV1) throw new TypeError(`unknown key type ${type}`);
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) throw new TypeError('an Ed25519 public key is 32 bytes');
  const keyId = noteKeyId(name, type, publicKey);
  const key = publicKey.slice();
  return Object.freeze({ name, type, publicKey: key, keyId, vkey: `${name}+${hex8(keyId)}+${encodeBase64(concat(Uint8Array.of(type), key))}` });
}

/** Parses "<name>+<8 lower-case hex key id>+<base64(type || key)>": { value: key } or { error }. */
export function parseVerifierKey(text) {
  if (typeof text !== 'string') return err('a verifier key is text');
  const first = text.indexOf('+');
  const second = first < 0 ? -1 : text.indexOf('+', first + 1);
  if (second < 0) return err('a verifier key is <name>+<key id>+<key>');
  const name = text.slice(0, first);
  const id = text.slice(first + 1, second);
  const key = decodeBase64(text.slice(second + 1));
  if (!isValidKeyName(name)) return err('the key name is empty or holds a space or "+"');
  if (!/^[0-9a-f]{8}$/.test(id)) return err('the key id is not 8 lower-case hex digits');
  if (key === null || key.length === 0) return err('the key is not base64');
  const type = key[0];
  if (type !== KEY_TYPE.ed25519 && type !== KEY_TYPE.cosignatureV1) return err(`unknown key type 0x${type.toString(16).padStart(2, '0')}`);
  if (key.length !== 33) return err('an Ed25519 key is 32 bytes');
  const parsed = createVerifierKey(name, type, key.subarray(1));
  if (hex8(parsed.keyId) !== id) return err('the key id is not the hash of the name and key');
  return ok(parsed);
}

/** Whether two vkeys wrap the same public key (tlog-policy's "duplicate"), whatever their names, ids and types. */
export const sameKey = (a, b) => equalBytes(a.publicKey, b.publicKey);

/**
 * Parses a signing key in Go's format "PRIVATE+KEY+<name>+<8 hex>+<base64(type || 32-byte seed)>":
 * { value: { name, type, seed, verifierKey, skey } } or { error }.
 */
export function parseSigningKey(text) {
  if (typeof text !== 'string' || !text.startsWith('PRIVATE+KEY+')) return err('a signing key starts with PRIVATE+KEY+');
  const rest = text.slice('PRIVATE+KEY+'.length);
  const first = rest.indexOf('+');
  const second = first < 0 ? -1 : rest.indexOf('+', first + 1);
  if (second < 0) return err('a signing key is PRIVATE+KEY+<name>+<key id>+<key>');
  const name = rest.slice(0, first);
  const id = rest.slice(first + 1, second);
  const key = decodeBase64(rest.slice(second + 1));
  if (!isValidKeyName(name) || !/^[0-9a-f]{8}$/.test(id) || key === null || key.length !== 33) return err('malformed signing key');
  if (key[0] !== KEY_TYPE.ed25519 && key[0] !== KEY_TYPE.cosignatureV1) return err('unknown key type');
  const seed = key.slice(1);
  const verifierKey = createVerifierKey(name, key[0], ed25519.getPublicKey(seed));
  if (hex8(verifierKey.keyId) !== id) return err('the key id is not the hash of the name and public key');
  return ok(signingKeyOf(name, key[0], seed, verifierKey));
}

function signingKeyOf(name, type, seed, verifierKey) {
  return Object.freeze({
    name, type, seed, verifierKey,
    skey: `PRIVATE+KEY+${name}+${hex8(verifierKey.keyId)}+${encodeBase64(concat(Uint8Array.of(type), seed))}`,
  });
}

/** A signing key from a 32-byte seed (random when not given). */
export function createSigningKey(name, type, seed = ed25519.utils.randomSecretKey()) {
  return signingKeyOf(name, type, seed.slice(), createVerifierKey(name, type, ed25519.getPublicKey(seed)));
}

// ---------------------------------------------------------------------------------------------------------------
// Signature lines and notes

/** A signature line's text, with its trailing "\n": "— <name> base64(key id || signature)". */
export const signatureLine = (s) => `${EM_DASH_SPACE}${s.name} ${encodeBase64(concat(u32Bytes(s.keyId), s.signature))}\n`;

/** Parses one signature line (without its "\n"): { value: { name, keyId, signature } } or { error }. */
export function parseSignatureLine(line) {
  if (typeof line !== 'string' || !line.startsWith(EM_DASH_SPACE)) return err('a signature line starts with "— "');
  const rest = line.slice(EM_DASH_SPACE.length);
  const space = rest.indexOf(' ');
  const name = space < 0 ? rest : rest.slice(0, space);
  const b64 = space < 0 ? '' : rest.slice(space + 1);
  if (!isValidKeyName(name)) return err('the signature\'s key name is empty or holds a space or "+"');
  const bytes = b64 === '' ? null : decodeBase64(b64);
  if (bytes === null || bytes.length < 5) return err('the signature is not base64 of a key id and a signature');
  return ok(Object.freeze({ name, keyId: u32(bytes), signature: bytes.slice(4) }));
}

/**
 * Parses a signed note (a string, or UTF-8 bytes): the text (ending in "\n"), a blank line, then 1 to 100
 * signature lines. { value: { text, signatures } } or { error }. Signatures are kept as they are, unverified.
 */
export function parseSignedNote(input) {
  const note = asText(input);
  if (note === null) return err('the note is not UTF-8');
  for (let i = 0; i < note.length; i++) {
    const c = note.charCodeAt(i);
    if (c < 0x20 && c !== 0x0a) return err('the note holds a control character');
  }
  const split = note.lastIndexOf('\n\n');
  if (split < 0) return err('the note has no blank line before its signatures');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2);
  if (lines.length === 0 || !lines.endsWith('\n')) return err('the note has no signature lines, or they do not end with a newline');
  const signatures = [];
  for (const line of lines.slice(0, -1).split('\n')) {
    if (signatures.length === MAX_SIGNATURES) return err(`the note has more than ${MAX_SIGNATURES} signatures`);
    const parsed = parseSignatureLine(line);
    if (parsed.error) return err(`signature line ${signatures.length + 1}: ${parsed.error}`);
    signatures.push(parsed.value);
  }
  return ok(Object.freeze({ text, signatures: Object.freeze(signatures) }));
}

/** The note's text: its text, a blank line, its signature lines. */
export const encodeSignedNote = (note) => `${note.text}\n${note.signatures.map(signatureLine).join('')}`;

/** A plain note signature (type 0x01) over the text. */
export function signNote(text, signingKey) {
  return Object.freeze({ name: signingKey.name, keyId: signingKey.verifierKey.keyId, signature: ed25519.sign(utf8.encode(text), signingKey.seed) });
}

/** The note with the signature appended, unless an identical line is there already. */
export function withSignature(note, signature) {
  const line = signatureLine(signature);
  if (note.signatures.some((s) => signatureLine(s) === line)) return note;
  return Object.freeze({ text: note.text, signatures: Object.freeze([...note.signatures, signature]) });
}

const fromKey = (note, key) => note.signatures.filter((s) => s.name === key.name && s.keyId === key.keyId);

/**
 * Checks the note's signature lines from `key` (same name and key id; a type 0x04 key checks them as
 * cosignatures). null when none is from it; true when they verify; false when one does not (signed-note: the note
 * is then to be rejected).
 */
export function verifyNoteBy(note, key) {
  const lines = fromKey(note, key);
  if (lines.length === 0) return null;
  const text = utf8.encode(note.text);
  return lines.every((s) => (key.type === KEY_TYPE.cosignatureV1
    ? verifyCosignature(note.text, s, key).valid
    : ed25519Verify(key.publicKey, text, s.signature)));
}

// ---------------------------------------------------------------------------------------------------------------
// tlog-checkpoint

/**
 * Parses a checkpoint body (a note's text): origin, size (decimal, no leading zeros, at most 2^63 − 1), base64
 * root of 32 bytes, optional non-empty extension lines, every line ending in "\n".
 * { value: { origin, size (BigInt), root, extensions } } or { error }.
 */
export function parseCheckpoint(body) {
  if (typeof body !== 'string' || !body.endsWith('\n')) return err('a checkpoint body ends with a newline');
  if (!wellFormed(body) || [...body].some((c) => c < ' ' && c !== '\n')) return err('a checkpoint has no control characters other than newline');
  const lines = body.slice(0, -1).split('\n');
  if (lines.length < 3) return err('a checkpoint has an origin, a size and a root line');
  if (lines.some((l) => l.length === 0)) return err('a checkpoint has no empty lines');
  const [origin, sizeText, rootText, ...extensions] = lines;
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText) || BigInt(sizeText) > MAX_I64) return err('the tree size is not a decimal number without leading zeros below 2^63');
  const root = decodeBase64(rootText);
  if (root === null || root.length !== 32) return err('the root is not the base64 of 32 bytes');
  return ok(Object.freeze({ origin, size: BigInt(sizeText), root, extensions: Object.freeze(extensions) }));
}

/** The checkpoint's body: each line ending in "\n". */
export const checkpointBody = (c) => [c.origin, String(c.size), encodeBase64(c.root), ...(c.extensions ?? [])].map((l) => `${l}\n`).join('');

// ---------------------------------------------------------------------------------------------------------------
// tlog-cosignature v1 (Ed25519)

/** "cosignature/v1\ntime <T>\n" followed by the checkpoint body, as UTF-8 bytes. */
export const cosignatureMessage = (body, timestamp) => utf8.encode(`cosignature/v1\ntime ${BigInt(timestamp)}\n${body}`);

/** A cosignature line's signature: the timestamp (u64 big-endian) and the Ed25519 signature over the message. */
export function signCosignature(body, timestamp, witnessKey) {
  const stamp = new Uint8Array(8);
  new DataView(stamp.buffer).setBigUint64(0, BigInt(timestamp));
  const signature = ed25519.sign(cosignatureMessage(body, timestamp), witnessKey.seed);
  return Object.freeze({ name: witnessKey.name, keyId: witnessKey.verifierKey.keyId, signature: concat(stamp, signature) });
}

/**
 * Verifies a cosignature line from this witness key (its name and key id must match; the signature is 8 bytes of
 * timestamp, at most 2^63 − 1, and 64 of Ed25519). { valid, timestamp (BigInt, or null when not valid) }.
 */
export function verifyCosignature(body, signature, witnessKey) {
  const no = { valid: false, timestamp: null };
  if (witnessKey.type !== KEY_TYPE.cosignatureV1 || signature.name !== witnessKey.name || signature.keyId !== witnessKey.keyId) return no;
  const s = signature.signature;
  if (s.length !== 72) return no;
  const timestamp = new DataView(s.buffer, s.byteOffset, 8).getBigUint64(0);
  if (timestamp > MAX_I64) return no;
  return ed25519Verify(witnessKey.publicKey, cosignatureMessage(body, timestamp), s.subarray(8))
    ? { valid: true, timestamp }
    : no;
}

// ---------------------------------------------------------------------------------------------------------------
// tlog-policy

/**
 * Parses a tlog-policy: `log <vkey> [<url>]`, `witness <name> <vkey> [<url>]`, `group <name> all|any|<k> <name>...`,
 * exactly one `quorum <name>|none`; comments and blank lines. Names are defined once (witnesses and groups share
 * them; "none" is reserved), and groups and the quorum only name what earlier lines defined; a name is a member of
 * one group at most (tlog-policy: "listed as a group member at most once"); k is decimal without leading zeros.
 * Logs are type 0x01 keys, witnesses type 0x04, no two logs and no two witnesses with the same public key.
 * { value: policy } or { error } naming the line. A policy is { logs: [{ key, url }], witnesses: [{ name, key, url }],
 * groups: [{ name, threshold, members }], quorum, threshold (needed at the top level), of (members at the top). }
 */
export function parsePolicy(input) {
  const text = asText(input);
  if (text === null) return err('the policy is not UTF-8');
  const logs = [];
  const witnesses = [];
  const groups = [];
  const names = new Map(); // name → { kind: 'witness' | 'group', ... }
  const usedAsMember = new Set();
  let quorum = null;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const at = `policy line ${i + 1}`;
    const line = lines[i];
    for (let j = 0; j < line.length; j++) {
      const c = line.charCodeAt(j);
      if ((c < 0x20 && c !== 0x09) || c === 0x7f) return err(`${at}: a control character`);
    }
    const trimmed = line.replace(/^[ \t]+|[ \t]+$/g, '');
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const t = trimmed.split(/[ \t]+/);
    const keyword = t[0];
    if (keyword === 'log') {
      if (t.length < 2 || t.length > 3) return err(`${at}: a log line is "log <vkey> [<url>]"`);
      const key = parseVerifierKey(t[1]);
      if (key.error) return err(`${at}: ${key.error}`);
      if (key.value.type !== KEY_TYPE.ed25519) return err(`${at}: a log key is a note signature key (type 0x01)`);
      if (logs.some((l) => sameKey(l.key, key.value))) return err(`${at}: a second log with the same key`);
      logs.push(Object.freeze({ key: key.value, url: t[2] ?? null }));
    } else if (keyword === 'witness') {
      if (t.length < 3 || t.length > 4) return err(`${at}: a witness line is "witness <name> <vkey> [<url>]"`);
      const problem = newName(t[1], names);
      if (problem !== null) return err(`${at}: ${problem}`);
      const key = parseVerifierKey(t[2]);
      if (key.error) return err(`${at}: ${key.error}`);
      if (key.value.type !== KEY_TYPE.cosignatureV1) return err(`${at}: a witness key is a cosignature key (type 0x04)`);
      if (witnesses.some((w) => sameKey(w.key, key.value))) return err(`${at}: a second witness with the same key`);
      const witness = Object.freeze({ name: t[1], key: key.value, url: t[3] ?? null });
      witnesses.push(witness);
      names.set(t[1], { kind: 'witness' });
    } else if (keyword === 'group') {
      if (t.length < 4) return err(`${at}: a group line is "group <name> all|any|<k> <name>..."`);
      const problem = newName(t[1], names);
      if (problem !== null) return err(`${at}: ${problem}`);
      const members = t.slice(3);
      for (const member of members) {
        if (!names.has(member)) return err(`${at}: "${member}" is not a witness or group defined above`);
        // Each name contributes to the quorum in one way only: it is a member of one group at most.
        if (usedAsMember.has(member)) return err(`${at}: "${member}" is already a group member`);
        usedAsMember.add(member);
      }
      let threshold;
      if (t[2] === 'all') threshold = members.length;
      else if (t[2] === 'any') threshold = 1;
      else if (/^[1-9][0-9]{0,8}$/.test(t[2]) && Number(t[2]) <= members.length) threshold = Number(t[2]);
      else return err(`${at}: the threshold is all, any or a number from 1 to ${members.length}`);
      const group = Object.freeze({ name: t[1], threshold, members: Object.freeze(members) });
      groups.push(group);
      names.set(t[1], { kind: 'group', group });
    } else if (keyword === 'quorum') {
      if (t.length !== 2) return err(`${at}: a quorum line is "quorum <name>"`);
      if (quorum !== null) return err(`${at}: a second quorum line`);
      if (t[1] !== 'none' && !names.has(t[1])) return err(`${at}: "${t[1]}" is not a witness or group defined above`);
      quorum = t[1];
    } else {
      return err(`${at}: unknown line "${keyword}" (log, witness, group or quorum)`);
    }
  }
  if (quorum === null) return err('the policy has no quorum line');
  const top = quorum === 'none' ? null : names.get(quorum);
  return ok(Object.freeze({
    logs: Object.freeze(logs),
    witnesses: Object.freeze(witnesses),
    groups: Object.freeze(groups),
    quorum,
    threshold: top === null ? 0 : top.kind === 'witness' ? 1 : top.group.threshold,
    of: top === null ? 0 : top.kind === 'witness' ? 1 : top.group.members.length,
  }));
}

function newName(name, names) {
  if (name === 'none') return '"none" is reserved for the quorum';
  if (names.has(name)) return `"${name}" is defined twice`;
  return null;
}

/**
 * The canonical policy the market seals: one log line, one witness line per witness in the given order, then with
 * witnesses "group witnesses <threshold> <names...>" and "quorum witnesses", without "quorum none".
 * witnesses: [{ name, key, url }]. The text is checked by parsing it back.
 */
export function createPolicy(log, logUrl, witnesses, threshold) {
  const lines = [`log ${log.vkey}${logUrl ? ` ${logUrl}` : ''}`];
  for (const w of witnesses) lines.push(`witness ${w.name} ${w.key.vkey}${w.url ? ` ${w.url}` : ''}`);
  if (witnesses.length > 0) {
    lines.push(`group witnesses ${threshold} ${witnesses.map((w) => w.name).join(' ')}`);
    lines.push('quorum witnesses');
  } else {
    lines.push('quorum none');
  }
  const parsed = parsePolicy(lines.map((l) => `${l}\n`).join(''));
  if (parsed.error) throw new TypeError(parsed.error);
  return parsed.value;
}

/** The policy as text: logs, witnesses, groups and the quorum, "\n" line ends. */
export function encodePolicy(policy) {
  const lines = policy.logs.map((l) => `log ${l.key.vkey}${l.url ? ` ${l.url}` : ''}`);
  for (const w of policy.witnesses) lines.push(`witness ${w.name} ${w.key.vkey}${w.url ? ` ${w.url}` : ''}`);
  for (const g of policy.groups) lines.push(`group ${g.name} ${g.threshold} ${g.members.join(' ')}`);
  lines.push(`quorum ${policy.quorum}`);
  return lines.map((l) => `${l}\n`).join('');
}

/** Whether these witnesses (by policy name) satisfy the quorum. */
export function policySatisfiedBy(policy, witnessNames) {
  if (policy.quorum === 'none') return true;
  const groups = new Map(policy.groups.map((g) => [g.name, g]));
  const memo = new Map();
  const satisfied = (name) => {
    if (memo.has(name)) return memo.get(name);
    const group = groups.get(name);
    const result = group === undefined
      ? witnessNames.has(name)
      : group.members.filter(satisfied).length >= group.threshold;
    memo.set(name, result);
    return result;
  };
  return satisfied(policy.quorum);
}

/**
 * Checks a checkpoint note against a policy (WitnessPolicy.Check): the log signature (a policy log whose key name
 * is the origin), each policy witness's cosignature, and the quorum. Never throws.
 * { logSignatureValid, checkpoint (or null), cosigners: [{ name, timestamp (number, seconds) }], invalidCosigners:
 * [name], quorumMet, problem (null when all is well) }. As in C#, `quorumMet` holds only when nothing is wrong: a
 * line from a known key that does not verify makes the note malformed (signed-note), whatever else vouched for it.
 */
export function checkWitnesses(policy, note) {
  const parsed = parseCheckpoint(note.text);
  if (parsed.error) {
    return { logSignatureValid: false, checkpoint: null, cosigners: [], invalidCosigners: [], quorumMet: false, problem: `not a checkpoint: ${parsed.error}` };
  }
  const checkpoint = parsed.value;
  const problems = [];
  const verdicts = policy.logs.filter((l) => l.key.name === checkpoint.origin).map((l) => verifyNoteBy(note, l.key));
  const logSignatureValid = verdicts.includes(true) && !verdicts.includes(false);
  if (verdicts.includes(false)) problems.push('a log signature line does not verify (the note is malformed)');
  else if (!logSignatureValid) problems.push(`no valid signature from a policy log for origin ${checkpoint.origin}`);
  const { cosigners, invalidCosigners } = cosignersOf(policy, note);
  if (invalidCosigners.length > 0) {
    problems.push(`cosignature lines that do not verify (the note is malformed): ${invalidCosigners.join(', ')}`);
  }
  if (!policySatisfiedBy(policy, new Set(cosigners.map((c) => c.name)))) {
    problems.push(`quorum ${policy.quorum} not met (${cosigners.length} valid cosignature${cosigners.length === 1 ? '' : 's'}, ${policy.threshold} needed)`);
  }
  return {
    logSignatureValid,
    checkpoint,
    cosigners,
    invalidCosigners,
    quorumMet: problems.length === 0,
    problem: problems.length === 0 ? null : problems.join('; '),
  };
}

/** The policy witnesses whose cosignatures of the note verify (with the timestamp of the first), and those with a
 * line that does not. */
function cosignersOf(policy, note) {
  const cosigners = [];
  const invalidCosigners = [];
  for (const w of policy.witnesses) {
    const lines = fromKey(note, w.key);
    if (lines.length === 0) continue;
    const checks = lines.map((s) => verifyCosignature(note.text, s, w.key));
    if (checks.every((c) => c.valid)) cosigners.push({ name: w.name, timestamp: Number(checks[0].timestamp) });
    else invalidCosigners.push(w.name);
  }
  return { cosigners, invalidCosigners };
}

// ---------------------------------------------------------------------------------------------------------------
// Fork evidence

/**
 * Parses fork evidence: {"format":"market-fork-evidence/1","logKey":vkey,"first":note,"second":note,
 * "leafHashes":[base64 of 32 bytes]} (the leaf hashes of the larger tree). { value: { logKey, first, second,
 * leafHashes } } (texts and byte arrays, unchecked) or { error }.
 */
export function parseForkEvidence(json) {
  let o;
  try {
    o = JSON.parse(json);
  } catch {
    return err('fork evidence is JSON');
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return err('fork evidence is a JSON object');
  if (o.format !== FORK_EVIDENCE_FORMAT) return err(`fork evidence has "format": "${FORK_EVIDENCE_FORMAT}"`);
  for (const name of ['logKey', 'first', 'second']) if (typeof o[name] !== 'string') return err(`"${name}" must be a string`);
  if (!Array.isArray(o.leafHashes)) return err('"leafHashes" must be an array of base64 strings');
  const leafHashes = o.leafHashes.map((h) => (typeof h === 'string' ? decodeBase64(h) : null));
  if (leafHashes.some((h) => h === null || h.length !== 32)) return err('every leaf hash is the base64 of 32 bytes');
  return ok({ logKey: o.logKey, first: o.first, second: o.second, leafHashes });
}

/** Fork evidence as JSON text. */
export function forkEvidenceJson(evidence) {
  return JSON.stringify({
    format: FORK_EVIDENCE_FORMAT,
    logKey: evidence.logKey,
    first: evidence.first,
    second: evidence.second,
    leafHashes: evidence.leafHashes.map(encodeBase64),
  });
}

/**
 * Verifies fork evidence trusting no one: both notes signed by the log key, checkpoints whose origin is the key's
 * name, that cannot both be true (equal sizes with different roots, and leaf hashes, if any, giving one of them; or
 * the larger tree's leaf hashes give its root but their prefix of the smaller size does not give the smaller root).
 * { valid, explanation } (a sentence for people), as ForkEvidence.Verify.
 */
export function verifyForkEvidence(evidence) {
  const no = (explanation) => ({ valid: false, explanation });
  const key = parseVerifierKey(evidence.logKey);
  if (key.error) return no(`The log key is not a verifier key: ${key.error}.`);
  if (key.value.type !== KEY_TYPE.ed25519) return no('The log key is not a note signature key (type 0x01).');
  const checkpoints = [];
  for (const [which, text] of [['first', evidence.first], ['second', evidence.second]]) {
    const note = parseSignedNote(text);
    if (note.error) return no(`The ${which} note is not a signed note: ${note.error}.`);
    if (verifyNoteBy(note.value, key.value) !== true) return no(`The ${which} note is not signed by the log key ${key.value.name}.`);
    const checkpoint = parseCheckpoint(note.value.text);
    if (checkpoint.error) return no(`The ${which} note is not a checkpoint: ${checkpoint.error}.`);
    if (checkpoint.value.origin !== key.value.name) {
      return no(`The ${which} checkpoint's origin ${checkpoint.value.origin} is not the log key's name ${key.value.name}.`);
    }
    checkpoints.push(checkpoint.value);
  }
  const [a, b] = checkpoints;
  const hashes = evidence.leafHashes;
  if (hashes.some((h) => !(h instanceof Uint8Array) || h.length !== 32)) return no('A leaf hash is not 32 bytes.');
  if (a.size === b.size) {
    if (equalBytes(a.root, b.root)) return no(`Both checkpoints are the same tree of size ${a.size}: no fork.`);
    // Leaf hashes are not needed here; given, they must be the tree of one of the two roots.
    if (hashes.length > 0 && (BigInt(hashes.length) !== a.size
      || !(equalBytes(rootOfLeafHashes(hashes), a.root) || equalBytes(rootOfLeafHashes(hashes), b.root)))) {
      return no('The leaf hashes do not give either checkpoint\'s root.');
    }
    return { valid: true, explanation: `The log ${a.origin} signed two different roots for the same size ${a.size}: it forked.` };
  }
  const [small, large] = a.size < b.size ? [a, b] : [b, a];
  if (BigInt(hashes.length) !== large.size) {
    return no(`The evidence must hold the ${large.size} leaf hashes of the larger tree; it holds ${hashes.length}.`);
  }
  if (!equalBytes(rootOfLeafHashes(hashes), large.root)) return no(`The leaf hashes do not give the root of the checkpoint of size ${large.size}.`);
  if (equalBytes(rootOfLeafHashes(hashes, Number(small.size)), small.root)) {
    return no(`The tree of size ${large.size} extends the tree of size ${small.size}: no fork.`);
  }
  return {
    valid: true,
    explanation: `The log ${a.origin} signed a tree of size ${large.size} whose first ${small.size} leaves do not give the root it signed for size ${small.size}: it forked (rewrote its history).`,
  };
}

/** Fork evidence for two notes signed by the log key, or null when they are not a fork. leafHashes are the larger
 * tree's. */
export function buildForkEvidence(logKey, first, second, leafHashes) {
  const evidence = { logKey: logKey.vkey, first: encodeSignedNote(first), second: encodeSignedNote(second), leafHashes };
  return verifyForkEvidence(evidence).valid ? evidence : null;
}
