/**
 * Screenshots of the viewer for the README: writes a bundle of the MATH-500 ablation pair compared with Delegation II
 * (the command the README shows), opens each view in Debian's Chromium and saves docs/viewer-{run,problem,threshold,compare}.png.
 * Run: node --conditions=@confide/source --import tsx tools/viewer/screenshots.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { workspaceRoot } from '@confide/data';
import { chromium } from 'playwright-core';

const root = workspaceRoot();
const out = mkdtempSync(join(tmpdir(), 'confide-viewer-shots-'));
// the command the README shows, as a user runs it
execFileSync(process.execPath, ['--conditions=@confide/source', '--import', 'tsx', join(root, 'packages', 'cli', 'src', 'main.ts'), 'view', 'experiments/ablation-math500', '--compare', 'delegation-2-flash', '--out', out], { cwd: root, stdio: 'inherit' });
const browser = await chromium.launch({
  executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});
const page = await browser.newPage({ viewport: { width: 1360, height: 900 }, deviceScaleFactor: 1 });
const views: [name: string, hash: string][] = [
  ['run', '#/run?token=confident&correct=wrong'],
  ['problem', `#/problem/${encodeURIComponent('test/precalculus/807.json')}`],
  ['threshold', '#/threshold?t=1'],
  ['compare', '#/compare'],
];
for (const [name, hash] of views) {
  await page.goto(`${pathToFileURL(join(out, 'index.html')).href}${hash}`, { waitUntil: 'load' });
  await page.waitForTimeout(200);
  const file = join(root, 'docs', `viewer-${name}.png`);
  await page.screenshot({ path: file });
  console.log(file);
}
await browser.close();
