import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ConfideError } from '@confide/core';
import { legacy, resolve as resolveExports } from 'resolve.exports';
import { z } from 'zod';
import { findPackageFolder } from './package-folders.js';

/** A plugin module found on disk: the file that is loaded and hashed, and how provenance names it. */
export interface ResolvedPluginModule {
  /** As the user wrote it (`./my-router.ts`, `some-package`). */
  specifier: string;
  /** The file, absolute. */
  file: string;
  /** A path relative to the folder runs and reports name things against (forward slashes), or `name@version` for a package. */
  module: string;
}

/** A path (`./x.ts`, `../lib/y.js`, `/abs/z.mjs`), as opposed to a package name (`some-package`, `@scope/name/sub`). */
export function isPathSpecifier(specifier: string): boolean {
  return specifier === '.' || specifier === '..' || /^\.{1,2}[\\/]/.test(specifier) || isAbsolute(specifier);
}

const PackageJson = z.looseObject({ name: z.string().optional(), version: z.string().optional() });

/** `@scope/name/sub/path` → `@scope/name` and `./sub/path`. */
function splitPackageSpecifier(specifier: string): { name: string; subpath: string } {
  const parts = specifier.split('/');
  const nameParts = specifier.startsWith('@') ? 2 : 1;
  const rest = parts.slice(nameParts).join('/');
  return { name: parts.slice(0, nameParts).join('/'), subpath: rest === '' ? '.' : `./${rest}` };
}

function notFound(specifier: string, where: string): ConfideError {
  return new ConfideError('PLUGIN_LOAD_FAILED', `plugin module "${specifier}": ${where}`);
}

/** A package's entry for `subpath`, by its `exports` (the `import` and `node` conditions), else `main`, else index.js. */
function packageEntry(folder: string, manifest: Record<string, unknown>, subpath: string): string {
  try {
    const exported = resolveExports(manifest, subpath);
    if (exported !== undefined && exported.length > 0) return join(folder, exported[0]!);
  } catch (error) {
    throw notFound(`${String(manifest['name'])}${subpath === '.' ? '' : subpath.slice(1)}`, `its package.json exports no "${subpath}" (${error instanceof Error ? error.message : String(error)})`);
  }
  if (subpath !== '.') return join(folder, subpath);
  const main = legacy(manifest, { fields: ['main'] });
  return join(folder, typeof main === 'string' ? main : 'index.js');
}

/**
 * Finds the file a plugin module specifier names. A path is relative to `from` (the experiment's folder, or the current
 * folder for `--plugin`); a bare name resolves from `from` upward, then from the command's own node_modules.
 * `relativeTo` is the folder provenance names paths against.
 */
export function resolvePluginModule(specifier: string, from: string, relativeTo: string): ResolvedPluginModule {
  if (isPathSpecifier(specifier)) {
    const file = resolve(from, specifier);
    if (!existsSync(file)) throw notFound(specifier, `no file ${file}`);
    if (!statSync(file).isFile()) throw notFound(specifier, `${file} is a folder; name the module's file`);
    return { specifier, file, module: relative(relativeTo, file).split(sep).join('/') };
  }
  const { name, subpath } = splitPackageSpecifier(specifier);
  const folder = findPackageFolder(name, from);
  if (folder === undefined) throw notFound(specifier, `no package "${name}" in node_modules from ${from} upward, nor among the command's own packages (a file needs ./ in front)`);
  const manifest = PackageJson.parse(JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')));
  const file = packageEntry(folder, manifest, subpath);
  if (!existsSync(file)) throw notFound(specifier, `its entry ${file} does not exist (is the package built?)`);
  return { specifier, file, module: `${name}@${manifest.version ?? '0.0.0'}${subpath === '.' ? '' : subpath.slice(1)}` };
}
