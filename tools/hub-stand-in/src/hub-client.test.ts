/**
 * Confide's hub client (`@confide/data`) against the stand-in: the real `@huggingface/hub` code runs, only the
 * server is local. Covers the cache (second pull sends nothing), offline use, each failure mode, and publishing.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ConfideError, InvalidConfigError, InvalidInputError, NotFoundError, PluginRegistry } from '@confide/core';
import {
  type HubConnection,
  type HubProgressEvent,
  type HubProvenance,
  HubRequestError,
  loadProblems,
  pullHubAdapter,
  pullHubDataset,
  pushHubAdapter,
  pushHubDataset,
  readBuiltDataset,
  workspaceRoot,
  writeParquetRows,
} from '@confide/data';
import { recordedEvaluator } from '@confide/evaluator-recorded';
import { loadExperimentOfKind, runLiveExperiment } from '@confide/experiments';
import { replayModel } from '@confide/inference';
import { confidenceTokenRouter } from '@confide/router-confidence-token';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HubStandIn, startHubStandIn } from './hub-stand-in.js';

const TOKEN = 'hf_stand_in_writer';
const SEED_FIXTURE = join(workspaceRoot(), 'packages/data/src/hub/fixtures/seed-sample-zstd.parquet');

let root: string;
let cacheFolder: string;
let standIn: HubStandIn;
let anonymous: HubConnection;
let writer: HubConnection;

const provenance: HubProvenance = {
  builtBy: 'confide test',
  gitCommit: null,
  gitDirty: null,
  createdAt: '2025-01-01T00:00:00.000Z',
  sources: ['math500 (bundled)'],
};

function put(path: string, content: string | Uint8Array): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
}

function seedRows(count: number, offset = 0): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, index) => {
    const n = index + offset;
    return { question: `What is ${n} + ${n}?`, tagged_response: `It is $\\boxed{${2 * n}}$. ${n % 3 === 0 ? '<U_MATH>' : '<C_MATH>'}`, check: n % 3 !== 0, level: (n % 5) + 1 };
  });
}

const math500Lines = gunzipSync(readFileSync(join(workspaceRoot(), 'packages/data/datasets/math500_test.jsonl.gz')))
  .toString('utf8')
  .split('\n')
  .slice(0, 30);

/** Every file under a folder, relative to it (empty when the folder does not exist). */
function filesUnder(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(folder, join(entry.parentPath, entry.name)))
    .sort();
}

function repoCache(name: string, type: 'datasets' | 'models' = 'datasets'): string {
  return join(cacheFolder, new URL(standIn.url).host.replace(':', '_'), type, ...name.split('/'));
}

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'hub-client-root-'));
  cacheFolder = mkdtempSync(join(tmpdir(), 'hub-client-cache-'));
  // the seed's annotated set: two SNAPPY shards written with hyparquet-writer, plus the ZSTD test shard pyarrow wrote
  put('datasets/Akirayasha/math-20/data/train-00000-of-00002.parquet', await writeParquetRows(seedRows(40)));
  put('datasets/Akirayasha/math-20/data/train-00001-of-00002.parquet', await writeParquetRows(seedRows(25, 40)));
  copyFileSync(SEED_FIXTURE, join(root, 'datasets/Akirayasha/math-20/data/test-00000-of-00001.parquet'));
  put('datasets/Akirayasha/math-20/README.md', '---\nlicense: mit\n---\n# math-20\n');
  put('datasets/Akirayasha/math-20/.gitattributes', '*.parquet filter=lfs diff=lfs merge=lfs -text\n');
  // MATH-500 as published: one JSON Lines file
  put('datasets/HuggingFaceH4/MATH-500/test.jsonl', math500Lines.join('\n') + '\n');
  put('datasets/owner/private/test.jsonl', math500Lines.slice(0, 3).join('\n') + '\n');
  put('datasets/owner/corrupt/data/train-00000-of-00001.parquet', Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(200, 1), Buffer.from('PAR1')]));
  put('datasets/owner/cut/data/train-00000-of-00001.parquet', await writeParquetRows(seedRows(400)));
  standIn = await startHubStandIn({ root, tokens: [TOKEN], privateRepos: ['datasets/owner/private'], treePageSize: 3 });
  anonymous = { hubUrl: standIn.url, accessToken: undefined };
  writer = { hubUrl: standIn.url, accessToken: TOKEN };
});

afterAll(async () => {
  await standIn.close();
  rmSync(root, { recursive: true, force: true });
  rmSync(cacheFolder, { recursive: true, force: true });
});

describe('pull a dataset', () => {
  it('pulls a Parquet dataset (SNAPPY and ZSTD shards), maps the seed columns, then pulls it again from the cache with no request', async () => {
    const events: HubProgressEvent[] = [];
    const before = standIn.requests.length;
    const first = await pullHubDataset({ repo: 'Akirayasha/math-20', cacheFolder, connection: anonymous, onProgress: (event) => events.push(event) });
    expect(standIn.requests.length).toBeGreaterThan(before);
    expect(first.fromCache).toBe(false);
    const commit = standIn.store.get('dataset', 'Akirayasha/math-20')!.refs.get('main')!;
    expect(first.source.commit).toBe(commit);
    expect(first.reference).toBe(`hf://datasets/Akirayasha/math-20@${commit}`);
    expect(first.splits.map((split) => [split.name, split.rows.length, split.files])).toEqual([
      ['test', 4, ['data/test-00000-of-00001.parquet']],
      ['train', 65, ['data/train-00000-of-00002.parquet', 'data/train-00001-of-00002.parquet']],
    ]);
    const train = first.splits.find((split) => split.name === 'train')!;
    expect(train.rows[41]).toEqual(seedRows(25, 40)[1]);
    expect(train.examples![0]).toEqual({ question: 'What is 0 + 0?', response: 'It is $\\boxed{0}$.<|u_math|>', confidenceToken: '<|u_math|>', correct: false });
    expect(train.examples![1]!.response).toBe('It is $\\boxed{2}$.<|c_math|>');
    expect(first.card).toContain('# math-20');
    for (const file of first.source.files) {
      expect(file.sha256).toBe(sha256(readFileSync(join(root, 'datasets/Akirayasha/math-20', file.path))));
    }
    // progress: each file downloaded from 0 to its size
    const downloads = events.filter((event) => event.kind === 'download');
    expect(downloads.find((event) => event.path === 'data/train-00000-of-00002.parquet' && event.bytes === 0)).toBeDefined();
    expect(downloads.find((event) => event.path === 'data/train-00000-of-00002.parquet' && event.bytes === event.totalBytes)).toBeDefined();

    const requestsAfterFirst = standIn.requests.length;
    const second = await pullHubDataset({ repo: 'Akirayasha/math-20', cacheFolder, connection: anonymous });
    expect(standIn.requests.length).toBe(requestsAfterFirst);
    expect(second.fromCache).toBe(true);
    expect(second.splits).toEqual(first.splits);
    expect(second.source).toEqual(first.source);
  });

  it('pulls a JSON Lines dataset, then again from the cache with no request', async () => {
    const first = await pullHubDataset({ repo: 'HuggingFaceH4/MATH-500', cacheFolder, connection: anonymous });
    expect(first.splits.map((split) => [split.name, split.rows.length])).toEqual([['test', 30]]);
    expect(first.splits[0]!.rows[0]).toEqual(JSON.parse(math500Lines[0]!));
    expect(first.splits[0]!.examples).toBeUndefined();
    const before = standIn.requests.length;
    const second = await pullHubDataset({ repo: 'HuggingFaceH4/MATH-500', cacheFolder, connection: anonymous });
    expect(standIn.requests.length).toBe(before);
    expect(second.splits).toEqual(first.splits);
  });

  it('fetches only the split asked for', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'hub-client-split-'));
    const pulled = await pullHubDataset({ repo: 'Akirayasha/math-20', split: 'test', cacheFolder: cache, connection: anonymous });
    expect(pulled.splits.map((split) => split.name)).toEqual(['test']);
    const snapshot = filesUnder(pulled.folder);
    expect(snapshot).toEqual(['README.md', join('data', 'test-00000-of-00001.parquet')]);
    rmSync(cache, { recursive: true, force: true });
  });

  it('keeps using the commit a branch resolved to until asked to refresh', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'hub-client-refresh-'));
    const repo = 'owner/moving';
    await pushHubDataset({ repo, splits: [{ name: 'train', rows: seedRows(3) }], provenance, connection: writer });
    const first = await pullHubDataset({ repo, cacheFolder: cache, connection: anonymous });
    await pushHubDataset({ repo, splits: [{ name: 'train', rows: seedRows(5) }], provenance, connection: writer });

    const before = standIn.requests.length;
    const cached = await pullHubDataset({ repo, cacheFolder: cache, connection: anonymous });
    expect(standIn.requests.length).toBe(before);
    expect(cached.source.commit).toBe(first.source.commit);
    expect(cached.splits[0]!.rows).toHaveLength(3);

    const refreshed = await pullHubDataset({ repo, refresh: true, cacheFolder: cache, connection: anonymous });
    expect(refreshed.source.commit).not.toBe(first.source.commit);
    expect(refreshed.splits[0]!.rows).toHaveLength(5);
    // the old commit is still there, by id, without a request
    const beforePinned = standIn.requests.length;
    const pinned = await pullHubDataset({ repo, revision: first.source.commit, cacheFolder: cache, connection: anonymous });
    expect(standIn.requests.length).toBe(beforePinned);
    expect(pinned.splits[0]!.rows).toHaveLength(3);
    rmSync(cache, { recursive: true, force: true });
  });

  it('reads a private dataset with a token', async () => {
    const pulled = await pullHubDataset({ repo: 'owner/private', cacheFolder, connection: writer });
    expect(pulled.splits[0]!.rows).toHaveLength(3);
  });
});

describe('pull failures: one clear error, nothing partial in the cache', () => {
  it.each([
    {
      name: 'a revision that does not exist',
      repo: 'HuggingFaceH4/MATH-500',
      options: { revision: 'v9' },
      type: NotFoundError,
      message: /^dataset HuggingFaceH4\/MATH-500 has no revision "v9" on http:\/\/127\.0\.0\.1:\d+$/,
    },
    {
      name: 'a file that does not exist',
      repo: 'Akirayasha/math-20',
      options: { files: ['data/validation-00000-of-00001.parquet'] },
      type: NotFoundError,
      message: /has no file "data\/validation-00000-of-00001\.parquet" \(data files: data\/test-00000-of-00001\.parquet, /,
    },
    {
      name: 'a split that does not exist',
      repo: 'Akirayasha/math-20',
      options: { split: 'validation' },
      type: NotFoundError,
      message: /^dataset Akirayasha\/math-20@[0-9a-f]{40} has no split "validation" \(splits: test, train\)$/,
    },
    {
      name: 'a repository that does not exist',
      repo: 'owner/nothing-here',
      options: {},
      type: HubRequestError,
      message: /^dataset owner\/nothing-here@main: the hub answered 401 Unauthorized: the repository is private, gated or does not exist; set HF_TOKEN/,
    },
    {
      name: 'a private repository without a token (401)',
      repo: 'owner/private',
      options: {},
      type: HubRequestError,
      message: /^dataset owner\/private@main: the hub answered 401 Unauthorized: .*set HF_TOKEN to a token that can read it$/,
    },
    {
      name: 'a corrupt Parquet file',
      repo: 'owner/corrupt',
      options: {},
      type: InvalidInputError,
      message: /^owner\/corrupt\/data\/train-00000-of-00001\.parquet: not a readable Parquet file/,
    },
  ])('$name', async ({ repo, options, type, message }) => {
    const cache = mkdtempSync(join(tmpdir(), 'hub-client-fail-'));
    const error = await failure(pullHubDataset({ repo, cacheFolder: cache, connection: anonymous, ...options }));
    expect(error).toBeInstanceOf(type);
    expect(error.message).toMatch(message);
    expect(error.message.split('\n')).toHaveLength(1);
    const folder = repoCache(repo).replace(cacheFolder, cache);
    expect(filesUnder(join(folder, 'snapshots')).filter((path) => path.endsWith('.parquet') || path.endsWith('.jsonl'))).toEqual([]);
    expect(filesUnder(join(folder, 'tmp'))).toEqual([]);
    rmSync(cache, { recursive: true, force: true });
  });

  it.each([
    ['the connection drops mid-body', 'cut-connection' as const, (size: number) => `the download stopped after 1000 of ${size} bytes (terminated)`],
    ['the body ends early with a matching Content-Length', 'short-body' as const, (size: number) => `the download was truncated: got 1000 of ${size} bytes`],
  ])('a truncated download (%s) fails, leaves no partial file, and the next pull succeeds', async (_name, mode, problem) => {
    const cache = mkdtempSync(join(tmpdir(), 'hub-client-cut-'));
    const path = 'data/train-00000-of-00001.parquet';
    const size = readFileSync(join(root, 'datasets/owner/cut', path)).length;
    standIn.addFault({ repo: 'datasets/owner/cut', path, afterBytes: 1000, mode });
    const error = await failure(pullHubDataset({ repo: 'owner/cut', cacheFolder: cache, connection: anonymous }));
    expect(error).toBeInstanceOf(HubRequestError);
    expect(error.message).toBe(`dataset owner/cut file "${path}": ${problem(size)}`);
    const folder = join(cache, new URL(standIn.url).host.replace(':', '_'), 'datasets', 'owner', 'cut');
    expect(filesUnder(join(folder, 'snapshots'))).toEqual([]);
    expect(filesUnder(join(folder, 'tmp'))).toEqual([]);

    const pulled = await pullHubDataset({ repo: 'owner/cut', cacheFolder: cache, connection: anonymous });
    expect(pulled.splits[0]!.rows).toHaveLength(400);
    rmSync(cache, { recursive: true, force: true });
  });

  it('a download whose bytes do not match the listed hash fails and leaves nothing', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'hub-client-flip-'));
    // a fetch that damages one byte of every full file body, as a broken proxy might
    const damaging: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (!String(input).includes('/resolve/') || new Headers(init?.headers).has('Range')) return response;
      const bytes = new Uint8Array(await response.arrayBuffer());
      bytes[100] = bytes[100]! ^ 0xff;
      return new Response(bytes, { status: response.status, headers: response.headers });
    };
    const error = await failure(pullHubDataset({ repo: 'owner/cut', cacheFolder: cache, connection: { ...anonymous, fetch: damaging } }));
    expect(error).toBeInstanceOf(HubRequestError);
    expect(error.message).toBe('dataset owner/cut file "data/train-00000-of-00001.parquet": the downloaded bytes do not match the hub\'s sha256');
    const folder = join(cache, new URL(standIn.url).host.replace(':', '_'), 'datasets', 'owner', 'cut');
    expect(filesUnder(join(folder, 'snapshots'))).toEqual([]);
    expect(filesUnder(join(folder, 'tmp'))).toEqual([]);
    rmSync(cache, { recursive: true, force: true });
  });

  it('an invalid token gets a 401 that names HF_TOKEN but not its value', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'hub-client-token-'));
    const error = await failure(pullHubDataset({ repo: 'owner/private', cacheFolder: cache, connection: { hubUrl: standIn.url, accessToken: 'hf_not_known_here' } }));
    rmSync(cache, { recursive: true, force: true });
    expect(error.message).toMatch(/401 Unauthorized: HF_TOKEN was not accepted/);
    expect(error.message).not.toContain('hf_not_known_here');
  });
});

describe('offline', () => {
  it('reads the cache with the stand-in stopped, and says clearly what is not cached', async () => {
    const offlineRoot = mkdtempSync(join(tmpdir(), 'hub-client-offline-root-'));
    const cache = mkdtempSync(join(tmpdir(), 'hub-client-offline-'));
    mkdirSync(join(offlineRoot, 'datasets/HuggingFaceH4/MATH-500'), { recursive: true });
    writeFileSync(join(offlineRoot, 'datasets/HuggingFaceH4/MATH-500/test.jsonl'), math500Lines.join('\n'));
    const temporary = await startHubStandIn({ root: offlineRoot });
    const connection = { hubUrl: temporary.url, accessToken: undefined };
    const online = await pullHubDataset({ repo: 'HuggingFaceH4/MATH-500', cacheFolder: cache, connection });
    await temporary.close();

    const offline = await pullHubDataset({ repo: 'HuggingFaceH4/MATH-500', offline: true, cacheFolder: cache, connection });
    expect(offline.splits).toEqual(online.splits);
    expect(offline.source.commit).toBe(online.source.commit);
    expect(offline.fromCache).toBe(true);

    const notCached = await failure(pullHubDataset({ repo: 'Akirayasha/math-20', offline: true, cacheFolder: cache, connection }));
    expect(notCached).toBeInstanceOf(NotFoundError);
    expect(notCached.message).toMatch(/^offline: dataset Akirayasha\/math-20@main is not in the cache at .*; pull it once without --offline$/);

    const refreshWithoutHub = await failure(pullHubDataset({ repo: 'HuggingFaceH4/MATH-500', refresh: true, cacheFolder: cache, connection }));
    expect(refreshWithoutHub).toBeInstanceOf(HubRequestError);
    expect(refreshWithoutHub.message).toMatch(/cannot reach the hub at http:\/\/127\.0\.0\.1:\d+/);
    rmSync(offlineRoot, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  });
});

describe('publish', () => {
  it('pushes a dataset built as JSON Lines and pulls it back byte-identical', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'hub-client-built-'));
    writeFileSync(join(folder, 'train.jsonl'), seedRows(250).map((row) => JSON.stringify(row)).join('\n') + '\n');
    writeFileSync(join(folder, 'heldout.jsonl'), seedRows(20, 250).map((row) => JSON.stringify(row)).join('\n') + '\n');
    const splits = await readBuiltDataset(folder);
    const events: HubProgressEvent[] = [];
    const pushed = await pushHubDataset({ repo: 'me/math-sft', splits, provenance, rowsPerShard: 100, connection: writer, onProgress: (event) => events.push(event) });
    expect(pushed.files.map((file) => [file.path, file.rows])).toEqual([
      ['data/heldout-00000-of-00001.parquet', 20],
      ['data/train-00000-of-00003.parquet', 100],
      ['data/train-00001-of-00003.parquet', 100],
      ['data/train-00002-of-00003.parquet', 50],
    ]);
    expect(events.some((event) => event.kind === 'commit' && event.commit === pushed.commit)).toBe(true);

    const cache = mkdtempSync(join(tmpdir(), 'hub-client-back-'));
    const back = await pullHubDataset({ repo: 'me/math-sft', cacheFolder: cache, connection: anonymous });
    expect(back.source.commit).toBe(pushed.commit);
    for (const file of pushed.files) {
      expect(sha256(readFileSync(join(back.folder, file.path)))).toBe(file.sha256);
    }
    expect(readFileSync(join(back.folder, 'README.md'), 'utf8')).toBe(pushed.card);
    expect(back.card).toContain('  - split: heldout\n    path: data/heldout-*\n');
    expect(back.splits.find((split) => split.name === 'train')!.rows).toEqual(seedRows(250));
    expect(back.splits.find((split) => split.name === 'heldout')!.rows).toEqual(seedRows(20, 250));

    // pushing again with fewer shards removes the ones the dataset no longer has
    const again = await pushHubDataset({ repo: 'me/math-sft', splits, provenance, rowsPerShard: 200, connection: writer });
    const head = standIn.store.get('dataset', 'me/math-sft')!.commits.get(again.commit)!;
    expect([...head.files.keys()].filter((path) => path.startsWith('data/')).sort()).toEqual([
      'data/heldout-00000-of-00001.parquet',
      'data/train-00000-of-00002.parquet',
      'data/train-00001-of-00002.parquet',
    ]);
    rmSync(folder, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  });

  it('uploads Parquet files of a built dataset unchanged', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'hub-client-parquet-'));
    copyFileSync(SEED_FIXTURE, join(folder, 'test.parquet'));
    const pushed = await pushHubDataset({ repo: 'me/seed-copy', splits: await readBuiltDataset(folder), provenance, connection: writer });
    const cache = mkdtempSync(join(tmpdir(), 'hub-client-parquet-back-'));
    const back = await pullHubDataset({ repo: 'me/seed-copy', cacheFolder: cache, connection: anonymous });
    expect(readFileSync(join(back.folder, 'data/test-00000-of-00001.parquet')).equals(readFileSync(SEED_FIXTURE))).toBe(true);
    expect(pushed.files[0]!.rows).toBe(4);
    expect(back.splits[0]!.examples!.map((example) => example.confidenceToken)).toEqual(['<|c_math|>', '<|c_math|>', '<|u_math|>', '<|c_math|>']);
    rmSync(folder, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  });

  it('pushes a PEFT adapter with a generated model card and pulls it back byte-identical', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'hub-client-adapter-'));
    const weights = Buffer.from(Array.from({ length: 50_000 }, (_, index) => (index * 2654435761) % 251));
    const config = { peft_type: 'LORA', base_model_name_or_path: 'Qwen/Qwen2.5-Math-1.5B-Instruct', task_type: 'CAUSAL_LM', r: 8, lora_alpha: 32, lora_dropout: 0.05, target_modules: ['q_proj', 'v_proj'], inference_mode: true };
    writeFileSync(join(folder, 'adapter_config.json'), JSON.stringify(config, null, 2));
    writeFileSync(join(folder, 'adapter_model.safetensors'), weights);
    mkdirSync(join(folder, 'tokenizer'));
    writeFileSync(join(folder, 'tokenizer', 'added_tokens.json'), '{"<|c_math|>": 151665, "<|u_math|>": 151666}');
    writeFileSync(join(folder, '.DS_Store'), 'skipped');

    const pushed = await pushHubAdapter({ repo: 'me/qwen-confidence-lora', folder, provenance, dataset: 'hf://datasets/me/math-sft@abc', connection: writer });
    expect(pushed.generatedCard).toBe(true);
    expect(pushed.files.map((file) => file.path)).toEqual(['adapter_config.json', 'adapter_model.safetensors', 'tokenizer/added_tokens.json', 'README.md']);

    const cache = mkdtempSync(join(tmpdir(), 'hub-client-adapter-back-'));
    const back = await pullHubAdapter({ repo: 'me/qwen-confidence-lora', cacheFolder: cache, connection: anonymous });
    expect(back.commit).toBe(pushed.commit);
    for (const path of ['adapter_config.json', 'adapter_model.safetensors', 'tokenizer/added_tokens.json']) {
      expect(readFileSync(join(back.folder, path)).equals(readFileSync(join(folder, path)))).toBe(true);
    }
    expect(back.files.map((file) => [file.path, file.sha256])).toEqual(
      [...pushed.files].sort((a, b) => (a.path < b.path ? -1 : 1)).map((file) => [file.path, file.sha256]),
    );
    expect(back.config.r).toBe(8);
    const card = readFileSync(join(back.folder, 'README.md'), 'utf8');
    expect(card).toMatch(/^---\nbase_model: Qwen\/Qwen2\.5-Math-1\.5B-Instruct\nlibrary_name: peft\n/);
    expect(card).toContain('datasets:\n- me/math-sft\n');
    expect(card).toContain('| target modules | q_proj, v_proj |');
    expect(existsSync(join(back.folder, '.DS_Store'))).toBe(false);

    const again = await pullHubAdapter({ repo: 'me/qwen-confidence-lora', cacheFolder: cache, connection: anonymous });
    expect(again.fromCache).toBe(true);
    rmSync(folder, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  });

  it('refuses a folder that is not a PEFT adapter before sending anything', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'hub-client-not-adapter-'));
    writeFileSync(join(folder, 'adapter_config.json'), JSON.stringify({ peft_type: 'LORA', base_model_name_or_path: 'x/y' }));
    const before = standIn.requests.length;
    const error = await failure(pushHubAdapter({ repo: 'me/broken', folder, provenance, connection: writer }));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toMatch(/is not a PEFT adapter folder: it has neither adapter_model\.safetensors nor adapter_model\.bin$/);
    writeFileSync(join(folder, 'adapter_config.json'), JSON.stringify({ peft_type: 'LORA' }));
    writeFileSync(join(folder, 'adapter_model.safetensors'), 'w');
    const badConfig = await failure(pushHubAdapter({ repo: 'me/broken', folder, provenance, connection: writer }));
    expect(badConfig.message).toMatch(/adapter_config\.json, field "base_model_name_or_path"/);
    expect(standIn.requests.length).toBe(before);
    rmSync(folder, { recursive: true, force: true });
  });

  it('asks for HF_TOKEN before sending anything when there is none', async () => {
    const before = standIn.requests.length;
    const error = await failure(pushHubDataset({ repo: 'me/no-token', splits: [{ name: 'train', rows: seedRows(2) }], provenance, connection: anonymous }));
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect(error.message).toBe('pushing to dataset me/no-token needs HF_TOKEN: set it to a token with write access');
    expect(standIn.requests.length).toBe(before);
  });

  it('reports a rejected token as a 401 without its value', async () => {
    const error = await failure(
      pushHubDataset({ repo: 'me/bad-token', splits: [{ name: 'train', rows: seedRows(2) }], provenance, connection: { hubUrl: standIn.url, accessToken: 'hf_wrong_one' } }),
    );
    expect(ConfideError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/^dataset me\/bad-token: the hub answered 401 Unauthorized: HF_TOKEN was not accepted/);
    expect(error.message).not.toContain('hf_wrong_one');
  });
});

describe('an experiment dataset on the hub', () => {
  it('loads hf://datasets/<repo>:<split> as problems pinned to the resolved commit', async () => {
    const loaded = await loadProblems('hf://datasets/HuggingFaceH4/MATH-500:test', { connection: anonymous, cacheFolder });
    const commit = standIn.store.get('dataset', 'HuggingFaceH4/MATH-500')!.refs.get('main')!;
    expect(loaded.reference).toBe(`hf://datasets/HuggingFaceH4/MATH-500@${commit}:test`);
    expect(loaded.problems).toHaveLength(30);
    expect(loaded.problems[0]).toMatchObject({ id: 'test/precalculus/807.json', answer: '\\left( 3, \\frac{\\pi}{2} \\right)', level: 2 });
    await expect(loadProblems('hf://datasets/HuggingFaceH4', { connection: anonymous, cacheFolder })).rejects.toThrow(/is not hf:\/\/datasets\/<owner>\/<name>/);
  });

  it('records the dataset commit in the manifest of a live run', async () => {
    const experiment = loadExperimentOfKind(join(workspaceRoot(), 'experiments', 'paper-math500-live'), 'live').experiment;
    const outFolder = mkdtempSync(join(tmpdir(), 'hub-live-run-'));
    const result = await runLiveExperiment({
      experiment: { ...experiment, dataset: 'hf://datasets/HuggingFaceH4/MATH-500:test', limit: 5 },
      registry: new PluginRegistry().register(replayModel).register(recordedEvaluator).register(confidenceTokenRouter),
      outFolder,
      cachePath: null,
      hub: { connection: anonymous, cacheFolder },
    });
    expect(result.status).toBe('complete');
    const manifest = JSON.parse(readFileSync(join(outFolder, 'manifest.json'), 'utf8'));
    const commit = standIn.store.get('dataset', 'HuggingFaceH4/MATH-500')!.refs.get('main')!;
    expect(manifest.dataset).toBe(`hf://datasets/HuggingFaceH4/MATH-500@${commit}:test`);
    expect(manifest.records).toBe(5);
  }, 60_000);
});
