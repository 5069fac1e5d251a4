import { basename, relative } from 'node:path';
import {
  ConfideError,
  DEFAULT_BINARIZE_AT,
  InvalidInputError,
  PriceMissingError,
  priceOf,
  RUN_RECORD_SCHEMA_VERSION,
  RunRecordV2,
  ZERO_USAGE,
  type CostBasis,
  type PriceTable,
  type Problem,
  type RunRecord,
} from '@confide/core';
import { sha256OfFile } from '../io/file-chunks.js';
import { RecordSpool } from '../recorded-runs/record-spool.js';
import type { RunDirectoryToWrite } from '../recorded-runs/run-directory.js';
import { packageVersions } from '../workspace-state.js';
import type { PeerLogFormat, PeerLogReadOptions, PeerLogReadSummary, PeerSample } from './peer-log-format.js';
import { detectPeerLogFormat, peerLogFormat } from './peer-log-registry.js';
import { checkPriceUnit } from './peer-prices.js';

/** How a log with several epochs per sample becomes runs: one run per epoch, the mean score, or the first epoch. */
export type EpochMode = 'each' | 'mean' | 'first';

export interface PeerLogImportOptions {
  /** The log: a file, or a folder (lm-eval's output folder). */
  path: string;
  /** `--format`: forced; else detected. */
  format?: string;
  read?: PeerLogReadOptions;
  epochs?: EpochMode;
  /** `--model-map log-name=price-name`: the name a model is priced and labelled by. */
  modelMap?: Record<string, string>;
  /** The prices; null: none given (a run is then costed by the cost its log records, or is cost-unknown). */
  prices: PriceTable | null;
  /** Models the price file names but Confide cannot price (LiteLLM's per-character, per-second, tiered…), with why: refused when a run uses one. */
  refusedPrices?: ReadonlyMap<string, string>;
  binarizeAt?: number;
  /** Where records wait until written (the output folder is best). */
  spoolFolder: string;
  signal?: AbortSignal;
}

/** Whether a run's costs can be placed on a cost axis, how (its token counts priced, or the cost its log records), and why not when they cannot. */
export interface RunCost {
  known: boolean;
  /** `tokens`: every sample's token counts at the table's price; `recorded`: every sample's recorded cost; null: cost-unknown. */
  basis: CostBasis | null;
  reason: string;
  /** Costs the log records itself (summed), kept beside the priced ones; null when it records none. */
  recordedUsd: number | null;
}

export interface ImportedPeerRun {
  /** The run's label and folder name (lower-case letters, digits, dots and dashes). */
  label: string;
  /** The model as the log names it, and as priced (after --model-map). */
  logModel: string;
  model: string;
  epoch?: number;
  manifest: RunDirectoryToWrite['manifest'];
  problems: Problem[];
  records: RecordSpool | RunRecord[];
  counts: { records: number; correct: number; meanScore: number };
  cost: RunCost;
}

export interface ImportedPeerLog {
  format: PeerLogFormat;
  runs: ImportedPeerRun[];
  summary: PeerLogReadSummary;
  /** Removes whatever records still wait on disk. */
  discard(): void;
}

/** A run label from a model name: lower-case letters, digits, dots and dashes. */
export function runLabel(model: string, epoch?: number): string {
  const base = model.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '') || 'model';
  return epoch === undefined ? base : `${base}-epoch${epoch}`;
}

/** Samples gathered into one run (a model, and an epoch with --epochs each). */
class RunBuilder {
  readonly problems: Problem[] = [];
  readonly #places = new Map<string, string>();
  readonly spool: RecordSpool;
  /** --epochs mean: the first epoch's sample per id and the scores of every epoch. */
  readonly means = new Map<string, { sample: PeerSample; scores: number[] }>();
  correct = 0;
  scoreSum = 0;
  withUsage = 0;
  samples = 0;
  recordedUsd = 0;
  withRecordedCost = 0;
  readonly epochs = new Set<number>();
  /** The model's label; a later epoch's run (--epochs each) adds `-epoch<n>`, so a one-epoch log's run is the model's. */
  readonly label: string;

  constructor(
    readonly logModel: string,
    readonly model: string,
    readonly epoch: number | undefined,
    spoolFolder: string,
  ) {
    this.label = runLabel(model, epoch !== undefined && epoch > 1 ? epoch : undefined);
    this.spool = new RecordSpool(spoolFolder, `peer-${this.label}`);
  }

  /** Refuses a second sample with an id already read, naming both places. */
  claim(sample: PeerSample, file: string): void {
    const earlier = this.#places.get(sample.id);
    if (earlier !== undefined) throw new InvalidInputError({ file: `${file}, ${sample.place}`, field: 'id', problem: `sample "${sample.id}" appears twice for ${this.logModel}${this.epoch !== undefined ? ` epoch ${this.epoch}` : ''} (also ${earlier})` });
    this.#places.set(sample.id, sample.place);
    this.problems.push({ id: sample.id, problem: sample.question ?? '', answer: sample.gold, ...(sample.slice !== undefined ? { slice: sample.slice } : {}) });
  }

  count(sample: PeerSample, record: RunRecord): void {
    this.samples++;
    if (record.grade.correct) this.correct++;
    this.scoreSum += record.grade.score ?? (record.grade.correct ? 1 : 0);
    if (sample.usage !== null) this.withUsage++;
    if (sample.costUsd !== null) {
      this.withRecordedCost++;
      this.recordedUsd += sample.costUsd;
    }
  }
}

function recordOf(sample: PeerSample, runId: string, model: string, score: number, binarizeAt: number, reason: string, file: string): RunRecord {
  const record = {
    schemaVersion: RUN_RECORD_SCHEMA_VERSION,
    runId,
    problemId: sample.id,
    ...(sample.slice !== undefined ? { slice: sample.slice } : {}),
    gold: sample.gold,
    generation: {
      model,
      text: sample.text,
      answer: sample.answer,
      confidenceToken: null,
      usage: sample.usage ?? ZERO_USAGE,
      latencyMs: sample.latencyMs,
      finishReason: sample.finishReason,
      // the log's own cost, as given; no token counts recorded: the zeros above stand for nothing (never a cost of $0)
      ...(sample.costUsd !== null ? { recordedCostUsd: sample.costUsd } : {}),
      ...(sample.usage === null ? { usageUnknown: true as const } : {}),
    },
    grade: { correct: sample.correct ?? score >= binarizeAt, score, evaluator: 'recorded', reason },
  };
  const checked = RunRecordV2.safeParse(record);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    throw new InvalidInputError({ file: `${file}, ${sample.place}`, field: issue.path.join('.'), problem: issue.message });
  }
  return checked.data;
}

/**
 * The price table a run carries: the entry of its own model where its token counts are priced (a price file may hold
 * thousands: LiteLLM's), else none, its source saying how the run is costed (its recorded cost) or why it cannot be.
 */
function runPriceTable(prices: PriceTable | null, model: string, cost: RunCost): PriceTable {
  if (cost.basis === 'tokens') return { ...prices!, models: { [model]: priceOf(prices!, model) } };
  return {
    id: cost.basis === 'recorded' ? 'recorded-cost' : 'cost-unknown',
    version: prices?.version ?? new Date().toISOString().slice(0, 10),
    currency: 'USD',
    source: cost.basis === 'recorded' ? `costs of ${model} are the cost the log records (recorded cost): ${cost.reason}` : `costs of ${model} are unknown: ${cost.reason}`,
    thinkingBilledAs: 'output',
    models: {},
  };
}

/**
 * How a run's costs are known: every sample's token counts at the table's price (the model priced, by a price Confide
 * can apply), else every sample's recorded cost, else not (cost-unknown), and why.
 */
function runCost(run: RunBuilder, prices: PriceTable | null, refused: ReadonlyMap<string, string> | undefined, file: string): RunCost {
  const recordedUsd = run.withRecordedCost > 0 ? run.recordedUsd : null;
  const everyUsage = run.withUsage === run.samples;
  const everyCost = run.withRecordedCost === run.samples;
  const mapped = run.model !== run.logModel ? ` (mapped from "${run.logModel}")` : '';
  if (everyUsage && prices !== null) {
    const refusal = refused?.get(run.model);
    if (refusal !== undefined) {
      throw new ConfideError('INVALID_CONFIG', `${file}: model "${run.model}"${mapped}: its price in ${prices.id}@${prices.version} is one Confide cannot apply per token: ${refusal}; refused (name another entry with --model-map ${run.logModel}=<model in the table>)`);
    }
    try {
      priceOf(prices, run.model);
    } catch (error) {
      if (!(error instanceof PriceMissingError)) throw error;
      const known = Object.keys(prices.models);
      const shown = known.length > 20 ? `${known.slice(0, 20).join(', ')}, … ${known.length - 20} more` : known.join(', ');
      throw new ConfideError('PRICE_MISSING', `${file}: model "${run.model}"${mapped} has no price in ${prices.id}@${prices.version} (known: ${shown}); name its price with --model-map ${run.logModel}=<model in the table>`);
    }
    checkPriceUnit(prices, run.model);
    return { known: true, basis: 'tokens', reason: `token counts recorded, priced by ${prices.id}@${prices.version}`, recordedUsd };
  }
  const noTokens = run.withUsage === 0 ? 'the log records no token counts' : `${run.samples - run.withUsage} of ${run.samples} samples record no token counts`;
  if (everyCost) return { known: true, basis: 'recorded', reason: `the cost the log records per sample (recorded cost): ${everyUsage ? 'no price table given (--price-table)' : noTokens}`, recordedUsd };
  if (!everyUsage) {
    const noCost = recordedUsd === null ? ', nor a cost' : ` and ${run.samples - run.withRecordedCost} of ${run.samples} no cost`;
    return { known: false, basis: null, reason: `${noTokens}${noCost}`, recordedUsd };
  }
  return { known: false, basis: null, reason: 'no price table given (--price-table)', recordedUsd };
}

/**
 * Reads a log of another harness (its format detected or forced) into runs, a sample at a time: each sample is
 * checked and its record serialised into a spool as it is read; problems come from the log itself (id, question,
 * gold, the task as slice), so no dataset is needed. Every sample is read and every run checked (ids unique, prices
 * present and representable) before anything is returned: a bad log fails with one coded line and nothing is written.
 */
export async function importPeerLog(options: PeerLogImportOptions): Promise<ImportedPeerLog> {
  const { path } = options;
  const format = options.format !== undefined ? peerLogFormat(options.format) : await detectPeerLogFormat(path);
  if (format === undefined) throw new InvalidInputError({ file: path, problem: 'not a log format Confide recognises (name one with --format)' });
  const epochs = options.epochs ?? 'each';
  const binarizeAt = options.binarizeAt ?? DEFAULT_BINARIZE_AT;
  const runs = new Map<string, RunBuilder>();
  const discard = (): void => {
    for (const run of runs.values()) run.spool.remove();
  };
  const reason = `score recorded in ${basename(path)} (${format.name}), correct when ≥ ${binarizeAt} unless the log gives a verdict`;
  try {
    const summary = await format.read(path, options.read ?? {}, (sample) => {
      if (options.signal?.aborted) throw new ConfideError('CANCELLED', `data import: cancelled at ${sample.place} of ${path}; nothing was written`);
      if (epochs === 'first' && sample.epoch !== undefined && sample.epoch !== 1) return;
      const model = options.modelMap?.[sample.model] ?? sample.model;
      const epoch = epochs === 'each' ? sample.epoch : undefined;
      const key = `${sample.model}\u0000${epoch ?? ''}`;
      let run = runs.get(key);
      if (run === undefined) {
        run = new RunBuilder(sample.model, model, epoch, options.spoolFolder);
        runs.set(key, run);
      }
      if (sample.epoch !== undefined) run.epochs.add(sample.epoch);
      if (epochs === 'mean') {
        const seen = run.means.get(sample.id);
        if (seen) {
          if (seen.scores.length >= (sample.epoch ?? 1)) throw new InvalidInputError({ file: `${path}, ${sample.place}`, field: 'id', problem: `sample "${sample.id}" epoch ${sample.epoch ?? 1} appears twice (also ${seen.sample.place})` });
          seen.scores.push(sample.score);
          return;
        }
        run.claim(sample, path);
        run.means.set(sample.id, { sample, scores: [sample.score] });
        return;
      }
      run.claim(sample, path);
      const record = recordOf(sample, run.label, model, sample.score, binarizeAt, reason, path);
      run.count(sample, record);
      run.spool.write(run.problems.length - 1, JSON.stringify(record));
    });
    if (runs.size === 0) throw new InvalidInputError({ file: path, problem: `no samples to import${summary.leftOut.size > 0 ? ` (${[...summary.leftOut].map(([why, count]) => `${count} ${why}`).join('; ')})` : ''}` });

    const imported: ImportedPeerRun[] = [];
    for (const run of runs.values()) {
      const { label } = run;
      let records: RecordSpool | RunRecord[] = run.spool;
      if (epochs === 'mean') {
        records = [...run.means.values()].map(({ sample, scores }) => {
          const score = scores.reduce((sum, value) => sum + value, 0) / scores.length;
          const { correct: _verdict, ...unjudged } = sample;
          const record = recordOf(unjudged, label, run.model, score, binarizeAt, `${reason}; the mean over ${scores.length} epochs`, path);
          run.count(sample, record);
          return record;
        });
      }
      const cost = runCost(run, options.prices, options.refusedPrices, path);
      const priceTable = runPriceTable(options.prices, run.model, cost);
      const files = summary.files.map((file) => ({ path: relative(process.cwd(), file) || basename(file), sha256: sha256OfFile(file) }));
      imported.push({
        label,
        logModel: run.logModel,
        model: run.model,
        ...(run.epoch !== undefined ? { epoch: run.epoch } : {}),
        problems: run.problems,
        records,
        counts: { records: run.samples, correct: run.correct, meanScore: run.samples === 0 ? 0 : run.scoreSum / run.samples },
        cost,
        manifest: {
          runId: label,
          description: `${run.logModel}${run.epoch !== undefined && epochs === 'each' ? ` (epoch ${run.epoch})` : ''}, imported from ${basename(path)} (${format.name})`,
          dataset: `${format.name}:${basename(path)}`,
          config: {
            importedFrom: basename(path),
            format: format.name,
            model: run.logModel,
            ...(run.model !== run.logModel ? { pricedAs: run.model } : {}),
            ...(run.epochs.size > 0 ? { epochs: epochs === 'each' ? run.epoch : `${epochs} of ${run.epochs.size}` } : {}),
            ...(options.read?.scorer ? { scorer: options.read.scorer } : {}),
            binarizeAt,
            cost,
            leftOut: Object.fromEntries(summary.leftOut),
            fields: [...summary.fields].sort(),
          },
          plugins: [],
          git: { commit: null, dirty: null },
          packageVersions: packageVersions(),
          priceTable,
          source: { kind: 'recorded', origin: path, files },
          records: run.samples,
        },
      });
    }
    return { format, runs: imported, summary, discard };
  } catch (error) {
    discard();
    throw error;
  }
}
