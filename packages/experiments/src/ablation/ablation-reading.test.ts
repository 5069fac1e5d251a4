import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PluginRegistry, type StepProgress } from '@confide/core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadExperimentOfKind } from '../experiment.js';
import { writeSyntheticPair } from '../testing/synthetic-pair.js';
import { runAblationExperiment } from './run-ablation-experiment.js';

/** 4,000 problems with kilobyte answers: each run's records file holds several gzip members, so reading it takes several turns. */
let folder: string;

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'confide-ablation-reading-'));
  writeSyntheticPair({ folder, problems: 4000, responseChars: 1000 });
});

afterEach(() => vi.restoreAllMocks());

/** A clock that moves a second per reading: every piece read is a turn (LoopTurns yields at most every 200 ms). */
function everyStepATurn(): void {
  let clock = 0;
  vi.spyOn(performance, 'now').mockImplementation(() => (clock += 1000));
}

/** The ablation of the synthetic pair into a fresh folder, with `control`; the registry is empty, as nothing gets as far as a router. */
function ablate(control: { onProgress: (event: StepProgress) => void; signal: AbortSignal }) {
  const outFolder = join(mkdtempSync(join(tmpdir(), 'confide-ablation-reading-out-')), 'report');
  return { outFolder, outcome: runAblationExperiment({ loaded: loadExperimentOfKind(folder, 'ablation'), registry: new PluginRegistry(), outFolder, control }) };
}

describe('an ablation reads its runs first, a turn of the event loop at a time', () => {
  it('reads every run, then the problems they carry, each with progress that ends at its size, then matches them (a step Ctrl-C stops too)', async () => {
    everyStepATurn();
    const events: StepProgress[] = [];
    const controller = new AbortController();
    const { outFolder, outcome } = ablate({
      onProgress: (event) => {
        events.push(event);
        // the reading done: Ctrl-C at the matching's first turn
        if (event.stage.startsWith('problems: matching')) controller.abort();
      },
      signal: controller.signal,
    });
    const stopped = await outcome;
    expect(stopped.status === 'stopped' && stopped.message).toMatch(/^stopped: problems: matching the runs' problems to the dataset cancelled after 0 of 8000 problems; no report written/);
    expect(existsSync(outFolder)).toBe(false);
    const stages = [...new Set(events.map((event) => event.stage))];
    expect(stages).toEqual([
      'reading run ./runs/small, bytes of records.jsonl.gz',
      'reading run ./runs/large, bytes of records.jsonl.gz',
      'reading the problems of run ./runs/small, bytes of problems.jsonl.gz',
      'reading the problems of run ./runs/large, bytes of problems.jsonl.gz',
      "problems: matching the runs' problems to the dataset",
    ]);
    const last = (stage: string) => events.filter((event) => event.stage === stage).at(-1)!;
    const size = (file: string) => statSync(join(folder, file)).size;
    expect(last(stages[0]!)).toMatchObject({ done: size('runs/small/records.jsonl.gz'), total: size('runs/small/records.jsonl.gz') });
    expect(last(stages[1]!)).toMatchObject({ done: size('runs/large/records.jsonl.gz'), total: size('runs/large/records.jsonl.gz') });
    // the problems file is hashed, then parsed: both passes counted
    expect(last(stages[2]!)).toMatchObject({ done: 2 * size('runs/small/problems.jsonl.gz'), total: 2 * size('runs/small/problems.jsonl.gz') });
    expect(events.filter((event) => event.stage === stages[0]).length).toBeGreaterThanOrEqual(3);
  });

  it('stops on Ctrl-C while reading a run: CANCELLED, nothing written', async () => {
    everyStepATurn();
    const controller = new AbortController();
    const { outFolder, outcome } = ablate({ onProgress: () => controller.abort(), signal: controller.signal });
    const stopped = await outcome;
    expect(stopped).toMatchObject({ status: 'stopped', reason: 'cancelled', files: [] });
    expect(stopped.status === 'stopped' && stopped.message).toMatch(
      /^stopped: reading run \.\/runs\/small, bytes of records\.jsonl\.gz cancelled after \d+ of \d+ bytes; no report written, the previous one \(if any\) is untouched$/,
    );
    expect(existsSync(outFolder)).toBe(false);
  });
});
