import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfideError } from '@confide/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readConfigFile, readJsonFile } from './json-file.js';

const folder = mkdtempSync(join(tmpdir(), 'json-file-'));
let count = 0;
function file(text: string): string {
  const path = join(folder, `file-${++count}.json`);
  writeFileSync(path, text);
  return path;
}

const Config = z.strictObject({
  name: z.string(),
  bootstrap: z.strictObject({ resamples: z.number().default(1000), seed: z.number().default(0) }),
  calibrationBins: z.number().default(10),
});

describe('JSON syntax errors name the file, line and column', () => {
  it.each([
    ['a trailing comma in an object', '{\n  "name": "x",\n  }', 3, 3, /Expected double-quoted property name/],
    ['a misspelt literal', '{\n  "name": tru}', 2, 14, /Unexpected token '\}'/],
    ['a trailing comma in an array', '{\n  "values": [1, 2,]\n}', 2, 19, /Unexpected token '\]'/],
    ['a missing comma', '{\n  "a": 1\n  "b": 2\n}', 3, 3, /Expected ',' or '\}' after property value/],
    ['a file cut short', '{\n  "a": [1,', 2, 11, /Unexpected end of JSON input/],
  ])('%s', (_name, text, line, column, reason) => {
    const path = file(text);
    let message = '';
    try {
      readConfigFile(path, z.unknown());
    } catch (error) {
      expect(ConfideError.isInstance(error) && error.code).toBe('INVALID_CONFIG');
      message = (error as Error).message;
    }
    expect(message.startsWith(`${path}:${line}:${column}: not valid JSON (`)).toBe(true);
    expect(message).toMatch(reason);
    // V8's echo of the text is left out
    expect(message).not.toMatch(/is not valid JSON$/);
    expect(() => readJsonFile(path, z.unknown())).toThrow(`${path}:${line}:${column}: not valid JSON`);
  });
});

describe('unknown and missing keys say what was meant', () => {
  it('names the typo of a required key and the key it misses', () => {
    const path = file(JSON.stringify({ name: 'x', bootsrap: {} }));
    expect(() => readConfigFile(path, Config)).toThrow(`${path}: key "bootsrap": unknown key; did you mean "bootstrap"? (the required key "bootstrap" is missing)`);
  });

  it('suggests the closest key the schema accepts for an unknown optional key, at any depth', () => {
    expect(() => readConfigFile(file(JSON.stringify({ name: 'x', bootstrap: {}, calibraionBins: 5 })), Config)).toThrow(
      /key "calibraionBins": unknown key; did you mean "calibrationBins"\?/,
    );
    expect(() => readConfigFile(file(JSON.stringify({ name: 'x', bootstrap: { sede: 1 } })), Config)).toThrow(/key "bootstrap.sede": unknown key; did you mean "seed"\?/);
  });

  it('says a required key is missing in plain words', () => {
    expect(() => readConfigFile(file(JSON.stringify({ bootstrap: {} })), Config)).toThrow(/key "name": missing: a required key \(expected string\)/);
  });

  it('lists the known keys when none is close', () => {
    expect(() => readConfigFile(file(JSON.stringify({ name: 'x', bootstrap: { zzzzzzzzzzzzzz: 1 } })), Config)).toThrow(
      /key "bootstrap.zzzzzzzzzzzzzz": unknown key \(known keys: resamples, seed\)/,
    );
  });
});

describe('a wrong item of a list names the entry it belongs to and the value', () => {
  it('a sweep value that is not a number: its index, its router entry id, and what it holds', () => {
    const Sweeps = z.strictObject({
      routers: z.array(z.strictObject({ id: z.string(), sweep: z.strictObject({ values: z.union([z.literal('distinct'), z.array(z.number())]) }) })),
    });
    const path = file(JSON.stringify({ routers: [{ id: 'token', sweep: { values: 'distinct' } }, { id: 'random', sweep: { values: [0.1, 'half'] } }] }));
    expect(() => readConfigFile(path, Sweeps)).toThrow(`${path}: key "routers.1.sweep.values.1" (router entry "random"): Invalid input: expected number, received string; got "half"`);
  });
});
