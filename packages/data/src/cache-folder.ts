import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Where Confide keeps its caches (the response cache, hub downloads, learned routers' fits): the user's cache directory,
 * `$XDG_CACHE_HOME/confide`, else `~/.cache/confide` — shared by every run of this user wherever it starts, and never
 * inside a checkout. The one place a default cache location is chosen.
 */
export function confideCacheFolder(environment: NodeJS.ProcessEnv = process.env): string {
  const base = environment['XDG_CACHE_HOME'] ? resolve(environment['XDG_CACHE_HOME']) : join(homedir(), '.cache');
  return join(base, 'confide');
}

/** The response cache a command uses when none is named. */
export function defaultResponseCachePath(environment: NodeJS.ProcessEnv = process.env): string {
  return join(confideCacheFolder(environment), 'responses.sqlite');
}

/** Where learned routers' fits are kept between runs (`logisticFitCacheIn`), unless a command is told not to. */
export function defaultFitCacheFolder(environment: NodeJS.ProcessEnv = process.env): string {
  return join(confideCacheFolder(environment), 'fits');
}

/** The response cache a `--cache <file>` / `--no-cache` pair chooses: a file (relative to the current folder), none, or the default. */
export function resolveCachePath(option: string | boolean | undefined): string | null {
  if (option === false) return null;
  if (typeof option === 'string') return resolve(option);
  return defaultResponseCachePath();
}
