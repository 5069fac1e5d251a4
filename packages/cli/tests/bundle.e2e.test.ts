import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { workspaceRoot } from '@confide/data';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The bundled command (packages/cli/dist-bundle/, made by scripts/bundle-cli.mjs; the cli's test target depends on
 * it) does what the built one (dist/) does: the same report files byte for byte, a worker thread started from a
 * bundled module's own folder (core/math's comparisons), files found beside a bundled module (a scaffold's
 * templates), and the bin runs it when it is current.
 */
const root = workspaceRoot();
const cli = join(root, 'packages', 'cli');
const bundled = join(cli, 'dist-bundle', 'main.js');
const built = join(cli, 'dist', 'main.js');
const folder = mkdtempSync(join(tmpdir(), 'confide-bundle-'));
const run = promisify(execFile);

async function confide(entry: string, args: string[], cwd = root): Promise<{ stdout: string; stderr: string }> {
  const env = { ...process.env, NODE_OPTIONS: '', XDG_CACHE_HOME: join(folder, '.cache') };
  return run(process.execPath, [entry, ...args], { cwd, encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
}

/** Every file under a folder, by its path relative to it, with its bytes. */
function filesOf(top: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const entry of readdirSync(top, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) files.set(join(entry.parentPath, entry.name).slice(top.length + 1), readFileSync(join(entry.parentPath, entry.name)));
  }
  return files;
}

beforeAll(() => {
  if (!existsSync(bundled)) throw new Error('packages/cli is not bundled: run "npm run build" (the test target depends on its bundle target)');
});

describe('the bundled confide command', () => {
  it('is current, and the bin runs it: its modules are the bundle files', async () => {
    const cliBuild = statSync(join(cli, 'dist', 'tsconfig.lib.tsbuildinfo')).mtimeMs;
    expect(statSync(bundled).mtimeMs).toBeGreaterThanOrEqual(cliBuild);
    const profiles = join(folder, 'profile');
    await run(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${profiles}`, join(cli, 'bin', 'confide.js'), 'data', 'list'], { cwd: root, encoding: 'utf8' });
    const [profile] = readdirSync(profiles);
    const urls = (JSON.parse(readFileSync(join(profiles, profile!), 'utf8')) as { nodes: Array<{ callFrame: { url: string } }> }).nodes.map((node) => node.callFrame.url);
    expect(urls.some((url) => url.includes('/packages/cli/dist-bundle/'))).toBe(true);
    expect(urls.some((url) => /\/packages\/[^/]+\/dist\//.test(url))).toBe(false);
  });

  it('writes the same report, byte for byte, as the built command (an ablation with a learned router and charts)', async () => {
    const fromBundle = join(folder, 'bundled-report');
    const fromBuild = join(folder, 'built-report');
    const args = ['ablate', '--experiment', 'experiments/ablation-math500', '--progress', 'none', '--resamples', '50'];
    await confide(bundled, [...args, '--out', fromBundle]);
    await confide(built, [...args, '--out', fromBuild]);
    const [one, other] = [filesOf(fromBundle), filesOf(fromBuild)];
    expect([...one.keys()].sort()).toEqual([...other.keys()].sort());
    expect(one.size).toBeGreaterThan(5);
    for (const [name, bytes] of one) expect(bytes.equals(other.get(name)!), name).toBe(true);
  }, 120_000);

  it("grades symbolic answers in core/math's worker thread, started from the plugin's own dist folder", async () => {
    const pairs = join(folder, 'pairs.jsonl');
    const lines = [
      { id: 'rational', gold: '\\frac{x^2-1}{x-1}', pred: 'x+1' },
      { id: 'square', gold: '(x+1)^2', pred: 'x^2+2x+1' },
      { id: 'root', gold: '\\sqrt{8}', pred: '2\\sqrt{2}' },
      { id: 'wrong', gold: '(x+1)^2', pred: 'x^2+1' },
    ];
    writeFileSync(pairs, lines.map((line) => JSON.stringify(line)).join('\n') + '\n');
    const verdicts = async (entry: string) =>
      (await confide(entry, ['grade', '--pairs', pairs])).stdout
        .trim()
        .split('\n')
        .map((line) => {
          const verdict = JSON.parse(line) as Record<string, unknown>;
          delete verdict['ms']; // the time a comparison took
          return verdict;
        });
    const fromBundle = await verdicts(bundled);
    expect(fromBundle.map((verdict) => verdict['equivalent'])).toEqual([true, true, true, false]);
    expect(fromBundle).toEqual(await verdicts(built));
  }, 60_000);

  it('scaffolds a router from the templates beside the cli package', async () => {
    const target = mkdtempSync(join(folder, 'new-'));
    const { stdout } = await confide(bundled, ['new', 'router', 'my-router'], target);
    expect(stdout).toMatch(/^wrote my-router\.ts +the router me\/my-router$/m);
    expect(readFileSync(join(target, 'my-router.ts'), 'utf8')).toContain("id: 'me/my-router'");
  }, 60_000);
});
