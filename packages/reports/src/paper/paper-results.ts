import type { PluginUse, RunRecord } from '@confide/core';
import type { SummaryProvenance } from '../summary-provenance.js';
import { accuracyBySlice, type AccuracySummary, type TokenCorrectnessTable, type TokenDistribution } from '@confide/metrics';

/** A published figure as printed ("0.03" was rounded to cents). */
type Published = string;

/** What the paper report reads of its experiment (the experiments package's PaperExperiment has this shape). */
export interface PaperReportExperiment {
  name: string;
  title: string;
  /** A dataset reference: a bundled name, hf://…, a file path or {file, columns}. */
  dataset: string | { file: string };
  priceTable: string;
  delegations: ReadonlyArray<{
    id: string;
    chart: boolean;
    router: { id: string; options: Record<string, unknown> };
    small: { run: string };
    large: { run: string };
  }>;
  table1: ReadonlyArray<{ label: string; source: string; published?: { accuracy: Published; costUsd: Published } | undefined }>;
  table2: readonly string[];
  finetuned: {
    run: string;
    published?: { accuracy: Published; calibration: Published; tokens: { confident: number; uncertain: number; none: number } } | undefined;
  };
  publishedHandOff: Record<string, Partial<Record<'small' | 'large', { correct: number; total: number; costUsd?: Published | undefined }>>>;
}

export interface HandOffRow {
  side: 'small' | 'large' | 'router';
  model: string;
  problems: number;
  correct: number | null;
  accuracy: number | null;
  costUsd: number;
}

export interface DelegationResultSummary {
  id: string;
  label: string;
  router: PluginUse;
  accuracy: AccuracySummary;
  /** The seed's accounting: the cost of the answers used (kept SLM answers + LLM answers). */
  costUsd: number;
  /** Plus the router's own model calls (the orchestrator of Delegation I). */
  costWithRouterUsd: number;
  /** Every call made: answers, router, and small-model answers that were delegated away. */
  costAllCallsUsd: number;
  handOff: HandOffRow[];
  /** Problems where the result differs from the recorded delegated run (null when there is none to check). */
  mismatchesWithRecordedRun: number | null;
  records: RunRecord[];
}

export interface RunSummary {
  id: string;
  label: string;
  kind: string;
  accuracy: AccuracySummary;
  costUsd: number;
  records: RunRecord[];
}

export interface PaperResults {
  experiment: PaperReportExperiment;
  /** The price table the costs were computed with. */
  priceTable: { id: string; version: string };
  runs: RunSummary[];
  delegations: DelegationResultSummary[];
  finetuned: {
    run: string;
    accuracy: AccuracySummary;
    calibration: AccuracySummary;
    tokens: TokenDistribution;
    tokenCorrectness: TokenCorrectnessTable;
  };
  frontier: string[];
  provenance: SummaryProvenance;
}

/** Accuracy per subject and per level for every charted run and delegation, as long rows. */
export function sliceRows(results: PaperResults): Array<{ run: string; key: 'subject' | 'level'; slice: string } & AccuracySummary> {
  const charted = [
    ...results.runs.map((run) => ({ label: run.label, records: run.records })),
    ...results.delegations
      .filter((delegation) => results.experiment.delegations.find((config) => config.id === delegation.id)?.chart !== false)
      .map((delegation) => ({ label: delegation.label, records: delegation.records })),
  ];
  return charted.flatMap(({ label, records }) =>
    (['subject', 'level'] as const).flatMap((key) => accuracyBySlice(records, key).map((slice) => ({ run: label, key, ...slice }))),
  );
}
