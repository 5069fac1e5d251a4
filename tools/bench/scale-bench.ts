/**
 * Field scale (issue 25, item 7): seeded synthetic data at 10k, 100k and 1M problems, and per stage the wall time, the
 * CPU time and the peak memory of the real command as a whole process, with the ratio between sizes:
 *
 *   ablate   a small/large pair (packages/experiments/src/testing/synthetic-pair.ts: ~300-character responses, a record
 *            ~1 KB of JSON) with P(c) swept over every distinct value, output length, the confidence token, random
 *            (5 rates × 5 seeds), the oracle, always-small/large, the logistic learned router fitted on a seeded
 *            sample of 5,000, a comparison, a kept-error guarantee with 1,000 violation splits and 1,000 resamples;
 *   import   tools/bench/import-scale-bench.ts (JSON Lines), run as its own process;
 *   view     tools/bench/viewer-scale-bench.ts, run as its own process.
 *
 * Goals on the 2-core machine: ablation of 1M ≤ 5 min and ≤ 4 GB, of 100k ≤ 30 s, time(1M) / time(100k) ≤ 12; import
 * 1M ≤ 60 s and ≤ 1.5 GB. The machine is shared: CPU time is printed beside the wall time.
 *
 *   node --conditions=@confide/source --import tsx tools/bench/scale-bench.ts [sizes=10000,100000,1000000] [stages=ablate,import,view]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { workspaceRoot } from '@confide/data';
import { writeSyntheticPair } from '@confide/experiments';

const sizes = (process.argv[2] ?? '10000,100000,1000000').split(',').map(Number);
const stages = (process.argv[3] ?? 'ablate,import,view').split(',');
const root = workspaceRoot();
const folder = mkdtempSync(join(tmpdir(), 'confide-scale-bench-'));
const preload = join(folder, 'peak-memory.cjs');
writeFileSync(
  preload,
  "process.on('exit', () => { require('node:fs').writeFileSync(process.env.CONFIDE_PEAK_MEMORY_FILE, JSON.stringify(process.resourceUsage())); });\n",
);

interface Measured {
  seconds: number;
  cpuSeconds: number;
  peakGigabytes: number;
}

/** `confide <args>` from source as a whole process: wall time, CPU time and peak resident memory (read at its exit). */
function confide(args: readonly string[]): Measured {
  const memoryFile = join(folder, 'usage.json');
  const started = performance.now();
  const child = spawnSync(process.execPath, ['--conditions=@confide/source', '--import', 'tsx', '--require', preload, join(root, 'packages', 'cli', 'src', 'main.ts'), ...args], {
    cwd: root,
    env: { ...process.env, CONFIDE_PEAK_MEMORY_FILE: memoryFile, NODE_OPTIONS: '--max-old-space-size=3584' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = (performance.now() - started) / 1000;
  if (child.status !== 0) throw new Error(`confide ${args.join(' ')} exited ${child.status}: ${child.stderr.split('\n').slice(-5).join('\n')}`);
  const usage = JSON.parse(readFileSync(memoryFile, 'utf8')) as { maxRSS: number; userCPUTime: number; systemCPUTime: number };
  return { seconds, cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6, peakGigabytes: usage.maxRSS / 1024 / 1024 };
}

console.log(`scale benchmark on ${sizes.join(', ')} problems; load average at start ${loadavg()[0]!.toFixed(2)}`);
if (stages.includes('ablate')) {
  const results: Array<{ size: number } & Measured> = [];
  for (const size of sizes) {
    const experiment = join(folder, `pair-${size}`);
    const generated = performance.now();
    writeSyntheticPair({ folder: experiment, problems: size, learnedSample: 5000 });
    const generation = (performance.now() - generated) / 1000;
    // --no-fit-cache: every size pays for its learned router's fit, as a first ablation of that data does
    const measured = confide(['ablate', '--no-fit-cache', '--experiment', experiment, '--out', join(folder, `report-${size}`)]);
    results.push({ size, ...measured });
    const previous = results.at(-2);
    const ratio = previous ? `  ×${(measured.seconds / previous.seconds).toFixed(1)} the time of ${previous.size}` : '';
    console.log(
      `ablate ${String(size).padStart(8)} problems: ${measured.seconds.toFixed(1).padStart(6)} s wall, ${measured.cpuSeconds.toFixed(1).padStart(6)} s CPU, peak ${measured.peakGigabytes.toFixed(2)} GB${ratio}  (data generated in ${generation.toFixed(1)} s)`,
    );
    rmSync(experiment, { recursive: true, force: true });
  }
}
for (const [stage, script] of [
  ['import', 'import-scale-bench.ts'],
  ['view', 'viewer-scale-bench.ts'],
] as const) {
  if (!stages.includes(stage)) continue;
  const args = stage === 'import' ? [sizes.join(','), 'jsonl'] : [sizes.join(',')];
  const child = spawnSync(process.execPath, ['--conditions=@confide/source', '--import', 'tsx', join(root, 'tools', 'bench', script), ...args], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  console.log(`--- ${stage} (tools/bench/${script}) ---\n${child.stdout}${child.status === 0 ? '' : child.stderr}`);
}
rmSync(folder, { recursive: true, force: true });
