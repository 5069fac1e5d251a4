// Bundles vega and vega-lite into one ES module file (vega-and-vega-lite.js, exporting the two as `vega` and
// `vegaLite`) in packages/reports/dist-chart-modules/, with the versions it was made from (versions.json). A chart
// worker imports this file instead of the ~250 modules the two packages are spread over when those versions are the
// installed ones (`chartRenderingSetup`), else the packages themselves: loading takes about 75 ms instead of 215 ms
// (half the CPU time). The same code either way, so the same charts, byte for byte. Written to a staging folder and
// renamed into place.
import { build } from 'esbuild';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// the versions the bundle records are found by the function that checks them (the reports build, which this target follows)
import { installedVegaVersions } from '../dist/charts/render-chart-in-process.js';

const reports = fileURLToPath(new URL('../', import.meta.url));
const out = join(reports, 'dist-chart-modules');
const staging = `${out}.${process.pid}.staging`;

const started = performance.now();
await rm(staging, { recursive: true, force: true });
await mkdir(staging, { recursive: true });
await build({
  // one file for both: they share most of their dependencies (vega-util, d3-*), which two files would load twice
  stdin: { contents: "export * as vega from 'vega';\nexport * as vegaLite from 'vega-lite';\n", resolveDir: reports, loader: 'js' },
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outfile: join(staging, 'vega-and-vega-lite.js'),
  logLevel: 'warning',
  legalComments: 'none',
});
const versions = installedVegaVersions();
for (const [name, version] of Object.entries(versions)) if (version === null) throw new Error(`${name}: no package.json of that name above its entry`);
await writeFile(join(staging, 'versions.json'), `${JSON.stringify(versions, null, 2)}\n`);
await rm(out, { recursive: true, force: true });
await rename(staging, out);
console.log(`bundled ${Object.entries(versions).map(([name, version]) => `${name} ${version}`).join(' and ')} into ${out} (${Math.round(performance.now() - started)} ms)`);
