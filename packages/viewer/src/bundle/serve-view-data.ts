import { createServer, type ServerResponse } from 'node:http';
import type { ServedView } from './serve-view.js';
import type { ViewData } from '../view-data.js';
import { servedViewDataOf, type ServedViewData } from './served-view.js';
import { SERVED_CONTENT_SECURITY_POLICY, viewPageHtml } from './write-view-bundle.js';

const ARROW = 'application/vnd.apache.arrow.stream';

function send(response: ServerResponse, head: boolean, type: string, body: string | Uint8Array): void {
  response.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  response.end(head ? undefined : body);
}

/**
 * Serves a bundle too large for one page on 127.0.0.1 (port 0: any free port): the page (`html`, no data inline) at
 * `/`, and its data at `SERVED_DATA_PATHS` from memory. GET and HEAD only; anything else is 404.
 */
export function serveViewData(served: ServedViewData, html: string, port = 0): Promise<ServedView> {
  const meta = JSON.stringify(served.meta);
  const server = createServer((request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405).end();
      return;
    }
    try {
      answer(request.method === 'HEAD', new URL(request.url ?? '/', 'http://127.0.0.1'), response);
    } catch (error) {
      response.writeHead(500, { 'content-type': 'text/plain' }).end(`the viewer's server failed: ${(error as Error).message}`);
    }
  });
  const answer = (head: boolean, url: URL, response: ServerResponse) => {
    const path = url.pathname;
    const run = /^\/data\/runs\/(\d+)\.arrow$/.exec(path);
    const problemIndex = /^\/data\/problem\/(\d+)\.json$/.exec(path);
    const problem = problemIndex ? served.problem(Number(problemIndex[1])) : null;
    if (path === '/' || path === '/index.html') {
      response.setHeader('content-security-policy', SERVED_CONTENT_SECURITY_POLICY);
      send(response, head, 'text/html; charset=utf-8', html);
    } else if (path === '/data/meta.json') send(response, head, 'application/json', meta);
    else if (path === '/data/problems.arrow') send(response, head, ARROW, served.problems);
    else if (run && served.runs[Number(run[1])] !== undefined) send(response, head, ARROW, served.runs[Number(run[1])]!);
    else if (problem !== null) send(response, head, 'application/json', problem);
    else if (path === '/data/search') send(response, head, ARROW, served.search(url.searchParams.get('q') ?? ''));
    else response.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${path}`);
  };
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const actual = typeof address === 'object' && address !== null ? address.port : port;
      resolve({ url: `http://127.0.0.1:${actual}/`, server, close: () =>
          new Promise((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

/**
 * Serves a bundle's data as columns with its page (`servedViewDataOf`, `viewPageHtml` without data, `serveViewData`):
 * what `confide view --serve` does beyond `SELF_CONTAINED_PROBLEM_LIMIT` problems. `onStep` hears each step done.
 */
export async function serveViewAsColumns(data: ViewData, port: number, onStep?: (step: string) => void, onBuild?: (where: string) => void): Promise<ServedView> {
  const served = servedViewDataOf(data, onStep);
  const html = await viewPageHtml(data.title, null, onBuild);
  return serveViewData(served, html, port);
}
