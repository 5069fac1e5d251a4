import { describe, expect, it } from 'vitest';
import { createRandom } from '../seeded-random.js';
import { FittedModel, nearestNeighbours, neighbourVote, predict } from './models.js';

const unit = (indices: number[], values: number[]) => {
  const norm = Math.hypot(...values);
  return { indices, values: values.map((value) => value / norm) };
};

describe('nearest neighbours and their vote', () => {
  // cosines with the query (1, 0, 0): a 1, b 0.6, c 0, d 0.6 (ties by index: b before d)
  const vectors = [unit([0], [1]), unit([0, 1], [3, 4]), unit([2], [1]), unit([0, 2], [3, 4])];
  const query = unit([0], [1]);

  it('ranks by cosine, most similar first, ties by index', () => {
    expect(nearestNeighbours(vectors, query, 3)).toEqual([0, 1, 3]);
    expect(nearestNeighbours(vectors, query, 10)).toEqual([0, 1, 3, 2]);
  });

  it('keeps the same neighbours, in the same order, as sorting every candidate (many ties, every k)', () => {
    const random = createRandom(7);
    // values on a coarse grid, so many candidates tie with each other and with the k-th
    const coarse = () => Math.floor(random() * 4);
    const candidates = Array.from({ length: 60 }, () => ({ indices: [0, 1, 2], values: [coarse(), coarse(), coarse()] }));
    const probe = { indices: [0, 2], values: [1, 2] };
    const similarity = candidates.map((candidate) => candidate.values[0]! * 1 + candidate.values[2]! * 2);
    const sorted = Array.from(similarity.keys()).sort((a, b) => similarity[b]! - similarity[a]! || a - b);
    for (const k of [1, 2, 5, 17, 59, 60, 100]) expect(nearestNeighbours(candidates, probe, k)).toEqual(sorted.slice(0, k));
    expect(nearestNeighbours([], probe, 3)).toEqual([]);
  });

  it('votes the mean of graded targets with one pseudo-neighbour at the prior', () => {
    // (1 + 0.25 + 0.5 + prior 0.5) / 4 = 0.5625
    expect(neighbourVote([0, 1, 3], [1, 0.25, 0, 0.5], 0.5)).toBe(0.5625);
    expect(neighbourVote([], [1], 0.3)).toBe(0.3);
  });

  it('a fitted kNN model predicts by the same vote', () => {
    const model = FittedModel.parse({ model: 'knn', k: 2, prior: 0.5, vectors: vectors.map((vector) => [vector.indices, vector.values]), labels: [1, 0, 1, 1] });
    // neighbours a (1) and b (0): (1 + 0 + 0.5) / 3
    expect(predict(model, query)).toBe(0.5);
  });
});
