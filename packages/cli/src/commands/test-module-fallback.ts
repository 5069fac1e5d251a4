import { register } from 'node:module';

/**
 * Preloaded (`--import`) into the process `confide test` starts: a bare import that does not resolve from the test's
 * folder (`@confide/core/testing` in a folder with no node_modules) is resolved again as if imported from here, so it
 * gets the command's own copy — the hook `@confide/experiments` installs when it loads plugin modules
 * (`src/plugins/command-module-fallback.ts`), kept here in a file of its own because importing that package costs the
 * test process two seconds. CommonJS test files find the same packages through NODE_PATH, which `confide test` sets.
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

register(`data:text/javascript,${encodeURIComponent(RESOLVE_HOOK)}`, { data: { fallbackParentURL: import.meta.url } });
