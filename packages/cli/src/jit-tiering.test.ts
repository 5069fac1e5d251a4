import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BATCH_INTERRUPT_BUDGET } from './jit-tiering.js';

const tiering = fileURLToPath(new URL('./jit-tiering.ts', import.meta.url));

/**
 * Whether a small function is optimised by TurboFan after `calls` calls from code that is never optimised (so the
 * calls are not inlined away), in a fresh process, with the batch budget set or not. Compilation is synchronous
 * (--no-concurrent-recompilation), so the point where a function is optimised depends on its budget alone.
 */
function optimisedAfter(calls: number, tuned: boolean): boolean {
  const script = `
    const { tuneJitForBatchRun } = await import(${JSON.stringify(tiering)});
    if (${tuned}) tuneJitForBatchRun();
    const f = new Function('x', 'return (x * 3 + 1) % 1000;');
    function drive(calls) { let s = 0; for (let k = 0; k < calls; k++) s = f(s + k); return s; }
    %NeverOptimizeFunction(drive);
    drive(${calls});
    process.stdout.write((%GetOptimizationStatus(f) & 64) !== 0 ? 'turbofan' : 'not');
  `;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--allow-natives-syntax', '--no-concurrent-recompilation', '--input-type=module', '-e', script], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(child.stderr);
  return child.stdout === 'turbofan';
}

describe('tuneJitForBatchRun', () => {
  it("is four times the running V8's default budget (the default as this node states it)", () => {
    const options = spawnSync(process.execPath, ['--v8-options'], { encoding: 'utf8' }).stdout;
    const stated = /default: --interrupt-budget=(\d+)/.exec(options);
    expect(stated).not.toBeNull();
    expect(BATCH_INTERRUPT_BUDGET).toBe(4 * Number(stated![1]));
  });

  it('lets a function run longer before TurboFan takes it: optimised after 6,000 calls by default, not with the batch budget', () => {
    expect(optimisedAfter(6_000, false)).toBe(true);
    expect(optimisedAfter(6_000, true)).toBe(false);
    // still optimised once it is hot for long enough
    expect(optimisedAfter(60_000, true)).toBe(true);
  });
});
