import { SEED_PRICES_2025_11 } from '@confide/core';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBundledRun, loadDataset, workspaceRoot } from '@confide/data';
import { computePaperResults, loadExperimentOfKind } from '@confide/experiments';
import { writePaperReport, type PaperResults } from '@confide/reports';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { captureOutput } from '../../tests/capture-output.js';
import { runCli } from '../main.js';
import { createPluginRegistry } from '../plugin-registry.js';

let results: PaperResults;
interface Summary {
  table1: unknown;
  table2: unknown;
  finetuned: {
    accuracy: { percent: number };
    calibration: { percent: number };
    tokens: Record<string, number>;
    tokenCorrectness: { correct: { confident: number }; incorrect: { uncertain: number } };
  };
}

let summary: Summary;
let outputFolder: string;

beforeAll(async () => {
  const { experiment, file } = loadExperimentOfKind(join(workspaceRoot(), 'experiments', 'paper-math500'), 'paper');
  results = await computePaperResults({
    experiment,
    experimentFile: file,
    registry: createPluginRegistry(),
    prices: SEED_PRICES_2025_11,
    problems: loadDataset('math500'),
    loadRun: (runId) => loadBundledRun(runId),
  });
  outputFolder = mkdtempSync(join(tmpdir(), 'confide-paper-'));
  await writePaperReport(results, outputFolder);
  summary = JSON.parse(readFileSync(join(outputFolder, 'summary.json'), 'utf8'));
});

describe('paper report (MATH-500, recorded runs)', () => {
  it("regenerates Table 1: the seed's accuracies and its costs to 6 decimals", () => {
    const table1 = summary['table1'] as Array<{ label: string; accuracy: { percent: number }; costUsd6: string; matchesPublished: object }>;
    expect(table1.map((row) => [row.label, row.accuracy.percent, row.costUsd6])).toEqual([
      ['SLM 1.5B', 67.8, '0.032250'],
      ['SLM 7B', 76.4, '0.100364'],
      ['Delegation I', 85.2, '2.478696'],
      ['Delegation II', 83.8, '1.249972'],
      ['LLM', 88.6, '2.793691'],
    ]);
    for (const row of table1) expect(row.matchesPublished).toEqual({ accuracy: true, costUsd: true });
  });

  it('regenerates Table 2: who answered what in Delegation I and II', () => {
    const byDelegation = Object.fromEntries(
      (summary['table2'] as Array<{ delegation: string; handOff: Array<{ side: string; problems: number; correct: number | null; costUsd6: string }> }>).map(
        (entry) => [entry.delegation, entry.handOff.map((row) => [row.side, row.problems, row.correct, row.costUsd6])],
      ),
    );
    expect(byDelegation['delegation-1']).toEqual([
      ['small', 252, 209, '0.013671'],
      ['large', 248, 217, '2.465025'],
      ['router', 500, null, '0.126313'],
    ]);
    expect(byDelegation['delegation-2']).toEqual([
      ['small', 345, 298, '0.018103'],
      ['large', 155, 121, '1.231869'],
    ]);
  });

  it('reports the fine-tuned SLM: 72.0% accurate, 76.0% calibrated, tokens 345 / 143 / 12', () => {
    const finetuned = summary['finetuned'];
    expect(finetuned.accuracy.percent).toBe(72);
    expect(finetuned.calibration.percent).toBe(76);
    expect(finetuned.tokens).toEqual({ confident: 345, uncertain: 143, none: 12 });
    expect(finetuned.tokenCorrectness.correct.confident + finetuned.tokenCorrectness.incorrect.uncertain).toBe(380);
  });

  it('recomposes every delegation exactly as the recorded delegated run has it', () => {
    for (const delegation of results.delegations) {
      if (delegation.mismatchesWithRecordedRun !== null) expect([delegation.id, delegation.mismatchesWithRecordedRun]).toEqual([delegation.id, 0]);
    }
  });

  it('writes every promised file, and the same bytes twice', async () => {
    const files = readdirSync(outputFolder).sort();
    expect(files).toEqual(
      ['accuracy-cost.png', 'accuracy-cost.svg', 'accuracy-cost.vl.json', 'report.html', 'report.md', 'summary.json', 'token-correctness.png', 'token-correctness.svg', 'token-correctness.vl.json'],
    );
    const again = mkdtempSync(join(tmpdir(), 'confide-paper-'));
    await writePaperReport(results, again);
    for (const file of files) expect(readFileSync(join(again, file)).equals(readFileSync(join(outputFolder, file))), file).toBe(true);
  });

  it('matches the report committed under reports/paper-math500', () => {
    const committed = join(workspaceRoot(), 'reports', 'paper-math500');
    for (const file of ['report.md', 'report.html']) {
      expect(readFileSync(join(outputFolder, file), 'utf8'), `${file} is stale: run npm run paper`).toBe(readFileSync(join(committed, file), 'utf8'));
    }
    // the hash of the production sources moves with every source change, and this test reads the runs without
    // noting their files; everything else (numbers, experiment, dataset and price hashes, versions) must match
    const withoutSourceHashes = (path: string) => {
      const parsed = JSON.parse(readFileSync(path, 'utf8')) as { provenance: { sources: unknown; inputs: unknown } };
      parsed.provenance.sources = null;
      parsed.provenance.inputs = null;
      return parsed;
    };
    expect(withoutSourceHashes(join(outputFolder, 'summary.json')), 'summary.json is stale: run npm run paper').toEqual(withoutSourceHashes(join(committed, 'summary.json')));
  });
});

describe('a paper-style experiment on runs named by path', () => {
  it('reads run directories relative to its own folder and gives the bundled runs\' numbers', async () => {
    // A researcher's layout: their own copies of two runs, and an experiment that names them by relative path.
    const base = mkdtempSync(join(tmpdir(), 'confide-paper-paths-'));
    for (const id of ['qwen-1.5b-lora-confidence', 'gemini-flash']) cpSync(join(workspaceRoot(), 'experiments', 'recorded-math500', 'runs', id), join(base, 'runs', id), { recursive: true });
    const experiment = {
      kind: 'paper',
      name: 'my-paper',
      title: 'Delegation II on my own runs',
      dataset: 'math500',
      priceTable: 'seed-math500',
      grades: 'recorded',
      runs: [{ id: '../runs/gemini-flash', label: 'LLM', kind: 'llm' }],
      delegations: [
        {
          id: 'delegation-2',
          label: 'Delegation II',
          router: { id: 'core/confidence-token', options: { delegate: ['<|u_math|>', 'none'] } },
          small: { run: '../runs/qwen-1.5b-lora-confidence' },
          large: { run: '../runs/gemini-flash' },
        },
      ],
      table1: [
        { label: 'Delegation II', source: 'delegation:delegation-2', published: { accuracy: '83.8', costUsd: '1.25' } },
        { label: 'LLM', source: 'run:../runs/gemini-flash', published: { accuracy: '88.6', costUsd: '2.79' } },
      ],
      table2: ['delegation-2'],
      finetuned: { run: '../runs/qwen-1.5b-lora-confidence', published: { accuracy: '72', calibration: '76', tokens: { confident: 345, uncertain: 143, none: 12 } } },
      publishedHandOff: {},
    };
    mkdirSync(join(base, 'my-paper'));
    writeFileSync(join(base, 'my-paper', 'experiment.json'), JSON.stringify(experiment));
    const out = join(base, 'report');
    const output = captureOutput();
    const code = await runCli(['paper', '--experiment', join(base, 'my-paper'), '--out', out]);
    vi.restoreAllMocks();
    expect(code, output.err.join('')).toBe(0);
    const written = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { table1: Array<{ label: string; accuracy: { percent: number }; costUsd6: string }> };
    // Delegation II from the composed runs: 83.8 % (the recorded delegated run's own calls cost $1.249972, these $1.247931).
    expect(written.table1.map((row) => [row.label, row.accuracy.percent, row.costUsd6])).toEqual([
      ['Delegation II', 83.8, '1.247931'],
      ['LLM', 88.6, '2.793691'],
    ]);
  });
});
