import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { confideCacheFolder, defaultResponseCachePath, resolveCachePath } from './cache-folder.js';
import { workspaceRoot } from './workspace-paths.js';

describe('the cache folder', () => {
  it("is the user's cache directory ($XDG_CACHE_HOME, else ~/.cache), never the checkout", () => {
    expect(confideCacheFolder({ XDG_CACHE_HOME: '/var/cache/me' })).toBe('/var/cache/me/confide');
    expect(confideCacheFolder({})).toBe(join(homedir(), '.cache', 'confide'));
    expect(defaultResponseCachePath({})).toBe(join(homedir(), '.cache', 'confide', 'responses.sqlite'));
    expect(defaultResponseCachePath({}).startsWith(workspaceRoot())).toBe(false);
  });

  it('--cache <file> is relative to the current folder; --no-cache is none', () => {
    expect(resolveCachePath('my.sqlite')).toBe(resolve('my.sqlite'));
    expect(resolveCachePath(false)).toBeNull();
    expect(resolveCachePath(undefined)).toBe(defaultResponseCachePath());
  });
});
