import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NotFoundError } from '@confide/core';
import { confideCacheFolder } from '@confide/data';

const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The built page, written by `npm run build` (the viewer's build-page target): one classic script. */
export const PAGE_SCRIPT = join(PACKAGE_ROOT, 'dist-page', 'viewer.js');
/** The page's style sheet, inlined as written. */
export const PAGE_STYLE = join(PACKAGE_ROOT, 'src', 'page', 'viewer.css');

/** Sources the page is built from: its own, and the workspace packages it imports. */
function sourceFolders(): string[] {
  const workspace = join(PACKAGE_ROOT, '..');
  return [join(PACKAGE_ROOT, 'src'), ...['core', 'metrics', 'routing'].map((name) => join(workspace, name, 'src'))];
}

function pageSources(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && (entry.name.endsWith('.ts') || entry.name.endsWith('.css')))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** A hash of the sources the page is built from: names the page built into the cache for exactly these sources. */
export function pageSourceHash(): string {
  const hash = createHash('sha256');
  for (const folder of sourceFolders()) {
    if (!existsSync(folder)) continue;
    for (const file of pageSources(folder)) hash.update(`${relative(PACKAGE_ROOT, file)}\0`).update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 16);
}

function newestModification(folder: string): number {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestModification(path));
    else if (entry.name.endsWith('.ts') || entry.name.endsWith('.css')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Whether the built page is missing or older than a source it is built from. */
export function pageIsStale(): boolean {
  if (!existsSync(PAGE_SCRIPT)) return true;
  const built = statSync(PAGE_SCRIPT).mtimeMs;
  return sourceFolders().some((folder) => existsSync(folder) && newestModification(folder) > built);
}

/**
 * The page's script. `npm run build` builds it into the package (dist-page/); `confide view` never writes into the
 * checkout. When that build is missing or older than its sources (running from sources while editing the page), the
 * page is built once into the user's cache folder, keyed by a hash of its sources, so later views reuse it; where
 * Vite is not installed the command says to run `npm run build`. The build writes to a folder of its own and the
 * script is renamed into place, so two commands building at once never leave a reader a half-written page.
 */
export async function ensurePageBuilt(onBuild?: (where: string) => void): Promise<string> {
  if (!pageIsStale()) return PAGE_SCRIPT;
  const folder = join(confideCacheFolder(), 'viewer-page', pageSourceHash());
  const cached = join(folder, 'viewer.js');
  if (existsSync(cached)) return cached;
  let build: typeof import('vite').build;
  try {
    ({ build } = await import('vite'));
  } catch {
    throw new NotFoundError(`the viewer page is not built (${PAGE_SCRIPT} is missing or older than its sources): run \`npm run build\` in the checkout`);
  }
  onBuild?.(folder);
  const outDir = join(confideCacheFolder(), 'viewer-page', `.build-${process.pid}-${Date.now()}`);
  try {
    await build({ configFile: join(PACKAGE_ROOT, 'vite.config.ts'), build: { outDir, emptyOutDir: true } });
    const built = join(outDir, 'viewer.js');
    if (!existsSync(built)) throw new Error(`the viewer page build wrote no ${built}`);
    mkdirSync(folder, { recursive: true });
    renameSync(built, cached);
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
  return cached;
}
