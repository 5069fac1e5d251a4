import { z } from 'zod';

/** The GPU variant's vLLM engine (Ray Data LLM's vLLM processor): the settings `confide serve` gives `vllm serve`. */
export const RayVllmOptions = z.strictObject({
  /** GPUs each engine shards the model over. */
  tensorParallelSize: z.number().int().positive().default(1),
  /** vLLM's context length; vLLM's own (the model's) when unset. */
  maxModelLen: z.number().int().positive().optional(),
  /** The largest LoRA rank the engine accepts (the seed trains r 8). */
  maxLoraRank: z.number().int().positive().default(8),
  /** Alternatives per position in the logprobs; P(c) and P(u) are read from them, as core/vllm reads them. */
  topLogprobs: z.number().int().min(2).max(20).default(5),
  /** vLLM's share of each GPU's memory; vLLM's default when unset. */
  gpuMemoryUtilization: z.number().gt(0).max(1).optional(),
});

/**
 * The runner's `ray` engine: the problems of a runner process cut into blocks of whole batches (of the plain path's
 * order) over a Ray cluster's workers, each worker loading the model once. A worker that dies mid-block is restarted
 * and its block run again; every problem's answer comes back once. `backend: "vllm"` is the GPU variant (Ray Data
 * LLM's vLLM processor with the LoRA adapter), which needs vLLM and GPUs on the cluster.
 */
export const RayEngineOptions = z
  .strictObject({
    /** A cluster to join ("auto", or "ray://head:10001"); without it the runner starts a local cluster and stops it after. */
    address: z.string().min(1).optional(),
    /** Workers (a model each). */
    workers: z.number().int().positive().default(2),
    cpusPerWorker: z.number().nonnegative().default(1),
    gpusPerWorker: z.number().nonnegative().default(0),
    /** Batches (of `batchSize` problems) per block: the unit a worker takes, returns and, if it dies, runs again. */
    batchesPerBlock: z.number().int().positive().default(4),
    /** How often a block is run again, and a worker restarted, after a worker died. */
    maxRetries: z.number().int().nonnegative().default(3),
    /** A local cluster's object store (Ray's default when unset); a cluster you join has its own. */
    objectStoreMemoryMb: z.number().int().positive().optional(),
    /** `transformers`: the runner's generation in each worker (CPU or GPU); `vllm`: the GPU variant. */
    backend: z.enum(['transformers', 'vllm']).default('transformers'),
    vllm: RayVllmOptions.prefault({}),
  })
  .refine((options) => options.cpusPerWorker > 0 || options.gpusPerWorker > 0, {
    message: 'a worker needs a CPU or a GPU (cpusPerWorker or gpusPerWorker above 0)',
    path: ['cpusPerWorker'],
  })
  .refine((options) => options.address === undefined || options.objectStoreMemoryMb === undefined, {
    message: 'only for a local cluster (no address): a cluster you join has its own',
    path: ['objectStoreMemoryMb'],
  });
export type RayEngineInput = z.input<typeof RayEngineOptions>;
export type RayEngineOptions = z.output<typeof RayEngineOptions>;
