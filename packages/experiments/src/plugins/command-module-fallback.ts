import Module, { register } from 'node:module';
import { delimiter } from 'node:path';
import { commandNodeModulesFolders } from './package-folders.js';

/**
 * The resolve hook (Node's module customization hooks, run on the hooks thread): a bare import that does not resolve
 * from the importing file (`@confide/core` in a user's folder that has no node_modules) is resolved again as if
 * imported by this command, so it gets the command's own copy. Only a bare specifier that was not found is retried;
 * everything else, and everything found, is left as Node resolved it. Kept as source text so it needs no file of its
 * own in the built package.
 */
const RESOLVE_HOOK = `
let fallbackParentURL;
export function initialize(data) {
  fallbackParentURL = data.fallbackParentURL;
}
export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    const bare = !/^([./]|[A-Za-z][A-Za-z0-9+.-]*:|#)/.test(specifier);
    if (!bare || error === null || typeof error !== 'object' || error.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    return nextResolve(specifier, { ...context, parentURL: fallbackParentURL });
  }
}
`;

let installed = false;

/**
 * Lets plugin modules in any folder import the command's own packages (`@confide/core`, its `z`) when their folder
 * has none: for ES modules a resolve hook registered with `module.register`, for CommonJS (a `.js` or `.ts` file
 * outside a `"type": "module"` package, which tsx loads as CommonJS) Node's NODE_PATH, which CommonJS searches after
 * every node_modules folder above the file. A user's own installed copy still wins in both. Installed once per process,
 * and only when a plugin module is loaded, so a command that loads none starts as before.
 */
export function installCommandModuleFallback(): void {
  if (installed) return;
  installed = true;
  register(`data:text/javascript,${encodeURIComponent(RESOLVE_HOOK)}`, { data: { fallbackParentURL: import.meta.url } });
  const folders = commandNodeModulesFolders();
  process.env['NODE_PATH'] = [...(process.env['NODE_PATH'] ?? '').split(delimiter).filter((folder) => folder !== ''), ...folders].join(delimiter);
  // CommonJS reads NODE_PATH when the process starts; this re-reads it (the documented variable, applied late).
  (Module as unknown as { _initPaths(): void })._initPaths();
}
