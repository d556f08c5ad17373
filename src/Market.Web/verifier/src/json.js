// A strict parser for one line of the export (RFC 8259 JSON). JSON.parse would do, except that it silently keeps
// the last of two equal keys, and the format forbids repeated fields; this parser reports them. It also keeps
// numbers as their source text, so 64-bit integers are never rounded, and remembers whether a string had escapes
// (hex fields must not). Returns { value } or { error }.

export class JsonLineError extends Error {}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const INTEGER = /^-?(?:0|[1-9][0-9]*)$/;

/** A JSON number kept as text. */
export class JsonNumber {
  constructor(text) {
    this.text = text;
  }

  /** The value as a BigInt when the text is an integer within i64, else null (1.0, 1e2 and overflow are not). */
  toInt64() {
    if (!INTEGER.test(this.text)) return null;
    const v = BigInt(this.text);
    return v >= -(1n << 63n) && v < 1n << 63n ? v : null;
  }
}

/** A JSON string; `escaped` tells whether its source had backslash escapes. */
export class JsonString {
  constructor(value, escaped) {
    this.value = value;
    this.escaped = escaped;
  }
}

/** Parses one line that must hold exactly one JSON object. Objects become Maps (insertion order kept). */
export function parseObjectLine(text) {
  const p = new Parser(text);
  try {
    p.skip();
    if (p.peek() !== 0x7b) throw new JsonLineError('expected a JSON object');
    const value = p.value(0);
    p.skip();
    if (p.pos !== text.length) throw new JsonLineError('expected the end of the object and of the line');
    return { value };
  } catch (e) {
    if (e instanceof JsonLineError) return { error: e.message };
    throw e;
  }
}

class Parser {
  constructor(text) {
    this.text = text;
    this.pos = 0;
  }

  peek() {
    return this.pos < this.text.length ? this.text.charCodeAt(this.pos) : -1;
  }

  skip() {
    while (this.pos < this.text.length && WS.has(this.text.charCodeAt(this.pos))) this.pos++;
  }

  expect(code, what) {
    this.skip();
    if (this.peek() !== code) throw new JsonLineError(`invalid JSON: expected ${what} at column ${this.pos + 1}`);
    this.pos++;
  }

  value(depth) {
    if (depth > 8) throw new JsonLineError('invalid JSON: nested too deeply');
    this.skip();
    const c = this.peek();
    if (c === 0x7b) return this.object(depth);
    if (c === 0x5b) return this.array(depth);
    if (c === 0x22) return this.string();
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      NUMBER.lastIndex = this.pos;
      const m = NUMBER.exec(this.text);
      if (m === null) throw new JsonLineError(`invalid JSON: bad number at column ${this.pos + 1}`);
      this.pos += m[0].length;
      return new JsonNumber(m[0]);
    }
    for (const [word, v] of [['true', true], ['false', false], ['null', null]]) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return v;
      }
    }
    throw new JsonLineError(c < 0 ? 'invalid JSON: unexpected end of line' : `invalid JSON: unexpected character at column ${this.pos + 1}`);
  }

  object(depth) {
    this.pos++; // {
    const map = new Map();
    this.skip();
    if (this.peek() === 0x7d) {
      this.pos++;
      return map;
    }
    for (;;) {
      this.skip();
      if (this.peek() !== 0x22) throw new JsonLineError(`invalid JSON: expected a property name at column ${this.pos + 1}`);
      const name = this.string().value;
      if (map.has(name)) throw new JsonLineError(`field "${name}" appears twice`);
      this.expect(0x3a, '":"');
      map.set(name, this.value(depth + 1));
      this.skip();
      const c = this.peek();
      this.pos++;
      if (c === 0x7d) return map;
      if (c !== 0x2c) throw new JsonLineError(`invalid JSON: expected "," or "}" at column ${this.pos}`);
    }
  }

  array(depth) {
    this.pos++; // [
    const items = [];
    this.skip();
    if (this.peek() === 0x5d) {
      this.pos++;
      return items;
    }
    for (;;) {
      items.push(this.value(depth + 1));
      this.skip();
      const c = this.peek();
      this.pos++;
      if (c === 0x5d) return items;
      if (c !== 0x2c) throw new JsonLineError(`invalid JSON: expected "," or "]" at column ${this.pos}`);
    }
  }

  string() {
    const text = this.text;
    const start = ++this.pos; // opening quote
    const close = text.indexOf('"', start);
    if (close < 0) throw new JsonLineError('invalid JSON: unterminated string');
    const backslash = text.indexOf('\\', start);
    if (backslash < 0 || backslash > close) {
      for (let i = start; i < close; i++) {
        if (text.charCodeAt(i) < 0x20) throw new JsonLineError('invalid JSON: control character in a string');
      }
      this.pos = close + 1;
      return new JsonString(text.slice(start, close), false);
    }
    let out = '';
    let i = start;
    for (;;) {
      if (i >= text.length) throw new JsonLineError('invalid JSON: unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) break;
      if (c < 0x20) throw new JsonLineError('invalid JSON: control character in a string');
      if (c !== 0x5c) {
        out += text[i++];
        continue;
      }
      const e = text[i + 1];
      const simple = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' }[e];
      if (simple !== undefined) {
        out += simple;
        i += 2;
      } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
        out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
        i += 6;
      } else {
        throw new JsonLineError('invalid JSON: bad escape in a string');
      }
    }
    this.pos = i + 1;
    return new JsonString(out, true);
  }
}
