import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

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
      reporters: ['default'],
    },
  });
}
