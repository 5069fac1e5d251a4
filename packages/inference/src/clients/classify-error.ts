import { ConfideError } from '@confide/core';
import { ApiError } from '../errors.js';
import { parseRetryAfter } from '../retry-after.js';

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}

/**
 * Turns whatever a provider SDK or `fetch` threw into an ApiError the scheduler understands: an HTTP status with its
 * Retry-After, a dropped or refused connection, a body that is not the JSON promised. ConfideErrors pass through.
 */
export function classifyError(
  error: unknown,
  response?: { status: number; headers: { get(name: string): string | null } },
): ConfideError {
  if (ConfideError.isInstance(error)) return error;
  const status =
    response?.status ??
    (typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number' ? error.status : undefined);
  if (status !== undefined && status >= 400) {
    const headers =
      response?.headers ??
      (typeof error === 'object' && error !== null && 'headers' in error ? (error.headers as { get(name: string): string | null } | undefined) : undefined);
    const retryAfterMs = headers?.get('retry-after-ms')
      ? Number(headers.get('retry-after-ms'))
      : parseRetryAfter(headers?.get('retry-after'));
    return new ApiError({
      kind: 'http',
      status,
      message: messageOf(error).slice(0, 300),
      ...(retryAfterMs !== undefined && Number.isFinite(retryAfterMs) ? { retryAfterMs } : {}),
      cause: error,
    });
  }
  if (error instanceof SyntaxError) {
    return new ApiError({ kind: 'malformed-response', message: `response is not valid JSON: ${error.message}`, cause: error });
  }
  return new ApiError({ kind: 'connection', message: messageOf(error).slice(0, 300), cause: error });
}
