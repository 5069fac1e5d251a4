import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { FileSystemError } from '@confide/core';
import { afterEach, describe, expect, it } from 'vitest';
import { assertFolderWritable, makeFolder, setFileSystemFaultForTests, writeFileAtomic } from './atomic-write.js';
import { readJsonLines, readTextFile, writeJsonLines } from './json-lines.js';
import { z } from 'zod';

afterEach(() => setFileSystemFaultForTests(undefined));

/** The error `action` throws (it must throw). */
function thrown(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('writeFileAtomic: the one file-writing seam', () => {
  const folder = mkdtempSync(join(tmpdir(), 'confide-atomic-'));

  it.each(['EACCES', 'EPERM'] as const)('an injected %s names the file the caller meant, never the .tmp beside it, and leaves nothing', (code) => {
    const target = join(folder, `read-only-${code}`, 'summary.json');
    makeFolder(join(folder, `read-only-${code}`));
    setFileSystemFaultForTests({ code, under: join(folder, `read-only-${code}`) });
    const error = thrown(() => writeFileAtomic(target, '{}'));
    expect(error).toBeInstanceOf(FileSystemError);
    expect((error as FileSystemError).code).toBe('IO_ERROR');
    expect(error.message).toBe(`${target}: ${code === 'EACCES' ? 'permission denied' : 'permission denied (operation not permitted)'}`);
    expect(error.message).not.toMatch(/\.tmp/);
    expect(readdirSync(join(folder, `read-only-${code}`))).toEqual([]);
  });

  it('ENOSPC (writing to /dev/full) says there is no space left, naming the path; the device is written, not renamed over', () => {
    const error = thrown(() => writeJsonLines('/dev/full', [{ id: 1 }]));
    expect(error.message).toBe('/dev/full: no space left on device');
    expect((error as FileSystemError).code).toBe('IO_ERROR');
  });

  it('a file where a folder should be: "is a file, not a folder" (EEXIST), naming the path', () => {
    const file = join(folder, 'a-file');
    writeFileSync(file, 'x');
    expect(thrown(() => makeFolder(file)).message).toBe(`${file}: is a file, not a folder`);
    expect(thrown(() => writeFileAtomic(join(file, 'inner', 'report.md'), 'x')).message).toBe(`${join(file, 'inner', 'report.md')}: ${file} is a file, not a folder`);
  });

  it('assertFolderWritable refuses a file and an unwritable folder, before anything is written (OUTPUT_REFUSED)', () => {
    const file = join(folder, 'b-file');
    writeFileSync(file, 'x');
    const onFile = thrown(() => assertFolderWritable(file)) as FileSystemError;
    expect([onFile.code, onFile.message]).toEqual(['OUTPUT_REFUSED', `${file}: is a file, not a folder`]);
    expect(thrown(() => assertFolderWritable(join(file, 'out'))).message).toBe(`${join(file, 'out')}: ${file} is a file, not a folder`);
    setFileSystemFaultForTests({ code: 'EACCES', under: folder });
    const readOnly = thrown(() => assertFolderWritable(join(folder, 'new', 'report'))) as FileSystemError;
    expect([readOnly.code, readOnly.message]).toEqual(['OUTPUT_REFUSED', `${join(folder, 'new', 'report')}: not writable: permission denied (in ${folder})`]);
  });
});

describe('reading gzip', () => {
  const folder = mkdtempSync(join(tmpdir(), 'confide-gzip-'));
  const whole = gzipSync(`${JSON.stringify({ id: 'a' })}\n`.repeat(200));

  it('a truncated gzip file names the file and says it is truncated (not a bare "unexpected end of file")', () => {
    const path = join(folder, 'records.jsonl.gz');
    writeFileSync(path, whole.subarray(0, whole.length - 20));
    const error = thrown(() => readJsonLines(path, z.object({ id: z.string() })));
    expect(error.message).toBe(`${path}: file is truncated (the gzip data ends early)`);
    expect((error as FileSystemError).code).toBe('IO_ERROR');
  });

  it('a file that is not gzip names the file', () => {
    const path = join(folder, 'plain.jsonl.gz');
    writeFileSync(path, '{"id":"a"}\n');
    expect(thrown(() => readTextFile(path)).message).toBe(`${path}: file is corrupt or not gzip`);
  });

  it('a missing file is NOT_FOUND naming it', () => {
    const error = thrown(() => readTextFile(join(folder, 'nope.jsonl'))) as FileSystemError;
    expect([error.code, error.message]).toEqual(['NOT_FOUND', `${join(folder, 'nope.jsonl')}: no such file or folder`]);
  });
});
