import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Billing, type BilledUsage } from './billing.js';
import { decideFault, NO_FAULTS, type FaultKind, type FaultPlan } from './fault-plan.js';

/** A chat request as a stand-in sees it, whatever the protocol. */
export interface StandInRequest {
  model: string;
  messages: Array<{ role: string; content: string }>;
  maxOutputTokens: number | undefined;
  /** A structured-output JSON schema, when the request asked for one. */
  responseSchema: Record<string, unknown> | undefined;
  /** Whether the request asked for logprobs (vLLM with the fine-tuned SLM). */
  logprobs: { topLogprobs: number } | undefined;
  body: Record<string, unknown>;
}

/** What the stand-in "model" answers. */
export interface StandInAnswer {
  text: string;
  usage: BilledUsage;
  finishReason?: string;
  /** P(<|c_math|>) and P(<|u_math|>) at the position of the final token, for the logprobs shape. */
  confidence?: { confident: number; uncertain: number };
  /**
   * The logprobs of each token's alternatives, most likely first (the token itself first): one row per token, as many
   * values as the request's `top_logprobs`. Given, they are the logprobs shape's tokens and alternatives.
   */
  tokenLogprobs?: number[][];
}

/** A refusal the responder decides on (e.g. a 400 for a request it cannot serve); never billed. */
export interface StandInRefusal {
  status: number;
  message: string;
}

export type Responder = (request: StandInRequest) => StandInAnswer | StandInRefusal;

/** How one wire protocol reads requests and writes answers. */
export interface StandInProtocol {
  name: string;
  /** The request, or null when the path is not this protocol's generate endpoint. */
  parse(path: string, body: Record<string, unknown>): StandInRequest | null;
  apiKeyOf(request: IncomingMessage): string | undefined;
  render(request: StandInRequest, answer: StandInAnswer): unknown;
  renderError(status: number, message: string): unknown;
}

export interface StandInOptions {
  responder: Responder;
  /** Time to "generate" each answer. */
  latencyMs?: number;
  faults?: FaultPlan;
  /** When set, requests without this key get 401. */
  apiKey?: string;
  idempotencyHeader?: string;
  /** Every request's headers and body are kept here when set (for tests that look for a leaked key). */
  log?: string[];
}

export interface StandInServer {
  url: string;
  billing: Billing;
  /** Faults injected so far, by kind. */
  faults: Map<FaultKind | 'conflict' | 'refused', number>;
  /** The most requests it was handling at once. */
  peakInFlight(): number;
  setFaults(plan: FaultPlan): void;
  /** What `GET /health` answers (vLLM's health check): 200 while healthy (the default), 503 otherwise. */
  setHealthy(healthy: boolean): void;
  /** How many health checks it answered. */
  healthChecks(): number;
  close(): Promise<void>;
}

function isRefusal(value: StandInAnswer | StandInRefusal): value is StandInRefusal {
  return 'status' in value;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * An HTTP server on 127.0.0.1 that speaks one provider's protocol, answers with a responder, injects faults
 * (429 with Retry-After, 500, 503, held responses, connection resets, malformed JSON, truncated bodies) at the plan's
 * rates, and bills each generated answer once per idempotency key.
 */
export async function startStandIn(protocol: StandInProtocol, options: StandInOptions): Promise<StandInServer> {
  const billing = new Billing();
  const faults = new Map<FaultKind | 'conflict' | 'refused', number>();
  const attempts = new Map<string, number>();
  let plan = options.faults ?? NO_FAULTS;
  const sockets = new Set<Socket>();
  const idempotencyHeader = (options.idempotencyHeader ?? 'Idempotency-Key').toLowerCase();
  const count = (kind: FaultKind | 'conflict' | 'refused') => faults.set(kind, (faults.get(kind) ?? 0) + 1);

  const sendJson = (response: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) => {
    const text = JSON.stringify(value);
    response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
    response.end(text);
  };

  let healthy = true;
  let healthChecks = 0;
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    if (request.method === 'GET' && new URL(request.url ?? '/', 'http://stand-in').pathname === '/health') {
      healthChecks += 1;
      response.writeHead(healthy ? 200 : 503, { 'content-length': 0 });
      return response.end();
    }
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    options.log?.push(JSON.stringify({ headers: request.headers, body: raw }));
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return sendJson(response, 400, protocol.renderError(400, 'request body is not JSON'));
    }
    const parsed = protocol.parse(new URL(request.url ?? '/', 'http://stand-in').pathname, body);
    if (parsed === null) return sendJson(response, 404, protocol.renderError(404, `no such endpoint ${request.url}`));
    if (options.apiKey !== undefined && protocol.apiKeyOf(request) !== options.apiKey) {
      return sendJson(response, 401, protocol.renderError(401, 'invalid API key'));
    }
    const headerKey = request.headers[idempotencyHeader];
    const key = typeof headerKey === 'string' ? headerKey : '';
    billing.receive(key);
    const decisionKey = key || createHash('sha256').update(raw).digest('hex');
    const attempt = attempts.get(decisionKey) ?? 0;
    attempts.set(decisionKey, attempt + 1);
    const fault = decideFault(plan, decisionKey, attempt);

    if (fault === '429') {
      count(fault);
      return sendJson(response, 429, protocol.renderError(429, 'rate limited'), { 'retry-after': String(plan.retryAfterSeconds) });
    }
    if (fault === '500' || fault === '503') {
      count(fault);
      return sendJson(response, Number(fault), protocol.renderError(Number(fault), 'injected server error'));
    }
    if (fault === 'reset') {
      count(fault);
      request.socket.destroy();
      return;
    }

    let text: string;
    const stored = billing.stored(key);
    if (stored?.state === 'generating') {
      count('conflict');
      return sendJson(response, 409, protocol.renderError(409, 'a request with this idempotency key is in progress'), {
        'retry-after-ms': '50',
        'retry-after': '1',
      });
    }
    if (stored?.state === 'done') {
      text = stored.body;
    } else {
      billing.startGenerating(key);
      if ((options.latencyMs ?? 0) > 0) await delay(options.latencyMs!);
      const answer = options.responder(parsed);
      if (isRefusal(answer)) {
        billing.abandon(key);
        count('refused');
        return sendJson(response, answer.status, protocol.renderError(answer.status, answer.message));
      }
      text = JSON.stringify(protocol.render(parsed, answer));
      billing.bill(key, parsed.model, answer.usage, 200, text);
    }

    if (fault === 'malformed-json') {
      count(fault);
      const broken = text.slice(0, Math.max(1, Math.floor(text.length / 3))) + '<!-- upstream error -->';
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(broken) });
      return response.end(broken);
    }
    if (fault === 'truncated') {
      count(fault);
      const bytes = Buffer.from(text, 'utf8');
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': bytes.length });
      response.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
      setImmediate(() => request.socket.destroy());
      return;
    }
    if (fault === 'timeout') {
      count(fault);
      // Hold the answer back for timeoutHoldMs, or until the client gives up and closes the connection.
      await Promise.race([delay(plan.timeoutHoldMs), new Promise((resolve) => request.socket.once('close', resolve))]);
      if (request.socket.destroyed) return;
    }
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    response.end(text);
  };

  let inFlight = 0;
  let peak = 0;
  const server = createServer((request, response) => {
    peak = Math.max(peak, ++inFlight);
    response.on('close', () => inFlight--);
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, protocol.renderError(500, String(error)));
      else response.destroy();
    });
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    billing,
    faults,
    peakInFlight: () => peak,
    setFaults(next) {
      plan = next;
    },
    setHealthy(next) {
      healthy = next;
    },
    healthChecks: () => healthChecks,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
