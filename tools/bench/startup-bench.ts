/**
 * Start-up benchmark of the built `confide` command (issue 16's budget), measured beside `node -e 0` in the same run:
 * each command and `node -e 0` run in turn, ROUNDS times, from a folder outside the repository; the medians, their
 * ratio to `node -e 0`, and the budget, met or missed. Build first (`npm run build`).
 * Run: node --conditions=@confide/source --import tsx tools/bench/startup-bench.ts [rounds=7]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledRunIds, loadBundledRun, workspaceRoot } from '@confide/data';

const rounds = Number(process.argv[2] ?? 7);
const root = workspaceRoot();
const bin = join(root, 'packages', 'cli', 'bin', 'confide.js');
if (!existsSync(join(root, 'packages', 'cli', 'dist', 'main.js'))) throw new Error('build first: npm run build');
const folder = mkdtempSync(join(tmpdir(), 'confide-startup-'));
const pairs = join(folder, 'pairs.jsonl');
const lines: string[] = [];
for (const id of bundledRunIds()) for (const record of loadBundledRun(id).records) lines.push(JSON.stringify({ id: `${id}/${record.problemId}`, gold: record.gold ?? '', pred: record.generation.answer }));
writeFileSync(pairs, `${lines.join('\n')}\n`);

interface Case {
  label: string;
  args: string[];
  budgetSeconds: number | null;
}
const cases: Case[] = [
  { label: 'node -e 0', args: ['-e', '0'], budgetSeconds: null },
  { label: 'confide --help', args: [bin, '--help'], budgetSeconds: 0.25 },
  { label: 'confide data list', args: [bin, 'data', 'list'], budgetSeconds: 0.4 },
  { label: 'confide paper (in all)', args: [bin, 'paper', '--experiment', join(root, 'experiments', 'paper-math500'), '--out', join(folder, 'paper')], budgetSeconds: 1.2 },
  { label: `confide grade --pairs (${lines.length} pairs, in all)`, args: [bin, 'grade', '--pairs', pairs, '--out', join(folder, 'verdicts.jsonl')], budgetSeconds: 1.5 },
];

const times = new Map<string, number[]>(cases.map((entry) => [entry.label, []]));
for (let round = 0; round < rounds; round++) {
  for (const entry of cases) {
    const started = performance.now();
    const result = spawnSync(process.execPath, entry.args, { cwd: folder, stdio: 'ignore', env: { ...process.env, NODE_OPTIONS: '' } });
    const seconds = (performance.now() - started) / 1000;
    if (result.status !== 0) throw new Error(`${entry.label} exited ${result.status}`);
    times.get(entry.label)!.push(seconds);
  }
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const baseline = median(times.get('node -e 0')!);
console.log(`start-up of the built confide command, ${rounds} rounds each, interleaved, cwd ${folder}`);
for (const entry of cases) {
  const value = median(times.get(entry.label)!);
  const budget = entry.budgetSeconds === null ? '' : `  budget ${entry.budgetSeconds.toFixed(2)} s: ${value <= entry.budgetSeconds ? 'met' : 'missed'}`;
  console.log(`${entry.label.padEnd(44)} median ${value.toFixed(3)} s  (${(value / baseline).toFixed(1)}× node -e 0)${budget}`);
}
