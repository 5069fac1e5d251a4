import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readRunDirectory, readRunProblems, writeRunDirectory } from '../recorded-runs/run-directory.js';
import { importPeerLog } from './import-peer-log.js';
import { detectPeerLogFormat } from './peer-log-registry.js';
import { importRouterArenaPredictions } from './router-arena-predictions.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/peer-logs/router-arena-predictions/', import.meta.url));
const PREDICTIONS = join(FIXTURE, 'predictions/toy-router.json');
const MINI = 'gpt-4o-mini';
const HAIKU = 'claude-3-haiku-20240307';

let folder: string;
let runs: string;
beforeEach(async () => {
  folder = mkdtempSync(join(tmpdir(), 'arena-predictions-'));
  runs = join(folder, 'runs');
  // the model runs as `confide data import cached_results/<model>.jsonl` writes them: <out>/<label>/ and models.json
  const models: Array<{ label: string; run: string; model: string }> = [];
  for (const model of [MINI, HAIKU]) {
    const imported = await importPeerLog({ path: join(FIXTURE, 'cached_results', `${model}.jsonl`), prices: null, spoolFolder: join(folder, 'spool') });
    try {
      for (const run of imported.runs) {
        writeRunDirectory(join(runs, run.label), { manifest: run.manifest, records: run.records, problems: run.problems });
        models.push({ label: run.label, run: run.label, model: run.logModel });
      }
    } finally {
      imported.discard();
    }
  }
  writeFileSync(join(runs, 'models.json'), JSON.stringify({ format: 'router-arena', models }));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

/** A copy of the fixture's predictions and config with the entries changed, in a folder of its own. */
function predictionsWith(change: (entries: Array<Record<string, unknown>>) => void): string {
  const copy = join(folder, 'arena');
  cpSync(join(FIXTURE, 'config'), join(copy, 'config'), { recursive: true });
  const entries = JSON.parse(readFileSync(PREDICTIONS, 'utf8')) as Array<Record<string, unknown>>;
  change(entries);
  const path = join(copy, 'predictions', 'toy-router.json');
  cpSync(PREDICTIONS, path);
  writeFileSync(path, JSON.stringify(entries));
  return path;
}

describe('RouterArena router prediction files', () => {
  it('is detected, and its format refuses to be read without the model runs', async () => {
    expect((await detectPeerLogFormat(PREDICTIONS))?.name).toBe('router-arena-predictions');
    expect((await detectPeerLogFormat(join(FIXTURE, 'config/toy-router.json')))?.name).not.toBe('router-arena-predictions');
    expect((await detectPeerLogFormat(join(FIXTURE, 'cached_results', `${MINI}.jsonl`)))?.name).toBe('router-arena');
  });

  it("imports a routed run: routes name the predicted model, answers, scores and costs are that model's", () => {
    const imported = importRouterArenaPredictions({ path: PREDICTIONS, runs: [runs] });
    expect(imported.router).toBe('toy-router');
    expect(imported.labels).toEqual([MINI, HAIKU]);
    expect(imported.records.map((record) => [record.problemId, record.route?.target, record.route?.model, record.generation.model])).toEqual([
      ['GSM8K_10', 'small', MINI, MINI],
      ['GSM8K_11', 'large', HAIKU, HAIKU],
      ['MMLUPro_3', 'large', HAIKU, HAIKU],
    ]);
    expect(imported.records.every((record) => record.runId === 'toy-router' && record.route?.router === 'toy-router')).toBe(true);
    expect(imported.records.map((record) => [record.generation.answer, record.grade.correct, record.grade.score, record.generation.recordedCostUsd, record.generation.usage.output])).toEqual([
      ['30', true, 1, 1.8e-5, 20],
      ['150', true, 1, 3.4e-5, 18],
      ['C', false, 0, 1.45e-5, 5],
    ]);
    expect(imported.records.map((record) => record.slice)).toEqual(['GSM8K', 'GSM8K', 'MMLUPro']);
    expect(imported.counts).toMatchObject({ records: 3, correct: 2 });
    expect(imported.counts.meanScore).toBeCloseTo(2 / 3, 12);
    expect(imported.counts.costUsd).toBeCloseTo(6.65e-5, 12);
    expect(imported.runs.map((run) => [run.label, run.chosen])).toEqual([[MINI, 1], [HAIKU, 2]]);
    expect(imported.leftOut).toEqual(new Map([['for_optimality entries (not routed problems)', 1]]));
    expect(imported.promptMismatches).toBe(1);
    expect(imported.configFile).toBe(join(FIXTURE, 'config/toy-router.json'));

    // written and read back: a run folder carrying its problems
    const out = join(folder, 'routed');
    writeRunDirectory(out, { manifest: imported.manifest, records: imported.records, problems: imported.problems });
    const read = readRunDirectory(out);
    expect(read.records).toEqual(imported.records);
    expect(readRunProblems(read)!.map((problem) => problem.id)).toEqual(['GSM8K_10', 'GSM8K_11', 'MMLUPro_3']);
    expect(read.manifest.config).toMatchObject({ format: 'router-arena-predictions', router: 'toy-router', models: [MINI, HAIKU] });
  });

  it('takes the model runs as run folders too, the route order then from the config', () => {
    const imported = importRouterArenaPredictions({ path: PREDICTIONS, runs: [join(runs, HAIKU), join(runs, MINI)] });
    expect(imported.labels).toEqual([MINI, HAIKU]);
    expect(imported.records.map((record) => record.route?.target)).toEqual(['small', 'large', 'large']);
  });

  it.each([
    ['a prediction naming a model with no run', (entries: Array<Record<string, unknown>>) => void (entries[1]!['prediction'] = 'gpt-4o'), /toy-router\.json, entry \[1\].*"prediction".*"gpt-4o" is not one of the models the router config lists/],
    ['a problem missing from the chosen model\'s run', (entries: Array<Record<string, unknown>>) => void (entries[2]!['global index'] = 'MMLUPro_99'), /toy-router\.json, entry \[2\].*"global index".*problem "MMLUPro_99" is not in the run of claude-3-haiku-20240307/],
    ['an entry without a global index', (entries: Array<Record<string, unknown>>) => void delete entries[0]!['global index'], /toy-router\.json, entry \[0\].*"global_index".*no global_index/],
    ['a problem predicted twice', (entries: Array<Record<string, unknown>>) => void (entries[1]!['global index'] = 'GSM8K_10'), /toy-router\.json, entry \[1\].*predicted twice \(also entry \[0\]\)/],
    ['an entry naming no model', (entries: Array<Record<string, unknown>>) => void (entries[0]!['prediction'] = null), /toy-router\.json, entry \[0\].*"prediction".*names no model/],
  ])('refuses %s with one coded line naming the file, entry and field', (_name, change, message) => {
    const path = predictionsWith(change);
    expect(() => importRouterArenaPredictions({ path, runs: [runs] })).toThrow(message);
    expect(() => importRouterArenaPredictions({ path, runs: [runs] })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });

  it('refuses a prediction naming a model no run answers to (no config to check it against)', () => {
    const path = predictionsWith((entries) => void (entries[0]!['prediction'] = 'gpt-4o'));
    rmSync(join(folder, 'arena', 'config'), { recursive: true });
    expect(() => importRouterArenaPredictions({ path, runs: [runs] })).toThrow(/toy-router\.json, entry \[0\].*"prediction".*"gpt-4o" names no model run given/);
  });

  it('refuses a file that is not JSON, and asks for the model runs', () => {
    const path = predictionsWith(() => undefined);
    writeFileSync(path, '[{"global_index": "GSM8K_10", "prediction": ');
    expect(() => importRouterArenaPredictions({ path, runs: [runs] })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringMatching(/toy-router\.json.*not JSON/) }));
    expect(() => importRouterArenaPredictions({ path: PREDICTIONS, runs: [] })).toThrow(/--runs/);
    expect(existsSync(join(folder, 'routed'))).toBe(false);
  });
});
