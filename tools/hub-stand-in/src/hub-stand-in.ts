import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import {
  type Commit,
  isLfsPath,
  makeCommit,
  mirrorToDisk,
  type Repository,
  RepositoryStore,
  type RepoType,
  resolveRevision,
  sha256Hex,
  type StoredFile,
  storedFile,
} from './repository-store.js';

/**
 * A fault to inject into file downloads: after `afterBytes` bytes, either drop the connection while the header still
 * announces the full size (`cut-connection`, the default), or end a body whose header announces only those bytes
 * (`short-body`, as a broken proxy or cache would).
 */
export interface TruncateFault {
  /** `datasets/<owner>/<name>` or `models/<owner>/<name>` */
  repo: string;
  path: string;
  afterBytes: number;
  mode?: 'cut-connection' | 'short-body';
  /** How many downloads to cut (default 1). */
  times?: number;
}

export interface HubStandInOptions {
  /** Folder with `datasets/<owner>/<name>/` and `models/<owner>/<name>/` repositories. */
  root: string;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Access tokens the stand-in accepts (`hf_...`). Writes need one; private repositories need one to be read. */
  tokens?: readonly string[];
  /** Repositories (`datasets/<owner>/<name>`) that answer 401 without a token. */
  privateRepos?: readonly string[];
  /** Entries per page of a tree listing (the hub uses 1000; tests use a few to exercise pagination). */
  treePageSize?: number;
  faults?: readonly TruncateFault[];
}

export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
}

export interface HubStandIn {
  /** `http://127.0.0.1:<port>`: pass it as `hubUrl`. */
  url: string;
  store: RepositoryStore;
  /** Every request served, in order. */
  requests: LoggedRequest[];
  /** Adds a fault for later downloads. */
  addFault(fault: TruncateFault): void;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errorCode?: string,
  ) {
    super(message);
  }
}

const CommitHeader = z.object({ summary: z.string(), description: z.string().optional(), parentCommit: z.string().optional() });
const CommitLine = z.discriminatedUnion('key', [
  z.object({ key: z.literal('header'), value: CommitHeader }),
  z.object({
    key: z.literal('file'),
    value: z.object({ path: z.string().min(1), content: z.string(), encoding: z.enum(['base64', 'utf-8']).optional() }),
  }),
  z.object({
    key: z.literal('lfsFile'),
    value: z.object({ path: z.string().min(1), algo: z.literal('sha256'), oid: z.string().regex(/^[0-9a-f]{64}$/), size: z.number() }),
  }),
  z.object({ key: z.literal('deletedFile'), value: z.object({ path: z.string().min(1) }) }),
]);
const PreuploadRequest = z.object({
  files: z.array(z.object({ path: z.string(), size: z.number(), sample: z.string() })),
  gitAttributes: z.string().optional(),
});
const LfsBatchRequest = z.object({
  operation: z.enum(['upload', 'download']),
  objects: z.array(z.object({ oid: z.string().regex(/^[0-9a-f]{64}$/), size: z.number() })),
});
const CreateRepoRequest = z.object({
  name: z.string().min(1),
  organization: z.string().min(1),
  type: z.enum(['dataset', 'model', 'space']),
  visibility: z.enum(['public', 'private', 'protected']).optional(),
  private: z.boolean().optional(),
  files: z.array(z.object({ path: z.string(), content: z.string(), encoding: z.literal('base64') })).optional(),
});

function typeFromSegment(segment: string): RepoType | undefined {
  if (segment === 'datasets') return 'dataset';
  if (segment === 'models') return 'model';
  return undefined;
}

function repoUrlPrefix(type: RepoType): string {
  return type === 'dataset' ? 'datasets/' : '';
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseJson<Schema extends z.ZodType>(body: Buffer, schema: Schema): z.infer<Schema> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new HttpError(400, `invalid body: ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}

/** A single byte range of a `Range` header, or 'unsatisfiable'; undefined when there is none to honour. */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

/** The tree entries under `path` at a commit: files and the folders they imply, sorted by path. */
function treeEntries(commit: Commit, path: string, recursive: boolean): Record<string, unknown>[] {
  const prefix = path === '' ? '' : `${path}/`;
  const files = [...commit.files.entries()].filter(([filePath]) => filePath.startsWith(prefix));
  const folders = new Set<string>();
  const entries: Record<string, unknown>[] = [];
  for (const [filePath, file] of files) {
    const rest = filePath.slice(prefix.length).split('/');
    for (let depth = 1; depth < rest.length; depth++) {
      if (!recursive && depth > 1) break;
      folders.add(prefix + rest.slice(0, depth).join('/'));
    }
    if (!recursive && rest.length > 1) continue;
    entries.push({
      type: 'file',
      oid: file.gitOid,
      size: file.content.length,
      path: filePath,
      ...(file.lfs ? { lfs: { oid: file.sha256, size: file.content.length, pointerSize: 134 } } : {}),
    });
  }
  for (const folder of folders) {
    const oid = createHash('sha1').update(`tree ${folder}`).digest('hex');
    entries.push({ type: 'directory', oid, size: 0, path: folder });
  }
  return entries.sort((a, b) => String(a['path']).localeCompare(String(b['path'])));
}

/**
 * A local HTTP server that answers the requests `@huggingface/hub` sends (its `hubUrl` option points here): repository
 * info by revision, tree listing with `Link` pagination, `resolve` with `Range`/`ETag`/`If-None-Match`, 404s with
 * `X-Error-Code`, 401 without a token, and the write path (`repos/create`, `preupload`, LFS batch + upload, `commit`).
 */
export async function startHubStandIn(options: HubStandInOptions): Promise<HubStandIn> {
  const store = new RepositoryStore(options.root, options.privateRepos);
  const tokens = new Set(options.tokens ?? []);
  const pageSize = options.treePageSize ?? 1000;
  const faults = (options.faults ?? []).map((fault) => ({ ...fault, remaining: fault.times ?? 1 }));
  const requests: LoggedRequest[] = [];
  let baseUrl = '';

  /** The token of the request: undefined when none was sent; a 401 when one was sent that the stand-in does not know. */
  function authenticate(request: IncomingMessage): string | undefined {
    const header = request.headers['authorization'];
    if (header === undefined) return undefined;
    const token = /^Bearer (.+)$/.exec(header)?.[1];
    if (token === undefined || !tokens.has(token)) throw new HttpError(401, 'Invalid credentials in Authorization header');
    return token;
  }

  function repository(type: RepoType, name: string, token: string | undefined, write = false): Repository {
    if (write && token === undefined) throw new HttpError(401, 'You must be authenticated to write to a repository');
    const found = store.get(type, name);
    if (found === undefined) {
      // like the hub, a missing repository answers 401 to an anonymous caller: it may be private
      if (token === undefined) throw new HttpError(401, 'Repository not found', 'RepoNotFound');
      throw new HttpError(404, 'Repository not found', 'RepoNotFound');
    }
    if (found.private && token === undefined) throw new HttpError(401, 'Repository not found', 'RepoNotFound');
    return found;
  }

  function commitAt(repo: Repository, revision: string): Commit {
    const commit = resolveRevision(repo, revision);
    if (commit === undefined) throw new HttpError(404, `Invalid rev id: ${revision}`, 'RevisionNotFound');
    return commit;
  }

  function sendJson(response: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
    const body = JSON.stringify(value);
    response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), ...headers });
    response.end(body);
  }

  function repoInfo(repo: Repository, commit: Commit): Record<string, unknown> {
    return {
      _id: createHash('sha1').update(`${repo.type}/${repo.name}`).digest('hex').slice(0, 24),
      id: repo.name,
      author: repo.name.split('/')[0],
      sha: commit.oid,
      private: repo.private,
      gated: false,
      disabled: false,
      downloads: 0,
      likes: 0,
      tags: [],
      lastModified: commit.date,
      siblings: [...commit.files.keys()].sort().map((rfilename) => ({ rfilename })),
    };
  }

  function serveFile(request: IncomingMessage, response: ServerResponse, repo: Repository, commit: Commit, path: string): void {
    const file = commit.files.get(path);
    if (file === undefined) throw new HttpError(404, 'Entry not found', 'EntryNotFound');
    const etag = `"${file.lfs ? file.sha256 : file.gitOid}"`;
    const size = file.content.length;
    const headers: Record<string, string | number> = {
      ETag: etag,
      'X-Repo-Commit': commit.oid,
      'Accept-Ranges': 'bytes',
      'Content-Type': 'application/octet-stream',
      ...(file.lfs ? { 'X-Linked-ETag': etag, 'X-Linked-Size': size } : {}),
    };
    if (request.headers['if-none-match'] === etag) {
      response.writeHead(304, headers);
      response.end();
      return;
    }
    const range = parseRange(request.headers['range'], size);
    if (range === 'unsatisfiable') {
      response.writeHead(416, { ...headers, 'Content-Range': `bytes */${size}` });
      response.end();
      return;
    }
    const start = range?.start ?? 0;
    const end = range?.end ?? size - 1;
    const body = file.content.subarray(start, end + 1);
    const key = `${repo.type === 'dataset' ? 'datasets' : 'models'}/${repo.name}`;
    const fault =
      request.method === 'HEAD'
        ? undefined
        : faults.find((candidate) => candidate.repo === key && candidate.path === path && candidate.remaining > 0 && body.length > candidate.afterBytes);
    if (fault !== undefined) fault.remaining--;
    const shortBody = fault?.mode === 'short-body';
    response.writeHead(range ? 206 : 200, {
      ...headers,
      'Content-Length': shortBody ? fault!.afterBytes : body.length,
      ...(range ? { 'Content-Range': `bytes ${start}-${end}/${size}` } : {}),
    });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    if (fault !== undefined) {
      if (shortBody) response.end(body.subarray(0, fault.afterBytes));
      else response.write(body.subarray(0, fault.afterBytes), () => response.socket?.destroy());
      return;
    }
    response.end(body);
  }

  function applyCommit(repo: Repository, branch: string, body: Buffer): Commit {
    const headOid = repo.refs.get(branch);
    if (headOid === undefined) throw new HttpError(404, `Invalid rev id: ${branch}`, 'RevisionNotFound');
    const lines = body
      .toString('utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch {
          throw new HttpError(400, 'a commit line is not valid JSON');
        }
        const parsed = CommitLine.safeParse(value);
        if (!parsed.success) throw new HttpError(400, `invalid commit line: ${parsed.error.issues[0]!.message}`);
        return parsed.data;
      });
    const header = lines.find((line) => line.key === 'header');
    if (header === undefined || header.key !== 'header') throw new HttpError(400, 'the commit has no header line');
    if (header.value.parentCommit !== undefined && header.value.parentCommit !== headOid) {
      throw new HttpError(412, `A commit has happened since. Please refresh and try again. (parent ${header.value.parentCommit})`);
    }
    const files = new Map<string, StoredFile>(repo.commits.get(headOid)!.files);
    for (const line of lines) {
      if (line.key === 'file') {
        const content = Buffer.from(line.value.content, line.value.encoding === 'base64' ? 'base64' : 'utf8');
        files.set(line.value.path, storedFile(content, false));
      } else if (line.key === 'lfsFile') {
        const content = store.lfsObjects.get(line.value.oid);
        if (content === undefined || content.length !== line.value.size) {
          throw new HttpError(422, `LFS object ${line.value.oid} of ${line.value.path} was not uploaded`);
        }
        files.set(line.value.path, storedFile(content, true));
      } else if (line.key === 'deletedFile') {
        if (!files.delete(line.value.path)) throw new HttpError(404, `Entry not found: ${line.value.path}`, 'EntryNotFound');
      }
    }
    const commit = makeCommit(headOid, header.value.summary, files);
    repo.commits.set(commit.oid, commit);
    repo.refs.set(branch, commit.oid);
    if (branch === 'main') mirrorToDisk(repo, commit);
    return commit;
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', baseUrl);
    const segments = url.pathname.split('/').slice(1).map(decodeURIComponent);
    const method = request.method ?? 'GET';
    const token = authenticate(request);

    // PUT /_stand-in/lfs/<sha256>: the upload URL handed out by the LFS batch answer (like a presigned URL: no token)
    if (segments[0] === '_stand-in' && segments[1] === 'lfs' && method === 'PUT') {
      const oid = segments[2] ?? '';
      const content = await readBody(request);
      if (sha256Hex(content) !== oid) throw new HttpError(400, `uploaded content does not hash to ${oid}`);
      store.lfsObjects.set(oid, content);
      response.writeHead(200, { ETag: `"${oid}"` });
      response.end();
      return;
    }

    if (segments[0] === 'api') {
      // POST /api/repos/create
      if (segments[1] === 'repos' && segments[2] === 'create' && method === 'POST') {
        if (token === undefined) throw new HttpError(401, 'You must be authenticated to create a repository');
        const body = parseJson(await readBody(request), CreateRepoRequest);
        if (body.type === 'space') throw new HttpError(400, 'the stand-in serves datasets and models only');
        const name = `${body.organization}/${body.name}`;
        if (store.get(body.type, name) !== undefined) {
          throw new HttpError(409, `You already created this ${body.type} repo`);
        }
        const extraFiles = new Map((body.files ?? []).map((file) => [file.path, Buffer.from(file.content, 'base64')]));
        store.create(body.type, name, body.visibility === 'private' || body.private === true, extraFiles);
        sendJson(response, 200, { url: `${baseUrl}/${repoUrlPrefix(body.type)}${name}`, name, id: name });
        return;
      }
      const type = typeFromSegment(segments[1] ?? '');
      if (type === undefined || segments.length < 4) throw new HttpError(404, 'Not found');
      const name = `${segments[2]}/${segments[3]}`;
      const action = segments[4];
      const revision = segments[5];

      // GET /api/<type>s/<owner>/<name> and /api/<type>s/<owner>/<name>/revision/<rev>
      if (method === 'GET' && (action === undefined || action === 'revision')) {
        const repo = repository(type, name, token);
        sendJson(response, 200, repoInfo(repo, commitAt(repo, revision ?? 'main')));
        return;
      }
      // GET /api/<type>s/<owner>/<name>/tree/<rev>[/<path>]?recursive=&cursor=
      if (method === 'GET' && action === 'tree' && revision !== undefined) {
        const repo = repository(type, name, token);
        const commit = commitAt(repo, revision);
        const path = segments.slice(6).join('/');
        const entries = treeEntries(commit, path, url.searchParams.get('recursive') === 'true' || url.searchParams.get('recursive') === '1');
        if (path !== '' && entries.length === 0) throw new HttpError(404, `Entry not found: ${path}`, 'EntryNotFound');
        const offset = Number(url.searchParams.get('cursor') ?? '0');
        const page = entries.slice(offset, offset + pageSize);
        const headers: Record<string, string> = {};
        if (offset + pageSize < entries.length) {
          const next = new URL(url);
          next.searchParams.set('cursor', String(offset + pageSize));
          headers['Link'] = `<${next.href}>; rel="next"`;
        }
        sendJson(response, 200, page, headers);
        return;
      }
      // POST /api/<type>s/<owner>/<name>/preupload/<branch>
      if (method === 'POST' && action === 'preupload' && revision !== undefined) {
        const repo = repository(type, name, token, true);
        commitAt(repo, revision);
        const body = parseJson(await readBody(request), PreuploadRequest);
        sendJson(response, 200, {
          files: body.files.map((file) => ({
            path: file.path,
            uploadMode: isLfsPath(file.path, file.size, Buffer.from(file.sample, 'base64')) ? 'lfs' : 'regular',
            shouldIgnore: false,
          })),
        });
        return;
      }
      // POST /api/<type>s/<owner>/<name>/commit/<branch> (NDJSON)
      if (method === 'POST' && action === 'commit' && revision !== undefined) {
        const repo = repository(type, name, token, true);
        const commit = applyCommit(repo, revision, await readBody(request));
        sendJson(response, 200, {
          success: true,
          commitOid: commit.oid,
          commitUrl: `${baseUrl}/${repoUrlPrefix(type)}${name}/commit/${commit.oid}`,
          hookOutput: '',
        });
        return;
      }
      throw new HttpError(404, 'Not found');
    }

    // POST /[datasets/]<owner>/<name>.git/info/lfs/objects/batch
    const lfsMatch = /^\/(datasets\/)?([^/]+)\/([^/]+)\.git\/info\/lfs\/objects\/batch$/.exec(url.pathname);
    if (lfsMatch && method === 'POST') {
      const type: RepoType = lfsMatch[1] ? 'dataset' : 'model';
      repository(type, `${lfsMatch[2]}/${lfsMatch[3]}`, token, true);
      const body = parseJson(await readBody(request), LfsBatchRequest);
      if (body.operation !== 'upload') throw new HttpError(400, 'the stand-in serves downloads through resolve only');
      sendJson(
        response,
        200,
        {
          transfer: 'basic',
          objects: body.objects.map((object) => ({
            oid: object.oid,
            size: object.size,
            authenticated: true,
            ...(store.lfsObjects.has(object.oid)
              ? {}
              : { actions: { upload: { href: `${baseUrl}/_stand-in/lfs/${object.oid}`, expires_in: 3600 } } }),
          })),
        },
        { 'Content-Type': 'application/vnd.git-lfs+json' },
      );
      return;
    }

    // GET|HEAD /[datasets/]<owner>/<name>/(resolve|raw)/<rev>/<path>
    const offset = segments[0] === 'datasets' ? 1 : 0;
    const type: RepoType = offset === 1 ? 'dataset' : 'model';
    const fileAction = segments[offset + 2];
    if ((method === 'GET' || method === 'HEAD') && (fileAction === 'resolve' || fileAction === 'raw') && segments.length > offset + 4) {
      const repo = repository(type, `${segments[offset]}/${segments[offset + 1]}`, token);
      const commit = commitAt(repo, segments[offset + 3]!);
      serveFile(request, response, repo, commit, segments.slice(offset + 4).join('/'));
      return;
    }
    throw new HttpError(404, 'Not found');
  }

  const server = createServer((request, response) => {
    const requestId = randomUUID();
    response.setHeader('X-Request-Id', requestId);
    response.on('finish', () => requests.push({ method: request.method ?? 'GET', path: request.url ?? '/', status: response.statusCode }));
    response.on('close', () => {
      if (!response.writableFinished) requests.push({ method: request.method ?? 'GET', path: request.url ?? '/', status: response.statusCode });
    });
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      const status = error instanceof HttpError ? error.status : 500;
      const message = error instanceof Error ? error.message : String(error);
      const headers: Record<string, string> = error instanceof HttpError && error.errorCode ? { 'X-Error-Code': error.errorCode } : {};
      sendJson(response, status, { error: message }, headers);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  baseUrl = `http://${address.address}:${address.port}`;

  return {
    url: baseUrl,
    store,
    requests,
    addFault(fault) {
      faults.push({ ...fault, remaining: fault.times ?? 1 });
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      });
    },
  };
}
