import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileSystemError } from '@confide/core';
import { describe, expect, it } from 'vitest';
import { ResponseCache } from './response-cache.js';

/** The error opening a cache at `path` throws (it must throw). */
function openError(path: string): FileSystemError {
  try {
    new ResponseCache(path).close();
  } catch (error) {
    return error as FileSystemError;
  }
  throw new Error('expected the cache not to open');
}

describe('a response cache that cannot be opened', () => {
  const folder = mkdtempSync(join(tmpdir(), 'confide-cache-'));

  it('names the cache path and says why in plain words (not SQLite\'s bare "unable to open database file")', () => {
    const path = join(folder, 'a-folder.sqlite');
    mkdirSync(path);
    const error = openError(path);
    expect(error.code).toBe('IO_ERROR');
    expect(error.message).toMatch(new RegExp(`^${path}: cannot open the response cache .*--no-cache$`));
  });

  it('a file that is not a database', () => {
    const path = join(folder, 'notes.sqlite');
    writeFileSync(path, 'these are my notes, not a database '.repeat(100));
    expect(openError(path).message).toBe(`${path}: is not a response cache (not an SQLite database); pass --cache <file> or --no-cache`);
  });

  it('a file where its folder should be', () => {
    const file = join(folder, 'plain-file');
    writeFileSync(file, 'x');
    expect(openError(join(file, 'responses.sqlite')).message).toBe(`${join(file, 'responses.sqlite')}: ${file} is a file, not a folder`);
  });
});
