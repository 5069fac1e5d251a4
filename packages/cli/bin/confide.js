#!/usr/bin/env node
// The confide command. It runs the built CLI in this process (`npm run build` in the Confide repository builds it;
// `npm link` in packages/cli puts `confide` on PATH, to run from any folder): the bundle of it (dist-bundle/, a few
// files, the fastest start) when it is newer than every package's build, else the built files (dist/). When the
// build is missing, or a package's sources changed after its last build, it runs the sources instead (slower start)
// and says so.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const workspace = fileURLToPath(new URL('../../../', import.meta.url));
const built = new URL('../dist/', import.meta.url);
const bundled = new URL('../dist-bundle/', import.meta.url);

/** The newest modification time of a package's TypeScript sources (tests excluded). */
function newestSource(folder) {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = `${folder}/${entry.name}`;
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Every package's build time (tsc writes tsconfig.lib.tsbuildinfo on every build of one), and those older than their sources. */
function builds() {
  const stale = [];
  let newestBuild = 0;
  for (const group of ['packages', 'plugins']) {
    for (const name of readdirSync(`${workspace}${group}`)) {
      const source = `${workspace}${group}/${name}/src`;
      if (!existsSync(source)) continue;
      const info = `${workspace}${group}/${name}/dist/tsconfig.lib.tsbuildinfo`;
      if (!existsSync(info)) {
        stale.push(`${group}/${name}`);
        continue;
      }
      const builtAt = statSync(info).mtimeMs;
      newestBuild = Math.max(newestBuild, builtAt);
      if (newestSource(source) > builtAt) stale.push(`${group}/${name}`);
    }
  }
  return { stale, newestBuild };
}

const { stale, newestBuild } = existsSync(new URL('main.js', built)) ? builds() : { stale: ['packages/cli'], newestBuild: 0 };
if (stale.length === 0) {
  // the bundle is made from the builds (packages/cli/scripts/bundle-cli.mjs): it is current when written after all of them
  const bundledMain = new URL('main.js', bundled);
  const folder = existsSync(bundledMain) && statSync(bundledMain).mtimeMs >= newestBuild ? bundled : built;
  // the optimising compiler's budget for a batch run (src/jit-tiering.ts), set before the command's modules load: the
  // functions they run from their first call count against it (set after them, the ablation took ×1.12 the time)
  const { tuneJitForBatchRun } = await import(new URL('jit-tiering.js', folder).href);
  tuneJitForBatchRun();
  const { runCli } = await import(new URL('main.js', folder).href);
  process.exitCode = await runCli(process.argv.slice(2));
} else {
  process.stderr.write(`confide: running from source (not built, or changed since the build: ${stale.join(', ')}); "npm run build" makes it start fast\n`);
  const tsx = import.meta.resolve('tsx');
  const main = `${workspace}packages/cli/src/main.ts`;
  const child = spawn(process.execPath, ['--conditions=@confide/source', '--import', tsx, main, ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
