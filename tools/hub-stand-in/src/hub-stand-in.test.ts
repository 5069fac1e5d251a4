import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRepo, datasetInfo, downloadFile, HubApiError, listFiles, uploadFiles } from '@huggingface/hub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HubStandIn, startHubStandIn } from './hub-stand-in.js';

const TOKEN = 'hf_stand_in_writer';
const TEXT = 'problem,answer\n1+1,2\n2+2,4\n';
const WEIGHTS = Buffer.from(Array.from({ length: 3000 }, (_, index) => (index * 7919) % 256));

let root: string;
let standIn: HubStandIn;

function put(path: string, content: string | Buffer): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
}

const sha256 = (content: string | Buffer) => createHash('sha256').update(content).digest('hex');

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'hub-stand-in-'));
  put('datasets/owner/plain/README.md', '# plain\n');
  put('datasets/owner/plain/data/train.csv', TEXT);
  put('datasets/owner/plain/data/more/a.txt', 'a');
  put('datasets/owner/plain/data/more/b.txt', 'b');
  put('datasets/owner/secret/test.jsonl', '{"x":1}\n');
  put('models/owner/adapter/adapter_model.safetensors', WEIGHTS);
  standIn = await startHubStandIn({ root, tokens: [TOKEN], privateRepos: ['datasets/owner/secret'], treePageSize: 2 });
});

afterAll(async () => {
  await standIn.close();
  rmSync(root, { recursive: true, force: true });
});

const resolveUrl = (path: string, revision = 'main') => `${standIn.url}/datasets/owner/plain/resolve/${revision}/${path}`;

describe('hub stand-in: reading', () => {
  it('answers a revision with its commit id, as datasetInfo reads it', async () => {
    const info = await datasetInfo({ name: 'owner/plain', hubUrl: standIn.url, additionalFields: ['sha'] });
    expect(info.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(info.name).toBe('owner/plain');
    const byCommit = await datasetInfo({ name: 'owner/plain', hubUrl: standIn.url, additionalFields: ['sha'], revision: info.sha });
    expect(byCommit.sha).toBe(info.sha);
  });

  it('pages a tree listing with Link headers, and listFiles follows them to the end', async () => {
    const first = await fetch(`${standIn.url}/api/datasets/owner/plain/tree/main?recursive=true`);
    expect(await first.json()).toHaveLength(2);
    expect(first.headers.get('link')).toMatch(/^<http:\/\/127\.0\.0\.1:\d+\/api\/datasets\/owner\/plain\/tree\/main\?recursive=true&cursor=2>; rel="next"$/);
    const entries = [];
    for await (const entry of listFiles({ repo: { type: 'dataset', name: 'owner/plain' }, recursive: true, hubUrl: standIn.url })) entries.push(entry);
    expect(entries.map((entry) => `${entry.type} ${entry.path}`)).toEqual([
      'directory data',
      'directory data/more',
      'file data/more/a.txt',
      'file data/more/b.txt',
      'file data/train.csv',
      'file README.md',
    ]);
    const csv = entries.find((entry) => entry.path === 'data/train.csv')!;
    expect(csv.oid).toBe(createHash('sha1').update(`blob ${TEXT.length}\0${TEXT}`).digest('hex'));
    expect(csv.size).toBe(TEXT.length);
  });

  it('lists one folder level without recursion', async () => {
    const entries = [];
    for await (const entry of listFiles({ repo: { type: 'dataset', name: 'owner/plain' }, path: 'data', hubUrl: standIn.url })) entries.push(entry.path);
    expect(entries.sort()).toEqual(['data/more', 'data/train.csv']);
  });

  it('lists an LFS file with the sha256 of its content', async () => {
    const entries = [];
    for await (const entry of listFiles({ repo: { type: 'model', name: 'owner/adapter' }, hubUrl: standIn.url })) entries.push(entry);
    expect(entries[0]!.lfs).toEqual({ oid: sha256(WEIGHTS), size: WEIGHTS.length, pointerSize: 134 });
  });

  it('resolves a file with ETag, X-Repo-Commit and Content-Length', async () => {
    const response = await fetch(resolveUrl('data/train.csv'));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(TEXT);
    expect(response.headers.get('etag')).toMatch(/^"[0-9a-f]{40}"$/);
    expect(response.headers.get('x-repo-commit')).toMatch(/^[0-9a-f]{40}$/);
    expect(response.headers.get('content-length')).toBe(String(TEXT.length));
    expect(response.headers.get('accept-ranges')).toBe('bytes');
  });

  it.each([
    ['bytes=0-0', 206, 'p', `bytes 0-0/${TEXT.length}`],
    ['bytes=8-13', 206, 'answer', `bytes 8-13/${TEXT.length}`],
    ['bytes=-4', 206, '2,4\n', `bytes ${TEXT.length - 4}-${TEXT.length - 1}/${TEXT.length}`],
    ['bytes=22-', 206, TEXT.slice(22), `bytes 22-${TEXT.length - 1}/${TEXT.length}`],
    ['bytes=999-', 416, '', `bytes */${TEXT.length}`],
  ])('honours Range %s', async (range, status, body, contentRange) => {
    const response = await fetch(resolveUrl('data/train.csv'), { headers: { Range: range } });
    expect(response.status).toBe(status);
    expect(await response.text()).toBe(body);
    expect(response.headers.get('content-range')).toBe(contentRange);
  });

  it('answers 304 to If-None-Match with the current ETag, and HEAD without a body', async () => {
    const etag = (await fetch(resolveUrl('data/train.csv'))).headers.get('etag')!;
    expect((await fetch(resolveUrl('data/train.csv'), { headers: { 'If-None-Match': etag } })).status).toBe(304);
    const head = await fetch(resolveUrl('data/train.csv'), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('downloads through the library, which probes with Range and then reads the whole file', async () => {
    const before = standIn.requests.length;
    const blob = await downloadFile({ repo: { type: 'dataset', name: 'owner/plain' }, path: 'data/train.csv', hubUrl: standIn.url });
    expect(await blob!.text()).toBe(TEXT);
    expect(standIn.requests.slice(before).map((request) => request.status)).toEqual([206, 200]);
  });

  it.each([
    ['/datasets/owner/plain/resolve/main/data/none.csv', undefined, 404, 'EntryNotFound'],
    ['/datasets/owner/plain/resolve/v9/data/train.csv', undefined, 404, 'RevisionNotFound'],
    ['/api/datasets/owner/plain/revision/v9', undefined, 404, 'RevisionNotFound'],
    ['/api/datasets/owner/plain/tree/main/nowhere', undefined, 404, 'EntryNotFound'],
    ['/datasets/owner/missing/resolve/main/x', TOKEN, 404, 'RepoNotFound'],
    ['/datasets/owner/missing/resolve/main/x', undefined, 401, 'RepoNotFound'],
    ['/datasets/owner/secret/resolve/main/test.jsonl', undefined, 401, 'RepoNotFound'],
    ['/datasets/owner/secret/resolve/main/test.jsonl', 'hf_unknown', 401, null],
  ])('answers %s (token %s) with %i and X-Error-Code %s', async (path, token, status, code) => {
    const response = await fetch(`${standIn.url}${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
    expect(response.status).toBe(status);
    expect(response.headers.get('x-error-code')).toBe(code);
    expect(((await response.json()) as { error: unknown }).error).toEqual(expect.any(String));
  });

  it('serves a private repository to a known token', async () => {
    const blob = await downloadFile({ repo: { type: 'dataset', name: 'owner/secret' }, path: 'test.jsonl', hubUrl: standIn.url, accessToken: TOKEN });
    expect(await blob!.text()).toBe('{"x":1}\n');
  });
});

describe('hub stand-in: writing', () => {
  it('creates a repository and commits regular and LFS files through uploadFiles; old commits stay readable', async () => {
    const repo = { type: 'model' as const, name: 'owner/new-adapter' };
    await createRepo({ repo, accessToken: TOKEN, hubUrl: standIn.url });
    const first = await uploadFiles({
      repo,
      accessToken: TOKEN,
      hubUrl: standIn.url,
      files: [
        { path: 'adapter_config.json', content: new Blob(['{"r": 8}']) },
        { path: 'adapter_model.safetensors', content: new Blob([WEIGHTS]) },
      ],
    });
    expect(first!.commit.oid).toMatch(/^[0-9a-f]{40}$/);
    expect(standIn.store.lfsObjects.has(sha256(WEIGHTS))).toBe(true);
    const second = await uploadFiles({ repo, accessToken: TOKEN, hubUrl: standIn.url, files: [{ path: 'adapter_config.json', content: new Blob(['{"r": 16}']) }] });

    const read = async (path: string, revision?: string) =>
      Buffer.from(await (await downloadFile({ repo, path, revision, hubUrl: standIn.url }))!.arrayBuffer());
    expect((await read('adapter_config.json')).toString()).toBe('{"r": 16}');
    expect((await read('adapter_config.json', first!.commit.oid)).toString()).toBe('{"r": 8}');
    expect((await read('adapter_model.safetensors', second!.commit.oid)).equals(WEIGHTS)).toBe(true);
    // main is mirrored on disk
    expect(readFileSync(join(root, 'models/owner/new-adapter/adapter_config.json'), 'utf8')).toBe('{"r": 16}');
    expect(readFileSync(join(root, 'models/owner/new-adapter/.gitattributes'), 'utf8')).toContain('*.safetensors filter=lfs');
  });

  it('refuses a second repository of the same name with 409', async () => {
    const error = await createRepo({ repo: { type: 'dataset', name: 'owner/plain' }, accessToken: TOKEN, hubUrl: standIn.url }).catch((caught: unknown) => caught);
    expect((error as HubApiError).statusCode).toBe(409);
  });

  it('answers 401 to a commit without a token', async () => {
    const error = await uploadFiles({ repo: { type: 'dataset', name: 'owner/plain' }, hubUrl: standIn.url, files: [{ path: 'x.txt', content: new Blob(['x']) }] }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(HubApiError);
    expect((error as HubApiError).statusCode).toBe(401);
  });

  it.each([
    ['a stale parent commit', [{ key: 'header', value: { summary: 's', parentCommit: '0'.repeat(40) } }], 412],
    ['an LFS file that was never uploaded', [{ key: 'header', value: { summary: 's' } }, { key: 'lfsFile', value: { path: 'w.bin', algo: 'sha256', oid: 'a'.repeat(64), size: 3 } }], 422],
    ['a line that is not a commit operation', [{ key: 'header', value: { summary: 's' } }, { key: 'renameFile', value: {} }], 400],
    ['deleting a file that does not exist', [{ key: 'header', value: { summary: 's' } }, { key: 'deletedFile', value: { path: 'nope' } }], 404],
  ])('refuses a commit with %s', async (_name, lines, status) => {
    const response = await fetch(`${standIn.url}/api/datasets/owner/plain/commit/main`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/x-ndjson' },
      body: lines.map((line) => JSON.stringify(line)).join('\n'),
    });
    expect(response.status).toBe(status);
  });

  it('refuses an LFS upload whose bytes do not hash to its URL', async () => {
    const response = await fetch(`${standIn.url}/_stand-in/lfs/${'b'.repeat(64)}`, { method: 'PUT', body: 'not it' });
    expect(response.status).toBe(400);
  });
});

describe('hub stand-in: faults', () => {
  it('cuts a download off after the configured bytes, once', async () => {
    standIn.addFault({ repo: 'datasets/owner/plain', path: 'data/train.csv', afterBytes: 5 });
    const cut = await fetch(resolveUrl('data/train.csv'));
    expect(cut.headers.get('content-length')).toBe(String(TEXT.length));
    await expect(cut.text()).rejects.toThrow();
    expect(await (await fetch(resolveUrl('data/train.csv'))).text()).toBe(TEXT);
  });
});
