// Standard base64 (RFC 4648 §4, with padding), as signed notes, checkpoints and witness policies use it. Decoding is
// strict: the alphabet, the padding, the length (no whitespace, no missing "=") and zero unused bits in the last
// symbol, so that bytes have exactly one text (as Market.Ledger's notes require: the text must re-encode to itself).

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i;

/** Standard base64 of the bytes, padded. */
export function encodeBase64(bytes) {
  let out = '';
  let i = 0;
  for (; i + 3 <= bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63] + ALPHABET[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + '==';
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63] + '=';
  }
  return out;
}

/** Decodes canonical padded standard base64 ("" is no bytes), or returns null for anything else. */
export function decodeBase64(text) {
  if (typeof text !== 'string' || text.length % 4 !== 0) return null;
  let padding = 0;
  if (text.endsWith('==')) padding = 2;
  else if (text.endsWith('=')) padding = 1;
  const out = new Uint8Array((text.length / 4) * 3 - padding);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const last = i + 4 === text.length;
    const symbols = last ? 4 - padding : 4;
    let n = 0;
    for (let j = 0; j < 4; j++) {
      let v = 0;
      if (j < symbols) {
        const c = text.charCodeAt(i + j);
        v = c < 128 ? VALUE[c] : -1;
        if (v < 0) return null;
      }
      n = (n << 6) | v;
    }
    if (last && ((symbols === 2 && (n & 0xffff) !== 0) || (symbols === 3 && (n & 0xff) !== 0))) return null;
    out[o++] = (n >> 16) & 255;
    if (symbols > 2) out[o++] = (n >> 8) & 255;
    if (symbols > 3) out[o++] = n & 255;
  }
  return out;
}
