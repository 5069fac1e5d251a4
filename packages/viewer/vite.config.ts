import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig } from 'vite';

/**
 * Builds the viewer page into one classic script (IIFE): a page opened from file:// may not load module scripts, so
 * `confide view` inlines this file into the bundle's index.html. Workspace packages are read from source.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  logLevel: 'warn',
  resolve: { conditions: ['@confide/source', ...defaultClientConditions] },
  build: {
    outDir: 'dist-page',
    emptyOutDir: true,
    minify: true,
    reportCompressedSize: false,
    lib: { entry: 'src/page/main.ts', formats: ['iife'], name: 'ConfideViewer', fileName: () => 'viewer.js' },
  },
});
