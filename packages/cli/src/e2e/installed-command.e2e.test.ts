import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { recordedRunsFolder, workspaceRoot } from '@confide/data';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The built command as a user runs it after the README's install steps (`npm run build`; `npm link` in packages/cli
 * puts this same bin on PATH), from a folder outside the repository. The cli's test target depends on its build.
 */
const root = workspaceRoot();
const bin = join(root, 'packages', 'cli', 'bin', 'confide.js');
const folder = mkdtempSync(join(tmpdir(), 'confide-outside-'));

function confide(args: string[]): string {
  return execFileSync(process.execPath, [bin, ...args], { cwd: folder, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } });
}

beforeAll(() => {
  if (!existsSync(join(root, 'packages', 'cli', 'dist', 'main.js'))) throw new Error('packages/cli is not built: run "npm run build" (the test target depends on it)');
  expect(relative(root, folder).startsWith('..')).toBe(true);
});

describe('confide, built, from a folder outside the repository', () => {
  it('grade --pairs reads a file relative to the current folder', () => {
    writeFileSync(
      join(folder, 'pairs.jsonl'),
      [
        JSON.stringify({ id: 1, gold: '\\frac{1}{2}', pred: '0.5' }),
        JSON.stringify({ id: 2, gold: '$12$', pred: 'Final answer: \\[ 12 \\]' }),
        JSON.stringify({ id: 3, gold: '5', pred: '6' }),
      ].join('\n'),
    );
    const rows = confide(['grade', '--pairs', 'pairs.jsonl']).trim().split('\n').map((line) => JSON.parse(line) as { id: number; equivalent: boolean });
    expect(rows.map((row) => [row.id, row.equivalent])).toEqual([
      [1, true],
      [2, true],
      [3, false],
    ]);
  });

  it('data show reads a run directory by a relative path', () => {
    cpSync(join(recordedRunsFolder(), 'qwen-1.5b'), join(folder, 'runs', 'my-run'), { recursive: true });
    const lines = confide(['data', 'show', './runs/my-run', '--limit', '2', '--format', 'json']).trim().split('\n');
    expect(lines).toHaveLength(2);
    expect((JSON.parse(lines[0]!) as { runId: string }).runId).toBe('qwen-1.5b');
  });

  it('ablate --experiment ./my-ablation writes its report under the current folder, with bundled data resolved', () => {
    if (!existsSync(join(folder, 'runs', 'my-run'))) cpSync(join(recordedRunsFolder(), 'qwen-1.5b'), join(folder, 'runs', 'my-run'), { recursive: true });
    mkdirSync(join(folder, 'my-ablation'), { recursive: true });
    writeFileSync(
      join(folder, 'my-ablation', 'experiment.json'),
      JSON.stringify({
        kind: 'ablation',
        name: 'my-ablation',
        title: 'My ablation: output length on my run against the bundled Gemini 2.5 Flash run',
        dataset: 'math500',
        priceTable: 'seed-math500',
        grades: 'recorded',
        small: { run: '../runs/my-run', label: 'my run (a copy of qwen-1.5b)' },
        large: { run: 'gemini-flash', label: 'Gemini 2.5 Flash' },
        routers: [
          {
            id: 'output-length',
            label: 'output length',
            router: { id: 'core/threshold', options: { score: 'generation.usage.output', direction: 'keep-low', threshold: 600 } },
            sweep: { option: 'threshold', values: [200, 400, 600, 800] },
          },
        ],
        bootstrap: { resamples: 50, seed: 0 },
      }),
    );
    confide(['ablate', '--experiment', './my-ablation']);
    const summary = JSON.parse(readFileSync(join(folder, 'reports', 'my-ablation', 'summary.json'), 'utf8')) as { problems: { evaluated: number }; routers: { points: unknown[] }[] };
    expect(summary.problems.evaluated).toBe(500);
    expect(summary.routers[0]!.points).toHaveLength(4);
    expect(existsSync(join(root, 'reports', 'my-ablation'))).toBe(false);
  }, 60_000);

  it('--help lists every command without loading them', () => {
    const help = confide(['--help']);
    for (const name of ['data', 'paper', 'ablate', 'grade', 'view', 'compare', 'run', 'train']) expect(help).toContain(name);
  });
});
