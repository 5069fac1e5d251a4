import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testFilesFor } from './test.js';

describe('testFilesFor', () => {
  const folder = mkdtempSync(join(tmpdir(), 'confide-test-files-'));
  for (const file of ['a.ts', 'a.test.ts', 'b.js', 'sub/c.test.mjs', 'node_modules/x/d.test.js', '.hidden/e.test.ts', 'notes.md', 'docs/readme.md']) {
    mkdirSync(join(folder, file, '..'), { recursive: true });
    writeFileSync(join(folder, file), '');
  }

  it('takes a test file, a plugin module (its test beside it) or a folder (every test file in it); nothing named: the current folder', () => {
    expect(testFilesFor(['a.test.ts'], folder)).toEqual([join(folder, 'a.test.ts')]);
    expect(testFilesFor(['a.ts', 'a.test.ts'], folder)).toEqual([join(folder, 'a.test.ts')]);
    expect(testFilesFor([], folder)).toEqual([join(folder, 'a.test.ts'), join(folder, 'sub', 'c.test.mjs')]);
    expect(testFilesFor(['sub'], folder)).toEqual([join(folder, 'sub', 'c.test.mjs')]);
  });

  it('refuses what it cannot run, naming it', () => {
    expect(() => testFilesFor(['missing.test.ts'], folder)).toThrow(/test: missing\.test\.ts does not exist/);
    expect(() => testFilesFor(['b.js'], folder)).toThrow(/test: b\.js is not a test file \(\*\.test\.ts\) and has no b\.test\.js beside it/);
    expect(() => testFilesFor(['notes.md'], folder)).toThrow(/notes\.md is not a test file/);
    expect(() => testFilesFor(['docs'], folder)).toThrow(/test: no test files \(\*\.test\.ts, \*\.test\.js\) in docs/);
  });
});
