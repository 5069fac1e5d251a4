/**
 * The source of a resolve hook (Node's module customization hooks, run on the hooks thread, registered with
 * `module.register` as a data: URL): a bare import that does not resolve from the importing file (`@confide/core` in a
 * user's folder that has no node_modules) is resolved again from `fallbackParentURL` (the registering module of the
 * command), so it gets the command's own copy. Only a bare specifier that was not found is retried; everything else,
 * and everything found, is left as Node resolved it. Kept as source text so it needs no file of its own in a built
 * package; the plugin-module loader and `confide test`'s preload both register it.
 */
export const COMMAND_MODULE_FALLBACK_HOOK = `
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
