import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

/** The Nx project name of a folder: `name` in its project.json, else in its package.json. */
function projectName(projectRoot: string): string {
  for (const file of ['project.json', 'package.json']) {
    const path = join(projectRoot, file);
    if (existsSync(path)) {
      const name = (JSON.parse(readFileSync(path, 'utf8')) as { name?: unknown }).name;
      if (typeof name === 'string') return name;
    }
  }
  throw new Error(`${projectRoot}: neither project.json nor package.json names the project`);
}

/**
 * Where each suite writes its JSON results when CONFIDE_TEST_RESULTS names a folder (CI and tools/stress-tests.sh read
 * them to print how many tests ran, and which failed): `<folder>/vitest/<project name with / as __>.json`.
 */
function resultReporters(projectRoot: string) {
  const folder = process.env['CONFIDE_TEST_RESULTS'];
  if (!folder) return [];
  const file = `${projectName(projectRoot).replaceAll('/', '__')}.json`;
  return [['json', { outputFile: join(folder, 'vitest', file) }] as const];
}

/** Vitest settings every project shares: read workspace packages from source, no watch mode. */
export function confideVitestConfig(projectRoot: string, options: { testTimeout?: number } = {}) {
  const conditions = ['@confide/source', ...defaultServerConditions];
  return defineConfig({
    root: projectRoot,
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ['@confide/source'] } },
    test: {
      watch: false,
      environment: 'node',
      include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
      testTimeout: options.testTimeout ?? 20_000,
      // Setup in beforeAll (building the tiny model, a reference run, launching Chromium) is part of the tests it
      // serves and gets their budget; vitest's own 10 s default timed such setup out on a machine with both cores busy.
      hookTimeout: options.testTimeout ?? 20_000,
      reporters: ['default', ...resultReporters(projectRoot)],
    },
  });
}
