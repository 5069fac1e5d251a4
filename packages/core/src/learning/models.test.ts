import { describe, expect, it } from 'vitest';
import { createRandom } from '../seeded-random.js';
import { crossFittedNeighbourVotes, FittedModel, nearestNeighbours, neighbourVote, predict } from './models.js';

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

describe('cross-fitted neighbour votes, all at once', () => {
  it('equal bit for bit what each fold model predicts, on sparse vectors with shared and dense features', () => {
    const random = createRandom(11);
    const examples = 120;
    const folds = 5;
    // hashed-like sparse vectors over 64 features (many ties in coarse values), L2-normalised, plus a dense feature
    const vectors = Array.from({ length: examples }, () => {
      const indices = [...new Set(Array.from({ length: 1 + Math.floor(random() * 12) }, () => Math.floor(random() * 64)))].sort((a, b) => a - b);
      const values = indices.map(() => 1 + Math.floor(random() * 3));
      const norm = Math.hypot(...values);
      return { indices: [...indices, 70], values: [...values.map((value) => value / norm), random() - 0.5] };
    });
    const labels = Array.from({ length: examples }, (): number => (random() < 0.6 ? 1 : 0));
    const foldOf = Int32Array.from({ length: examples }, () => Math.floor(random() * folds));
    for (const k of [1, 7, 25, 200]) {
      const models = Array.from({ length: folds }, (_, fold) => {
        const rows = [...labels.keys()].filter((row) => foldOf[row] !== fold);
        const trainingLabels = rows.map((row) => labels[row]!);
        return FittedModel.parse({
          model: 'knn',
          k,
          prior: trainingLabels.reduce((sum, label) => sum + label, 0) / trainingLabels.length,
          vectors: rows.map((row) => [vectors[row]!.indices, vectors[row]!.values]),
          labels: trainingLabels,
        });
      });
      const priors = models.map((model) => (model.model === 'knn' ? model.prior : 0));
      const votes = crossFittedNeighbourVotes(vectors, labels, foldOf, priors, k);
      const expected = vectors.map((vector, row) => predict(models[foldOf[row]!]!, vector));
      expect(Array.from(votes)).toEqual(expected);
    }
  });
});
