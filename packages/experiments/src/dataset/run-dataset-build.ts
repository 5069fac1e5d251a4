import { ConfideError, type ModelClient } from '@confide/core';
import { buildSftDataset, readGradedAnswers, resolvePriceTable, type BuildSftDatasetOptions, type SftDatasetProgress, type SftDatasetSummary } from '@confide/data';
import {
  Budget,
  BudgetExceededError,
  isLiveModelClient,
  ResponseCache,
  ScheduledModelClient,
  Scheduler,
} from '@confide/inference';
import type { ExperimentOutcome } from '../outcome.js';

export interface DatasetBuildOptions extends Omit<BuildSftDatasetOptions, 'scheduleClient' | 'onProgress'> {
  /** Hard cap in US dollars on the build's model calls (answers logged by an interrupted build count). */
  budgetUsd?: number;
  /** SQLite file of the response cache; null or absent for none. */
  cachePath?: string | null;
  /** Progress, with the spend so far. */
  onProgress?: (progress: SftDatasetProgress & { spentUsd: number }) => void;
}

/**
 * Step 1 of the seed through the same scheduled client as live runs: every model call goes through the scheduler
 * (concurrency, retries on 408/409/429/5xx and dropped connections honouring Retry-After, per-request timeout), the
 * response cache and the budget; graded answers are logged as they come, so a stopped or killed build resumes
 * without paying for them again. Stops for the budget or Ctrl-C come back as a typed outcome.
 */
export async function runDatasetBuild(options: DatasetBuildOptions): Promise<ExperimentOutcome<{ summary: SftDatasetSummary; spentUsd: number }>> {
  const prices = resolvePriceTable(options.config.priceTable, options.baseFolder);
  let priorSpent = 0;
  if (options.resume) {
    const priced = new Budget(prices);
    for (const answer of readGradedAnswers(options.outFolder).values()) {
      priorSpent += priced.cost(answer.model, { input: answer.inputTokens, output: answer.outputTokens, thinking: 0 });
    }
  }
  const budget = new Budget(prices, options.budgetUsd, priorSpent / 1e8);
  const scheduler = new Scheduler({ retry: options.config.retry }).addLane('dataset', { concurrency: options.config.concurrency });
  const cache = options.cachePath ? new ResponseCache(options.cachePath) : undefined;
  const onAbort = () => scheduler.stop();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const scheduleClient = (client: ModelClient): ModelClient =>
    isLiveModelClient(client) ? new ScheduledModelClient({ client, scheduler, budget, lane: 'dataset', ...(cache ? { cache } : {}) }) : client;
  try {
    const summary = await buildSftDataset({
      ...options,
      scheduleClient,
      onProgress: (progress) => options.onProgress?.({ ...progress, spentUsd: budget.spentUsd }),
    });
    return { status: 'complete', summary, spentUsd: budget.spentUsd, files: summary.files.map((file) => file.path) };
  } catch (error) {
    const stoppedBy =
      error instanceof BudgetExceededError || (ConfideError.isInstance(error) && error.code === 'BUDGET_EXCEEDED')
        ? ('budget' as const)
        : ConfideError.isInstance(error) && error.code === 'CANCELLED' && options.signal?.aborted
          ? ('cancelled' as const)
          : undefined;
    if (stoppedBy === undefined) throw error;
    const answered = readGradedAnswers(options.outFolder).size;
    return {
      status: 'stopped',
      reason: stoppedBy,
      message: `stopped: ${stoppedBy === 'budget' ? (error as Error).message : 'cancelled'}. ${answered} graded answers are logged; spent $${budget.spentUsd.toFixed(6)}. Continue with --resume.`,
      files: [],
    };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await scheduler.idle();
    cache?.close();
  }
}
