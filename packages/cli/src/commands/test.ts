import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, delimiter, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConfideError, InvalidConfigError, NotFoundError } from '@confide/core';
import { Option, type Command } from 'commander';
import { topLevelCommand } from '../command-table.js';

/** A test file's name: `<anything>.test.<ts|mts|cts|js|mjs|cjs>`. */
const TEST_FILE = /\.test\.[mc]?[jt]s$/;

/** The test files under `folder` (node_modules and dot folders skipped), sorted. */
function testFilesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => !entry.name.startsWith('.') && entry.name !== 'node_modules')
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => (entry.isDirectory() ? testFilesUnder(join(folder, entry.name)) : TEST_FILE.test(entry.name) ? [join(folder, entry.name)] : []));
}

/**
 * The test files `confide test` runs for what was named: a test file; a plugin module, whose test beside it
 * (`my-router.ts` → `my-router.test.ts`); a folder, every test file in it. Nothing named: the current folder.
 */
export function testFilesFor(targets: readonly string[], cwd: string): string[] {
  const files: string[] = [];
  for (const target of targets.length === 0 ? ['.'] : targets) {
    const path = resolve(cwd, target);
    if (!existsSync(path)) throw new NotFoundError(`test: ${target} does not exist (relative to ${cwd})`);
    if (statSync(path).isDirectory()) {
      const found = testFilesUnder(path);
      if (found.length === 0) throw new NotFoundError(`test: no test files (*.test.ts, *.test.js) in ${target}`);
      files.push(...found);
    } else if (TEST_FILE.test(path)) {
      files.push(path);
    } else {
      const beside = path.replace(/\.([mc]?[jt]s)$/, '.test.$1');
      if (beside === path || !existsSync(beside)) throw new NotFoundError(`test: ${target} is not a test file (*.test.ts) and has no ${basename(beside)} beside it`);
      files.push(beside);
    }
  }
  return [...new Set(files)];
}

/** The node_modules folders this command resolves its packages from, nearest first (for CommonJS test files' NODE_PATH). */
function commandNodeModules(): string[] {
  const folders: string[] = [];
  for (let folder = dirname(fileURLToPath(import.meta.url)); ; folder = dirname(folder)) {
    if (existsSync(join(folder, 'node_modules'))) folders.push(join(folder, 'node_modules'));
    if (dirname(folder) === folder) return folders;
  }
}

/** Runs `files` with Node's test runner in a child process; resolves to its exit code. */
function runNodeTests(files: readonly string[], reporter: string): Promise<number> {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const fallback = new URL('./test-module-fallback.js', import.meta.url).href;
  // the conditions this process resolves with (@confide/source when it runs from the sources)
  const conditions = process.execArgv.filter((flag) => flag.startsWith('--conditions'));
  const args = [...conditions, '--import', tsx, '--import', fallback, '--test', `--test-reporter=${reporter}`, ...files];
  const nodePath = [...(process.env['NODE_PATH'] ?? '').split(delimiter).filter((folder) => folder !== ''), ...commandNodeModules()].join(delimiter);
  const child = spawn(process.execPath, args, { stdio: 'inherit', env: { ...process.env, NODE_PATH: nodePath } });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      done(code ?? (signal === null ? 1 : 130));
    });
  });
}

/**
 * `confide test [files…]`: a plugin's tests (node:test files, TypeScript or JavaScript) run by Node's own test runner,
 * with this command's `@confide/core` and `@confide/core/testing` for folders that have none — nothing to install.
 */
export function registerTestCommand(program: Command): void {
  topLevelCommand(program, 'test')
    .argument('[targets...]', 'test files (my-router.test.ts), plugin modules (their .test.ts beside them) or folders (default: the current folder)')
    .addOption(new Option('--reporter <reporter>', "node:test's reporter").choices(['spec', 'tap', 'dot']).default('spec'))
    .action(async (targets: string[], options: { reporter: string }) => {
      const files = testFilesFor(targets, process.cwd());
      if (files.length === 0) throw new InvalidConfigError('test: no test files');
      const code = await runNodeTests(files, options.reporter);
      if (code !== 0) {
        const names = files.map((file) => relative(process.cwd(), file)).join(', ');
        throw new ConfideError('SUBPROCESS_FAILED', `test: tests failed in ${names} (node --test exited with ${code}; the failures are above)`);
      }
    });
}
