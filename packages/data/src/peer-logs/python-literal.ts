/**
 * A Python literal as `repr()` writes one (what `ast.literal_eval` reads): dicts, lists, tuples, strings (single,
 * double or triple quoted, with `r`/`b`/`u` prefixes and the common escapes), ints, floats (`inf`, `nan` as written by
 * `repr`), True, False and None. It is parsed, never evaluated: anything else (a name, a call, an operator) is refused.
 * RouterArena writes `token_usage` and `evaluation_result` this way inside JSON strings.
 */
export type PythonValue = null | boolean | number | string | PythonValue[] | { [key: string]: PythonValue };

export class PythonLiteralError extends Error {
  constructor(
    readonly at: number,
    problem: string,
  ) {
    super(`not a Python literal at character ${at + 1}: ${problem}`);
    this.name = 'PythonLiteralError';
  }
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v', '0': '\0', '\n': '' };

class LiteralParser {
  #at = 0;

  constructor(readonly text: string) {}

  parseWhole(): PythonValue {
    const value = this.#value();
    this.#space();
    if (this.#at < this.text.length) this.#fail(`unexpected ${JSON.stringify(this.text.slice(this.#at, this.#at + 10))} after the value`);
    return value;
  }

  #fail(problem: string): never {
    throw new PythonLiteralError(this.#at, problem);
  }

  #space(): void {
    while (this.#at < this.text.length && /\s/.test(this.text[this.#at]!)) this.#at++;
  }

  #value(): PythonValue {
    this.#space();
    const char = this.text[this.#at];
    if (char === undefined) this.#fail('the text ends where a value should be');
    if (char === '{') return this.#dict();
    if (char === '[') return this.#sequence('[', ']');
    if (char === '(') return this.#sequence('(', ')');
    if (char === "'" || char === '"') return this.#string('');
    const prefix = /^([rRbBuU]{1,2})['"]/.exec(this.text.slice(this.#at, this.#at + 3));
    if (prefix) {
      this.#at += prefix[1]!.length;
      return this.#string(prefix[1]!.toLowerCase());
    }
    const number = /^[-+]?(?:inf|nan|(?:\d[\d_]*)?\.?\d[\d_]*(?:[eE][-+]?\d+)?)/.exec(this.text.slice(this.#at));
    if (number && number[0] !== '' && /\d|inf|nan/.test(number[0])) {
      this.#at += number[0].length;
      const written = number[0].replace(/_/g, '');
      if (/inf$/.test(written)) return written.startsWith('-') ? -Infinity : Infinity;
      if (/nan$/.test(written)) return Number.NaN;
      return Number(written);
    }
    const word = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(this.text.slice(this.#at));
    if (word) {
      const constants: Record<string, PythonValue> = { True: true, False: false, None: null };
      if (word[0] in constants) {
        this.#at += word[0].length;
        return constants[word[0]]!;
      }
      this.#fail(`"${word[0]}" is a name, not a literal (only True, False and None are read)`);
    }
    this.#fail(`unexpected ${JSON.stringify(char)}`);
  }

  #dict(): { [key: string]: PythonValue } {
    this.#at++; // {
    const dict: { [key: string]: PythonValue } = {};
    for (;;) {
      this.#space();
      if (this.text[this.#at] === '}') {
        this.#at++;
        return dict;
      }
      const key = this.#value();
      if (typeof key !== 'string' && typeof key !== 'number') this.#fail('a dict key must be a string or a number');
      this.#space();
      if (this.text[this.#at] !== ':') this.#fail('expected ":" after a dict key');
      this.#at++;
      dict[String(key)] = this.#value();
      this.#space();
      if (this.text[this.#at] === ',') this.#at++;
      else if (this.#at >= this.text.length) this.#fail('the text ends before the dict is closed');
      else if (this.text[this.#at] !== '}') this.#fail('expected "," or "}" in a dict');
    }
  }

  #sequence(open: string, close: string): PythonValue[] {
    this.#at++; // [ or (
    const items: PythonValue[] = [];
    for (;;) {
      this.#space();
      if (this.text[this.#at] === close) {
        this.#at++;
        return items;
      }
      items.push(this.#value());
      this.#space();
      if (this.text[this.#at] === ',') this.#at++;
      else if (this.#at >= this.text.length) this.#fail(`the text ends before ${open}…${close} is closed`);
      else if (this.text[this.#at] !== close) this.#fail(`expected "," or "${close}" after an item of ${open}…${close}`);
    }
  }

  #string(prefix: string): string {
    const raw = prefix.includes('r');
    const quote = this.text[this.#at]!;
    const triple = this.text.startsWith(quote.repeat(3), this.#at);
    const delimiter = triple ? quote.repeat(3) : quote;
    this.#at += delimiter.length;
    let value = '';
    for (;;) {
      if (this.#at >= this.text.length) this.#fail('a string is not closed');
      if (this.text.startsWith(delimiter, this.#at)) {
        this.#at += delimiter.length;
        return value;
      }
      const char = this.text[this.#at]!;
      if (char === '\n' && !triple) this.#fail('a line break inside a one-line string');
      if (char !== '\\') {
        value += char;
        this.#at++;
        continue;
      }
      const next = this.text[this.#at + 1];
      if (next === undefined) this.#fail('a string ends in a backslash');
      if (raw) {
        value += char + next;
        this.#at += 2;
        continue;
      }
      if (next in SIMPLE_ESCAPES) {
        value += SIMPLE_ESCAPES[next];
        this.#at += 2;
        continue;
      }
      const hex = next === 'x' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
      if (hex > 0) {
        const digits = this.text.slice(this.#at + 2, this.#at + 2 + hex);
        if (!new RegExp(`^[0-9a-fA-F]{${hex}}$`).test(digits)) this.#fail(`a \\${next} escape needs ${hex} hex digits`);
        value += String.fromCodePoint(parseInt(digits, 16));
        this.#at += 2 + hex;
        continue;
      }
      // Python keeps an unknown escape as written
      value += char + next;
      this.#at += 2;
    }
  }
}

/** Parses a Python literal (see the module comment); a PythonLiteralError names the character where it stops. */
export function parsePythonLiteral(text: string): PythonValue {
  return new LiteralParser(text).parseWhole();
}
