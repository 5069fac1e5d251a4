import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quantiseTokenLogprobs, SEED_PRICES_2025_11, summariseTokenConfidence, type QuantisedLogprobs } from '@confide/core';
import { testRunRecord } from '@confide/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { LogprobsSidecarWriter } from './logprobs-sidecar-writer.js';
import { LOGPROBS_FOLDER, logprobsIndexPath, readEntryLogprobs, readLogprobsSidecar, withTokenConfidence, writeLogprobsSidecar } from './logprobs-sidecar.js';
import { readRunDirectory, writeRunDirectory } from './run-directory.js';

const folders: string[] = [];
function temporaryFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'confide-logprobs-'));
  folders.push(folder);
  return folder;
}
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** An answer of `count` tokens with k = 3, its logprobs depending on `seed` (values exact in 1/1024 nat). */
function answer(seed: number, count: number): QuantisedLogprobs {
  return quantiseTokenLogprobs({
    k: 3,
    positions: Array.from({ length: count }, (_, position) => {
      const first = -((seed + position) % 7) / 64;
      return [first, first - 1 - (position % 3) / 4, first - 3 - seed / 8];
    }),
  });
}

function append(writer: LogprobsSidecarWriter, problemId: string, logprobs: QuantisedLogprobs) {
  return writer.append(problemId, 'm', logprobs, summariseTokenConfidence(logprobs, { groupWindow: 4, tailTokens: 3 }));
}

describe('the logprobs sidecar', () => {
  it('reads back what was appended, and a summary recomputed from the stored logprobs equals the one in the index', () => {
    const folder = join(temporaryFolder(), 'stage.logprobs');
    const writer = new LogprobsSidecarWriter(folder);
    expect(existsSync(folder)).toBe(false); // nothing until the first answer
    const answers = { p1: answer(1, 12), p2: answer(2, 0), p3: answer(3, 40) };
    for (const [problemId, logprobs] of Object.entries(answers)) append(writer, problemId, logprobs);
    writer.close();
    const sidecar = readLogprobsSidecar(folder)!;
    expect(sidecar.header).toEqual({ format: 'confide-logprobs', version: 1, tokens: 'tokens.bin', scale: 1024 });
    expect(sidecar.entries.map((entry) => [entry.problemId, entry.positions, entry.offset])).toEqual([
      ['p1', 12, 8],
      ['p2', 0, 8 + 12 * 3 * 2],
      ['p3', 40, 8 + 12 * 3 * 2],
    ]);
    expect(statSync(join(folder, 'tokens.bin')).size).toBe(8 + (12 + 40) * 3 * 2); // two bytes a logprob
    for (const entry of sidecar.entries) {
      const stored = readEntryLogprobs(sidecar, entry);
      expect(stored).toEqual(answers[entry.problemId as keyof typeof answers]);
      expect(summariseTokenConfidence(stored, { groupWindow: 4, tailTokens: 3 })).toEqual(entry.summary);
    }
  });

  it('resumes after a kill without the cut line, the unindexed tokens or the answers whose record never landed, and refuses a duplicate', () => {
    const folder = join(temporaryFolder(), 'stage.logprobs');
    const first = new LogprobsSidecarWriter(folder);
    append(first, 'p1', answer(1, 5));
    append(first, 'p2', answer(2, 6)); // its record never reached the stage log
    first.close();
    const keptEnd = 8 + 5 * 3 * 2;
    // killed mid-answer: logprobs of p3 written, its index line cut short
    appendFileSync(join(folder, 'tokens.bin'), Buffer.alloc(7 * 3 * 2, 1));
    appendFileSync(logprobsIndexPath(folder), '{"problemId":"p3","mod');

    const resumed = new LogprobsSidecarWriter(folder, (entry) => entry.problemId !== 'p2');
    expect([resumed.size, resumed.has('p1', 'm'), resumed.has('p2', 'm')]).toEqual([1, true, false]);
    expect(statSync(join(folder, 'tokens.bin')).size).toBe(keptEnd); // cut after p1: p2's logprobs and p3's unindexed ones go
    append(resumed, 'p2', answer(9, 4));
    append(resumed, 'p3', answer(3, 7));
    expect(() => append(resumed, 'p1', answer(1, 5))).toThrow(/index.jsonl, field "problemId": p1 \(model m\) is already in the logprobs sidecar/);
    resumed.close();
    const sidecar = readLogprobsSidecar(folder)!;
    expect(sidecar.entries.map((entry) => entry.problemId)).toEqual(['p1', 'p2', 'p3']);
    expect(readEntryLogprobs(sidecar, sidecar.entries[0]!)).toEqual(answer(1, 5));
    expect(readEntryLogprobs(sidecar, sidecar.entries[1]!)).toEqual(answer(9, 4));
    expect(readEntryLogprobs(sidecar, sidecar.entries[2]!)).toEqual(answer(3, 7));
    expect(sidecar.entries[0]!.offset + 5 * 3 * 2).toBe(keptEnd);
  });

  it('cuts the tokens file after the last answer kept', () => {
    const folder = join(temporaryFolder(), 'stage.logprobs');
    const first = new LogprobsSidecarWriter(folder);
    append(first, 'p1', answer(1, 5));
    append(first, 'p2', answer(2, 6));
    first.close();
    appendFileSync(join(folder, 'tokens.bin'), Buffer.alloc(10, 1)); // logprobs written, no index line
    new LogprobsSidecarWriter(folder, (entry) => entry.problemId === 'p1').close();
    expect(statSync(join(folder, 'tokens.bin')).size).toBe(8 + 5 * 3 * 2);
    expect(readLogprobsSidecar(folder)!.entries.map((entry) => entry.problemId)).toEqual(['p1']);
  });

  it('is written whole with only the answers given, compactly, and rewritten without a stale tokens file', () => {
    const stage = join(temporaryFolder(), 'stage.logprobs');
    const writer = new LogprobsSidecarWriter(stage);
    for (const [index, problemId] of ['p1', 'p2', 'p3'].entries()) append(writer, problemId, answer(index, 4 + index));
    writer.close();
    const source = readLogprobsSidecar(stage)!;
    const folder = join(temporaryFolder(), 'run', LOGPROBS_FOLDER);
    writeLogprobsSidecar(folder, [source.entries[2]!, source.entries[0]!].map((entry) => ({ source, entry })));
    const written = readLogprobsSidecar(folder)!;
    expect(written.header.tokens).toMatch(/^tokens-[0-9a-f]{16}\.bin$/);
    expect(written.entries.map((entry) => [entry.problemId, entry.offset])).toEqual([
      ['p3', 8],
      ['p1', 8 + 6 * 3 * 2],
    ]);
    expect(written.tokensBytes).toBe(8 + (6 + 4) * 3 * 2);
    expect(readEntryLogprobs(written, written.entries[1]!)).toEqual(answer(0, 4));
    writeLogprobsSidecar(folder, [{ source, entry: source.entries[1]! }]);
    expect(readdirSync(folder).sort()).toEqual(['index.jsonl', readLogprobsSidecar(folder)!.header.tokens].sort());
  });

  it('fails naming the file and the line for a bad header, a duplicate, logprobs past the end, or a foreign tokens file', () => {
    const folder = join(temporaryFolder(), 'logprobs');
    const writer = new LogprobsSidecarWriter(folder);
    append(writer, 'p1', answer(1, 5));
    writer.close();
    const index = logprobsIndexPath(folder);
    const [header, entry] = readFileSync(index, 'utf8').trim().split('\n') as [string, string];
    writeFileSync(index, `${entry}\n`);
    expect(() => readLogprobsSidecar(folder)).toThrow(/index.jsonl, row 1: the first line must be the header/);
    writeFileSync(index, `${header.replace('"version":1', '"version":2')}\n`);
    expect(() => readLogprobsSidecar(folder)).toThrow(/index.jsonl, row 1/);
    writeFileSync(index, `${header}\n${entry}\n${entry}\n`);
    expect(() => readLogprobsSidecar(folder)).toThrow(/index.jsonl, row 3, field "problemId": p1 \(model m\) is given twice/);
    writeFileSync(index, `${header}\n${entry.replace('"positions":5', '"positions":50').replace('"tokens":5', '"tokens":50')}\n`);
    expect(() => readLogprobsSidecar(folder)).toThrow(/index.jsonl, row 2, field "offset": p1's logprobs end past the end of tokens.bin \(38 bytes\)/);
    writeFileSync(index, `${header}\n${entry}\n`);
    writeFileSync(join(folder, 'tokens.bin'), 'not ours at all, long enough');
    expect(() => readLogprobsSidecar(folder)).toThrow(/tokens.bin: not a logprobs tokens file/);
    rmSync(join(folder, 'tokens.bin'));
    expect(() => readLogprobsSidecar(folder)).toThrow(/tokens.bin/);
  });

  it('gives each record of a run folder its summary when the run is read (the index wins), and leaves records it lacks alone', () => {
    const runFolder = join(temporaryFolder(), 'run');
    const records = ['p1', 'p2'].map((problemId) => testRunRecord({ runId: 'r', problemId, generation: { model: 'm' } }));
    const inline = summariseTokenConfidence(answer(7, 3));
    records[1] = { ...records[1]!, generation: { ...records[1]!.generation, tokenConfidence: inline } };
    writeRunDirectory(runFolder, {
      manifest: { runId: 'r', description: 'd', dataset: 'x', config: {}, plugins: [], git: { commit: null, dirty: null }, packageVersions: {}, priceTable: SEED_PRICES_2025_11, records: 2 },
      records,
      problems: null,
    });
    expect(readRunDirectory(runFolder).records.map((record) => record.generation.tokenConfidence)).toEqual([undefined, inline]);
    const stage = join(temporaryFolder(), 'stage.logprobs');
    const writer = new LogprobsSidecarWriter(stage);
    const entry = append(writer, 'p1', answer(1, 9));
    writer.close();
    const source = readLogprobsSidecar(stage)!;
    writeLogprobsSidecar(join(runFolder, LOGPROBS_FOLDER), [{ source, entry }]);
    const read = readRunDirectory(runFolder).records;
    expect(read[0]!.generation.tokenConfidence).toEqual(entry.summary);
    expect(read[1]!.generation.tokenConfidence).toEqual(inline);
    // another model's entry for the same problem is not this answer's
    const { tokenConfidence: _summary, ...generation } = read[0]!.generation;
    expect(withTokenConfidence([{ ...read[0]!, generation: { ...generation, model: 'other' } }], source)[0]!.generation.tokenConfidence).toBeUndefined();
  });
});
