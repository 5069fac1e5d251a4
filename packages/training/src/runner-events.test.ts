import { describe, expect, it } from 'vitest';
import { parseRunnerLine } from './runner-events.js';

const ready = {
  type: 'ready',
  protocolVersion: 1,
  command: 'train',
  runnerVersion: '0.1.0',
  pid: 42,
  device: 'cpu (2 threads)',
  precision: 'fp32',
  worldSize: 1,
  versions: { torch: '2.13.0+cpu' },
};
const trainResult = {
  type: 'result',
  command: 'train',
  status: 'completed',
  adapterPath: '/runs/a/adapter',
  checkpointPath: null,
  durationSeconds: 12.5,
  steps: 20,
  epochs: 1.5,
  plannedEpochs: 2,
  firstLoss: 11.9,
  finalLoss: 6.2,
  examples: 16,
  tokensSeen: 3000,
};
const generation = {
  type: 'generation',
  id: 'prob_0',
  text: 'It is \\boxed{2}.<|c_math|>',
  confidenceToken: '<|c_math|>',
  confidenceProbabilities: { confident: 0.9, uncertain: 0.05 },
  usage: { input: 60, output: 12 },
  finishReason: 'stop',
  latencyMs: 120,
};

describe.each([
  ['ready', ready],
  ['train progress', { type: 'progress', phase: 'train', step: 3, totalSteps: 20, epoch: 0.2, epochs: 2, loss: 11.2, learningRate: 0.01, tokensPerSecond: 130, elapsedSeconds: 3, etaSeconds: 17 }],
  ['load progress', { type: 'progress', phase: 'load', step: 0, totalSteps: null, message: 'loading m' }],
  ['metric with a non-finite value', { type: 'metric', name: 'train/loss', value: null, step: 3 }],
  ['checkpoint', { type: 'checkpoint', path: '/runs/a/checkpoints/checkpoint-3', step: 3, epoch: 0.2, reason: 'cancel' }],
  ['generation', generation],
  ['generation without a token', { ...generation, confidenceToken: null, finishReason: 'length' }],
  ['train result', trainResult],
  ['generate result', { type: 'result', command: 'generate', status: 'completed', count: 4, outputTokens: 30, durationSeconds: 2 }],
  ['error', { type: 'error', code: 'RUNNER_FAILED', message: 'OSError: no config' }],
  ['input error with details', { type: 'error', code: 'INVALID_INPUT', message: 'm', details: { file: 'f', line: 2, field: 'correct', problem: 'is missing' } }],
])('a valid %s line', (_name, event) => {
  it('parses to the same event', () => {
    expect(parseRunnerLine(JSON.stringify(event))).toEqual({ ok: true, event });
  });
});

describe.each([
  ['not JSON', 'Loading weights: 100%', 'not JSON'],
  ['a JSON array', '[1, 2]', 'not a JSON object'],
  ['an unknown type', JSON.stringify({ type: 'hello' }), 'unknown event type "hello"'],
  ['a missing type', JSON.stringify({ step: 1 }), 'unknown event type undefined'],
  ['another protocol version', JSON.stringify({ ...ready, protocolVersion: 2 }), 'ready event, protocolVersion'],
  ['an extra key', JSON.stringify({ ...trainResult, surprise: 1 }), 'result event, (event)'],
  ['a missing field', JSON.stringify({ ...trainResult, steps: undefined }), 'result event, steps'],
  ['an unknown confidence token', JSON.stringify({ ...generation, confidenceToken: '<C_MATH>' }), 'generation event, confidenceToken'],
  ['a probability above 1', JSON.stringify({ ...generation, confidenceProbabilities: { confident: 1.2, uncertain: 0 } }), 'confidenceProbabilities.confident'],
])('a line with %s', (_name, line, problem) => {
  it('is a problem, not an exception', () => {
    const parsed = parseRunnerLine(line);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.problem).toContain(problem);
  });
});
