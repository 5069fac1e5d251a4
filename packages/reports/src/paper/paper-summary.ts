import { describeZodError, PluginUse } from '@confide/core';
import { z } from 'zod';
import { datasetLabel, datasetTitle } from '@confide/data';
import { SummaryProvenance } from '../summary-provenance.js';
import { usdFixed, type AccuracySummary } from '@confide/metrics';
import type { HandOffRow, PaperResults } from './paper-results.js';
import { sliceRows } from './paper-results.js';

/** Dollars as the seed prints them in its text: 6 decimals. */
export function usd6(value: number): string {
  return usdFixed(value, 6);
}

/** Whether a regenerated number, rounded to the published precision, equals the published one. */
export function matchesPublished(value: number, published: string): boolean {
  const decimals = published.includes('.') ? published.split('.')[1]!.length : 0;
  return Number(usdFixed(value, Math.min(decimals, 8))) === Number(published);
}


const Percent = z.strictObject({ percent: z.number(), correct: z.number().int(), total: z.number().int() });
const Tokens = z.strictObject({ confident: z.number().int(), uncertain: z.number().int(), none: z.number().int() });
const HandOff = z.strictObject({
  side: z.enum(['small', 'large', 'router']),
  model: z.string(),
  problems: z.number().int(),
  correct: z.number().int().nullable(),
  accuracy: z.number().nullable(),
  costUsd: z.number(),
  costUsd6: z.string(),
});
const PublishedHandOff = z.record(z.string(), z.strictObject({ correct: z.number().int(), total: z.number().int(), costUsd: z.string().optional() }));

/** summary.json of a paper report: every number in its tables at full precision, and how it was made. */
export const PaperSummary = z.strictObject({
  schemaVersion: z.literal(1),
  experiment: z.string(),
  provenance: SummaryProvenance,
  title: z.string(),
  dataset: z.string(),
  priceTable: z.strictObject({ id: z.string(), version: z.string() }),
  grades: z.string(),
  table1: z.array(
    z.strictObject({
      label: z.string(),
      source: z.string(),
      accuracy: Percent,
      costUsd: z.number(),
      costUsd6: z.string(),
      published: z.strictObject({ accuracy: z.string(), costUsd: z.string() }).nullable(),
      matchesPublished: z.strictObject({ accuracy: z.boolean(), costUsd: z.boolean() }).nullable(),
    }),
  ),
  table2: z.array(z.strictObject({ delegation: z.string(), label: z.string(), handOff: z.array(HandOff), published: PublishedHandOff.nullable() })),
  delegations: z.array(
    z.strictObject({
      id: z.string(),
      label: z.string(),
      router: PluginUse,
      accuracy: Percent,
      costUsd: z.number(),
      costUsd6: z.string(),
      costWithRouterUsd: z.number(),
      costAllCallsUsd: z.number(),
      handOff: z.array(HandOff),
      mismatchesWithRecordedRun: z.number().int().nullable(),
    }),
  ),
  finetuned: z.strictObject({
    run: z.string(),
    accuracy: Percent,
    calibration: Percent.extend({ missingToken: z.string() }),
    tokens: Tokens,
    tokenCorrectness: z.strictObject({ correct: Tokens, incorrect: Tokens }),
    published: z.strictObject({ accuracy: z.string(), calibration: z.string(), tokens: Tokens }).nullable(),
  }),
  runs: z.array(
    z.strictObject({ id: z.string(), label: z.string(), kind: z.string(), accuracy: Percent, costUsd: z.number(), onParetoFrontier: z.boolean() }),
  ),
  slices: z.array(z.strictObject({ run: z.string(), key: z.enum(['subject', 'level']), slice: z.string(), correct: z.number().int(), total: z.number().int(), percent: z.number() })),
  differences: z.array(z.strictObject({ title: z.string(), detail: z.string() })),
});
export type PaperSummary = z.infer<typeof PaperSummary>;

/** The summary, validated against its schema (a mismatch is a bug here, named by its key). */
function checkedSummary(summary: PaperSummary): PaperSummary {
  const checked = PaperSummary.safeParse(summary);
  if (!checked.success) {
    const { key, message } = describeZodError(checked.error);
    throw new Error(`paper summary.json does not match its schema at "${key ?? ''}": ${message}`);
  }
  return checked.data;
}

export interface Difference {
  title: string;
  detail: string;
}

function percent(summary: AccuracySummary) {
  return { percent: summary.percent, correct: summary.correct, total: summary.total };
}

function handOffJson(rows: readonly HandOffRow[]) {
  return rows.map((row) => ({ ...row, costUsd6: usd6(row.costUsd) }));
}

/** The known differences between the seed's published text and what its recorded runs give, with the numbers. */
export function differencesFromPublished(results: PaperResults): Difference[] {
  const differences: Difference[] = [];
  const byId = new Map(results.delegations.map((delegation) => [delegation.id, delegation]));
  const published = results.experiment.publishedHandOff;
  for (const [id, sides] of Object.entries(published)) {
    const delegation = byId.get(id);
    if (!delegation) continue;
    for (const [side, figures] of Object.entries(sides)) {
      const row = delegation.handOff.find((candidate) => candidate.side === side);
      if (row && figures.costUsd !== undefined && !matchesPublished(row.costUsd, figures.costUsd)) {
        differences.push({
          title: `${delegation.label}: cost of the ${row.problems} problems handed to the ${side} model`,
          detail: `The seed's README gives $${figures.costUsd}; their recorded tokens at the price table give $${usd6(row.costUsd)}.`,
        });
      }
    }
    const router = delegation.handOff.find((row) => row.side === 'router');
    if (router) {
      differences.push({
        title: `${delegation.label}: the orchestrator's own cost is left out`,
        detail:
          `The published cost ($${usd6(delegation.costUsd)}) bills only the answering models. The orchestrator ` +
          `(${router.model}) made ${router.problems} calls costing $${usd6(router.costUsd)}; with them the run costs ` +
          `$${usd6(delegation.costWithRouterUsd)}.`,
      });
    }
    const superseded = delegation.costAllCallsUsd - delegation.costWithRouterUsd;
    if (superseded > 0) {
      const delegated = delegation.handOff.find((row) => row.side === 'large')?.problems ?? 0;
      differences.push({
        title: `${delegation.label}: small-model answers that were delegated away are not billed`,
        detail:
          `The fine-tuned SLM answered all problems before the router read its token; the ${delegated} delegated answers ` +
          `cost $${usd6(superseded)} that the published figure leaves out (every call: $${usd6(delegation.costAllCallsUsd)}).`,
      });
    }
  }
  // A delegation left out of the charts is a variant kept to explain another: same router and small run, other
  // large-model calls. Say how their large-model answers differ, from the records.
  for (const config of results.experiment.delegations.filter((candidate) => !candidate.chart)) {
    const variant = byId.get(config.id);
    const baseConfig = results.experiment.delegations.find(
      (candidate) =>
        candidate.chart &&
        candidate.small.run === config.small.run &&
        candidate.router.id === config.router.id &&
        JSON.stringify(candidate.router.options) === JSON.stringify(config.router.options),
    );
    const base = baseConfig ? byId.get(baseConfig.id) : undefined;
    if (!variant || !base) continue;
    const variantLarge = new Map(variant.records.filter((record) => record.route?.target === 'large').map((record) => [record.problemId, record]));
    const both = base.records.filter((record) => record.route?.target === 'large' && variantLarge.has(record.problemId));
    if (both.length === 0) continue;
    const sameText = both.filter((record) => record.generation.text.replace(/\r\n/g, '\n') === variantLarge.get(record.problemId)!.generation.text.replace(/\r\n/g, '\n')).length;
    const extraInput = both.reduce((sum, record) => sum + record.generation.usage.input - variantLarge.get(record.problemId)!.generation.usage.input, 0) / both.length;
    if (sameText === both.length && extraInput === 0 && variant.costUsd === base.costUsd) continue;
    differences.push({
      title: `${base.label}'s large-model calls are not those of ${variant.label}`,
      detail:
        `Of the ${both.length} problems both delegate, ${sameText} carry the same answer text in the two runs; ${base.label}'s ` +
        `calls carry ${Math.abs(extraInput).toFixed(1)} ${extraInput >= 0 ? 'more' : 'fewer'} input tokens on average. ` +
        `${variant.label} gives ${variant.accuracy.percent}% at $${usd6(variant.costUsd)} instead of ${base.accuracy.percent}% at ` +
        `$${usd6(base.costUsd)}; the report uses ${base.label}'s recorded calls.`,
    });
  }
  const noted = results.runs.flatMap((run) => run.records.filter((record) => record.note !== undefined).map(() => run.label));
  for (const label of [...new Set(noted)]) {
    differences.push({
      title: `${label}: rows that answer another problem`,
      detail:
        `${noted.filter((entry) => entry === label).length} rows of this recorded run carry the id of one ${datasetTitle(results.experiment.dataset)} problem ` +
        `but the question (and grade) of another; they are kept as recorded and counted, as the seed did.`,
    });
  }
  // Problems that every run and delegation gets wrong: with a strict grader these are where to look first.
  const everyRecordSet = [...results.runs.map((run) => run.records), ...results.delegations.map((delegation) => delegation.records)];
  const wrongEverywhere = [...new Set(everyRecordSet.flatMap((records) => records.map((record) => record.problemId)))].filter((problemId) =>
    everyRecordSet.every((records) => records.some((record) => record.problemId === problemId && !record.grade.correct)),
  );
  const evaluators = [...new Set(everyRecordSet.flatMap((records) => records.map((record) => record.grade.evaluator)))].sort();
  differences.push({
    title: `Grades are the verdicts the runs carry (${evaluators.join(', ')})`,
    detail:
      `Every accuracy here uses the grade recorded with each answer. ${wrongEverywhere.length} problem${wrongEverywhere.length === 1 ? ' is' : 's are'} ` +
      `marked wrong in every run and delegation of this report` +
      (wrongEverywhere.length === 0 ? '.' : `, among them ${wrongEverywhere.slice(0, 5).map((id) => `\`${id}\``).join(', ')}.`) +
      ' `confide regrade --run <run>` re-grades a run with core/math.',
  });
  const rounded = results.experiment.table1.flatMap((row) => {
    const [kind, id] = row.source.split(':') as ['run' | 'delegation', string];
    const measured = kind === 'run' ? results.runs.find((run) => run.id === id) : byId.get(id);
    return measured && row.published ? [{ label: row.label, measured: measured.costUsd, published: row.published.costUsd }] : [];
  });
  if (rounded.length > 0) {
    const disagreeing = rounded.filter((row) => !matchesPublished(row.measured, row.published));
    differences.push({
      title: 'Published costs are rounded',
      detail:
        `The published table prints dollars to ${rounded.every((row) => (row.published.split('.')[1]?.length ?? 0) === 2) ? 'cents' : 'its own precision'}; ` +
        `the regenerated figures keep 6 decimals` +
        (disagreeing.length === 0
          ? ` and all ${rounded.length} agree when rounded.`
          : `; rounded, ${disagreeing.map((row) => `${row.label} ($${usd6(row.measured)} against $${row.published})`).join(', ')} still differ${disagreeing.length === 1 ? 's' : ''}.`),
    });
  }
  return differences;
}

/** Every number in the report's tables, machine-readable, full precision; checked against its schema before it is written. */
export function paperSummary(results: PaperResults): PaperSummary {
  const experiment = results.experiment;
  const delegationById = new Map(results.delegations.map((delegation) => [delegation.id, delegation]));
  const runById = new Map(results.runs.map((run) => [run.id, run]));
  const frontier = new Set(results.frontier);
  return checkedSummary({
    schemaVersion: 1,
    experiment: experiment.name,
    provenance: results.provenance,
    title: experiment.title,
    dataset: datasetLabel(experiment.dataset),
    priceTable: results.priceTable,
    grades: "recorded: the verdicts the recorded runs carry (the seed's sympy grader)",
    table1: experiment.table1.map((row) => {
      const [kind, id] = row.source.split(':') as ['run' | 'delegation', string];
      const measured = kind === 'run' ? runById.get(id)! : delegationById.get(id)!;
      return {
        label: row.label,
        source: row.source,
        accuracy: percent(measured.accuracy),
        costUsd: measured.costUsd,
        costUsd6: usd6(measured.costUsd),
        published: row.published ?? null,
        matchesPublished: row.published
          ? {
              accuracy: matchesPublished(measured.accuracy.percent, row.published.accuracy),
              costUsd: matchesPublished(measured.costUsd, row.published.costUsd),
            }
          : null,
      };
    }),
    table2: experiment.table2.map((id) => {
      const delegation = delegationById.get(id)!;
      return {
        delegation: id,
        label: delegation.label,
        handOff: handOffJson(delegation.handOff),
        published: experiment.publishedHandOff[id] ?? null,
      };
    }),
    delegations: results.delegations.map((delegation) => ({
      id: delegation.id,
      label: delegation.label,
      router: delegation.router,
      accuracy: percent(delegation.accuracy),
      costUsd: delegation.costUsd,
      costUsd6: usd6(delegation.costUsd),
      costWithRouterUsd: delegation.costWithRouterUsd,
      costAllCallsUsd: delegation.costAllCallsUsd,
      handOff: handOffJson(delegation.handOff),
      mismatchesWithRecordedRun: delegation.mismatchesWithRecordedRun,
    })),
    finetuned: {
      run: results.finetuned.run,
      accuracy: percent(results.finetuned.accuracy),
      calibration: { ...percent(results.finetuned.calibration), missingToken: 'counts as not calibrated (the seed rule)' },
      tokens: results.finetuned.tokens,
      tokenCorrectness: results.finetuned.tokenCorrectness,
      published: experiment.finetuned.published ?? null,
    },
    runs: [
      ...results.runs.map((run) => ({ id: run.id, label: run.label, kind: run.kind, accuracy: percent(run.accuracy), costUsd: run.costUsd })),
      ...results.delegations.map((delegation) => ({
        id: delegation.id,
        label: delegation.label,
        kind: 'delegation',
        accuracy: percent(delegation.accuracy),
        costUsd: delegation.costUsd,
      })),
    ].map((run) => ({ ...run, onParetoFrontier: frontier.has(run.id) })),
    slices: sliceRows(results),
    differences: differencesFromPublished(results),
  });
}
