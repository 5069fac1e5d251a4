/**
 * The bad-input table (issue 22): every case runs the real `confide` command as a whole process, against fixtures
 * built in a temporary folder outside the checkout (copies of bundled experiments and runs, small hand-made files),
 * and prints one markdown row per case: what the user did, the message Confide printed, the exit code, what was left
 * on disk, and whether that is what a user relies on. The checkout is never written.
 *
 *   node --conditions=@confide/source --import tsx tools/bad-input/bad-input-table.ts [--keep]
 *
 * Tests run as root here, so permissions stop nothing: the read-only target is a fault injected through the one
 * file-writing seam (`setFileSystemFaultForTests` in packages/data/src/io/atomic-write.ts, loaded by a preload module
 * in the same process), and ENOSPC is a write to /dev/full.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = join(ROOT, 'packages/cli/src/main.ts');
const TSX = import.meta.resolve('tsx');
const KEEP = process.argv.includes('--keep');
const TMP = mkdtempSync(join(tmpdir(), 'confide-bad-input-'));
const ENV: NodeJS.ProcessEnv = {
  ...process.env,
  XDG_CACHE_HOME: join(TMP, 'xdg-cache'),
  NO_COLOR: '1',
  FORCE_COLOR: '0',
};

// ---------------------------------------------------------------------------------------------------------------
// running the command

interface Result {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  seconds: number;
  /** set when a first try hung and was killed */
  hung?: string;
}

interface RunOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** modules loaded before the CLI (after tsx) */
  preload?: string[];
  timeoutMs?: number;
}

function nodeArgs(args: string[], options: RunOptions): string[] {
  const preload = (options.preload ?? []).flatMap((module) => ['--import', pathToFileURL(module).href]);
  return ['--conditions=@confide/source', '--import', TSX, ...preload, MAIN, ...args];
}

/** Runs the command; a run that hangs past its time limit is killed and run once more, and the row says so. */
function confide(args: string[], options: RunOptions): Result {
  const first = confideOnce(args, options);
  if (first.signal === null) return first;
  const again = confideOnce(args, options);
  return { ...again, hung: `the first try was killed (${first.signal}) after ${first.seconds.toFixed(0)} s with ${JSON.stringify(first.stderr.trim().slice(0, 200))}; this is the rerun` };
}

function confideOnce(args: string[], options: RunOptions): Result {
  const started = performance.now();
  const result = spawnSync(process.execPath, nodeArgs(args, options), {
    cwd: options.cwd,
    env: options.env ?? ENV,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return {
    code: result.status,
    signal: result.signal,
    stdout: result.stdout ?? '',
    stderr: (result.stderr ?? '') + (result.error ? `\n[bad-input: ${result.error.message}]` : ''),
    seconds: (performance.now() - started) / 1000,
  };
}

/** The same, in the background. */
function confideInBackground(args: string[], options: RunOptions): Promise<Result> {
  const started = performance.now();
  const child = spawn(process.execPath, nodeArgs(args, options), { cwd: options.cwd, env: options.env ?? ENV });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGTERM'), options.timeoutMs ?? 120_000);
  return new Promise((resolveResult) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolveResult({ code, signal, stdout, stderr, seconds: (performance.now() - started) / 1000 });
    }),
  );
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return condition();
}

// ---------------------------------------------------------------------------------------------------------------
// what is on disk

type Snapshot = Map<string, string>;

/** Every file under `dir` (hidden ones too) with a hash of its content. */
function snapshot(dir: string): Snapshot {
  const files: Snapshot = new Map();
  if (!existsSync(dir)) return files;
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) files.set(relative(dir, path), createHash('sha1').update(readFileSync(path)).digest('hex'));
      else files.set(relative(dir, path), entry.isSymbolicLink() ? 'link' : 'special');
    }
  };
  if (statSync(dir).isDirectory()) walk(dir);
  else files.set('.', createHash('sha1').update(readFileSync(dir)).digest('hex'));
  return files;
}

function describeChange(before: Snapshot, after: Snapshot, name: string): string {
  const added = [...after.keys()].filter((k) => !before.has(k));
  const removed = [...before.keys()].filter((k) => !after.has(k));
  const changed = [...after.keys()].filter((k) => before.has(k) && before.get(k) !== after.get(k));
  if (added.length + removed.length + changed.length === 0) return `${name} untouched (${before.size} files, same bytes)`;
  const part = (label: string, list: string[]): string =>
    list.length === 0 ? '' : `${label} ${list.length}: ${list.slice(0, 6).join(', ')}${list.length > 6 ? ', …' : ''}; `;
  return `${name} changed: ${part('added', added)}${part('removed', removed)}${part('rewritten', changed)}`.replace(/; $/, '');
}

/** The entries of a folder, one level: files, and folders with their file counts. */
function listing(dir: string): string {
  if (!existsSync(dir)) return 'nothing';
  if (!statSync(dir).isDirectory()) return `a file (${statSync(dir).size} bytes)`;
  const entries = readdirSync(dir, { withFileTypes: true })
    .map((e) => (e.isDirectory() ? `${e.name}/ (${snapshot(join(dir, e.name)).size})` : e.name))
    .sort();
  return entries.length === 0 ? 'an empty folder' : entries.join(', ');
}

/** Hidden entries and temp-looking names anywhere under `dir` (a lock, a `.tmp`, a moved-aside run). */
function strays(dir: string, ignore: RegExp[] = []): string[] {
  const found: string[] = [];
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      const rel = relative(dir, path);
      const marker = entry.name === '.confide-report.json'; // Confide's report-folder marker, meant to stay
      if (!marker && /^\.|\.tmp|tmp-|\.old|aside|\.partial/i.test(entry.name) && !ignore.some((r) => r.test(rel))) found.push(rel);
      if (entry.isDirectory()) walk(path);
    }
  };
  if (existsSync(dir)) walk(dir);
  return found;
}

/** Charts written into a report folder that its report.md never shows (an empty chart left for nothing). */
function orphanCharts(reportDir: string): string[] {
  const reportFile = join(reportDir, 'report.md');
  if (!existsSync(reportFile)) return [];
  const report = readFileSync(reportFile, 'utf8');
  return readdirSync(reportDir).filter((name) => name.endsWith('.svg') && !report.includes(name));
}

function strayNote(dir: string, ignore: RegExp[] = []): string {
  const found = strays(dir, ignore);
  return found.length === 0 ? '' : `; LEFT OVER: ${found.join(', ')}`;
}

// ---------------------------------------------------------------------------------------------------------------
// the table

interface Row {
  bullet: string;
  input: string;
  message: string;
  code: string;
  left: string;
  check: string;
  seconds: number;
}

const rows: Row[] = [];
const problems: string[] = [];

function errorLine(result: Result): string | undefined {
  return result.stderr.split('\n').find((line) => line.startsWith('confide: error'));
}

/** The message column: the first `confide: error` line on stderr, else its first line (else stdout's); plus `also`. */
function messageOf(result: Result, also: RegExp[] = []): string {
  const lines = (text: string): string[] => text.split('\n').map((l) => l.trim()).filter(Boolean);
  const err = lines(result.stderr);
  const out = lines(result.stdout);
  let message = errorLine(result) ?? err[0] ?? (out[0] ? `(stderr empty) stdout: ${out[0]}` : '(nothing printed)');
  for (const pattern of also) {
    const hit = [...err, ...out].find((l) => pattern.test(l) && l !== message);
    if (hit) message += ` ⟨…⟩ ${hit}`;
  }
  return message;
}

function codeOf(result: Result): string {
  return result.signal ? `signal ${result.signal}` : String(result.code);
}

/** Adds a row; `checks` are what the user relies on: each false one is listed in the check column and in the summary. */
function row(bullet: string, input: string, result: Result, left: string, checks: Record<string, boolean>, also: RegExp[] = []): void {
  const failed = Object.entries(checks)
    .filter(([, ok]) => !ok)
    .map(([what]) => what);
  const message = (result.hung ? `[HUNG: ${result.hung}] ` : '') + messageOf(result, also);
  if (result.hung) failed.push('did not hang (see message)');
  rows.push({
    bullet,
    input,
    message,
    code: codeOf(result),
    left,
    check: failed.length === 0 ? 'ok' : `NOT OK: ${failed.join('; ')}`,
    seconds: result.seconds,
  });
  if (failed.length > 0) problems.push(`${input}: ${failed.join('; ')} (exit ${codeOf(result)}; ${message})`);
  if (process.env.BAD_INPUT_DEBUG) process.stderr.write(`--- ${input}\n${result.stderr}\n${result.stdout.slice(0, 2000)}\n`);
  process.stderr.write(`bad-input: ${rows.length}. ${input} — exit ${codeOf(result)} in ${result.seconds.toFixed(1)} s${failed.length ? ' — NOT OK' : ''}\n`);
}

/** A case folder under the temporary root. */
let caseCount = 0;
function caseDir(slug: string): string {
  const dir = join(TMP, `${String(++caseCount).padStart(2, '0')}-${slug}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

const noRawError = (r: Result): boolean => !/\bE[A-Z]{3,}\b.*(open|mkdir|rename|write|read|scandir)|at .*\(.*\.ts:\d+|\.tmp\b|tmp-[0-9a-f]/.test(r.stderr);
const coded = (r: Result, code?: string): boolean => (code ? errorLine(r)?.includes(`[${code}]`) ?? false : /confide: error \[[A-Z_]+\]/.test(r.stderr));
const failedWith = (r: Result, code?: string): boolean => r.code !== 0 && r.code !== null && coded(r, code);
/** Refused before any work: the error is the only thing printed (no progress line of the work came first). */
const beforeWork = (r: Result): boolean => r.stderr.split('\n').filter((l) => l.trim() !== '').every((l) => l.startsWith('confide: error')) && r.stdout.trim() === '';

// ---------------------------------------------------------------------------------------------------------------
// fixtures

/** Fixture JSON, edited freely (experiments, manifests, records). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const EXP = (name: string): string => join(ROOT, 'experiments', name);

function readJson(path: string): Json {
  return JSON.parse(readFileSync(path, 'utf8'));
}
function writeJson(path: string, value: unknown): void {
  writeFileSync(path, JSON.stringify(value, null, 2) + '\n');
}

/** A copy of paper-math500-live whose replay clients wait `scale` × the recorded latency. */
function liveExperiment(dir: string, scale?: number): string {
  const folder = join(dir, 'live');
  cpSync(EXP('paper-math500-live'), folder, { recursive: true });
  if (scale !== undefined) {
    const file = join(folder, 'experiment.json');
    const experiment = readJson(file);
    for (const side of ['small', 'large']) Object.assign(experiment[side].client.options, { latency: 'simulate', latencyScale: scale });
    writeJson(file, experiment);
  }
  return folder;
}

/** A copy of byo-arithmetic (dataset, prices, the two imported runs, the ablation) and, beside it, the exploration log its `offPolicy` names. */
function byo(dir: string, name = 'byo'): string {
  const folder = join(dir, name);
  cpSync(EXP('byo-arithmetic'), folder, { recursive: true });
  cpSync(join(EXP('explore-byo-arithmetic'), 'run'), join(dir, 'explore-byo-arithmetic', 'run'), { recursive: true });
  return folder;
}

function editExperiment(folder: string, edit: (experiment: Json) => void): void {
  const file = join(folder, 'experiment.json');
  const experiment = readJson(file);
  edit(experiment);
  writeJson(file, experiment);
}

function gzLines(path: string): string[] {
  return gunzipSync(readFileSync(path)).toString('utf8').split('\n').filter(Boolean);
}

/** A pipeline-check run like tiny-e2e's: every record puts ~3e-27 on both confidence tokens. */
function tinyMassRun(runFolder: string, which: (index: number) => boolean = () => true): void {
  const records = join(runFolder, 'records.jsonl.gz');
  const lines = gzLines(records).map((line, index) => {
    const record = JSON.parse(line);
    if (which(index)) record.generation.confidenceProbabilities = { confident: 3.1e-27, uncertain: 2.7e-27 };
    return JSON.stringify(record);
  });
  writeFileSync(records, gzipSync(lines.join('\n') + '\n'));
  const manifest = readJson(join(runFolder, 'manifest.json'));
  manifest.pipelineCheck = { reason: 'tiny random model (like tiny-e2e): the numbers check the plumbing, not the method' };
  writeJson(join(runFolder, 'manifest.json'), manifest);
}

/** A preload that injects a file-system fault through the one writing seam (the process's own module instance). */
function faultPreload(code: string, under: string): string {
  const file = join(TMP, `fault-${code}-${caseCount}.mjs`);
  const seam = pathToFileURL(join(ROOT, 'packages/data/src/io/atomic-write.ts')).href;
  writeFileSync(
    file,
    `import { setFileSystemFaultForTests } from ${JSON.stringify(seam)};\n` +
      `setFileSystemFaultForTests({ code: ${JSON.stringify(code)}, under: ${JSON.stringify(under)} });\n`,
  );
  return file;
}

function checkoutState(): { reports: Snapshot; cacheMtime: number | undefined; status: string } {
  const cache = join(ROOT, '.cache');
  return {
    reports: snapshot(join(ROOT, 'reports')),
    cacheMtime: existsSync(cache) ? Math.max(...[...walkMtimes(cache)]) : undefined,
    status: spawnSync('git', ['status', '--porcelain', '--', 'reports', 'experiments'], { cwd: ROOT, encoding: 'utf8' }).stdout,
  };
}
function* walkMtimes(dir: string): Generator<number> {
  yield statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walkMtimes(path);
    else yield statSync(path).mtimeMs;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// the cases

const B1 = '1 two processes, one run folder';
const B2 = '2 imported runs stand alone';
const B3 = '3 P(c) that is not a probability';
const B4 = '4 a setting silently ignored';
const B5 = '5 four costs for one thing';
const B6 = '6 raw I/O errors, late';
const B7 = '7 leftovers and side effects';
const B8 = '8 config messages';
const B9 = '9 a noisy install';
const B10 = '10 partial imports';

const startedAll = performance.now();
const checkoutBefore = checkoutState();

// ----- 1. two processes, one run folder ------------------------------------------------------------------------
{
  const dir = caseDir('lock');
  liveExperiment(dir, 0.05);
  const lock = join(dir, '.X.confide-lock');
  const first = confideInBackground(['run', 'live', '--out', 'X', '--no-cache'], { cwd: dir });
  const locked = await waitFor(() => existsSync(lock), 30_000);
  const second = confide(['run', 'live', '--out', 'X', '--no-cache'], { cwd: dir });
  const firstRunningWhenRefused = existsSync(lock); // the first removes its lock when it completes
  const firstResult = await first;
  const last = firstResult.stderr.split('\n').filter((l) => /^run: \d+\/\d+ problems/.test(l)).at(-1) ?? '';
  row(
    B1,
    'a second `confide run live --out X` while a first (replay with simulated latency) is writing X (its lock `.X.confide-lock` exists)',
    second,
    `first process: exit ${codeOf(firstResult)} after ${firstResult.seconds.toFixed(1)} s, each request once (${last.replace(/^run: /, '').split(' · spent')[0]}); X: ${listing(join(dir, 'X'))}; lock ${existsSync(lock) ? 'STILL THERE' : 'gone'}${strayNote(dir, [/^live/])}`,
    {
      'the lock existed while the first ran': locked,
      'refused with RUN_LOCKED': failedWith(second, 'RUN_LOCKED'),
      'refused at once (the first still running)': firstRunningWhenRefused && beforeWork(second),
      'the first process completed': firstResult.code === 0,
      'each request sent once (500 small, 155 large)': /small 500 · large 155\b/.test(last),
      'the lock is gone afterwards': !existsSync(lock),
    },
  );

  // progress lines of that first run: an estimate never above its bound
  const estimates = [...firstResult.stderr.matchAll(/to finish ~\$([\d.]+) \(at most \$([\d.]+)\)/g)].map((m) => [Number(m[1]), Number(m[2])]);
  const over = estimates.filter(([estimate, bound]) => estimate > bound + 1e-9);
  const lastEstimate = estimates.at(-1);
  row(
    B5,
    'the progress lines of that run (“to finish ~$a (at most $b)”)',
    { ...firstResult, stderr: firstResult.stderr.split('\n').filter((l) => /to finish/.test(l)).join('\n') },
    `${estimates.length} progress lines; estimate above its bound in ${over.length}; the last says ~$${lastEstimate?.[0]} (at most $${lastEstimate?.[1]})`,
    { 'every estimate within its bound': over.length === 0 && estimates.length > 0, 'zero to finish at the end': lastEstimate?.[0] === 0 && lastEstimate?.[1] === 0 },
  );

  const costLine = firstResult.stdout.split('\n').find((l) => l.startsWith('cost:')) ?? '';
  row(
    B5,
    'the cost line of that run (Delegation II: paper $1.249972 vs all calls $1.267097)',
    { ...firstResult, stderr: '', stdout: costLine },
    'X (as above)',
    { 'each cost names what it counts': /answers \$1\.249972/.test(costLine) && /all calls \$1\.267097/.test(costLine) },
  );

  const before = snapshot(join(dir, 'X'));
  const rerun = confide(['run', 'live', '--out', 'X', '--no-cache'], { cwd: dir });
  row(B1, 'a plain `confide run live --out X` over the finished run', rerun, describeChange(before, snapshot(join(dir, 'X')), 'the old run') + strayNote(dir, [/^live/]), {
    'refused with RUN_EXISTS': failedWith(rerun, 'RUN_EXISTS'),
    'names --resume, --force and --out': /--resume/.test(rerun.stderr) && /--force/.test(rerun.stderr) && /--out/.test(rerun.stderr),
    'the old run untouched': describeChange(before, snapshot(join(dir, 'X')), '').includes('untouched'),
  });

  const resumed = confide(['run', 'live', '--out', 'X', '--resume', '--no-cache'], { cwd: dir });
  const resumeEstimates = [...resumed.stderr.matchAll(/to finish ~\$([\d.]+) \(at most \$([\d.]+)\)/g)].map((m) => [Number(m[1]), Number(m[2])]);
  const resumeSpend = resumed.stderr.match(/small (\d+)(?: · large (\d+))?/);
  row(
    B5,
    '`confide run live --out X --resume` on the finished run (was “$249 to finish”)',
    resumed,
    `X: ${listing(join(dir, 'X'))}${strayNote(dir, [/^live/])}`,
    {
      'exit 0': resumed.code === 0,
      'every “to finish” is $0 on a finished run': resumeEstimates.length > 0 && resumeEstimates.every(([a, b]) => a === 0 && b === 0),
    },
    [/to finish/, /^cost:/],
  );
  void resumeSpend;

  const forced = confide(['run', 'live', '--out', 'X', '--force', '--no-cache'], { cwd: dir });
  row(B1, '`confide run live --out X --force` on the finished run', forced, `X: ${listing(join(dir, 'X'))}${strayNote(dir, [/^live/])}`, {
    'exit 0': forced.code === 0,
    'no moved-aside copy or lock left': strays(dir, [/^live/]).length === 0,
    'a complete run in X': existsSync(join(dir, 'X', 'records.jsonl.gz')) && existsSync(join(dir, 'X', 'manifest.json')),
  }, [/moved|aside|old run/i]);
}

{
  const dir = caseDir('stale-lock');
  liveExperiment(dir);
  let deadPid = 4_000_000;
  while (spawnSync('kill', ['-0', String(deadPid)]).status === 0) deadPid++;
  writeJson(join(dir, '.Y.confide-lock'), { pid: deadPid, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z', command: 'confide run live --out Y' });
  const result = confide(['run', 'live', '--out', 'Y', '--no-cache'], { cwd: dir });
  row(B1, 'a lock left by a killed process on this machine (`.Y.confide-lock`, its pid gone), then `confide run live --out Y`', result, `Y: ${listing(join(dir, 'Y'))}${strayNote(dir, [/^live/])}`, {
    'exit 0': result.code === 0,
    'says it took the lock over': /took over the lock/.test(result.stderr),
    'no lock left': !existsSync(join(dir, '.Y.confide-lock')),
  }, [/took over the lock/]);
}

{
  const dir = caseDir('foreign-lock');
  liveExperiment(dir);
  const lockFile = join(dir, '.Y.confide-lock');
  writeJson(lockFile, { pid: 1, host: 'another-machine', startedAt: '2026-01-01T00:00:00.000Z', command: 'confide run live --out Y' });
  const before = snapshot(lockFile);
  const result = confide(['run', 'live', '--out', 'Y', '--no-cache'], { cwd: dir });
  row(B1, 'a lock held by another machine, then `confide run live --out Y`', result, `Y: ${listing(join(dir, 'Y'))}; ${describeChange(before, snapshot(lockFile), 'the lock file')}`, {
    'refused with RUN_LOCKED': failedWith(result, 'RUN_LOCKED'),
    'names --break-lock': /--break-lock/.test(result.stderr),
    'nothing written': !existsSync(join(dir, 'Y')),
  });
  const broken = confide(['run', 'live', '--out', 'Y', '--no-cache', '--break-lock'], { cwd: dir });
  row(B1, '… the same with `--break-lock`', broken, `Y: ${listing(join(dir, 'Y'))}${strayNote(dir, [/^live/])}`, {
    'exit 0': broken.code === 0,
    'no lock left': !existsSync(lockFile),
  });
}

// ----- 2. imported runs stand alone ----------------------------------------------------------------------------
{
  const dir = caseDir('standalone');
  cpSync(join(EXP('byo-arithmetic'), 'runs/small'), join(dir, 'small'), { recursive: true });
  cpSync(join(EXP('byo-arithmetic'), 'runs/large'), join(dir, 'large'), { recursive: true });
  const runsBefore = snapshot(dir);
  const compare = confide(['compare', 'small', 'large'], { cwd: dir });
  row(B2, '`confide compare small large`, copies of byo-arithmetic/runs/{small,large} in a temp folder, run from there', compare, describeChange(runsBefore, snapshot(dir), 'the temp folder'), {
    'exit 0': compare.code === 0,
    'prices found (a cost line)': /cost .*\$/.test(compare.stdout),
  }, [/^cost/]);
  const view = confide(['view', 'small', '--large', 'large'], { cwd: dir });
  row(B2, '`confide view small --large large` (same folder)', view, `confide-view/: ${[...snapshot(join(dir, 'confide-view')).keys()].join(', ')}`, {
    'exit 0': view.code === 0,
    'the page written beside': existsSync(join(dir, 'confide-view', 'small', 'index.html')),
  });
  const show = confide(['data', 'show', 'small', '--limit', '3'], { cwd: dir });
  row(B2, '`confide data show small --limit 3` (same folder)', show, 'nothing written', {
    'exit 0': show.code === 0,
    'shows the rows': /arith-000/.test(show.stdout),
  });
  const regrade = confide(['regrade', '--run', 'small', '--out', 'flips.jsonl'], { cwd: dir });
  row(B2, '`confide regrade --run small --out flips.jsonl` (same folder)', regrade, `flips.jsonl: ${existsSync(join(dir, 'flips.jsonl')) ? `${readFileSync(join(dir, 'flips.jsonl'), 'utf8').split('\n').filter(Boolean).length} lines` : 'missing'}`, {
    'exit 0': regrade.code === 0,
  });
  const outside = caseDir('standalone-elsewhere');
  const fromElsewhere = confide(['compare', join(dir, 'small'), join(dir, 'large'), '--json'], { cwd: outside });
  row(B2, '`confide compare <abs path>/small <abs path>/large --json` from another temp folder', fromElsewhere, `that folder: ${listing(outside)}`, {
    'exit 0': fromElsewhere.code === 0,
    'JSON on stdout': (() => { try { JSON.parse(fromElsewhere.stdout); return true; } catch { return false; } })(),
  });
}

// ----- 3. P(c) that is not a probability -----------------------------------------------------------------------
{
  const dir = caseDir('tiny-mass');
  const exp = byo(dir, 'tiny');
  tinyMassRun(join(exp, 'runs/small'));
  editExperiment(exp, (e) => {
    e.riskControl = []; // as ablation-tiny-e2e
  });
  const result = confide(['ablate', '--experiment', 'tiny', '--out', 'R'], { cwd: dir });
  const report = existsSync(join(dir, 'R/report.md')) ? readFileSync(join(dir, 'R/report.md'), 'utf8') : '';
  const summary = existsSync(join(dir, 'R/summary.json')) ? readFileSync(join(dir, 'R/summary.json'), 'utf8') : '';
  const emptyTable = /\|\|/.test(report);
  row(
    B3,
    '`confide ablate` over a run whose records put ~3e-27 on both confidence tokens (a copy of byo small, manifest `pipelineCheck: {reason}`; P(c), output-length, token, random, oracle, always-large)',
    result,
    `R: ${listing(join(dir, 'R'))}${orphanCharts(join(dir, 'R')).length ? ` (not shown by report.md: ${orphanCharts(join(dir, 'R')).join(', ')})` : ''}; report.md ${/NaN/.test(report) ? 'HAS NaN' : 'no NaN'}, ${emptyTable ? 'HAS an empty table (||)' : 'no empty table'}, banner ${/Pipeline check, not a result/i.test(report) ? 'present' : 'MISSING'}; summary.json ${/NaN/.test(summary) ? 'HAS NaN' : 'no NaN'}, pipelineCheck ${/"pipelineCheck":\s*\{/.test(summary) || /"pipelineCheck":\s*\[/.test(summary) || /pipelineCheck"?:\s*"/.test(summary) ? 'recorded' : 'MISSING'}`,
    {
      'exit 0': result.code === 0,
      'console names the pipeline check': /pipeline check/i.test(result.stderr + result.stdout),
      'console counts the problems without P(c)': /300 of 300 problems have no score/.test(result.stderr + result.stdout),
      'no NaN in report.md / summary.json / console': !/NaN/.test(report + summary + result.stdout + result.stderr),
      'no empty table': !emptyTable,
      'report.md carries the banner': /Pipeline check, not a result/i.test(report),
      'no chart written that report.md does not show': orphanCharts(join(dir, 'R')).length === 0,
      'report.md does not also say the run “carries P(<|c_math|>), so the threshold on P(c) is swept”': !/carries P\(<\|c_math\|>\), so the threshold on P\(c\) is swept/.test(report),
    },
    [/300 of 300/],
  );

  const viewed = confide(['view', 'tiny/runs/small', '--large', 'tiny/runs/large'], { cwd: dir });
  const page = join(dir, 'confide-view', 'tiny-runs-small', 'index.html');
  row(B3, '`confide view tiny/runs/small --large tiny/runs/large` on that pipeline-check run', viewed, `confide-view/tiny-runs-small/index.html ${existsSync(page) ? `(${statSync(page).size} bytes; mentions the pipeline check: ${/tiny random model \(like tiny-e2e\)/.test(readFileSync(page, 'utf8')) ? 'yes' : 'NO'})` : 'missing'}`, {
    'exit 0': viewed.code === 0,
    'the page carries the pipeline-check reason': existsSync(page) && /tiny random model \(like tiny-e2e\)/.test(readFileSync(page, 'utf8')),
  }, [/pipeline check|P\(c\)/i]);

  // added: the same run with byo's risk control on P(c) (a threshold with a guarantee on a score no problem has)
  const dir2 = caseDir('tiny-mass-risk');
  const exp2 = byo(dir2, 'tiny');
  tinyMassRun(join(exp2, 'runs/small'), (i) => i % 2 === 1);
  const risk = confide(['ablate', '--experiment', 'tiny', '--out', 'R'], { cwd: dir2 });
  row(B3, 'byo-arithmetic’s own ablation (its `riskControl` on `p-confident` kept) over a copy of byo small where every other record puts ~3e-27 on both tokens (150 of 300 without P(c))', risk, `R: ${listing(join(dir2, 'R'))}${strayNote(dir2)}`, {
    'exit 0 (the section says why it has nothing to show)': risk.code === 0,
    'no raw score error': !/must be finite/.test(risk.stderr),
  });
}

{
  // added: one record of 300 carries no token probabilities at all (next to 299 that do)
  const dir = caseDir('one-without-probabilities');
  const exp = byo(dir, 'one');
  const records = join(exp, 'runs/small/records.jsonl.gz');
  const lines = gzLines(records).map((line, index) => {
    const record = JSON.parse(line);
    if (index === 5) delete record.generation.confidenceProbabilities;
    return JSON.stringify(record);
  });
  writeFileSync(records, gzipSync(lines.join('\n') + '\n'));
  const result = confide(['ablate', '--experiment', 'one', '--out', 'R'], { cwd: dir });
  row(B3, 'byo-arithmetic’s ablation over a copy of byo small where one record of 300 (arith-005) has no `confidenceProbabilities` (added)', result, `R: ${listing(join(dir, 'R'))}`, {
    'a coded message, no raw error': result.code === 0 || (failedWith(result) && noRawError(result)),
  }, [/arith-005|no score/]);
}

// ----- 4. a setting silently ignored ---------------------------------------------------------------------------
{
  const dir = caseDir('at-rate');
  const exp = byo(dir);
  editExperiment(exp, (e) => {
    e.comparisons = [{ routers: ['confidence-token', 'output-length'], atDelegationRate: 0.3 }];
  });
  const result = confide(['ablate', '--experiment', 'byo', '--out', 'R'], { cwd: dir });
  row(B4, '`comparisons: [{routers: ["confidence-token", "output-length"], atDelegationRate: 0.3}]` (confidence-token has no sweep), `confide ablate`', result, `R: ${listing(join(dir, 'R'))}`, {
    'refused at load (coded)': failedWith(result),
    'names atDelegationRate and the router': /atDelegationRate/.test(result.stderr) && /confidence-token/.test(result.stderr),
    'at load, before any work': beforeWork(result),
    'nothing written': !existsSync(join(dir, 'R')),
  });

  const dir2 = caseDir('at-rate-option');
  const exp2 = byo(dir2);
  editExperiment(exp2, (e) => {
    e.routers = [
      e.routers.find((r: Json) => r.id === 'output-length'),
      {
        id: 'token-and-length',
        label: 'token and length',
        router: { id: 'core/token-and-length', options: { maxOutputTokens: 100 } },
        sweep: { option: 'maxOutputTokens', values: [20, 40, 60, 80, 100, 120, 150, 200, 400] },
      },
    ];
    e.comparisons = [{ routers: ['token-and-length', 'output-length'], atDelegationRate: 0.3 }];
    e.riskControl = [];
    delete e.offPolicy; // it names router entries cut here
  });
  const swept = confide(['ablate', '--experiment', 'byo', '--out', 'R'], { cwd: dir2 });
  const report = existsSync(join(dir2, 'R/report.md')) ? readFileSync(join(dir2, 'R/report.md'), 'utf8') : '';
  const comparison = report.split('\n').find((l) => l.startsWith('|token and length vs')) ?? '';
  const rates = comparison.split('|')[2] ?? '';
  row(B4, '`atDelegationRate: 0.3` comparing `core/token-and-length` swept over `maxOutputTokens` with output length', { ...swept, stdout: comparison ? `report.md: ${comparison.slice(0, 160)}` : swept.stdout }, `R: ${listing(join(dir2, 'R'))}; delegation rates compared: ${rates || '?'}`, {
    'exit 0': swept.code === 0,
    'the comparison row is in report.md': comparison !== '',
    'report.md names the requested rate (30 %) beside the rates reached': /30(\.0)? ?%/.test(comparison) || /atDelegationRate|asked at|requested/i.test(report),
  });
}

// ----- 6. raw I/O errors, late ----------------------------------------------------------------------------------
{
  const dir = caseDir('out-file');
  byo(dir);
  writeFileSync(join(dir, 'R'), 'a file\n');
  const before = snapshot(join(dir, 'R'));
  const result = confide(['ablate', '--experiment', 'byo', '--out', 'R'], { cwd: dir });
  row(B6, '`confide ablate --out R` where R is a file', result, describeChange(before, snapshot(join(dir, 'R')), 'the file R') + strayNote(dir), {
    'refused with a coded error': failedWith(result),
    'before any work': beforeWork(result),
    'names R': /R\b/.test(errorLine(result) ?? ''),
    'no raw error': noRawError(result),
  });
  const paper = confide(['paper', '--experiment', EXP('paper-math500'), '--out', 'R'], { cwd: dir });
  row(B6, '`confide paper --experiment <checkout>/experiments/paper-math500 --out R` where R is a file', paper, describeChange(before, snapshot(join(dir, 'R')), 'the file R') + strayNote(dir), {
    'refused with a coded error': failedWith(paper),
    'before any work': beforeWork(paper),
    'no raw error': noRawError(paper),
  });
  mkdirSync(join(dir, 'F'));
  writeFileSync(join(dir, 'F', 'x'), 'a file\n');
  const under = confide(['ablate', '--experiment', 'byo', '--out', 'F/x/report'], { cwd: dir });
  row(B6, '`confide ablate --out F/x/report` where F/x is a file', under, describeChange(snapshot(join(dir, 'F')), snapshot(join(dir, 'F')), 'F') + strayNote(dir), {
    'refused with a coded error': failedWith(under),
    'no raw error': noRawError(under),
  });
}

{
  const dir = caseDir('read-only');
  byo(dir);
  mkdirSync(join(dir, 'ro'));
  const preload = faultPreload('EACCES', join(dir, 'ro'));
  const result = confide(['ablate', '--experiment', 'byo', '--out', 'ro/report'], { cwd: dir, preload: [preload] });
  row(B6, '`confide ablate --out ro/report`, ro read-only (EACCES injected under ro/ through the writing seam: root ignores permissions)', result, `ro/: ${listing(join(dir, 'ro'))}`, {
    'refused with a coded error': failedWith(result),
    'names ro/report, no temp file': /ro\/report/.test(errorLine(result) ?? '') && noRawError(result),
    'before any work': beforeWork(result),
  });

  const pairs = join(dir, 'pairs.jsonl');
  writeFileSync(pairs, ['{"id":"a","gold":"1/2","pred":"0.5"}', '{"id":"b","gold":"\\\\frac{1}{2}","pred":"2"}', '{"id":"c","gold":"x+1","pred":"1+x"}'].join('\n') + '\n');
  const preload2 = faultPreload('EPERM', join(dir, 'ro'));
  const grade = confide(['grade', '--pairs', 'pairs.jsonl', '--out', 'ro/verdicts.jsonl'], { cwd: dir, preload: [preload2] });
  row(B6, '`confide grade --pairs pairs.jsonl --out ro/verdicts.jsonl`, ro read-only (EPERM injected)', grade, `ro/: ${listing(join(dir, 'ro'))}`, {
    'refused with a coded error': failedWith(grade),
    'names ro/verdicts.jsonl, no temp file': /ro\/verdicts\.jsonl/.test(errorLine(grade) ?? '') && noRawError(grade),
  });

  const preload3 = faultPreload('EACCES', join(dir, 'ro'));
  const imported = confide(['data', 'import', 'byo/data/small-results.jsonl', '--dataset', 'byo/data/problems.csv', '--model', 'sim-small', '--price-table', 'byo/prices.json', '--out', 'ro/run'], { cwd: dir, preload: [preload3] });
  row(B6, '`confide data import … --out ro/run`, ro read-only (EACCES injected)', imported, `ro/: ${listing(join(dir, 'ro'))}${strayNote(dir)}`, {
    'refused with a coded error': failedWith(imported),
    'names ro/run, no temp file': /ro\/run/.test(errorLine(imported) ?? '') && noRawError(imported),
  });

  const full = confide(['grade', '--pairs', 'pairs.jsonl', '--out', '/dev/full'], { cwd: dir });
  row(B6, '`confide grade --pairs pairs.jsonl --out /dev/full` (ENOSPC)', full, `temp folder: ${listing(dir).replace(/byo\/ \(\d+\)/, 'byo/')}`, {
    'refused with a coded error': failedWith(full),
    'names /dev/full in plain words': /\/dev\/full/.test(errorLine(full) ?? '') && /space|full/i.test(errorLine(full) ?? ''),
    'no raw error': noRawError(full),
  });
}

{
  const dir = caseDir('truncated-gzip');
  cpSync(join(EXP('byo-arithmetic'), 'runs/small'), join(dir, 'small'), { recursive: true });
  const records = join(dir, 'small/records.jsonl.gz');
  const bytes = readFileSync(records);
  writeFileSync(records, bytes.subarray(0, Math.floor(bytes.length / 2)));
  const before = snapshot(join(dir, 'small'));
  const result = confide(['data', 'show', 'small', '--limit', '3'], { cwd: dir });
  row(B6, '`confide data show small` where small/records.jsonl.gz is cut in half', result, describeChange(before, snapshot(join(dir, 'small')), 'small'), {
    'refused with a coded error': failedWith(result),
    'names small/records.jsonl.gz': /small\/records\.jsonl\.gz/.test(errorLine(result) ?? ''),
    'plain words (truncated/corrupt)': /truncat|corrupt|cut short|incomplete|end of file/i.test(errorLine(result) ?? ''),
  });
  writeFileSync(records, Buffer.from('this is not gzip at all\n'));
  const garbage = confide(['compare', 'small', EXP('byo-arithmetic') + '/runs/large'], { cwd: dir });
  row(B6, '`confide compare small <large>` where small/records.jsonl.gz is not gzip at all', garbage, 'nothing written', {
    'refused with a coded error': failedWith(garbage),
    'names small/records.jsonl.gz': /small\/records\.jsonl\.gz/.test(errorLine(garbage) ?? ''),
  });
}

{
  const dir = caseDir('cache-folder');
  liveExperiment(dir);
  mkdirSync(join(dir, 'cache-dir'));
  const result = confide(['run', 'live', '--out', 'Z', '--cache', 'cache-dir'], { cwd: dir });
  row(B6, '`confide run live --out Z --cache cache-dir` where cache-dir is a folder (an unopenable cache)', result, `Z: ${listing(join(dir, 'Z'))}; cache-dir: ${listing(join(dir, 'cache-dir'))}${strayNote(dir, [/^live/])}`, {
    'refused with a coded error': failedWith(result),
    'names cache-dir': /cache-dir/.test(errorLine(result) ?? ''),
    'no raw sqlite message': !/unable to open database file/.test(errorLine(result) ?? '') || /cache-dir/.test(errorLine(result) ?? ''),
    'no run folder or lock left': !existsSync(join(dir, 'Z')) && strays(dir, [/^live/]).length === 0,
  });
}

{
  const dir = caseDir('import-no-out');
  const data = join(EXP('byo-arithmetic'), 'data');
  const rows300 = readFileSync(join(data, 'small-results.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  writeFileSync(join(dir, 'r.jsonl.gz'), gzipSync(rows300.map((r) => JSON.stringify(r)).join('\n') + '\n'));
  const common = ['--dataset', join(data, 'problems.csv'), '--model', 'sim-small', '--price-table', join(EXP('byo-arithmetic'), 'prices.json')];
  const gz = confide(['data', 'import', 'r.jsonl.gz', ...common], { cwd: dir });
  row(B6, '`confide data import r.jsonl.gz --dataset … --model sim-small` (no --out)', gz, `folder: ${listing(dir)}${strayNote(dir)}`, {
    'exit 0': gz.code === 0,
    'the run is r/ beside the file': existsSync(join(dir, 'r', 'manifest.json')),
  }, [/wrote|imported/i]);

  const parquetDir = caseDir('import-parquet-no-out');
  const { parquetWriteBuffer } = await import('hyparquet-writer');
  const columns = Object.keys(rows300[0]).map((name) => {
    const values = rows300.map((r) => r[name]);
    const type = typeof values.find((v) => v !== null && v !== undefined);
    return {
      name,
      data: values,
      type: type === 'number' ? (values.every((v) => Number.isInteger(v)) ? 'INT32' : 'DOUBLE') : type === 'boolean' ? 'BOOLEAN' : 'STRING',
    };
  });
  writeFileSync(join(parquetDir, 'r.parquet'), Buffer.from(parquetWriteBuffer({ columnData: columns as Json })));
  const pq = confide(['data', 'import', 'r.parquet', ...common], { cwd: parquetDir });
  row(B6, '`confide data import r.parquet --dataset … --model sim-small` (no --out)', pq, `folder: ${listing(parquetDir)}${strayNote(parquetDir)}`, {
    'exit 0': pq.code === 0,
    'the run is r/ beside the file': existsSync(join(parquetDir, 'r', 'manifest.json')),
  }, [/wrote|imported/i]);

  const txt = caseDir('import-unknown-ext');
  writeFileSync(join(txt, 'r.txt'), 'id,answer\n');
  const unknown = confide(['data', 'import', 'r.txt', ...common], { cwd: txt });
  const extLists = (errorLine(unknown) ?? '').match(/\.jsonl/g)?.length ?? 0;
  row(B6, '`confide data import r.txt …` (an extension Confide does not read)', unknown, `folder: ${listing(txt)}`, {
    'refused with a coded error': failedWith(unknown),
    'the extension list once': extLists <= 2,
  });
}

// ----- 7. leftovers and side effects -----------------------------------------------------------------------------
{
  const dir = caseDir('smaller-config');
  const exp = byo(dir);
  const first = confide(['ablate', '--experiment', 'byo', '--out', 'R'], { cwd: dir });
  const policiesBefore = listing(join(dir, 'R/policies'));
  editExperiment(exp, (e) => {
    e.routers = e.routers.filter((r: Json) => ['confidence-token', 'always-large', 'oracle'].includes(r.id));
    e.comparisons = [];
    e.riskControl = [];
    delete e.offPolicy; // it names router entries cut here
  });
  const second = confide(['ablate', '--experiment', 'byo', '--out', 'R'], { cwd: dir });
  const report = existsSync(join(dir, 'R/report.md')) ? readFileSync(join(dir, 'R/report.md'), 'utf8') : '';
  const orphans = orphanCharts(join(dir, 'R'));
  row(B7, '`confide ablate --out R` again after cutting the config to 3 routers, no risk control (R held policies/ from the first run)', second, `first run: exit ${codeOf(first)}, policies/: ${policiesBefore}; now R: ${listing(join(dir, 'R'))}${orphans.length ? ` (not shown by report.md: ${orphans.join(', ')})` : ''}${strayNote(dir)}`, {
    'exit 0': second.code === 0,
    'no stale policies/': !existsSync(join(dir, 'R/policies')) || readdirSync(join(dir, 'R/policies')).length === 0,
    'no stale router in report.md': !/P\(c\) threshold|output length/.test(report),
    'no NaN, no empty table': !/NaN|\|\|/.test(report),
    'no chart written that report.md does not show': orphanCharts(join(dir, 'R')).length === 0,
    'no temp folder beside R': strays(dir).length === 0,
  });
}

{
  const dir = caseDir('foreign-out');
  byo(dir);
  mkdirSync(join(dir, 'mine'));
  writeFileSync(join(dir, 'mine', 'notes.txt'), 'my notes\n');
  writeFileSync(join(dir, 'mine', 'report.md'), '# my own report\n');
  const before = snapshot(join(dir, 'mine'));
  const result = confide(['ablate', '--experiment', 'byo', '--out', 'mine'], { cwd: dir });
  row(B7, '`confide ablate --out mine` where mine/ holds notes.txt and report.md Confide did not write', result, describeChange(before, snapshot(join(dir, 'mine')), 'mine/'), {
    'refused with a coded error': failedWith(result),
    'before any work': beforeWork(result),
    'untouched': describeChange(before, snapshot(join(dir, 'mine')), '').includes('untouched'),
  });

  // added: a run folder as a report's --out, a report folder as a run's --out
  cpSync(join(EXP('byo-arithmetic'), 'runs/small'), join(dir, 'arun'), { recursive: true });
  const runBefore = snapshot(join(dir, 'arun'));
  const onRun = confide(['ablate', '--experiment', 'byo', '--out', 'arun'], { cwd: dir });
  row(B7, '`confide ablate --out arun` where arun/ is a run folder (manifest.json)', onRun, describeChange(runBefore, snapshot(join(dir, 'arun')), 'arun/'), {
    'refused with a coded error': failedWith(onRun),
    'untouched': describeChange(runBefore, snapshot(join(dir, 'arun')), '').includes('untouched'),
  });
  const made = confide(['ablate', '--experiment', 'byo', '--out', 'rep'], { cwd: dir });
  const repBefore = snapshot(join(dir, 'rep'));
  const importOnReport = confide(['data', 'import', 'byo/data/small-results.jsonl', '--dataset', 'byo/data/problems.csv', '--model', 'sim-small', '--price-table', 'byo/prices.json', '--out', 'rep'], { cwd: dir });
  row(B7, '`confide data import … --out rep` where rep/ is a report folder Confide wrote', importOnReport, `${made.code === 0 ? '' : 'ABLATE FAILED; '}${describeChange(repBefore, snapshot(join(dir, 'rep')), 'rep/')}${strayNote(dir)}`, {
    'refused with a coded error': failedWith(importOnReport),
    'untouched': describeChange(repBefore, snapshot(join(dir, 'rep')), '').includes('untouched'),
  });
}

{
  const dir = caseDir('ablate-default-outside');
  const result = confide(['ablate'], { cwd: dir });
  const after = checkoutState();
  row(B7, '`confide ablate` with no --experiment, from a temp folder outside the checkout', result, `temp folder: ${listing(dir)}; checkout reports/: ${describeChange(checkoutBefore.reports, after.reports, 'reports/').replace(/^reports\/ /, '')}`, {
    'refused with a coded error': failedWith(result),
    'names --experiment': /--experiment/.test(result.stderr),
    'the checkout report untouched': describeChange(checkoutBefore.reports, after.reports, '').includes('untouched'),
  });
}

{
  const dir = caseDir('cache-outside');
  liveExperiment(dir);
  const before = checkoutState();
  const result = confide(['run', 'live', '--out', 'W'], { cwd: dir });
  const after = checkoutState();
  const xdg = join(TMP, 'xdg-cache', 'confide');
  row(B7, '`confide run live --out W` from a temp folder, default cache (XDG_CACHE_HOME set to a temp folder)', result, `cache: ${existsSync(xdg) ? `$XDG_CACHE_HOME/confide: ${listing(xdg)}` : 'NOT in $XDG_CACHE_HOME'}; checkout .cache ${before.cacheMtime === after.cacheMtime ? 'untouched' : 'WRITTEN'}; W: ${listing(join(dir, 'W'))}`, {
    'exit 0': result.code === 0,
    'cache under $XDG_CACHE_HOME': existsSync(join(xdg, 'responses.sqlite')),
    'checkout .cache untouched': before.cacheMtime === after.cacheMtime,
  });
}

{
  const dir = caseDir('paper-provenance');
  const result = confide(['paper', '--experiment', EXP('paper-math500'), '--out', 'P'], { cwd: dir });
  const made = existsSync(join(dir, 'P/summary.json')) ? readJson(join(dir, 'P/summary.json')) : undefined;
  const committed = readJson(join(ROOT, 'reports/paper-math500/summary.json'));
  const differing = made ? Object.keys({ ...made, ...committed }).filter((k) => JSON.stringify(made[k]) !== JSON.stringify(committed[k])) : ['(no summary)'];
  const provenance = made?.provenance ?? {};
  const provDiff = Object.keys({ ...provenance, ...committed.provenance }).filter((k) => JSON.stringify(provenance[k]) !== JSON.stringify(committed.provenance?.[k]));
  const inputsOf = (p: Json): Snapshot => new Map(((p?.inputs ?? []) as { path: string; sha256: string }[]).map((i) => [i.path, i.sha256]));
  const inputs = describeChange(inputsOf(committed.provenance), inputsOf(provenance), 'inputs').replace(/^inputs changed: /, '');
  row(
    B7,
    '`confide paper --experiment <checkout>/experiments/paper-math500 --out P` from a temp folder, its summary.json against the committed reports/paper-math500/summary.json (what `npm run paper` on a clean tree would rewrite)',
    result,
    `P: ${listing(join(dir, 'P'))}; summary.json vs committed: ${differing.length === 0 ? 'identical' : `differs in ${differing.join(', ')}${provDiff.length ? ` (provenance: ${provDiff.join(', ')})` : ''}`}${provDiff.includes('inputs') ? `; input hashes vs committed: ${inputs}` : ''}${provDiff.includes('sources') ? '; (the production-source hash follows the working tree, where others have uncommitted work)' : ''}; commit in provenance: ${JSON.stringify(provenance).includes('"commit"') ? 'YES' : 'no'}`,
    {
      'exit 0': result.code === 0,
      'no commit in provenance': !JSON.stringify(provenance).includes('"commit"'),
      'numbers identical (only provenance may differ)': differing.every((k) => k === 'provenance'),
      'input hashes equal the committed ones (else a clean-tree `npm run paper` dirties summary.json)': !provDiff.includes('inputs'),
    },
  );
}

// ----- 8. config messages ----------------------------------------------------------------------------------------
{
  const dir = caseDir('config');
  const syntax = byo(dir, 'syntax');
  const text = readFileSync(join(syntax, 'experiment.json'), 'utf8').replace('"grades": "recorded",', '"grades": "recorded"');
  writeFileSync(join(syntax, 'experiment.json'), text);
  const r1 = confide(['ablate', '--experiment', 'syntax', '--out', 'R'], { cwd: dir });
  row(B8, 'experiment.json with a missing comma (line 7), `confide ablate --experiment syntax`', r1, `R: ${listing(join(dir, 'R'))}`, {
    'refused with a coded error': failedWith(r1),
    'file:line:column': /experiment\.json:\d+:\d+/.test(errorLine(r1) ?? ''),
  });

  const typo = byo(dir, 'typo');
  editExperiment(typo, (e) => {
    e.bootsrap = e.bootstrap;
    delete e.bootstrap;
  });
  const r2 = confide(['ablate', '--experiment', 'typo', '--out', 'R'], { cwd: dir });
  row(B8, '`"bootsrap"` for `"bootstrap"` in an ablation experiment', r2, `R: ${listing(join(dir, 'R'))}`, {
    'refused with a coded error': failedWith(r2),
    'names the typo and “did you mean bootstrap”': /bootsrap/.test(r2.stderr) && /did you mean/i.test(r2.stderr),
  });

  const option = byo(dir, 'option');
  editExperiment(option, (e) => {
    e.routers.find((r: Json) => r.id === 'output-length').router.options.direction = 'keep-short';
  });
  const r3 = confide(['ablate', '--experiment', 'option', '--out', 'R'], { cwd: dir });
  row(B8, 'router entry `output-length` with `direction: "keep-short"` (an option error)', r3, `R: ${listing(join(dir, 'R'))}`, {
    'refused with a coded error': failedWith(r3),
    'names the file and the router entry': /experiment\.json/.test(r3.stderr) && /output-length/.test(r3.stderr),
  });

  const sweep = byo(dir, 'sweep');
  editExperiment(sweep, (e) => {
    e.routers.find((r: Json) => r.id === 'random').sweep.values = [0, 0.5, 'half', 1];
  });
  const r3b = confide(['ablate', '--experiment', 'sweep', '--out', 'R'], { cwd: dir });
  row(B8, 'a sweep value `"half"` among the random router’s rates (added)', r3b, `R: ${listing(join(dir, 'R'))}`, {
    'refused with a coded error': failedWith(r3b),
    'names the router entry ("random") and the bad item (values[2], "half")': /random/.test(errorLine(r3b) ?? '') && /values\[2\]|values\.2|half/.test(errorLine(r3b) ?? ''),
  });

  const unknownKey = byo(dir, 'unknown-key');
  editExperiment(unknownKey, (e) => {
    e.comparisions = e.comparisons;
    delete e.comparisons;
  });
  const r3c = confide(['ablate', '--experiment', 'unknown-key', '--out', 'R'], { cwd: dir });
  row(B8, '`"comparisions"` for the optional key `"comparisons"` (added)', r3c, `R: ${listing(join(dir, 'R'))}`, {
    'refused with a coded error': failedWith(r3c),
    'did you mean comparisons': /did you mean/i.test(r3c.stderr) && /comparisons/.test(r3c.stderr),
  });

  const r4 = confide(['compare', 'qwen-1.5b-lora-confidense'], { cwd: dir });
  row(B8, '`confide compare qwen-1.5b-lora-confidense` (a mistyped run id)', r4, 'nothing written', {
    'refused with a coded error': failedWith(r4),
    'did you mean qwen-1.5b-lora-confidence': /did you mean/i.test(r4.stderr) && /qwen-1\.5b-lora-confidence\b/.test(r4.stderr),
  });

  const runTypo = byo(dir, 'run-typo');
  editExperiment(runTypo, (e) => {
    e.small.run = './runs/smal';
  });
  const r4b = confide(['ablate', '--experiment', 'run-typo', '--out', 'R'], { cwd: dir });
  row(B8, 'an experiment naming `./runs/smal` (a mistyped run path, added)', r4b, `R: ${listing(join(dir, 'R'))}`, {
    'refused with a coded error': failedWith(r4b),
    'names the path': /runs\/smal\b/.test(errorLine(r4b) ?? ''),
  });

  const r5 = confide(['ablate', '--experiment', 'no-such-experiment', '--out', 'R'], { cwd: dir });
  row(B8, '`confide ablate --experiment no-such-experiment` (a missing folder)', r5, `R: ${listing(join(dir, 'R'))}`, {
    'refused with NOT_FOUND': failedWith(r5, 'NOT_FOUND'),
    'no raw ENOENT': !/ENOENT/.test(r5.stderr),
  });
  const r5b = confide(['run', 'no-such-experiment'], { cwd: dir });
  row(B8, '`confide run no-such-experiment` (a missing folder, added)', r5b, `folder: ${listing(dir).split(', ').filter((n) => !/^(syntax|typo|option|sweep|unknown-key|run-typo)\//.test(n)).join(', ') || 'as before'}`, {
    'refused with NOT_FOUND': failedWith(r5b, 'NOT_FOUND'),
    'no raw ENOENT': !/ENOENT/.test(r5b.stderr),
    'no run folder made': !existsSync(join(dir, 'no-such-experiment')),
  });

  const copied = join(dir, 'ablation-copy');
  cpSync(EXP('ablation-math500'), copied, { recursive: true });
  const r6 = confide(['ablate', '--experiment', 'ablation-copy', '--out', 'R'], { cwd: dir });
  row(B8, 'a copy of experiments/ablation-math500 in a temp folder (its `paperExperiment: "../paper-math500"` now points nowhere)', r6, `R: ${listing(join(dir, 'R'))}`, {
    'refused with a coded error': failedWith(r6),
    'names paperExperiment': /paperExperiment/.test(errorLine(r6) ?? ''),
    'suggests a bundled id or says what is missing': /paper-math500/.test(errorLine(r6) ?? ''),
  });
}

// ----- 9. a noisy install -----------------------------------------------------------------------------------------
{
  const started = performance.now();
  const allow = readJson(join(ROOT, 'package.json')).allowScripts ?? {};
  const withScripts: string[] = [];
  const visit = (folder: string): void => {
    if (!existsSync(folder)) return;
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (!entry.isDirectory() && !entry.isSymbolicLink()) continue;
      if (entry.name.startsWith('@')) {
        visit(join(folder, entry.name));
        continue;
      }
      if (entry.name.startsWith('.')) continue;
      const manifest = join(folder, entry.name, 'package.json');
      if (!existsSync(manifest) || entry.isSymbolicLink()) continue;
      const pkg = readJson(manifest);
      const scripts = pkg.scripts ?? {};
      if (['preinstall', 'install', 'postinstall'].some((s) => s in scripts) || existsSync(join(folder, entry.name, 'binding.gyp'))) withScripts.push(pkg.name);
      visit(join(folder, entry.name, 'node_modules'));
    }
  };
  visit(join(ROOT, 'node_modules'));
  const uncovered = [...new Set(withScripts)].filter((name) => !(name in allow));
  row(
    B9,
    '`npm ci` on a fresh clone — not run here (needs the registry and a fresh clone: `../shared/tools/fresh-clone-check`); static check: packages in node_modules with install scripts vs package.json `allowScripts`',
    {
      code: 0,
      signal: null,
      stdout: '',
      stderr: `(static check) install scripts in: ${[...new Set(withScripts)].sort().join(', ')}; allowScripts: ${Object.entries(allow).map(([k, v]) => `${k}=${v}`).join(', ')}`,
      seconds: (performance.now() - started) / 1000,
    },
    uncovered.length === 0 ? 'nothing (read-only check)' : `not covered by allowScripts: ${uncovered.join(', ')}`,
    { 'every package with an install script is named in allowScripts': uncovered.length === 0 },
  );
  rows.at(-1)!.code = '— (not a command)';
}

// ----- 10. partial imports ----------------------------------------------------------------------------------------
{
  const dir = caseDir('partial-import');
  const data = join(EXP('byo-arithmetic'), 'data');
  const lines = readFileSync(join(data, 'small-results.jsonl'), 'utf8').split('\n').filter(Boolean);
  writeFileSync(join(dir, 'half.jsonl'), lines.slice(0, 150).join('\n') + '\n');
  const common = ['--dataset', join(data, 'problems.csv'), '--model', 'sim-small', '--price-table', join(EXP('byo-arithmetic'), 'prices.json')];
  const partial = confide(['data', 'import', 'half.jsonl', ...common, '--out', 'half'], { cwd: dir });
  row(B10, '`confide data import half.jsonl` (150 of byo-arithmetic’s 300 small-model rows) `--out half`', partial, `half/: ${listing(join(dir, 'half'))}${strayNote(dir)}`, {
    'exit 0': partial.code === 0,
    'a line stating the count (150 of 300)': /150\b.*300|150 of 300/.test(partial.stderr + partial.stdout),
  }, [/150/]);
  const strict = confide(['data', 'import', 'half.jsonl', ...common, '--out', 'strict', '--require-complete'], { cwd: dir });
  row(B10, '… the same with `--require-complete` `--out strict`', strict, `strict/: ${listing(join(dir, 'strict'))}${strayNote(dir)}`, {
    'refused with a coded error': failedWith(strict),
    'states the count': /150/.test(errorLine(strict) ?? ''),
    'nothing written': !existsSync(join(dir, 'strict')),
  });
  const renamed = lines.map((line, i) => (i % 40 === 7 ? line.replace(/"prob_(\d+)"/, (_, n) => `"prob_${1000 + Number(n)}"`) : line));
  writeFileSync(join(dir, 'renamed.jsonl'), renamed.join('\n') + '\n');
  const mismatched = confide(['data', 'import', 'renamed.jsonl', ...common, '--out', 'renamed'], { cwd: dir });
  row(B10, '`confide data import renamed.jsonl` (8 of 300 rows renamed to ids the dataset lacks, added)', mismatched, `renamed/: ${listing(join(dir, 'renamed'))}`, {
    'exit 0': mismatched.code === 0,
    'counts the mismatches': /\b8\b/.test(mismatched.stderr + mismatched.stdout),
    'shows the first five': /prob_1007/.test(mismatched.stderr + mismatched.stdout),
  }, [/prob_1007/]);
}

// ---------------------------------------------------------------------------------------------------------------
// the checkout, and the table

const checkoutAfter = checkoutState();
const totalSeconds = (performance.now() - startedAll) / 1000;
const cell = (text: string): string => text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|').trim();

const out: string[] = [];
out.push(`# Confide bad-input table`);
out.push('');
out.push(
  `${rows.length} cases, each the real command (\`node --conditions=@confide/source --import tsx packages/cli/src/main.ts …\`) as a whole process, ` +
    `on fixtures in a temporary folder outside the checkout; ${totalSeconds.toFixed(0)} s in all on ${hostname()}. ` +
    'Message: the first `confide: error` line on stderr, else its first line (or stdout’s when stderr is empty); ⟨…⟩ joins the line the case looks for.',
);
out.push('');
out.push('| # | seen (issue 22) | input (what the user did) | message | exit | left on disk | check | s |');
out.push('|--:|:--|:--|:--|:--|:--|:--|--:|');
rows.forEach((r, i) => {
  out.push(`| ${i + 1} | ${cell(r.bullet)} | ${cell(r.input)} | ${cell(r.message)} | ${cell(r.code)} | ${cell(r.left)} | ${cell(r.check)} | ${r.seconds.toFixed(1)} |`);
});
out.push('');
const checkoutChanged = describeChange(checkoutBefore.reports, checkoutAfter.reports, 'reports/');
out.push(
  `Checkout: ${checkoutChanged}; \`git status\` of reports/ and experiments/ ${checkoutBefore.status === checkoutAfter.status ? 'unchanged' : 'CHANGED'} by this script.`,
);
out.push('');
if (problems.length === 0) out.push('Every case behaved as a user relies on.');
else {
  out.push(`Not as a user relies on (${problems.length}):`);
  out.push('');
  for (const p of problems) out.push(`- ${p}`);
}
process.stdout.write(out.join('\n') + '\n');

if (KEEP) process.stderr.write(`bad-input: fixtures kept in ${TMP}\n`);
else rmSync(TMP, { recursive: true, force: true });
