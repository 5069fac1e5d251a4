import { register } from 'node:module';
import { COMMAND_MODULE_FALLBACK_HOOK } from '@confide/core';

/**
 * Preloaded (`--import`) into the process `confide test` starts: a bare import that does not resolve from the test's
 * folder (`@confide/core/testing` in a folder with no node_modules) is resolved again as if imported from here, so it
 * gets the command's own copy — core's COMMAND_MODULE_FALLBACK_HOOK, which `@confide/experiments` also installs when it
 * loads plugin modules; registered here from core alone because importing that package costs the test process two
 * seconds. CommonJS test files find the same packages through NODE_PATH, which `confide test` sets.
 */
register(`data:text/javascript,${encodeURIComponent(COMMAND_MODULE_FALLBACK_HOOK)}`, { data: { fallbackParentURL: import.meta.url } });
