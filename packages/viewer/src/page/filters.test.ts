import { describe, expect, it } from 'vitest';
import { ascendingOrder, descendingOrder, formatTableState, parseTableState, selectProblems, type SortKey, type TableState } from './filters.js';
import { rowColumnsOf, type RowColumns } from './row-columns.js';
import type { ProblemRow } from './view-model.js';

function row(index: number, overrides: Partial<ProblemRow> = {}): ProblemRow {
  return {
    index,
    id: `p${index}`,
    label: `prob_${index}`,
    subject: index % 2 === 0 ? 'Algebra' : 'Geometry',
    level: (index % 5) + 1,
    token: index % 3 === 0 ? 'confident' : index % 3 === 1 ? 'uncertain' : 'none',
    pConfident: index / 10,
    correct: index % 4 !== 0,
    score: index % 4 !== 0 ? 1 : 0,
    mathCorrect: index % 4 !== 0 || index === 8,
    disagree: index === 8,
    routedLarge: null,
    finish: index === 5 ? 'length' : 'stop',
    costUsd: 10 - index,
    outputTokens: index * 7,
    latencyMs: null,
    ...overrides,
  };
}

const rows = Array.from({ length: 10 }, (_, index) => row(index));
// the compared run's verdicts: right on even problems
const compareCorrect = (index: number) => index % 2 === 0;
const columns = rowColumnsOf(rows, () => 0);
const orderOf = (of: RowColumns, key: Exclude<SortKey, 'index'>, direction: 'asc' | 'desc') =>
  direction === 'asc' ? ascendingOrder(of, key) : descendingOrder(of, key, ascendingOrder(of, key));
const ids = (state: TableState, delegated = (index: number) => index >= 7) =>
  Array.from(selectProblems(columns, state, { delegated, flipped: (index) => compareCorrect(index) !== rows[index]!.correct, matches: null }, (key, direction) => orderOf(columns, key, direction)));

describe('the table state', () => {
  it('round-trips through the URL and ignores malformed values', () => {
    const state: TableState = { route: 'delegated', correct: 'wrong', token: 'none', subject: 'Number Theory', level: 3, disagree: true, flips: true, finish: 'stop', q: 'a b', sort: 'cost', order: 'asc' };
    expect(parseTableState(new URLSearchParams(formatTableState(state).toString()))).toEqual(state);
    expect(parseTableState(new URLSearchParams('route=sideways&level=9&sort=magic&correct=maybe&disagree=0'))).toEqual({});
  });

  it('filters by each key, and by several at once', () => {
    expect(ids({ correct: 'wrong' })).toEqual([0, 4, 8]);
    expect(ids({ token: 'confident' })).toEqual([0, 3, 6, 9]);
    expect(ids({ subject: 'Geometry', level: 2 })).toEqual([1]);
    expect(ids({ disagree: true })).toEqual([8]);
    expect(ids({ finish: 'length' })).toEqual([5]);
    expect(ids({ route: 'delegated' })).toEqual([7, 8, 9]);
    expect(ids({ route: 'kept', correct: 'wrong' })).toEqual([0, 4]);
    // a search's matches (the page model's or the server's) narrow the rest
    expect(Array.from(selectProblems(columns, { correct: 'right' }, { delegated: () => false, flipped: () => false, matches: (index) => index < 3 }, (key, direction) => orderOf(columns, key, direction)))).toEqual([1, 2]);
    // flips: verdicts that differ from the compared run's
    expect(ids({ flips: true })).toEqual([0, 1, 3, 4, 5, 7, 8, 9]);
  });

  it('sorts by a key, both ways, dataset order breaking ties', () => {
    expect(ids({ sort: 'cost' })).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(ids({ sort: 'cost', order: 'asc' })).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(ids({ sort: 'length' })[0]).toBe(9);
    expect(ids({ sort: 'p', token: 'confident' })).toEqual([9, 6, 3, 0]);
    // equal values keep dataset order both ways; a missing P(c) sorts below every value
    const tied = rowColumnsOf(rows.map((r) => ({ ...r, outputTokens: r.index % 3, pConfident: r.index === 4 ? null : r.pConfident })), () => 0);
    const sorted = (state: TableState) => Array.from(selectProblems(tied, state, { delegated: () => false, flipped: () => false, matches: null }, (key, direction) => orderOf(tied, key, direction)));
    expect(sorted({ sort: 'length' })).toEqual([2, 5, 8, 1, 4, 7, 0, 3, 6, 9]);
    expect(sorted({ sort: 'length', order: 'asc' })).toEqual([0, 3, 6, 9, 1, 4, 7, 2, 5, 8]);
    expect(sorted({ sort: 'p', order: 'asc' }).slice(0, 2)).toEqual([4, 0]);
    expect(sorted({ order: 'desc' })).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
  });
});
