import { describe, expect, it } from 'vitest';
import { parseShardSpec, shardOf, shardProblemIds } from './shard-partition.js';

const ids = (total: number) => Array.from({ length: total }, (_, index) => `problem-${index}`);

describe('shardProblemIds', () => {
  describe.each([
    [0, 3],
    [1, 3],
    [10, 1],
    [500, 2],
    [500, 3],
    [7, 7],
    [5, 8],
  ])('%i problems in %i shards', (total, count) => {
    const all = ids(total);
    const shards = Array.from({ length: count }, (_, index) => shardProblemIds(all, { index: index + 1, count }));

    it('are disjoint and together cover every problem', () => {
      const seen = shards.flatMap((shard) => [...shard]);
      expect(new Set(seen).size).toBe(seen.length);
      expect(new Set(seen)).toEqual(new Set(all));
    });

    it('differ in size by at most one, each ⌊iN/n⌋ − ⌊(i−1)N/n⌋', () => {
      const sizes = shards.map((shard) => shard.size);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      sizes.forEach((size, index) => expect(size).toBe(Math.floor(((index + 1) * total) / count) - Math.floor((index * total) / count)));
    });

    it('do not depend on the order of the input', () => {
      const reversed = [...all].reverse();
      const shuffled = [...all].sort((left, right) => (left.length - right.length) || (left < right ? 1 : -1));
      shards.forEach((shard, index) => {
        expect(shardProblemIds(reversed, { index: index + 1, count })).toEqual(shard);
        expect(shardProblemIds(shuffled, { index: index + 1, count })).toEqual(shard);
      });
    });
  });

  it('follows sha256 of the id, not the input order', () => {
    // sha256("a") = ca97…, sha256("b") = 3e23…, sha256("c") = 2e7d…: sorted c, b, a
    expect([...shardProblemIds(['a', 'b', 'c'], { index: 1, count: 3 })]).toEqual(['c']);
    expect([...shardProblemIds(['a', 'b', 'c'], { index: 3, count: 3 })]).toEqual(['a']);
  });

  it('shardOf keeps the input order', () => {
    const items = ids(20).map((id) => ({ id }));
    const shard = shardOf(items, { index: 1, count: 2 });
    const positions = shard.map((item) => items.indexOf(item));
    expect(positions).toEqual([...positions].sort((left, right) => left - right));
  });
});

describe('parseShardSpec', () => {
  it('reads i/n', () => expect(parseShardSpec('2/3')).toEqual({ index: 2, count: 3 }));
  it.each(['0/3', '4/3', '1/0', '1', 'a/b', '1/2/3'])('refuses %s', (text) => expect(() => parseShardSpec(text)).toThrow(/--shard/));
});
