import { InvalidInputError } from '@confide/core';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** The keys of a top-level object whose array holds the rows, in order of preference. */
const ROW_KEYS = ['results', 'data'];

export const JSON_TABLE_SHAPES = 'expected an array of rows, {"summary", "results": [...]} or {"data": [...]}';

/** A value being cut out of the bytes: where it started in the current chunk, the pieces of earlier chunks. */
interface Capture {
  kind: 'row' | 'summary' | 'key';
  /** The nesting depth of the container the value sits in: a delimiter at this depth ends it. */
  depth: number;
  start: number;
  parts: Buffer[];
}

/**
 * Cuts the rows out of a JSON table file a piece at a time, without holding its text: the file is an array of rows, or
 * an object whose `results` (the seed's `{summary, results}`) or `data` is one, its `summary` kept. Each row's text is
 * parsed on its own (JSON.parse), so a row is the largest string made. A top-level object holding both a `results` and
 * a `data` array is refused (which are the rows?). Values other than the rows and the summary are skipped, not parsed.
 */
export class JsonTableScanner {
  #depth = 0;
  #inString = false;
  #escaped = false;
  #top: 'array' | 'object' | undefined;
  #ended = false;
  /** At depth 1 of a top-level object: what comes next. */
  #objectState: 'key' | 'colon' | 'value' | 'after-value' = 'key';
  #key: string | undefined;
  #keys = 0;
  /** The depth inside the rows array while it is open (1 for a top-level array, 2 for `results`/`data`). */
  #rowsDepth: number | undefined;
  #rowsKey: string | undefined;
  #sawRows = false;
  #expectingRow = false;
  #capture: Capture | undefined;
  #rows = 0;
  summary: Record<string, unknown> | undefined;

  constructor(
    readonly file: string,
    private readonly onRow: (value: unknown, rowNumber: number) => void,
  ) {}

  #fail(problem: string, row?: number): never {
    throw new InvalidInputError({ file: this.file, ...(row !== undefined ? { row } : {}), problem });
  }

  #finishCapture(chunk: Buffer, end: number): void {
    const capture = this.#capture!;
    this.#capture = undefined;
    const bytes = chunk.subarray(capture.start, end);
    const text = capture.parts.length === 0 ? bytes.toString('utf8') : Buffer.concat([...capture.parts, bytes]).toString('utf8');
    if (capture.kind === 'key') {
      this.#key = JSON.parse(`"${text}"`) as string;
      return;
    }
    const row = capture.kind === 'row' ? ++this.#rows : undefined;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      this.#fail(`not valid JSON (${(error as Error).message})`, row);
    }
    if (capture.kind === 'row') this.onRow(value, row!);
    else if (value !== null && typeof value === 'object' && !Array.isArray(value)) this.summary = value as Record<string, unknown>;
  }

  push(chunk: Buffer): void {
    for (let index = 0; index < chunk.length; index++) {
      const byte = chunk[index]!;
      if (this.#inString) {
        if (this.#escaped) this.#escaped = false;
        else if (byte === BACKSLASH) this.#escaped = true;
        else if (byte === QUOTE) {
          this.#inString = false;
          if (this.#capture?.kind === 'key') this.#finishCapture(chunk, index);
        }
        continue;
      }
      if (isWhitespace(byte)) continue;
      if (this.#ended) this.#fail('not valid JSON (text after the end of its value)');
      if (this.#capture !== undefined && this.#depth === this.#capture.depth && (byte === COMMA || byte === CLOSE_BRACE || byte === CLOSE_BRACKET)) {
        this.#finishCapture(chunk, index);
      }
      if (this.#depth === 0) {
        // a byte-order mark before the value
        if (index <= 2 && (byte === 0xef || byte === 0xbb || byte === 0xbf)) continue;
        if (byte === OPEN_BRACKET) {
          this.#top = 'array';
          this.#rowsDepth = 1;
          this.#sawRows = true;
          this.#expectingRow = true;
        } else if (byte === OPEN_BRACE) this.#top = 'object';
        else this.#fail(JSON_TABLE_SHAPES);
        this.#depth = 1;
        continue;
      }
      if (this.#top === 'object' && this.#depth === 1) {
        if (this.#objectState === 'key') {
          if (byte === QUOTE) {
            this.#inString = true;
            this.#capture = { kind: 'key', depth: 1, start: index + 1, parts: [] };
            this.#objectState = 'colon';
            this.#keys++;
            continue;
          }
          if (byte === CLOSE_BRACE && this.#keys === 0) {
            this.#depth = 0;
            this.#ended = true;
            continue;
          }
          this.#fail('not valid JSON (expected a key)');
        }
        if (this.#objectState === 'colon') {
          if (byte !== COLON) this.#fail(`not valid JSON (expected ":" after the key ${JSON.stringify(this.#key)})`);
          this.#objectState = 'value';
          continue;
        }
        if (this.#objectState === 'value') {
          this.#objectState = 'after-value';
          if (ROW_KEYS.includes(this.#key!) && byte === OPEN_BRACKET) {
            if (this.#rowsKey !== undefined) this.#fail(`holds both a "${this.#rowsKey}" and a "${this.#key}" array: which are the rows?`);
            this.#rowsKey = this.#key;
            this.#sawRows = true;
            this.#rowsDepth = 2;
            this.#expectingRow = true;
            this.#depth = 2;
            continue;
          }
          if (this.#key === 'summary') this.#capture = { kind: 'summary', depth: 1, start: index, parts: [] };
        } else if (byte === COMMA) {
          this.#objectState = 'key';
          continue;
        } else if (byte === CLOSE_BRACE) {
          this.#depth = 0;
          this.#ended = true;
          continue;
        }
      } else if (this.#rowsDepth !== undefined && this.#depth === this.#rowsDepth && this.#capture === undefined) {
        if (byte === COMMA) {
          if (this.#expectingRow) this.#fail('not valid JSON (an empty row between commas)', this.#rows + 1);
          this.#expectingRow = true;
          continue;
        }
        if (byte === CLOSE_BRACKET) {
          if (this.#expectingRow && this.#rows > 0) this.#fail('not valid JSON (a comma before "]")', this.#rows + 1);
          this.#rowsDepth = undefined;
          this.#depth--;
          if (this.#depth === 0) this.#ended = true;
          continue;
        }
        // a row runs to the next delimiter at its depth: two rows without a comma are one bad row
        this.#expectingRow = false;
        this.#capture = { kind: 'row', depth: this.#rowsDepth, start: index, parts: [] };
      }
      if (byte === QUOTE) this.#inString = true;
      else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) this.#depth++;
      else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) this.#depth--;
    }
    if (this.#capture !== undefined) {
      this.#capture.parts.push(chunk.subarray(this.#capture.start));
      this.#capture.start = 0;
    }
  }

  /** Checks the file ended where its value does and held rows; gives how many rows it held. */
  end(): number {
    if (!this.#ended) this.#fail(this.#top === undefined ? 'not valid JSON (no value: the file is empty)' : 'not valid JSON (the file ends before its value does: cut short?)');
    if (!this.#sawRows) this.#fail(JSON_TABLE_SHAPES);
    return this.#rows;
  }
}
