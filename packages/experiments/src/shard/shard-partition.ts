import { createHash } from 'node:crypto';
import { InvalidConfigError } from '@confide/core';

/** One shard of a run: the `index`-th (1-based) of `count` (`--shard 2/3`). */
export interface ShardSpec {
  index: number;
  count: number;
}

/** `--shard i/n`, 1 ≤ i ≤ n. */
export function parseShardSpec(text: string): ShardSpec {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match || count < 1 || index < 1 || index > count) {
    throw new InvalidConfigError(`--shard ${text}: give i/n with 1 ≤ i ≤ n, e.g. --shard 2/3`);
  }
  return { index, count };
}

/** The folder suffix of a shard's run: `.shard-2-of-3`. */
export function shardFolderSuffix(shard: ShardSpec): string {
  return `.shard-${shard.index}-of-${shard.count}`;
}

const idHash = (id: string) => createHash('sha256').update(id).digest('hex');

/**
 * The problem ids of shard `index` of `count`: the ids sorted by sha256(id) (ties by id), positions
 * ⌊(i−1)N/n⌋ … ⌊iN/n⌋−1. Shards are disjoint and cover the ids, their sizes differ by at most one, and the result does
 * not depend on the order of the input. Returned in the order of the input.
 */
export function shardProblemIds(ids: readonly string[], shard: ShardSpec): Set<string> {
  const hashed = ids.map((id) => ({ id, hash: idHash(id) }));
  hashed.sort((left, right) => (left.hash < right.hash ? -1 : left.hash > right.hash ? 1 : left.id < right.id ? -1 : left.id > right.id ? 1 : 0));
  const total = hashed.length;
  const start = Math.floor(((shard.index - 1) * total) / shard.count);
  const end = Math.floor((shard.index * total) / shard.count);
  return new Set(hashed.slice(start, end).map((entry) => entry.id));
}

/** The items of shard `shard`, in their input order (a live run's problems keep the dataset's order). */
export function shardOf<Item extends { id: string }>(items: readonly Item[], shard: ShardSpec): Item[] {
  const ids = shardProblemIds(
    items.map((item) => item.id),
    shard,
  );
  return items.filter((item) => ids.has(item.id));
}

/** sha256 of a list of ids, one per line in the given order: a shard's `idsHash`, a dataset's id list. */
export function idsSha256(ids: Iterable<string>): string {
  const hash = createHash('sha256');
  for (const id of ids) hash.update(id + '\n');
  return hash.digest('hex');
}
