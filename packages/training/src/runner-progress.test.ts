import { describe, expect, it } from 'vitest';
import { formatDuration, formatRunnerProgress, toRunnerProgress } from './runner-progress.js';

describe.each([
  [0, '0s'],
  [59.4, '59s'],
  [61, '1m 01s'],
  [3599, '59m 59s'],
  [3600 * 2 + 60 * 5 + 7, '2h 05m'],
])('formatDuration(%s)', (seconds, text) => {
  it(`is ${text}`, () => expect(formatDuration(seconds)).toBe(text));
});

describe.each([
  [
    'a training step',
    { type: 'progress', phase: 'train', step: 12, totalSteps: 120, epoch: 1.2, epochs: 5, loss: 1.23456, tokensPerSecond: 1234.4, elapsedSeconds: 30, etaSeconds: 192 },
    'train epoch 1.20/5 step 12/120 [##..................] 10% loss 1.2346 1,234 tok/s ETA 3m 12s',
  ],
  [
    'generation',
    { type: 'progress', phase: 'generate', step: 250, totalSteps: 500, tokensPerSecond: 45, elapsedSeconds: 60, etaSeconds: 60 },
    'generate 250/500 [##########..........] 50% 45 tok/s ETA 1m 00s',
  ],
  ['loading', { type: 'progress', phase: 'load', step: 0, totalSteps: null, message: 'loading Qwen/Qwen2.5-Math-1.5B-Instruct' }, 'load loading Qwen/Qwen2.5-Math-1.5B-Instruct'],
  ['a first step with no ETA yet', { type: 'progress', phase: 'train', step: 0, totalSteps: null, loss: null }, 'train step 0'],
] as const)('formatRunnerProgress for %s', (_name, event, line) => {
  it('prints one line', () => expect(formatRunnerProgress(toRunnerProgress(event))).toBe(line));
});
