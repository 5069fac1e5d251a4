import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { ApiError } from '../errors.js';
import { parseRetryAfter } from '../retry-after.js';

const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: Infinity });
const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: Infinity });

function errorMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: string } | string; message?: string };
    if (typeof body.error === 'string') return body.error;
    return body.error?.message ?? body.message ?? text.slice(0, 300);
  } catch {
    return text.slice(0, 300);
  }
}

/**
 * POSTs JSON and reads JSON back over node:http(s) with keep-alive connections: the lean path for a high-volume
 * OpenAI-compatible server (vLLM), where a full SDK's per-request work shows at 32 requests in flight. One attempt;
 * failures are ApiErrors (status with Retry-After, dropped connection, cut or malformed body).
 */
export function postJson(url: URL, body: unknown, headers: Record<string, string>, signal?: AbortSignal): Promise<unknown> {
  const payload = JSON.stringify(body);
  const secure = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new ApiError({ kind: 'connection', message: 'aborted before sending' }));
    const request = (secure ? httpsRequest : httpRequest)(
      url,
      {
        method: 'POST',
        agent: secure ? httpsAgent : httpAgent,
        headers: { 'content-type': 'application/json', accept: 'application/json', 'content-length': Buffer.byteLength(payload), ...headers },
        ...(signal ? { signal } : {}),
      },
      (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error) => reject(new ApiError({ kind: 'connection', message: error.message, cause: error })));
        response.on('aborted', () => reject(new ApiError({ kind: 'connection', message: 'the response was cut short' })));
        response.on('end', () => {
          if (!response.complete) return reject(new ApiError({ kind: 'connection', message: 'the response was cut short' }));
          const text = Buffer.concat(chunks).toString('utf8');
          const status = response.statusCode ?? 0;
          if (status >= 400) {
            const retryAfterMs = response.headers['retry-after-ms']
              ? Number(response.headers['retry-after-ms'])
              : parseRetryAfter(response.headers['retry-after'] as string | undefined);
            return reject(
              new ApiError({
                kind: 'http',
                status,
                message: errorMessage(text),
                ...(retryAfterMs !== undefined && Number.isFinite(retryAfterMs) ? { retryAfterMs } : {}),
              }),
            );
          }
          try {
            resolve(JSON.parse(text));
          } catch (error) {
            reject(new ApiError({ kind: 'malformed-response', message: `response is not valid JSON: ${(error as Error).message}`, cause: error }));
          }
        });
      },
    );
    request.on('error', (error) => reject(new ApiError({ kind: 'connection', message: error.message, cause: error })));
    request.end(payload);
  });
}
