import { describe, expect, it } from 'vitest';
import { progressLineWriter } from './hub-progress.js';

describe('progressLineWriter', () => {
  it('writes a download at its start and end, and in between at most once per interval', () => {
    const lines: string[] = [];
    let time = 0;
    const listener = progressLineWriter((line) => lines.push(line), 1000, () => time);
    const download = (bytes: number) => listener({ kind: 'download', repo: 'o/n', path: 'train.parquet', bytes, totalBytes: 4 * 1024 * 1024 });
    download(0);
    for (let step = 1; step < 40; step++) {
      time += 100;
      download(step * 100 * 1024);
    }
    download(4 * 1024 * 1024);
    expect(lines).toEqual([
      'hub: downloading train.parquet 0% (0 B of 4.0 MiB)',
      'hub: downloading train.parquet 24% (1000.0 KiB of 4.0 MiB)',
      'hub: downloading train.parquet 48% (2.0 MiB of 4.0 MiB)',
      'hub: downloading train.parquet 73% (2.9 MiB of 4.0 MiB)',
      'hub: downloading train.parquet 100% (4.0 MiB of 4.0 MiB)',
    ]);
  });

  it('says where a revision resolved from and which files came from the cache', () => {
    const lines: string[] = [];
    const listener = progressLineWriter((line) => lines.push(line));
    listener({ kind: 'resolve', repo: 'o/n', revision: 'main', commit: 'c'.repeat(40), cached: true });
    listener({ kind: 'cached', repo: 'o/n', path: 'test.jsonl', totalBytes: 2048 });
    expect(lines).toEqual([`hub: o/n@main is commit ${'c'.repeat(40)} (cached ref; --refresh asks the hub again)`, 'hub: test.jsonl (2.0 KiB) from cache']);
  });
});
