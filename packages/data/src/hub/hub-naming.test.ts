import { InvalidConfigError, InvalidInputError } from '@confide/core';
import { describe, expect, it } from 'vitest';
import { assertSafeRepoPath, HubCache, hubCacheKey } from './hub-cache.js';
import { hubConnectionFromEnvironment } from './hub-connection.js';
import { hubRepoUrl, parseHubRepo } from './hub-repo.js';
import { isHubDataFile, splitOfHubPath } from './pull-hub-dataset.js';

describe.each([
  ['data/train-00000-of-00001.parquet', 'train'],
  ['data/test-00000-of-00002.parquet', 'test'],
  ['test.jsonl', 'test'],
  ['math_train.jsonl.gz', 'train'],
  ['validation/part-1.parquet', 'validation'],
  ['data/dev.jsonl', 'validation'],
  ['data/eval-00000-of-00001.parquet', 'test'],
  ['data/rows.parquet', 'train'],
  ['contest/problems.jsonl', 'train'],
])('splitOfHubPath(%s)', (path, split) => {
  it(`is ${split}`, () => expect(splitOfHubPath(path)).toBe(split));
});

describe.each([
  ['data/train-00000-of-00001.parquet', true],
  ['test.jsonl', true],
  ['train.jsonl.gz', true],
  ['README.md', false],
  ['.gitattributes', false],
  ['.cache/train.parquet', false],
  ['train.csv', false],
])('isHubDataFile(%s)', (path, expected) => {
  it(`is ${expected}`, () => expect(isHubDataFile(path)).toBe(expected));
});

describe('repository names and paths', () => {
  it.each(['HuggingFaceH4/MATH-500', 'Akirayasha/math-20', 'a/b.c_d'])('accepts %s', (name) => {
    expect(parseHubRepo(name, 'dataset')).toEqual({ type: 'dataset', name });
  });

  it.each(['MATH-500', 'a/b/c', '../etc', 'a/..', 'a/b.git', '', 'a /b'])('rejects %j', (name) => {
    expect(() => parseHubRepo(name, 'dataset')).toThrow(InvalidConfigError);
  });

  it.each(['../x', 'a/../../x', '/abs', 'a//b', 'a\\b', './a'])('refuses to store the listed path %j', (path) => {
    expect(() => assertSafeRepoPath(path)).toThrow(InvalidInputError);
  });

  it('keys the cache by hub host, then kind, owner and name', () => {
    expect(hubCacheKey('https://huggingface.co')).toBe('huggingface.co');
    expect(hubCacheKey('http://127.0.0.1:8080')).toBe('127.0.0.1_8080');
    const cache = new HubCache('/c', 'http://127.0.0.1:8080');
    expect(cache.filePath({ type: 'model', name: 'me/adapter' }, 'a'.repeat(40), 'sub/adapter_config.json')).toBe(
      `/c/127.0.0.1_8080/models/me/adapter/snapshots/${'a'.repeat(40)}/sub/adapter_config.json`,
    );
  });

  it('writes repository URLs as the hub does (models have no prefix)', () => {
    expect(hubRepoUrl('https://huggingface.co/', { type: 'dataset', name: 'o/n' })).toBe('https://huggingface.co/datasets/o/n');
    expect(hubRepoUrl('https://huggingface.co', { type: 'model', name: 'o/n' })).toBe('https://huggingface.co/o/n');
  });
});

describe('hub connection from the environment', () => {
  it('reads HF_ENDPOINT and HF_TOKEN', () => {
    expect(hubConnectionFromEnvironment({ HF_ENDPOINT: 'http://127.0.0.1:9/', HF_TOKEN: 'hf_abc' })).toEqual({
      hubUrl: 'http://127.0.0.1:9',
      accessToken: 'hf_abc',
    });
    expect(hubConnectionFromEnvironment({})).toEqual({ hubUrl: 'https://huggingface.co', accessToken: undefined });
  });

  it('rejects a malformed token without printing it', () => {
    const error = (() => {
      try {
        hubConnectionFromEnvironment({ HF_TOKEN: 'secret-value-123' });
      } catch (caught) {
        return caught as Error;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect(error!.message).toMatch(/HF_TOKEN does not look like a Hugging Face token/);
    expect(error!.message).not.toContain('secret-value-123');
  });
});
