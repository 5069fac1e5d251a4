import { ConfideError, InvalidConfigError, NotFoundError } from '@confide/core';
import { isHubApiError } from './hub-library.js';
import { describeHubRepo, type HubRepo } from './hub-repo.js';

export const DEFAULT_HUB_URL = 'https://huggingface.co';

/**
 * Where the hub is and how to authenticate. The token comes from the environment only (`HF_TOKEN`); it is passed to
 * `@huggingface/hub` and never written into messages, logs, manifests or the cache.
 */
export interface HubConnection {
  hubUrl: string;
  accessToken: string | undefined;
  /** A fetch to use instead of the global one (the error mapping below wraps it). */
  fetch?: typeof fetch;
}

/** The connection the environment describes: `HF_ENDPOINT` (or `hubUrl`) and `HF_TOKEN`. */
export function hubConnectionFromEnvironment(
  environment: NodeJS.ProcessEnv = process.env,
  hubUrl?: string,
): HubConnection {
  const token = environment['HF_TOKEN']?.trim() || undefined;
  if (token !== undefined && !token.startsWith('hf_')) {
    throw new InvalidConfigError('HF_TOKEN does not look like a Hugging Face token (tokens start with "hf_")');
  }
  const url = (hubUrl ?? environment['HF_ENDPOINT'] ?? DEFAULT_HUB_URL).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+/.test(url)) throw new InvalidConfigError(`hub URL "${url}" is not an http(s) URL`);
  return { hubUrl: url, accessToken: token };
}

/** A hub request that failed for a reason other than "not found": `status` is the HTTP status (none for a network error). */
export class HubRequestError extends ConfideError {
  readonly status: number | undefined;
  readonly retryable: boolean;

  constructor(message: string, options: { status?: number; cause?: unknown } = {}) {
    super('API_ERROR', message, { cause: options.cause });
    this.name = 'HubRequestError';
    this.status = options.status;
    this.retryable = options.status === undefined || [408, 409, 429].includes(options.status) || options.status >= 500;
  }
}

/**
 * Fetch for one hub operation: remembers the `X-Error-Code` of every failed response by URL, because
 * `HubApiError` keeps the status and the URL but not that header, and the header is what tells a missing revision
 * (`RevisionNotFound`) from a missing repository (`RepoNotFound`) or file (`EntryNotFound`).
 */
export class HubFetch {
  private readonly errorCodes = new Map<string, string>();
  readonly fetch: typeof fetch;

  constructor(base: typeof fetch = globalThis.fetch) {
    this.fetch = async (input, init) => {
      const response = await base(input, init);
      if (!response.ok) {
        const code = response.headers.get('x-error-code');
        if (code !== null) this.errorCodes.set(response.url || String(input), code);
      }
      return response;
    };
  }

  errorCodeFor(url: string): string | undefined {
    return this.errorCodes.get(url);
  }
}

export interface HubFailureContext {
  connection: HubConnection;
  repo: HubRepo;
  revision?: string;
  path?: string;
  /** What the caller was trying to do, for the 401/403 advice. */
  access: 'read' | 'write';
  hubFetch: HubFetch;
}

function where(context: HubFailureContext): string {
  const revision = context.revision === undefined ? '' : `@${context.revision}`;
  const path = context.path === undefined ? '' : ` file "${context.path}"`;
  return `${describeHubRepo(context.repo)}${revision}${path}`;
}

/** Turns whatever `@huggingface/hub` threw into one clear Confide error (never mentioning the token's value). */
export function hubFailure(error: unknown, context: HubFailureContext): Error {
  if (ConfideError.isInstance(error)) return error;
  if (isHubApiError(error)) {
    const status = error.statusCode;
    const code = context.hubFetch.errorCodeFor(error.url);
    const hasToken = context.connection.accessToken !== undefined;
    if (status === 401) {
      return new HubRequestError(
        hasToken
          ? `${where(context)}: the hub answered 401 Unauthorized: HF_TOKEN was not accepted, or it cannot ${context.access} this repository`
          : `${where(context)}: the hub answered 401 Unauthorized: the repository is private, gated or does not exist; set HF_TOKEN to a token that can ${context.access} it`,
        { status, cause: error },
      );
    }
    if (status === 403) {
      return new HubRequestError(`${where(context)}: the hub answered 403 Forbidden: HF_TOKEN cannot ${context.access} this repository`, {
        status,
        cause: error,
      });
    }
    if (status === 404 && code === 'RevisionNotFound') {
      return new NotFoundError(`${describeHubRepo(context.repo)} has no revision "${context.revision ?? 'main'}" on ${context.connection.hubUrl}`);
    }
    if (status === 404 && code === 'RepoNotFound') {
      return new NotFoundError(`there is no ${describeHubRepo(context.repo)} on ${context.connection.hubUrl}`);
    }
    if (status === 404 && code === 'EntryNotFound') {
      return new NotFoundError(`${where(context)} does not exist`);
    }
    return new HubRequestError(`${where(context)}: the hub answered ${status}: ${error.message.split('. URL:')[0]}`, { status, cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return new HubRequestError(`${where(context)}: cannot reach the hub at ${context.connection.hubUrl}: ${message}${cause}`, { cause: error });
}
