/**
 * A run stands alone: a run folder carries its price table and its problems (manifest v2), so `compare`, `view`,
 * `data show` and `regrade` read it from any current folder, with no extra flags — also after it was copied to another
 * place and the original is gone. A v1 manifest still loads (its bundled price table resolved by id).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readRunDirectory, readRunProblems, workspaceRoot } from '@confide/data';
import { describe, expect, it } from 'vitest';

const cli = join(workspaceRoot(), 'packages', 'cli', 'src', 'main.ts');
const tsx = pathToFileURL(join(workspaceRoot(), 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

/** The command as a whole process, started in `cwd`. */
function confide(cwd: string, ...args: string[]) {
  const result = spawnSync(process.execPath, ['--conditions=@confide/source', '--import', tsx, cli, ...args], { cwd, encoding: 'utf8' });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

/** byo-arithmetic's imported runs, copied into a folder outside the checkout (and the copies' source gone from it). */
function copiedRuns(): string {
  const place = mkdtempSync(join(tmpdir(), 'confide-moved-runs-'));
  for (const side of ['small', 'large']) cpSync(join(workspaceRoot(), 'experiments', 'byo-arithmetic', 'runs', side), join(place, 'runs', side), { recursive: true });
  return place;
}

describe('a run folder stands alone', () => {
  it('compare, data show and view read a copied run from its own folder, with no flags', () => {
    const place = copiedRuns();
    const compared = confide(join(place, 'runs'), 'compare', 'small', 'large');
    expect(compared.code, compared.err).toBe(0);
    expect(compared.out).toMatch(/^small against large: 300 problems, paired$/m);
    expect(compared.out).toMatch(/accuracy 73\.0% -> 93\.0%/);
    expect(compared.err).not.toMatch(/not at hand/);

    const shown = confide(place, 'data', 'show', './runs/small', '--limit', '2', '--format', 'json');
    expect(shown.code, shown.err).toBe(0);

    const view = join(place, 'view');
    const viewed = confide(place, 'view', 'runs/small', '--out', view);
    expect(viewed.code, viewed.err).toBe(0);
    expect(viewed.err).not.toMatch(/not at hand/);
    // the page holds the questions the run carries
    const [first] = readRunProblems(readRunDirectory(join(place, 'runs', 'small')))!;
    expect(readFileSync(join(view, 'index.html'), 'utf8')).toContain(JSON.stringify(first!.problem).slice(1, -1));
  }, 120_000);

  it('a run whose problems file was edited after the fact is refused naming the file', () => {
    const place = copiedRuns();
    writeFileSync(join(place, 'runs', 'small', 'problems.jsonl.gz'), 'edited');
    const compared = confide(place, 'compare', 'runs/small', 'runs/large');
    // compare falls back to the run's record order, saying why
    expect(compared.err).toMatch(/problems\.jsonl\.gz: sha256 .* the problems changed after the run was written/);
  }, 60_000);

  it('a v1 manifest still loads: its bundled price table is resolved by id', () => {
    const place = mkdtempSync(join(tmpdir(), 'confide-v1-run-'));
    const run = join(place, 'qwen');
    cpSync(join(workspaceRoot(), 'experiments', 'recorded-math500', 'runs', 'qwen-1.5b'), run, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(run, 'manifest.json'), 'utf8')) as Record<string, unknown> & { priceTable: { id: string; version: string } };
    const { problems: _problems, pipelineCheck: _check, ...v1 } = manifest;
    writeFileSync(join(run, 'manifest.json'), JSON.stringify({ ...v1, schemaVersion: 1, priceTable: { id: manifest.priceTable.id, version: manifest.priceTable.version } }));
    rmSync(join(run, 'problems.jsonl.gz'));
    expect(existsSync(join(run, 'problems.jsonl.gz'))).toBe(false);
    const compared = confide(place, 'compare', './qwen', 'qwen-7b');
    expect(compared.code, compared.err).toBe(0);
    expect(compared.out).toMatch(/500 problems, paired/);
    expect(compared.err).toMatch(/compare: \.\/qwen: manifest v1: price table seed-math500 resolved by id to the bundled seed-math500@2025-11-20/);
  }, 60_000);
});
