// Bundles the built CLI (packages/cli/dist/main.js and the workspace packages it imports, from their dist/) into a few
// ES module files in packages/cli/dist-bundle/, which bin/confide.js runs when they are newer than every package's
// build: Node then resolves, reads and links a few dozen files at start-up instead of about 600 (the README's start-up
// paragraph has the figures, measured side by side).
//
// Nothing changes for the code: every bundled module of the workspace keeps its own `import.meta.url` (rewritten to
// its dist file's URL, relative to the bundle, so a moved checkout still works), so files it finds beside itself
// (templates, a worker's entry, package.json) and packages it resolves with createRequire are the same as unbundled.
// Packages with native code, those loaded only in worker threads, and development tools stay outside the bundle.
// Written to a staging folder and renamed into place: a failed bundle leaves the previous one whole.
import { build } from 'esbuild';
import { readFile, rename, rm } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../', import.meta.url));
const workspace = join(cli, '..', '..');
const out = join(cli, 'dist-bundle');
const staging = `${out}.${process.pid}.staging`;

/** Not bundled: native modules, packages only worker threads load (by URL), lazily required SDKs and dev tools. */
const EXTERNAL = ['better-sqlite3', '@resvg/resvg-js', 'vega', 'vega-lite', 'openai', '@google/genai', 'vite', 'tsx', 'esbuild', 'playwright-core', 'vitest', 'typescript'];

/** A workspace package's built file (packages/<name>/dist/… or plugins/<name>/dist/…). */
const WORKSPACE_DIST = /[\\/](packages|plugins)[\\/][^\\/]+[\\/]dist[\\/].*\.js$/;

/** Each workspace module's `import.meta.url` as its own dist file's URL, computed from the bundle file's URL at run time. */
const ownImportMetaUrl = {
  name: 'own-import-meta-url',
  setup(builder) {
    builder.onLoad({ filter: WORKSPACE_DIST }, async (args) => {
      const contents = await readFile(args.path, 'utf8');
      // the entry keeps the bundle's own URL: main.js compares it with process.argv[1] to know it was run directly
      if (args.path === join(cli, 'dist', 'main.js') || !contents.includes('import.meta.url')) return { contents, loader: 'js' };
      // every output file lies directly in dist-bundle/, so one relative path fits whichever chunk the module lands in
      const fromBundle = relative(out, args.path).split(sep).join('/');
      return { contents: contents.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`), loader: 'js' };
    });
  },
};

const started = performance.now();
await rm(staging, { recursive: true, force: true });
const result = await build({
  // jit-tiering: the bin sets the batch run's JIT budget from it before it loads the command (main)
  entryPoints: { main: join(cli, 'dist', 'main.js'), 'jit-tiering': join(cli, 'dist', 'jit-tiering.js') },
  bundle: true,
  splitting: true, // each command's modules stay a chunk of their own, loaded when that command runs
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir: staging,
  external: EXTERNAL,
  plugins: [ownImportMetaUrl],
  // CommonJS dependencies inside the bundle call require() for Node's built-ins: give ES modules one
  banner: { js: "import { createRequire as __confideCreateRequire } from 'node:module'; const require = __confideCreateRequire(import.meta.url);" },
  logLevel: 'warning',
  metafile: true,
  legalComments: 'none',
});
await rm(out, { recursive: true, force: true });
await rename(staging, out);
const files = Object.keys(result.metafile.outputs).length;
const inputs = Object.keys(result.metafile.inputs).length;
console.log(`bundled ${inputs} modules into ${files} files in ${relative(workspace, out)}${sep} (${Math.round(performance.now() - started)} ms)`);
