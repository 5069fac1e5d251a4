import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { StageLog } from './stage-log.js';

const Item = z.strictObject({ id: z.string(), n: z.number() });

function logIn(): StageLog<typeof Item> {
  return new StageLog(join(mkdtempSync(join(tmpdir(), 'confide-stage-log-')), 'stages', 'small.jsonl'), Item);
}

describe('StageLog', () => {
  it('reads back what was appended, a line at a time, across more than one read buffer', () => {
    const log = logIn();
    const items = Array.from({ length: 3000 }, (_, index) => ({ id: `p${index}`, n: index }));
    // lines of ~1 kB, so the 3 MB log spans several read buffers and lines straddle their edges
    const padded = items.map((item) => ({ ...item, id: `${item.id}-${'x'.repeat(1000 + (item.n % 7))}` }));
    for (const item of padded) log.append(item);
    log.close();
    expect(log.read()).toEqual(padded);
  });

  it('drops a half-written last line and cuts it off the file, so appending resumes on a whole line', () => {
    const log = logIn();
    log.append({ id: 'a', n: 1 });
    log.append({ id: 'b', n: 2 });
    log.close();
    appendFileSync(log.path, '{"id": "c", "n"');
    expect(log.read()).toEqual([{ id: 'a', n: 1 }, { id: 'b', n: 2 }]);
    expect(readFileSync(log.path, 'utf8')).toBe('{"id":"a","n":1}\n{"id":"b","n":2}\n');
    log.append({ id: 'c', n: 3 });
    log.close();
    expect(log.read().map((item) => item.id)).toEqual(['a', 'b', 'c']);
  });

  it('a bad line in the middle fails naming the log and the line, and leaves the file as it was', () => {
    const log = logIn();
    log.append({ id: 'a', n: 1 });
    log.close();
    appendFileSync(log.path, '{"id": "b", "n": "two"}\n{"id": "c", "n": 3}\n{"id": "d"');
    const before = readFileSync(log.path, 'utf8');
    expect(() => log.read()).toThrow(/small\.jsonl, row 2, field "n"/);
    expect(readFileSync(log.path, 'utf8')).toBe(before);
  });

  it('a log not yet written reads as empty', () => {
    expect(logIn().read()).toEqual([]);
  });
});
