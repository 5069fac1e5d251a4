import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidInputError } from '@confide/core';
import { afterEach, describe, expect, it } from 'vitest';
import { HubCache } from './hub-cache.js';

const repo = { type: 'dataset' as const, name: 'o/n' };
const commit = 'b'.repeat(40);
let root: string | undefined;

afterEach(() => {
  if (root !== undefined) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

describe('hub cache', () => {
  it('round-trips refs and listings', () => {
    root = mkdtempSync(join(tmpdir(), 'hub-cache-'));
    const cache = new HubCache(root, 'https://huggingface.co');
    expect(cache.readRef(repo, 'refs/pr/1')).toBeUndefined();
    cache.writeRef(repo, 'refs/pr/1', commit);
    expect(cache.readRef(repo, 'refs/pr/1')!.commit).toBe(commit);
    const listing = { repo: 'o/n', type: 'dataset' as const, commit, hubUrl: 'https://huggingface.co', listedAt: 'now', files: [{ path: 'a.jsonl', size: 3, gitOid: 'c'.repeat(40) }] };
    cache.writeListing(repo, listing);
    expect(cache.readListing(repo, commit)).toEqual(listing);
    expect(cache.hasFile(repo, commit, listing.files[0]!)).toBe(false);
  });

  it('names the cache file and key when a cached listing is damaged', () => {
    root = mkdtempSync(join(tmpdir(), 'hub-cache-'));
    const cache = new HubCache(root, 'https://huggingface.co');
    cache.writeRef(repo, 'main', commit);
    const file = join(cache.repoFolder(repo), 'refs', 'main.json');
    writeFileSync(file, '{"commit": "short", "resolvedAt": "x"}');
    expect(() => cache.readRef(repo, 'main')).toThrow(InvalidInputError);
    expect(() => cache.readRef(repo, 'main')).toThrow(`${file}, field "commit"`);
  });

  it('removes downloads left by processes that are gone, and keeps those of running ones', () => {
    root = mkdtempSync(join(tmpdir(), 'hub-cache-'));
    const cache = new HubCache(root, 'https://huggingface.co');
    const folder = cache.ensureTemporaryFolder(repo);
    const finished = spawnSync(process.execPath, ['-e', '']).pid!;
    writeFileSync(join(folder, `${finished}-dead.part`), 'half');
    writeFileSync(join(folder, `${process.pid}-mine.part`), 'in progress');
    writeFileSync(join(folder, 'stray.part'), 'no pid');
    cache.removeStaleDownloads(repo);
    expect(readdirSync(folder)).toEqual([`${process.pid}-mine.part`]);
  });
});
