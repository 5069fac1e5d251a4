import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ensurePageBuilt, PAGE_SCRIPT, pageIsStale, pageSourceHash } from './page-build.js';

const packageRoot = fileURLToPath(new URL('../../', import.meta.url));
const cacheHome = process.env['XDG_CACHE_HOME'];
afterEach(() => {
  if (cacheHome === undefined) delete process.env['XDG_CACHE_HOME'];
  else process.env['XDG_CACHE_HOME'] = cacheHome;
});

describe('the viewer page at view time', () => {
  it('is the page `npm run build` built when it is current, else built once into the cache folder, never into the checkout', { timeout: 120_000 }, async () => {
    const cache = mkdtempSync(join(tmpdir(), 'viewer-cache-'));
    process.env['XDG_CACHE_HOME'] = cache;
    const before = existsSync(PAGE_SCRIPT) ? statSync(PAGE_SCRIPT).mtimeMs : null;
    const stale = pageIsStale();
    const where: string[] = [];
    const script = await ensurePageBuilt((folder) => where.push(folder));
    if (stale) {
      expect(script).toBe(join(cache, 'confide', 'viewer-page', pageSourceHash(), 'viewer.js'));
      expect(where).toEqual([join(cache, 'confide', 'viewer-page', pageSourceHash())]);
      // a second view reuses it
      expect(await ensurePageBuilt(() => where.push('again'))).toBe(script);
      expect(where).toHaveLength(1);
    } else {
      expect(script).toBe(PAGE_SCRIPT);
      expect(where).toEqual([]);
    }
    expect(existsSync(script)).toBe(true);
    // nothing written into the package: the built page untouched, no build folder left
    expect(existsSync(PAGE_SCRIPT) ? statSync(PAGE_SCRIPT).mtimeMs : null).toBe(before);
    expect(readdirSync(packageRoot).filter((name) => name.startsWith('.page-build'))).toEqual([]);
  });
});
