import { PluginChoice, RetrySettings, type Evaluator, type GenerationRequest, type ModelClient, type PluginRegistry, type PluginUse, type PriceTable, type RunLookup } from '@confide/core';
import { CostLedger } from '@confide/routing';
import { z } from 'zod';
import { RunClients } from '../run-folder/run-clients.js';

/** Model clients lent to an evaluator by name (core/model-verifier's `client`), each with its lane's concurrency. */
export const LentClients = z.record(z.string(), z.strictObject({ ...PluginChoice.shape, concurrency: z.number().int().min(1).max(256).default(4) }));
export type LentClients = z.infer<typeof LentClients>;

/** What a paying evaluator's calls came to: how many, what they cost, how many were sent now and how many came from the cache. */
export interface LentClientCalls {
  calls: number;
  costUsd: number;
  sent: number;
  cached: number;
}

export interface LentEvaluatorOptions {
  registry: PluginRegistry;
  evaluator: PluginChoice;
  clients: LentClients;
  /** Prices for the clients' spend. */
  prices: PriceTable;
  runs?: RunLookup;
  budgetUsd?: number | undefined;
  retry?: RetrySettings | undefined;
  /** SQLite response cache: a rerun answers from it and pays nothing twice (null: no cache). */
  cachePath: string | null;
}

/** An evaluator with the model clients it was lent, their spend so far, and one close for both. */
export interface LentEvaluator {
  evaluator: Evaluator;
  /** The evaluator's id and validated options, for a summary. */
  use: PluginUse;
  runClients: RunClients;
  calls(): LentClientCalls;
  close(): Promise<void>;
}

/**
 * Creates an evaluator through the registry, lending it the model clients it names (a verifier's judge), every one
 * through the scheduler (retries), the response cache (a rerun pays nothing twice) and the budget, each answer on a
 * ledger under the role `verifier`. An evaluator that pays for nothing (core/math) gets an empty set of clients.
 */
export function createLentEvaluator(options: LentEvaluatorOptions): LentEvaluator {
  const { prices } = options;
  // an evaluator lent no clients pays for nothing: no cache file is opened for it
  const lends = Object.keys(options.clients).length > 0;
  const runClients = new RunClients({ prices, budgetUsd: options.budgetUsd, retry: options.retry, cachePath: lends ? options.cachePath : null });
  const ledger = new CostLedger(prices);
  const counts = { sent: 0, cached: 0 };
  const context = { priceTable: prices, ...(options.runs ? { runs: options.runs } : {}) };
  const clients: Record<string, ModelClient> = {};
  try {
    for (const [name, choice] of Object.entries(options.clients)) {
      const client = options.registry.create('model', choice.id, choice.options, context).instance;
      runClients.lane(name, { concurrency: choice.concurrency });
      const scheduled = runClients.schedule(name, client, (event) => {
        if (event.type === 'sent') counts.sent++;
        if (event.type === 'cache-hit') counts.cached++;
      });
      // every answer the evaluator gets is on the ledger, under its own role
      clients[name] = {
        specificationVersion: scheduled.specificationVersion,
        model: scheduled.model,
        generate: async (request: GenerationRequest, generateOptions?: { signal?: AbortSignal }) => {
          const generation = await scheduled.generate(request, generateOptions);
          ledger.add(request.problem.id, 'verifier', generation.model, generation.usage);
          return generation;
        },
      };
    }
    const { instance: evaluator, use } = options.registry.create('evaluator', options.evaluator.id, options.evaluator.options, { ...context, modelClients: clients });
    return {
      evaluator,
      use,
      runClients,
      calls: () => {
        const totals = ledger.totals((entry) => entry.role === 'verifier');
        return { calls: totals.calls, costUsd: totals.costUsd, sent: counts.sent, cached: counts.cached };
      },
      close: async () => {
        try {
          await evaluator.close();
        } finally {
          await runClients.close();
        }
      },
    };
  } catch (error) {
    void runClients.close();
    throw error;
  }
}
