import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from './main.js';
import { buildProgram } from './program.js';
import { captureOutput } from '../tests/capture-output.js';

afterEach(() => vi.restoreAllMocks());

/** Every command path of the program, e.g. ['data', 'show']. */
async function commandPaths(): Promise<string[][]> {
  const paths: string[][] = [];
  const walk = (command: Awaited<ReturnType<typeof buildProgram>>, prefix: string[]) => {
    for (const sub of command.commands) {
      paths.push([...prefix, sub.name()]);
      walk(sub, [...prefix, sub.name()]);
    }
  };
  walk(await buildProgram(), []);
  return paths;
}

/** Every command path, with every command loaded. */
const COMMAND_PATHS = await commandPaths();

describe('confide CLI', () => {
  it('lists 3 bundled datasets and 10 recorded runs of 500 rows', async () => {
    const { out } = captureOutput({ stdout: true });
    expect(await runCli(['data', 'list', '--format', 'json'])).toBe(0);
    const listing = JSON.parse(out.join('\n'));
    expect(listing.datasets.slice(0, 3).map((d: { name: string; rows: number }) => [d.name, d.rows])).toEqual([
      ['math500', 500],
      ['math-train', 7500],
      ['math-test', 5000],
    ]);
    expect(listing.runs).toHaveLength(10);
    for (const run of listing.runs) expect(run.rows).toBe(500);
  });

  it('shows a recorded run as JSON lines, limited', async () => {
    const { out } = captureOutput({ stdout: true });
    expect(await runCli(['data', 'show', 'gemini-flash', '--limit', '2', '--format', 'json'])).toBe(0);
    expect(out).toHaveLength(2);
    expect(JSON.parse(out[0]!).problemId).toBe('test/precalculus/807.json');
  });

  it('prints one clear line and exits non-zero on an unknown name', async () => {
    const { err } = captureOutput({ stdout: true });
    expect(await runCli(['data', 'show', 'gemini-flahs'])).toBe(1);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^confide: error \[INVALID_CONFIG\]: "gemini-flahs" is neither a dataset/);
  });

  it('adds the stack with --verbose', async () => {
    const { err } = captureOutput({ stdout: true });
    expect(await runCli(['--verbose', 'data', 'show', 'nope'])).toBe(1);
    expect(err.length).toBeGreaterThan(1);
    expect(err[1]).toContain('at ');
  });

  it('rejects a bad option value with a non-zero exit', async () => {
    captureOutput({ stdout: true });
    expect(await runCli(['data', 'show', 'math500', '--limit', 'ten'])).not.toBe(0);
  });

  it.each(COMMAND_PATHS.map((path) => [path.join(' '), path]))('has --help on "%s"', async (_name, path) => {
    const { out } = captureOutput({ stdout: true });
    expect(await runCli([...path, '--help'])).toBe(0);
    expect(out.join('')).toContain('Usage: confide');
  });
});
