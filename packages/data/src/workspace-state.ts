import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { workspaceRoot } from './workspace-paths.js';

/** sha256 of a file's bytes, hex. */
export function fileSha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Files of a package's src/ that are not production code: tests, their fixtures and helpers. */
const NOT_PRODUCTION = /(\.test\.ts$|(^|\/)(fixtures|testing|e2e)\/)/;

function filesUnder(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/**
 * A hash of the production sources: every workspace package's (packages/*, plugins/*) package.json and src/ files,
 * tests and their fixtures left out, hashed by relative path and content in path order. Unlike a commit it does not
 * change when unrelated files do, so a report regenerated on a clean tree is byte-identical to the committed one.
 */
export function sourceTreeHash(root = workspaceRoot()): { sha256: string; files: number } {
  const files: string[] = [];
  for (const group of ['packages', 'plugins']) {
    const groupFolder = join(root, group);
    if (!existsSync(groupFolder)) continue;
    for (const entry of readdirSync(groupFolder, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const packageFolder = join(groupFolder, entry.name);
      if (existsSync(join(packageFolder, 'package.json'))) files.push(join(packageFolder, 'package.json'));
      files.push(...filesUnder(join(packageFolder, 'src')).filter((file) => !NOT_PRODUCTION.test(relative(packageFolder, file).split('\\').join('/'))));
    }
  }
  const hash = createHash('sha256');
  const named = files.map((file) => ({ file, name: relative(root, file).split('\\').join('/') })).sort((left, right) => (left.name < right.name ? -1 : 1));
  for (const { file, name } of named) hash.update(`${name}\0${fileSha256(file)}\n`);
  return { sha256: hash.digest('hex'), files: named.length };
}

/** The git commit of a checkout and whether its tree has uncommitted changes; both null outside git. */
export function gitState(folder = workspaceRoot()): { commit: string | null; dirty: boolean | null } {
  const git = (args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: folder, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return null;
    }
  };
  const commit = git(['rev-parse', 'HEAD']);
  const status = commit === null ? null : git(['status', '--porcelain']);
  return { commit, dirty: status === null ? null : status !== '' };
}

/** The libraries whose versions every run manifest and report summary records. */
export const RECORDED_PACKAGES = ['@google/genai', 'openai', 'better-sqlite3', 'zod', 'mathjs', 'arquero', 'vega', 'vega-lite'] as const;

/** Installed versions of `names` (a package that is not installed is left out, not guessed). */
export function packageVersions(names: readonly string[] = RECORDED_PACKAGES): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const name of names) {
    try {
      const path = join(workspaceRoot(), 'node_modules', name, 'package.json');
      versions[name] = (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
    } catch {
      // not installed where we look
    }
  }
  return versions;
}
