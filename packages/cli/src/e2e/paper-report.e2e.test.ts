import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { workspaceRoot } from '@confide/data';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, watchedPage } from '../../tests/chromium.js';

const report = join(workspaceRoot(), 'reports', 'paper-math500', 'report.html');

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe('reports/paper-math500/report.html in headless Chromium', () => {
  it('renders its tables and every chart, with no console errors and no outside requests', async () => {
    const { page, errors, outside } = await watchedPage(browser);
    await page.goto(pathToFileURL(report).href, { waitUntil: 'load' });

    const tables = await page.locator('table').count();
    expect(tables).toBeGreaterThanOrEqual(7);
    const table1 = await page.locator('section').first().locator('table').innerText();
    expect(table1).toContain('Delegation II');
    expect(table1).toContain('1.249972');

    const charts = page.locator('figure.chart');
    const count = await charts.count();
    expect(count).toBe(2);
    for (let index = 0; index < count; index++) {
      const box = await charts.nth(index).locator('svg').first().boundingBox();
      expect(box, `chart ${index} has no box`).not.toBeNull();
      expect(box!.width).toBeGreaterThan(100);
      expect(box!.height).toBeGreaterThan(100);
      expect(await charts.nth(index).locator('svg path, svg text').count()).toBeGreaterThan(10);
    }
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await page.close();
  }, 60_000);
});
