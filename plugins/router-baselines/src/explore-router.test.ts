import { RouterDecision } from '@confide/core';
import { createForTest, routeInput, testProblem, testRunRecord } from '@confide/core/testing';
import { describe, expect, it } from 'vitest';
import { exploreDelegateProbability, exploreRouter } from './explore-router.js';

/** A small answer of `output` tokens, with or without the confident token, to problem `test/x/<index>`. */
function small(index: number, fields: { output?: number; confident?: boolean } = {}) {
  return testRunRecord({
    problem: testProblem({ id: `test/x/${index}.json` }),
    generation: { usage: { output: fields.output ?? 100 }, confidenceToken: fields.confident === false ? '<|u_math|>' : '<|c_math|>' },
  });
}

async function decisions(options: object, answers: ReturnType<typeof small>[]) {
  const router = createForTest(exploreRouter, options);
  return Promise.all(answers.map((answer) => router.decide(routeInput(answer))));
}

const tokenOptions = (epsilon: number, seed = 0) => ({ score: 'confidence-token', threshold: 0.5, exploration: { rule: 'epsilon-greedy', epsilon }, seed });

describe('core/explore', () => {
  it('logs the propensity of the route it took and of both routes, which sum to one (a valid route decision)', async () => {
    const answers = Array.from({ length: 200 }, (_, index) => small(index, { confident: index % 3 !== 0 }));
    for (const decision of await decisions(tokenOptions(0.4), answers)) {
      expect(RouterDecision.safeParse(decision).success).toBe(true);
      expect(decision.propensities!['small']! + decision.propensities!['large']!).toBeCloseTo(1, 12);
      expect(decision.propensity).toBe(decision.propensities![decision.model]);
    }
  });

  it('ε-greedy takes the threshold\'s route with probability 1 − ε/2, the other with ε/2', async () => {
    const answers = Array.from({ length: 4000 }, (_, index) => small(index, { confident: index % 2 === 0 }));
    const taken = await decisions(tokenOptions(0.4), answers);
    // confident answers are kept greedily: delegated with probability 0.2; unconfident ones delegated with 0.8
    const share = (confident: boolean) => {
      const group = taken.filter((_, index) => (index % 2 === 0) === confident);
      return group.filter((decision) => decision.model === 'large').length / group.length;
    };
    expect(Math.abs(share(true) - 0.2)).toBeLessThan(0.03);
    expect(Math.abs(share(false) - 0.8)).toBeLessThan(0.03);
    expect(taken[0]!.propensities).toEqual({ small: 0.8, large: expect.closeTo(0.2, 12) });
  });

  it('softmax: P(large) = σ((threshold − score)/temperature) on the keep-high scale, within [floor, 1 − floor]', () => {
    const options = { direction: 'keep-low' as const, threshold: 600, exploration: { rule: 'softmax' as const, temperature: 100, floor: 0.05 } };
    expect(exploreDelegateProbability(600, options)).toBeCloseTo(0.5, 12);
    // 700 tokens, keep-low: oriented −700 < −600, so delegating is favoured: σ(1)
    expect(exploreDelegateProbability(700, options)).toBeCloseTo(1 / (1 + Math.exp(-1)), 12);
    expect(exploreDelegateProbability(500, options)).toBeCloseTo(1 / (1 + Math.exp(1)), 12);
    expect(exploreDelegateProbability(5000, options)).toBe(0.95);
    expect(exploreDelegateProbability(0, options)).toBe(0.05);
  });

  it('draws per problem from the seed and the problem id: the same choices in any order, other choices for another seed', async () => {
    const answers = Array.from({ length: 400 }, (_, index) => small(index, { output: 200 + index * 5 }));
    const options = { score: 'generation.usage.output', direction: 'keep-low', threshold: 1000, exploration: { rule: 'softmax', temperature: 300 } };
    const forward = (await decisions(options, answers)).map((decision) => decision.model);
    const backward = (await decisions(options, [...answers].reverse())).map((decision) => decision.model).reverse();
    expect(backward).toEqual(forward);
    const otherSeed = (await decisions({ ...options, seed: 7 }, answers)).map((decision) => decision.model);
    expect(otherSeed).not.toEqual(forward);
  });

  it('chooses on columns exactly as decide does', async () => {
    const router = createForTest(exploreRouter, tokenOptions(0.5, 3));
    const choice = router.capabilities.columnChoice!;
    for (let index = 0; index < 100; index++) {
      const answer = small(index, { confident: index % 2 === 0 });
      expect(choice.from === 'answers' && choice.choose({ small: answer }, ['small', 'large'])).toBe((await router.decide(routeInput(answer))).model);
    }
  });

  it('refuses an exploration without its parameter, naming the key', () => {
    expect(() => createForTest(exploreRouter, { threshold: 0.5, exploration: { rule: 'softmax' } })).toThrow(/temperature/);
    expect(() => createForTest(exploreRouter, { threshold: 0.5, exploration: { rule: 'epsilon-greedy', epsilon: 0 } })).toThrow(/epsilon/);
  });
});
