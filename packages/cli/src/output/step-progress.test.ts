import { describe, expect, it } from 'vitest';
import { StepProgress } from './step-progress.js';

describe('progress of long steps', () => {
  it('prints a line per tenth when stderr is not a terminal, with rate and time left', () => {
    const lines: string[] = [];
    let now = 0;
    const progress = new StepProgress((text) => lines.push(text), false, () => now);
    for (let done = 0; done <= 1000; done += 50) {
      now = done * 10; // 100 resamples a second
      progress.report({ stage: 'pair: bootstrap', done, total: 1000 });
    }
    // quiet for the first second (100 done), then a line per tenth
    expect(lines).toHaveLength(10);
    expect(lines[0]).toBe('pair: bootstrap: 100/1000 (10%) · 100/s · ETA 9 s\n');
    expect(lines[4]).toBe('pair: bootstrap: 500/1000 (50%) · 100/s · ETA 5 s\n');
    expect(lines[9]).toBe('pair: bootstrap: 1000/1000 (100%) · 100/s · done\n');
  });

  it('redraws one line in place on a terminal, at most every 250 ms, and starts a new line for a new stage', () => {
    const writes: string[] = [];
    let now = 0;
    const progress = new StepProgress((text) => writes.push(text), true, () => now, 0);
    progress.report({ stage: 'a', done: 1, total: 4 });
    now = 100;
    progress.report({ stage: 'a', done: 2, total: 4 });
    now = 300;
    progress.report({ stage: 'a', done: 3, total: 4 });
    progress.report({ stage: 'b', done: 1, total: 2 });
    expect(writes.filter((text) => text.startsWith('\r'))).toHaveLength(3);
    expect(writes).toContain('\n');
    expect(writes.at(-1)).toMatch(/^\rb: 1\/2 \(50%\)/);
  });

  it('starts a new clock when the same stage runs again (its count starts over)', () => {
    const lines: string[] = [];
    let now = 0;
    const progress = new StepProgress((text) => lines.push(text), false, () => now, 0);
    progress.report({ stage: 'engine', done: 100, total: 100 });
    now = 10_000;
    progress.report({ stage: 'engine', done: 10, total: 100 });
    now = 11_000;
    progress.report({ stage: 'engine', done: 100, total: 100 });
    // the second pass: 100 in the second since it started, not 100 over 11 seconds
    expect(lines.at(-1)).toBe('engine: 100/100 (100%) · 100/s · done\n');
  });

  it('prints nothing for a stage that finishes within its quiet second, and everything once a stage outlasts it', () => {
    const lines: string[] = [];
    let now = 0;
    const progress = new StepProgress((text) => lines.push(text), false, () => now);
    for (let done = 0; done <= 500; done += 50) {
      now = done; // 500 problems in half a second
      progress.report({ stage: 'engine', done, total: 500 });
    }
    expect(lines).toEqual([]);
    for (let done = 0; done <= 10; done++) {
      now = 1000 + done * 300; // a slow stage: 3 s in all
      progress.report({ stage: 'learned', done, total: 10 });
    }
    expect(lines[0]).toMatch(/^learned: 4\/10 \(40%\)/);
    expect(lines.at(-1)).toMatch(/^learned: 10\/10 \(100%\) .* done\n$/);
  });
});
