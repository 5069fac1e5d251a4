import { costInHundredMillionths, generationCost, NotFoundError, type PriceTable, type RunRecord, type TokenUsage } from '@confide/core';
import { mcnemarTest, type McNemarResult } from '@confide/metrics';
import { bootstrapInterval, type Interval } from './router-statistics.js';

/** One model call a record holds: its answer, and the router's own call when the route records one. */
export interface RecordedCall {
  role: 'answer' | 'router';
  model: string;
  usage: TokenUsage;
  /** In units of 1e-8 dollars: integers where token counts are priced (sums exact), a recorded cost as given. */
  costHundredMillionths: number;
  latencyMs: number | null;
}

/** The calls a record holds, priced: the router's call (an orchestrator's) first, then the answer (core's `generationCost`: token counts priced, else its recorded cost). */
export function recordedCalls(record: RunRecord, prices: PriceTable): RecordedCall[] {
  const calls: RecordedCall[] = [];
  const route = record.route;
  if (route?.routerModel !== undefined && route.routerUsage !== undefined) {
    calls.push({ role: 'router', model: route.routerModel, usage: route.routerUsage, costHundredMillionths: costInHundredMillionths(prices, route.routerModel, route.routerUsage), latencyMs: null });
  }
  const { model, usage, latencyMs } = record.generation;
  calls.push({ role: 'answer', model, usage, costHundredMillionths: generationCost(prices, record.generation).hundredMillionths, latencyMs });
  return calls;
}

export interface RunComparison {
  left: string;
  right: string;
  problems: number;
  accuracies: [number, number];
  /** Problems the left run gets right and the right run wrong, and the other way round. */
  flips: { rightToWrong: number; wrongToRight: number };
  /** Accuracy of right minus left, with its paired bootstrap interval (the problems resampled together). */
  difference: number;
  differenceInterval: Interval;
  mcnemar: McNemarResult;
  /** Cost of every call the records hold (answers and router calls). */
  costUsd: [number, number];
  costDifferenceUsd: number;
}

export interface BootstrapSettings {
  resamples: number;
  seed: number;
  confidence: number;
}

/**
 * Two runs on the same problems, paired: flip counts, McNemar's test and the paired-bootstrap interval of the accuracy
 * difference (the ablation report's functions and resampling), and the cost difference. `problemIds` fixes the
 * order (the resamples depend on it); both runs need a record for every problem.
 */
export function compareRuns(
  problemIds: readonly string[],
  left: { label: string; records: readonly RunRecord[] },
  right: { label: string; records: readonly RunRecord[] },
  prices: PriceTable,
  bootstrap: BootstrapSettings,
): RunComparison {
  const n = problemIds.length;
  const sides = [left, right].map(({ label, records }) => {
    const byId = new Map(records.map((record) => [record.problemId, record]));
    const correct = new Uint8Array(n);
    let cost = 0;
    problemIds.forEach((id, index) => {
      const record = byId.get(id);
      if (record === undefined) throw new NotFoundError(`${label} has no record for ${id}`);
      correct[index] = record.grade.correct ? 1 : 0;
      for (const call of recordedCalls(record, prices)) cost += call.costHundredMillionths;
    });
    return { correct, cost };
  }) as [{ correct: Uint8Array; cost: number }, { correct: Uint8Array; cost: number }];
  const [l, r] = sides;
  let rightToWrong = 0;
  let wrongToRight = 0;
  const difference = new Float64Array(n);
  for (let index = 0; index < n; index++) {
    if (l.correct[index] === 1 && r.correct[index] === 0) rightToWrong++;
    if (l.correct[index] === 0 && r.correct[index] === 1) wrongToRight++;
    difference[index] = r.correct[index]! - l.correct[index]!;
  }
  const mean = (values: Uint8Array) => (n === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / n);
  return {
    left: left.label,
    right: right.label,
    problems: n,
    accuracies: [mean(l.correct), mean(r.correct)],
    flips: { rightToWrong, wrongToRight },
    difference: mean(r.correct) - mean(l.correct),
    differenceInterval: bootstrapInterval(difference, bootstrap, (sum) => sum / n),
    mcnemar: mcnemarTest(Array.from(l.correct, Boolean), Array.from(r.correct, Boolean)),
    costUsd: [l.cost / 1e8, r.cost / 1e8],
    costDifferenceUsd: (r.cost - l.cost) / 1e8,
  };
}

/**
 * The problems two runs are paired on, in a fixed order (the bootstrap resamples depend on it): the dataset's order
 * for the problems the left run answered that the dataset has, then the left run's other problems in its record
 * order (all of them, in record order, when the dataset is not at hand).
 */
export function pairedProblemIds(datasetIds: readonly string[] | null, leftRecords: readonly RunRecord[]): string[] {
  if (datasetIds === null) return leftRecords.map((record) => record.problemId);
  const answered = new Set(leftRecords.map((record) => record.problemId));
  const inDataset = datasetIds.filter((id) => answered.has(id));
  const known = new Set(inDataset);
  return [...inDataset, ...leftRecords.map((record) => record.problemId).filter((id) => !known.has(id))];
}
