// Reads the JSON Lines export (docs/ledger-format.md §10) line by line and feeds the chain verifier, so a ledger
// of any size is verified while it downloads. Malformed input is reported with its line number as MalformedExport,
// unless a block before it already failed (the first failure in file order wins, as in the C# VerifyExport).
// Household signatures are checked with WebCrypto (asynchronous): each block's checks start as soon as its line is
// read, and blocks are checked in order once theirs are done, up to `window` blocks behind the reader.
import { ChainVerifier, failure } from './chain.js';
import { parseObjectLine, JsonNumber, JsonString } from './json.js';
import { tryHexToBytes } from './hex.js';
import { HEADER_SIZE, KIND_NAMES } from './records.js';

const BLOCK_FIELDS = new Set(['type', 'height', 'kind', 'header', 'signature', 'leaves']);
const CHECKPOINT_FIELDS = new Set(['type', 'size', 'root', 'time', 'keyId', 'signature']);

class FormatError extends Error {}

const fail = (message) => {
  throw new FormatError(message);
};

function str(map, name) {
  const v = map.get(name);
  if (v === undefined) return undefined;
  return v instanceof JsonString ? v.value : fail(`"${name}" must be a string`);
}

function int(map, name, nonNegative) {
  const v = map.get(name);
  if (v === undefined) return undefined;
  const n = v instanceof JsonNumber ? v.toInt64() : null;
  if (n === null || (nonNegative && n < 0n)) fail(`"${name}" must be ${nonNegative ? 'a non-negative integer' : 'an integer'}`);
  return n;
}

function hex(value, what) {
  if (!(value instanceof JsonString) || value.escaped) fail(`${what} must be a hex string`);
  if (value.value.length % 2 === 1) fail(`${what}: odd number of hex digits`);
  return tryHexToBytes(value.value) ?? fail(`${what}: not hex`);
}

function field(map, name) {
  const v = map.get(name);
  return v === undefined ? undefined : hex(v, `"${name}"`);
}

function only(map, allowed, type) {
  for (const name of map.keys()) if (!allowed.has(name)) fail(`field "${name}" is not allowed on a ${type} line`);
}

function required(value, name) {
  return value === undefined ? fail(`missing field "${name}"`) : value;
}

function parseFormatLine(map) {
  for (const name of map.keys()) if (name !== 'format' && name !== 'version') fail(`unexpected field "${name}" in the format line`);
  if (str(map, 'format') !== 'market-ledger-export') fail('not a ledger export: "format" must be "market-ledger-export"');
  const version = int(map, 'version', false);
  if (version === undefined) fail('missing "version"');
  if (version !== 1n) fail(`unsupported export version ${version}`);
}

function parseBlock(map) {
  const type = str(map, 'type');
  if (type !== 'block') fail(type === undefined ? 'missing "type"' : `unknown line type "${type}" (expected block or checkpoint)`);
  only(map, BLOCK_FIELDS, 'block');
  const header = required(field(map, 'header'), 'header');
  const signature = required(field(map, 'signature'), 'signature');
  const height = required(int(map, 'height', true), 'height');
  const kind = required(str(map, 'kind'), 'kind');
  const leavesValue = required(map.get('leaves'), 'leaves');
  if (!Array.isArray(leavesValue)) fail('"leaves" must be an array of hex strings');
  const leaves = leavesValue.map((leaf, i) => hex(leaf, `leaf ${i}`));
  if (header.length !== HEADER_SIZE) fail(`"header" must be ${HEADER_SIZE} bytes, got ${header.length}`);
  if (signature.length !== 64) fail(`"signature" must be 64 bytes, got ${signature.length}`);
  const headerHeight = new DataView(header.buffer, header.byteOffset, header.byteLength).getBigInt64(3);
  if (height !== headerHeight) fail('"height" does not match the header');
  if (KIND_NAMES[header[2]] === undefined || kind !== KIND_NAMES[header[2]]) {
    fail('"kind" does not match the header (keyEvent, orderBook, clearing, rules, reconciliation, household, witnessPolicy, network or gridLimits)');
  }
  return { header, signature, leaves };
}

function parseCheckpoint(map) {
  only(map, CHECKPOINT_FIELDS, 'checkpoint');
  const root = required(field(map, 'root'), 'root');
  const keyId = required(field(map, 'keyId'), 'keyId');
  const signature = required(field(map, 'signature'), 'signature');
  if (root.length !== 32 || keyId.length !== 32 || signature.length !== 64) {
    fail('"root" and "keyId" must be 32 bytes and "signature" 64 bytes');
  }
  const size = required(int(map, 'size', true), 'size');
  const time = required(int(map, 'time', false), 'time');
  return { size, root, keyId, signature, time };
}

/** How many blocks may wait for their signature checks behind the reader. */
const WINDOW = 64;

/** Feeds export lines to a ChainVerifier; `feed` returns (a promise of) false once nothing more needs reading. */
export class ExportVerifier {
  constructor({ window = WINDOW, ...options } = {}) {
    this.chain = new ChainVerifier(options);
    this.line = 0;
    this.checkpoint = null;
    this._formatError = null;
    this._stopped = false;
    this._queue = []; // blocks read but not yet checked: { block, ready, settled }
    this._window = window;
  }

  /** Checks the queued blocks whose signatures are done, in order; with `all`, waits for every one. Returns
   * (a promise of) whether reading should go on. */
  _drain(all) {
    while (this._queue.length > 0) {
      const head = this._queue[0];
      if (!head.settled) {
        if (!all && this._queue.length <= this._window) break;
        return head.ready.then(() => {
          head.settled = true;
          return this._drain(all);
        });
      }
      this._queue.shift();
      if (!this.chain.append(head.block)) {
        this._queue.length = 0;
        this._stopped = true;
      }
    }
    return !this._stopped;
  }

  /** One line without its '\n' (a trailing '\r' is dropped here). Returns a boolean or a promise of one. */
  feed(text) {
    if (this._stopped) return false;
    this.line++;
    const line = text.endsWith('\r') ? text.slice(0, -1) : text;
    try {
      if (this.checkpoint !== null) fail('nothing may follow the checkpoint line');
      const parsed = parseObjectLine(line);
      if (parsed.error) fail(parsed.error);
      const map = parsed.value;
      if (this.line === 1) {
        parseFormatLine(map);
      } else if (map.get('type') instanceof JsonString && map.get('type').value === 'checkpoint') {
        this.checkpoint = parseCheckpoint(map);
      } else {
        const block = parseBlock(map);
        const ready = this.chain.prepare(block);
        const entry = { block, ready, settled: ready === null };
        ready?.then(() => {
          entry.settled = true;
        });
        this._queue.push(entry);
      }
    } catch (e) {
      if (!(e instanceof FormatError)) throw e;
      this._formatError = `export line ${this.line}: ${e.message}`;
      this._stopped = true;
      return false;
    }
    return this._drain(false);
  }

  /** Stops with a format error on the next line (e.g. bytes that are not UTF-8). */
  malformed(message) {
    if (this._stopped) return;
    this._formatError = `export line ${this.line + 1}: ${message}`;
    this._stopped = true;
  }

  /** Blocks verified so far. */
  get blocks() {
    return this.chain.blockCount;
  }

  /** The outcome once the input has ended (or feeding stopped): checks the blocks still queued first. */
  async finish() {
    await this._drain(true);
    if (this.chain.failure !== null) return this.chain.result();
    if (this._formatError === null && this.line === 0) this._formatError = 'export line 1: empty file: expected the format line';
    if (this._formatError !== null) {
      this.chain.failure = failure('MalformedExport', null, this._formatError);
      return this.chain.result();
    }
    return this.chain.complete(this.checkpoint);
  }
}

/** Verifies a whole export held in a string (tests and small files). */
export async function verifyExportText(text, options = {}) {
  const started = now();
  const verifier = new ExportVerifier(options);
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (!(await verifier.feed(text.slice(start, end)))) break;
    start = end + 1;
  }
  return { ...(await verifier.finish()), elapsedMs: now() - started };
}

/**
 * Verifies an export while it streams in (a ReadableStream of UTF-8 bytes, e.g. a fetch body). Yields to the
 * browser every `sliceMs` so the page stays responsive, and calls onProgress(blocksDone) at each yield. An aborted
 * `signal` stops reading at the next yield (the result then covers what was read).
 */
export async function verifyExportStream(stream, { onProgress, sliceMs = 25, signal, ...options } = {}) {
  const started = now();
  const verifier = new ExportVerifier(options);
  const reader = stream.getReader();
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let pending = '';
  let sliceStart = now();
  let going = true;
  try {
    while (going) {
      const { value, done } = await reader.read();
      let text;
      try {
        text = done ? decoder.decode() : decoder.decode(value, { stream: true });
      } catch {
        verifier.malformed('the file is not UTF-8');
        going = false;
        break;
      }
      pending += text;
      let start = 0;
      for (;;) {
        const end = pending.indexOf('\n', start);
        if (end < 0) break;
        going = await verifier.feed(pending.slice(start, end));
        start = end + 1;
        if (!going) break;
        if (now() - sliceStart >= sliceMs) {
          onProgress?.(verifier.blocks);
          await yieldToBrowser();
          sliceStart = now();
          if (signal?.aborted) {
            going = false;
            break;
          }
        }
      }
      pending = pending.slice(start);
      if (done) {
        if (going && pending.length > 0) await verifier.feed(pending);
        break;
      }
    }
  } finally {
    if (!going) await reader.cancel().catch(() => {});
    else reader.releaseLock();
  }
  const result = await verifier.finish();
  onProgress?.(verifier.blocks);
  return { ...result, elapsedMs: now() - started };
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** Lets the browser paint and handle input and network events between slices of work: a message-channel task
 * (setTimeout is clamped to 4 ms or worse when nested, and scheduler.yield() continuations run ahead of other
 * tasks, which starves timers and the page's own WebSocket messages during a long run: measured). */
export function yieldToBrowser() {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
