import Module, { register } from 'node:module';
import { COMMAND_MODULE_FALLBACK_HOOK } from '@confide/core';
import { delimiter } from 'node:path';
import { commandNodeModulesFolders } from './package-folders.js';

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
  register(`data:text/javascript,${encodeURIComponent(COMMAND_MODULE_FALLBACK_HOOK)}`, { data: { fallbackParentURL: import.meta.url } });
  const folders = commandNodeModulesFolders();
  process.env['NODE_PATH'] = [...(process.env['NODE_PATH'] ?? '').split(delimiter).filter((folder) => folder !== ''), ...folders].join(delimiter);
  // CommonJS reads NODE_PATH when the process starts; this re-reads it (the documented variable, applied late).
  (Module as unknown as { _initPaths(): void })._initPaths();
}
