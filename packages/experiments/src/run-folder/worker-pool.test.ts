import { describe, expect, it } from 'vitest';
import { runWorkerPool } from './worker-pool.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('runWorkerPool', () => {
  it('keeps the order of the items and never has more than the limit in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const results = await runWorkerPool([5, 1, 4, 2, 3, 0], 2, async (item) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await pause(item);
      inFlight--;
      return item * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30, 0]);
    expect(most).toBe(2);
  });

  it('starts nothing after the first failure, lets what is in flight finish, and throws that failure', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    await expect(
      runWorkerPool([0, 1, 2, 3, 4], 2, async (item) => {
        started.push(item);
        await pause(item === 0 ? 1 : 5);
        if (item === 0) throw new Error('first');
        finished.push(item);
      }),
    ).rejects.toThrow('first');
    expect(started).toEqual([0, 1]);
    expect(finished).toEqual([1]);
  });
});
