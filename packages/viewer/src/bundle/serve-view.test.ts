import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serveView } from './serve-view.js';

describe('serveView', () => {
  it('serves the bundle on 127.0.0.1, and nothing outside its folder', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'confide-serve-view-'));
    writeFileSync(join(folder, 'index.html'), '<!doctype html><p>hello</p>');
    const served = await serveView(folder);
    try {
      expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const page = await fetch(served.url);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(await page.text()).toContain('hello');
      expect((await fetch(`${served.url}..%2F..%2Fetc%2Fpasswd`)).status).toBe(404);
      expect((await fetch(`${served.url}missing.html`)).status).toBe(404);
      expect((await fetch(served.url, { method: 'POST' })).status).toBe(405);
    } finally {
      await served.close();
    }
  });
});
