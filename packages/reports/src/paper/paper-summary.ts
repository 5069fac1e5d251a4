import { PRICE_TABLES } from '@confide/core';
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
  const standalone = byId.get('delegation-2-standalone-llm');
  const delegationTwo = byId.get('delegation-2');
  if (standalone && delegationTwo) {
    differences.push({
      title: "Delegation II's LLM calls are not the standalone LLM run's",
      detail:
        `Delegation II's delegated answers carry the same text as the standalone Gemini 2.5 Flash run but more input ` +
        `tokens (a longer prompt). Composed with the standalone run, Delegation II gives ` +
        `${standalone.accuracy.percent}% at $${usd6(standalone.costUsd)} instead of ${delegationTwo.accuracy.percent}% at ` +
        `$${usd6(delegationTwo.costUsd)}; the report uses the recorded delegated calls.`,
    });
  }
  const noted = results.runs.flatMap((run) => run.records.filter((record) => record.note !== undefined).map(() => run.label));
  for (const label of [...new Set(noted)]) {
    differences.push({
      title: `${label}: rows that answer another problem`,
      detail:
        `${noted.filter((entry) => entry === label).length} rows of this recorded run carry the id of one MATH-500 problem ` +
        `but the question (and grade) of another; they are kept as recorded and counted, as the seed did.`,
    });
  }
  differences.push({
    title: 'Grades come from a strict grader',
    detail:
      'Every accuracy here uses the verdicts the recorded runs carry (the seed\'s sympy grader). It marks ' +
      '`\\left(3, \\frac{\\pi}{2}\\right)` wrong against `\\left( 3, \\frac{\\pi}{2} \\right)` (MATH-500 test/precalculus/807.json) ' +
      'in every run; see reports/regrade-math500 for the same runs re-graded.',
  });
  differences.push({
    title: 'Published costs are rounded',
    detail: 'The published table prints dollars to cents; the regenerated figures keep 6 decimals and agree when rounded.',
  });
  return differences;
}

/** Every number in the report's tables, machine-readable, full precision. */
export function paperSummary(results: PaperResults): Record<string, unknown> {
  const experiment = results.experiment;
  const prices = PRICE_TABLES[experiment.priceTable]!;
  const delegationById = new Map(results.delegations.map((delegation) => [delegation.id, delegation]));
  const runById = new Map(results.runs.map((run) => [run.id, run]));
  const frontier = new Set(results.frontier);
  return {
    schemaVersion: 1,
    experiment: experiment.name,
    title: experiment.title,
    dataset: experiment.dataset,
    priceTable: { id: prices.id, version: prices.version },
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
        published: row.published,
        matchesPublished: {
          accuracy: matchesPublished(measured.accuracy.percent, row.published.accuracy),
          costUsd: matchesPublished(measured.costUsd, row.published.costUsd),
        },
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
      published: experiment.finetuned.published,
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
  };
}
