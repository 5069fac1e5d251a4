import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, CancelledError } from '../errors.js';
import { parseRetryAfter } from '../retry-after.js';
import { backoffDelayMs } from './backoff.js';
import { Scheduler } from './scheduler.js';

const fast = { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 4, timeoutMs: 1000 };

function failing(errors: unknown[]) {
  let calls = 0;
  const task = async () => {
    const error = errors[calls++];
    if (error !== undefined) throw error;
    return 'answer';
  };
  return { task, calls: () => calls };
}

const http = (status: number, retryAfterMs?: number) =>
  new ApiError({ kind: 'http', status, message: `status ${status}`, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });

afterEach(() => vi.useRealTimers());

describe('Scheduler limits', () => {
  it('keeps at most `concurrency` requests of a lane in flight', async () => {
    const scheduler = new Scheduler().addLane('m', { concurrency: 3 });
    let active = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 12 }, () =>
        scheduler.run('m', async () => {
          peak = Math.max(peak, ++active);
          await new Promise((resolve) => setTimeout(resolve, 5));
          active--;
        }),
      ),
    );
    expect(peak).toBe(3);
  });

  it.each([
    ['requests per minute', { concurrency: 10, requestsPerMinute: 2 }, 1],
    ['tokens per minute', { concurrency: 10, tokensPerMinute: 100 }, 40],
  ])('holds the third request for a minute under %s', async (_name, limits, tokens) => {
    vi.useFakeTimers();
    const scheduler = new Scheduler().addLane('m', limits);
    const started: number[] = [];
    const t0 = Date.now();
    const runs = Array.from({ length: 3 }, () => scheduler.run('m', async () => void started.push(Date.now() - t0), { tokens }));
    await vi.advanceTimersByTimeAsync(59_000);
    expect(started.length).toBeLessThan(3);
    await vi.advanceTimersByTimeAsync(2_000);
    await Promise.all(runs);
    expect(started.length).toBe(3);
    expect(started[2]).toBeGreaterThanOrEqual(60_000);
  });
});

describe('Scheduler retries', () => {
  it.each([
    ['408', http(408)],
    ['409', http(409)],
    ['429', http(429)],
    ['500', http(500)],
    ['503', http(503)],
    ['a dropped connection', new ApiError({ kind: 'connection', message: 'reset' })],
    ['a malformed body', new ApiError({ kind: 'malformed-response', message: 'bad json' })],
  ])('retries %s and succeeds', async (_name, error) => {
    const scheduler = new Scheduler({ retry: fast });
    const { task, calls } = failing([error, error]);
    await expect(scheduler.run('m', task)).resolves.toBe('answer');
    expect(calls()).toBe(3);
  });

  it.each([400, 401, 403])('never retries %s', async (status) => {
    const scheduler = new Scheduler({ retry: fast });
    const { task, calls } = failing([http(status)]);
    await expect(scheduler.run('m', task)).rejects.toMatchObject({ status, attempts: 1 });
    expect(calls()).toBe(1);
  });

  it('gives up after maxAttempts and says how many it made', async () => {
    const scheduler = new Scheduler({ retry: fast });
    const { task, calls } = failing([http(503), http(503), http(503), http(503), http(503)]);
    const error = (await scheduler.run('m', task).catch((caught: unknown) => caught)) as ApiError;
    expect([calls(), error.attempts]).toEqual([4, 4]);
    expect(error.reason).toBe('HTTP 503: status 503 (after 4 attempts)');
  });

  it('waits at least as long as Retry-After asks', async () => {
    vi.useFakeTimers();
    const retries: Array<number | null> = [];
    const scheduler = new Scheduler({ retry: fast, random: () => 0, onEvent: (event) => void (event.type === 'attempt-failure' && retries.push(event.retryInMs)) });
    let calls = 0;
    const running = scheduler.run('m', async () => {
      if (calls++ === 0) throw http(429, 150);
      return 'ok';
    });
    await vi.advanceTimersByTimeAsync(149);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(2);
    await expect(running).resolves.toBe('ok');
    expect([calls, retries]).toEqual([2, [150]]);
  });

  it('times out an attempt that does not answer, and retries it', async () => {
    const scheduler = new Scheduler({ retry: { ...fast, timeoutMs: 30 } });
    let calls = 0;
    const result = await scheduler.run('m', (signal) => {
      calls++;
      if (calls === 1) return new Promise<string>((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
      return Promise.resolve('second');
    });
    expect([result, calls]).toEqual(['second', 2]);
  });

  it('cancels a request in flight with its AbortSignal', async () => {
    const scheduler = new Scheduler({ retry: fast });
    const controller = new AbortController();
    const running = scheduler.run(
      'm',
      (signal) => new Promise<string>((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))),
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 5);
    await expect(running).rejects.toBeInstanceOf(CancelledError);
  });

  it('after stop(), lets requests in flight finish and sends no new one', async () => {
    const scheduler = new Scheduler({ retry: fast, defaultLimits: { concurrency: 1 } });
    let release: (value: string) => void = () => undefined;
    const first = scheduler.run('m', () => new Promise<string>((resolve) => (release = resolve)));
    const queued = scheduler.run('m', async () => 'never');
    await new Promise((resolve) => setTimeout(resolve, 5));
    scheduler.stop();
    release('finished');
    await expect(first).resolves.toBe('finished');
    await expect(queued).rejects.toBeInstanceOf(CancelledError);
    await expect(scheduler.run('m', async () => 'late')).rejects.toBeInstanceOf(CancelledError);
  });
});

describe('backoff and Retry-After', () => {
  it.each([
    [1, 1, 100],
    [2, 1, 200],
    [3, 1, 400],
    [10, 1, 1000],
    [3, 0.5, 200],
  ])('retry %i with draw %f waits %i ms (base 100, cap 1000)', (retry, draw, expected) => {
    expect(backoffDelayMs({ baseDelayMs: 100, maxDelayMs: 1000 }, retry, () => draw)).toBe(expected);
  });

  it('never waits less than Retry-After', () => {
    expect(backoffDelayMs({ baseDelayMs: 100, maxDelayMs: 1000 }, 1, () => 0, 5000)).toBe(5000);
  });

  it.each([
    ['2', 2000],
    ['0.5', 500],
    ['Thu, 01 Jan 1970 00:00:10 GMT', 7000],
    ['soon', undefined],
    [null, undefined],
  ])('reads Retry-After %j as %j ms', (header, expected) => {
    expect(parseRetryAfter(header, 3000)).toBe(expected);
  });
});
