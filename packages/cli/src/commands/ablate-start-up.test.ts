/**
 * The ablate command's start-up: importing its module loads none of the libraries only other commands use — the hub
 * client, Parquet reading and writing, CSV, YAML, zip archives, SQLite. The functions that need them import them on
 * first use, so the ablation (and every other command that imports @confide/data or @confide/inference) does not pay
 * for them.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { workspaceRoot } from '@confide/data';
import { describe, expect, it } from 'vitest';

const tsx = pathToFileURL(join(workspaceRoot(), 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

/** A module-load hook that appends every module URL it loads to the file $LOADED_MODULES (one a line). */
const RECORD_LOADS = `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) { appendFileSync(process.env.LOADED_MODULES, url + '\\n'); return next(url, context); }`;
const REGISTER_HOOK = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(RECORD_LOADS)}`)});`;

/** The URLs of the modules a fresh process loads to import `module` (from source). */
function modulesLoadedBy(module: string): string[] {
  const list = join(mkdtempSync(join(tmpdir(), 'confide-start-up-')), 'loaded.txt');
  const script = `await import(${JSON.stringify(pathToFileURL(module).href)});`;
  const result = spawnSync(
    process.execPath,
    ['--conditions=@confide/source', '--import', tsx, '--import', `data:text/javascript,${encodeURIComponent(REGISTER_HOOK)}`, '--input-type=module', '-e', script],
    { cwd: workspaceRoot(), encoding: 'utf8', env: { ...process.env, LOADED_MODULES: list } },
  );
  expect(result.status, result.stderr).toBe(0);
  return readFileSync(list, 'utf8').trim().split('\n');
}

describe('the ablate command starts without the libraries it never uses', () => {
  it('importing it loads no hub client, Parquet reader or writer, CSV, YAML, zip or SQLite library', () => {
    const loaded = modulesLoadedBy(join(workspaceRoot(), 'packages', 'cli', 'src', 'commands', 'ablate.ts'));
    // the hook saw the command's graph (so an empty list below means something)
    expect(loaded.some((url) => url.endsWith('/packages/data/src/index.ts'))).toBe(true);
    expect(loaded.some((url) => url.endsWith('/packages/inference/src/index.ts'))).toBe(true);
    // packages the workspace depends on directly
    const unused = ['@huggingface/hub', 'hyparquet', 'hyparquet-compressors', 'hyparquet-writer', 'csv-parse', 'yaml', 'yauzl', 'better-sqlite3'];
    const folders = unused.map((name) => `${pathToFileURL(join(workspaceRoot(), 'node_modules', name)).href}/`);
    expect(loaded.filter((url) => folders.some((folder) => url.startsWith(folder)))).toEqual([]);
  }, 60_000);
});
