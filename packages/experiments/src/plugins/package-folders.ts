import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `folder` and every folder above it, nearest first. */
function foldersUpFrom(folder: string): string[] {
  const folders = [folder];
  for (let parent = dirname(folder); parent !== folders[folders.length - 1]; parent = dirname(parent)) folders.push(parent);
  return folders;
}

/** The node_modules folders the command itself resolves its packages from, nearest first. */
export function commandNodeModulesFolders(): string[] {
  return foldersUpFrom(dirname(fileURLToPath(import.meta.url)))
    .map((folder) => join(folder, 'node_modules'))
    .filter((folder) => existsSync(folder));
}

/**
 * The folder of package `name` as Node finds it from `folder`: `node_modules/<name>` in that folder or the nearest
 * one above it that has it; then in the command's own node_modules. Undefined when neither has it.
 */
export function findPackageFolder(name: string, folder: string): string | undefined {
  const candidates = [...foldersUpFrom(folder).map((above) => join(above, 'node_modules')), ...commandNodeModulesFolders()];
  return candidates.map((modules) => join(modules, name)).find((candidate) => existsSync(join(candidate, 'package.json')));
}
