import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The built page: one classic script. */
export const PAGE_SCRIPT = join(PACKAGE_ROOT, 'dist-page', 'viewer.js');
/** The page's style sheet, inlined as written. */
export const PAGE_STYLE = join(PACKAGE_ROOT, 'src', 'page', 'viewer.css');

/** Sources the page is built from: its own, and the workspace packages it imports. */
function sourceFolders(): string[] {
  const workspace = join(PACKAGE_ROOT, '..');
  return [join(PACKAGE_ROOT, 'src'), ...['core', 'metrics', 'routing'].map((name) => join(workspace, name, 'src'))];
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
 * Builds the page with Vite when it is missing or stale (a few seconds, once); returns the script's path. The build
 * writes to a folder of its own and the script is renamed into place, so two commands building at once never leave
 * a reader a half-written page.
 */
export async function ensurePageBuilt(onBuild?: () => void): Promise<string> {
  if (!pageIsStale()) return PAGE_SCRIPT;
  onBuild?.();
  const { build } = await import('vite');
  const outDir = join(PACKAGE_ROOT, `.page-build-${process.pid}-${Date.now()}`);
  try {
    await build({ configFile: join(PACKAGE_ROOT, 'vite.config.ts'), build: { outDir, emptyOutDir: true } });
    const built = join(outDir, 'viewer.js');
    if (!existsSync(built)) throw new Error(`the viewer page build wrote no ${built}`);
    mkdirSync(join(PACKAGE_ROOT, 'dist-page'), { recursive: true });
    renameSync(built, PAGE_SCRIPT);
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
  return PAGE_SCRIPT;
}
