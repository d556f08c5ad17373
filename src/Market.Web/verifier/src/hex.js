// Hex <-> bytes. Decoding is strict (even length, hex digits only, either case) because the export format
// requires it; a bad string is reported as a malformed export, never silently skipped.

const NIBBLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i;
for (let i = 0; i < 6; i++) {
  NIBBLE[65 + i] = 10 + i;
  NIBBLE[97 + i] = 10 + i;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Decodes hex into bytes, or returns null when the text is not an even number of hex digits. */
export function tryHexToBytes(text) {
  if (typeof text !== 'string' || (text.length & 1) !== 0) return null;
  const out = new Uint8Array(text.length >> 1);
  for (let i = 0, j = 0; i < text.length; i += 2, j++) {
    const a = text.charCodeAt(i);
    const b = text.charCodeAt(i + 1);
    const hi = a < 128 ? NIBBLE[a] : -1;
    const lo = b < 128 ? NIBBLE[b] : -1;
    if ((hi | lo) < 0) return null;
    out[j] = (hi << 4) | lo;
  }
  return out;
}

/** Decodes hex into bytes; throws on anything else. */
export function hexToBytes(text) {
  const bytes = tryHexToBytes(text);
  if (bytes === null) throw new TypeError('not an even-length hex string');
  return bytes;
}

/** Lower-case hex of the bytes. */
export function bytesToHex(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]];
  return s;
}

/** Whether two byte arrays hold the same bytes. */
export function equalBytes(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/** Unsigned big-endian integer of the bytes (any length). */
export function bytesToBigInt(bytes) {
  return bytes.length === 0 ? 0n : BigInt('0x' + bytesToHex(bytes));
}
