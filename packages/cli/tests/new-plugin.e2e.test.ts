import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { workspaceRoot } from '@confide/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultResponder, startOpenAIStandIn, type StandInServer } from '../../../tools/stand-ins/index.js';

/**
 * `confide new`, `confide test` and `confide plugins` with the built command, as a newcomer runs them: from a
 * temporary folder outside the checkout with no node_modules, on the files `confide new` writes, as written. The cli's
 * test target depends on its build.
 */
const root = workspaceRoot();
const bin = join(root, 'packages', 'cli', 'bin', 'confide.js');
const folder = mkdtempSync(join(tmpdir(), 'confide-new-'));
const run = promisify(execFile);

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** The command, from the temporary folder; never throws, so a refusal can be read. */
async function confide(args: string[]): Promise<Outcome> {
  const env = { ...process.env, NODE_OPTIONS: '', NODE_PATH: '', XDG_CACHE_HOME: join(folder, '.cache') };
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { cwd: folder, encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

beforeAll(() => {
  if (!existsSync(join(root, 'packages', 'cli', 'dist', 'main.js'))) throw new Error('packages/cli is not built: run "npm run build" (the test target depends on it)');
  expect(relative(root, folder).startsWith('..')).toBe(true);
});

describe('confide new router, then test, ablate, view and plugins on what it wrote', () => {
  it('writes the router, its test, an ablation that uses it and a tsconfig.json', async () => {
    const outcome = await confide(['new', 'router', 'my-router']);
    expect(outcome.stderr).not.toContain('confide: error');
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toMatch(/^wrote my-router\.ts +the router me\/my-router$/m);
    expect(outcome.stdout).toMatch(/^ {2}confide ablate --experiment my-router-ablation +# the report/m);
    expect(readdirSync(folder).filter((name) => !name.startsWith('.')).sort()).toEqual(['my-router-ablation', 'my-router.test.ts', 'my-router.ts', 'tsconfig.json']);
    expect(existsSync(join(folder, 'node_modules'))).toBe(false);
  });

  it('confide test runs the scaffolded test as written, and fails a failing one', async () => {
    const passing = await confide(['test', 'my-router.test.ts']);
    expect(passing.stderr).not.toContain('confide: error');
    expect(passing.code).toBe(0);
    expect(passing.stdout).toMatch(/✔ keeps a short answer and delegates a long one/);
    expect(passing.stdout).toMatch(/ℹ pass 2\n/);
    expect(passing.stdout).toMatch(/ℹ fail 0\n/);

    // the same kit, an expectation that does not hold: the command says so and exits 1
    writeFileSync(
      join(folder, 'wrong.test.ts'),
      `import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createForTest, routeInput, testRunRecord } from '@confide/core/testing';
import { myRouter } from './my-router.js';

test('keeps a 900-token answer', async () => {
  const decision = await createForTest(myRouter).decide(routeInput(testRunRecord({ generation: { usage: { output: 900 } } })));
  assert.equal(decision.model, 'small');
});
`,
    );
    const failing = await confide(['test', 'wrong.test.ts', '--reporter', 'tap']);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toMatch(/not ok 1 - keeps a 900-token answer/);
    expect(failing.stderr).toMatch(/^confide: error \[SUBPROCESS_FAILED\]: test: tests failed in wrong\.test\.ts/m);
  }, 60_000);

  it('the tsconfig.json lets TypeScript check the folder against the command\'s @confide/core', async () => {
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const { stdout } = await run(process.execPath, [tsc, '-p', join(folder, 'tsconfig.json')], { cwd: folder, encoding: 'utf8' });
    expect(stdout).toBe('');
  }, 60_000);

  it('confide ablate runs the scaffolded experiment as written: my router swept, named with its module and hash', async () => {
    const outcome = await confide(['ablate', '--experiment', 'my-router-ablation']);
    expect(outcome.stderr).not.toContain('confide: error');
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toMatch(/^my-router \(yours\) +acc +\d+\.\d%/m);
    const summary = JSON.parse(readFileSync(join(folder, 'reports', 'my-router-ablation', 'summary.json'), 'utf8')) as {
      problems: { evaluated: number };
      routers: Array<{ id: string; points: unknown[] }>;
      provenance: { plugins: Array<{ id: string; module?: { name: string; sha256: string } }> };
    };
    expect(summary.problems.evaluated).toBe(500);
    expect(summary.routers.find((router) => router.id === 'my-router')!.points).toHaveLength(6);
    expect(summary.provenance.plugins.find((use) => use.id === 'me/my-router')!.module).toEqual({ name: '../my-router.ts', sha256: sha256(join(folder, 'my-router.ts')) });
    expect(existsSync(join(folder, 'reports', 'my-router-ablation', 'report.html'))).toBe(true);
  }, 120_000);

  it('confide view writes the page, whose threshold is my router\'s score', async () => {
    const outcome = await confide(['view', 'my-router-ablation']);
    expect(outcome.stderr).not.toContain('confide: error');
    expect(outcome.code).toBe(0);
    const page = readFileSync(join(folder, 'confide-view', 'my-router-ablation', 'index.html'), 'utf8');
    expect(page).toContain('"score":{"score":"generation.usage.output","direction":"keep-low","label":"my-router (yours)"}');
  }, 300_000);

  it('confide plugins list and show name my plugin, its module and its options with their defaults', async () => {
    const list = await confide(['plugins', 'list', '--plugin', './my-router.ts']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^me\/my-router +router +my-router\.ts +maxOutputTokens: integer = 600$/m);
    expect(list.stdout).toMatch(/^core\/threshold +router +built in +score: /m);
    const fromExperiment = await confide(['plugins', 'list', '--experiment', 'my-router-ablation', '--kind', 'router']);
    expect(fromExperiment.stdout).toMatch(/^me\/my-router +router +\.\.\/my-router\.ts +maxOutputTokens: integer = 600$/m);
    const show = await confide(['plugins', 'show', 'me/my-router', '--plugin', './my-router.ts', '--format', 'json']);
    expect(JSON.parse(show.stdout)).toEqual({
      id: 'me/my-router',
      kind: 'router',
      description: 'keep the small answer when it has at most maxOutputTokens output tokens, else delegate',
      module: { name: 'my-router.ts', export: 'myRouter', sha256: sha256(join(folder, 'my-router.ts')), file: join(folder, 'my-router.ts') },
      options: [[{ name: 'maxOutputTokens', type: 'integer', presence: 'default', default: 600 }]],
    });
    const unknown = await confide(['plugins', 'show', 'me/my-ruter', '--plugin', './my-router.ts']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/\[NOT_FOUND\]: plugins: no plugin "me\/my-ruter"; did you mean "me\/my-router"/);
  }, 60_000);

  it('confide new refuses to overwrite files, naming them, and writes nothing', async () => {
    writeFileSync(join(folder, 'my-router.ts'), `${readFileSync(join(folder, 'my-router.ts'), 'utf8')}// my edit\n`);
    writeFileSync(join(folder, 'my-router.test.ts'), '// mine\n');
    const before = readdirSync(folder).sort();
    const outcome = await confide(['new', 'router', 'my-router']);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr.trim()).toMatch(/^confide: error \[OUTPUT_REFUSED\]: new: will not overwrite my-router\.ts, my-router\.test\.ts in \.: move them away or choose another name \(nothing written\)$/);
    expect(readdirSync(folder).sort()).toEqual(before);
    expect(readFileSync(join(folder, 'my-router.test.ts'), 'utf8')).toBe('// mine\n');
  });
});

describe('confide new evaluator', () => {
  it('writes an evaluator whose test passes and whose ablation re-grades the bundled runs with it', async () => {
    const created = await confide(['new', 'evaluator', 'my-grader']);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^kept {2}tsconfig\.json +already there, the same$/m);
    const tested = await confide(['test', 'my-grader.ts']);
    expect(tested.code).toBe(0);
    expect(tested.stdout).toMatch(/ℹ pass 2\n/);
    const ablated = await confide(['ablate', '--experiment', 'my-grader-ablation']);
    expect(ablated.stderr).not.toContain('confide: error');
    expect(ablated.code).toBe(0);
    const summary = JSON.parse(readFileSync(join(folder, 'reports', 'my-grader-ablation', 'summary.json'), 'utf8')) as { provenance: { plugins: Array<{ id: string; kind: string; module?: { name: string } }> } };
    expect(summary.provenance.plugins.find((use) => use.id === 'me/my-grader')).toMatchObject({ kind: 'evaluator', module: { name: '../my-grader.ts' } });
  }, 120_000);
});

describe('confide new model', () => {
  let server: StandInServer;
  beforeAll(async () => {
    server = await startOpenAIStandIn({ responder: defaultResponder() });
  });
  afterAll(async () => {
    await server.close();
  });

  it('writes a model client whose test passes and whose live run sends the small model through it', async () => {
    const created = await confide(['new', 'model', 'my-client']);
    expect(created.code).toBe(0);
    const tested = await confide(['test', 'my-client.test.ts']);
    expect(tested.code).toBe(0);
    expect(tested.stdout).toMatch(/ℹ pass 1\n/);
    // the experiment as written, pointed at the stand-in instead of a local vLLM
    const file = join(folder, 'my-client-live', 'experiment.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('http://127.0.0.1:8000/v1', `${server.url}/v1`));
    const outcome = await confide(['run', 'my-client-live', '--no-cache']);
    expect(outcome.stderr).not.toContain('confide: error');
    expect(outcome.code).toBe(0);
    // the router reads the small answer first: every problem is asked of my client once
    expect(server.billing.entries.map((entry) => entry.model)).toEqual(Array(10).fill('qwen2.5-math-1.5b-instruct'));
    const manifest = JSON.parse(readFileSync(join(folder, 'my-client-live', 'run', 'manifest.json'), 'utf8')) as { records: number; plugins: Array<{ id: string; module?: { name: string } }> };
    expect(manifest.records).toBe(10);
    expect(manifest.plugins.find((use) => use.id === 'me/my-client')!.module!.name).toBe('../my-client.ts');
  }, 120_000);
});
