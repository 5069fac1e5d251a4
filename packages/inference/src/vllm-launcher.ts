import { spawn, type ChildProcess } from 'node:child_process';
import { ConfideError } from '@confide/core';
import { z } from 'zod';
import { CancelledError } from './errors.js';

/** How to start `vllm serve` for the fine-tuned SLM: the base model, optionally with the LoRA adapter. */
export const VllmServeOptions = z.strictObject({
  /** A hub id or a local model folder. */
  baseModel: z.string().min(1),
  /** A PEFT adapter folder; null serves the base model alone. */
  adapter: z.string().min(1).nullable().default(null),
  /** The adapter's served name (`--lora-modules NAME=path`): the `servedModel` a core/vllm client asks for. */
  adapterName: z.string().regex(/^[\w.-]+$/, 'letters, digits, _ . - only').default('confidence'),
  maxLoraRank: z.number().int().positive().default(8),
  /** GPUs to shard the model over (`--tensor-parallel-size`); left to vLLM when unset. */
  tensorParallelSize: z.number().int().positive().optional(),
  /** Data-parallel ranks behind the one endpoint (`--data-parallel-size`, vLLM's own load balancing); left to vLLM when unset. */
  dataParallelSize: z.number().int().positive().optional(),
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(1).max(65_535).default(8000),
  /** The vllm executable (a name on PATH or a path). */
  executable: z.string().min(1).default('vllm'),
  /** More `vllm serve` arguments, passed as they are (e.g. --gpu-memory-utilization 0.9). */
  extraArgs: z.array(z.string()).default([]),
  /** How long loading may take before the launch counts as failed. */
  healthTimeoutMs: z.number().int().positive().default(900_000),
  pollIntervalMs: z.number().int().positive().default(1_000),
  /** After SIGTERM, how long vLLM gets to shut down before SIGKILL. */
  gracePeriodMs: z.number().int().positive().default(30_000),
});
export type VllmServeInput = z.input<typeof VllmServeOptions>;
export type VllmServeOptions = z.output<typeof VllmServeOptions>;

/** The command line of `vllm serve` for these options. */
export function buildVllmServeCommand(options: VllmServeOptions): { command: string; args: string[] } {
  const args = ['serve', options.baseModel, '--host', options.host, '--port', String(options.port)];
  if (options.adapter !== null) {
    args.push('--enable-lora', '--lora-modules', `${options.adapterName}=${options.adapter}`, '--max-lora-rank', String(options.maxLoraRank));
  }
  if (options.tensorParallelSize !== undefined) args.push('--tensor-parallel-size', String(options.tensorParallelSize));
  if (options.dataParallelSize !== undefined) args.push('--data-parallel-size', String(options.dataParallelSize));
  args.push(...options.extraArgs);
  return { command: options.executable, args };
}

/** vLLM did not come up: it exited, could not start, or was not healthy in time. Carries the tail of its output. */
export class VllmLaunchError extends ConfideError {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly outputTail: string;

  constructor(message: string, details: { exitCode: number | null; signal: NodeJS.Signals | null; outputTail: string }) {
    const lastLine = details.outputTail.trim().split('\n').at(-1);
    super('SUBPROCESS_FAILED', lastLine ? `${message}: ${lastLine}` : message);
    this.name = 'VllmLaunchError';
    this.exitCode = details.exitCode;
    this.signal = details.signal;
    this.outputTail = details.outputTail;
  }
}

export interface VllmServer {
  /** The OpenAI-compatible root, e.g. http://127.0.0.1:8000/v1: a core/vllm client's `baseUrl`. */
  baseUrl: string;
  /** The name to ask for: the adapter's served name, or the base model's. */
  servedModel: string;
  pid: number;
  command: { command: string; args: string[] };
  /** Resolves when the server process has ended (on its own or after stop()). */
  exited: Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM to its process group, SIGKILL after the grace period; resolves once it has exited. */
  stop(): Promise<{ exitCode: number | null; signal: NodeJS.Signals | null; killed: boolean }>;
}

export interface StartVllmOptions {
  signal?: AbortSignal;
  /** vLLM's own output (stdout and stderr), as it comes. */
  onOutput?: (text: string) => void;
  /** What the launcher is waiting for, for a progress line. */
  onStatus?: (message: string) => void;
  env?: NodeJS.ProcessEnv;
}

const OUTPUT_TAIL_LINES = 40;

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

async function get(url: string, timeoutMs: number): Promise<{ status: number; body: string } | null> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: response.status, body: await response.text() };
  } catch {
    return null; // not listening yet, or not answering
  }
}

/** The model ids `GET /v1/models` lists, or null when the body is not a model list. */
function listedModels(body: string): string[] | null {
  try {
    const parsed = z.object({ data: z.array(z.object({ id: z.string() })) }).safeParse(JSON.parse(body));
    return parsed.success ? parsed.data.data.map((model) => model.id) : null;
  } catch {
    return null;
  }
}

/**
 * Starts `vllm serve` and resolves once it is ready: `GET /health` answers 200, then `GET /v1/models` lists the
 * served model (the adapter's name when there is one). Rejects with VllmLaunchError when vLLM exits first, cannot be
 * started, the port is already taken, or it is not ready within `healthTimeoutMs` (it is stopped then); with
 * CancelledError when `signal` aborts. The server runs in its own process group, so stop() ends its workers too.
 */
export async function startVllmServer(input: VllmServeInput, options: StartVllmOptions = {}): Promise<VllmServer> {
  const config = VllmServeOptions.parse(input);
  const origin = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
  const servedModel = config.adapter !== null ? config.adapterName : config.baseModel;
  const noOutput = { exitCode: null, signal: null, outputTail: '' };
  if ((await get(`${origin}/health`, 2_000)) !== null) {
    throw new VllmLaunchError(`port ${config.port} on ${config.host} already answers HTTP: stop that server or choose another port`, noOutput);
  }
  if (options.signal?.aborted) throw new CancelledError('cancelled before vLLM was started');

  const command = buildVllmServeCommand(config);
  const child: ChildProcess = spawn(command.command, command.args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: options.env ?? process.env,
  });
  const outputLines: string[] = [];
  let partial = '';
  const onData = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    options.onOutput?.(text);
    const parts = (partial + text).split('\n');
    partial = parts.pop() ?? '';
    outputLines.push(...parts);
    if (outputLines.length > OUTPUT_TAIL_LINES) outputLines.splice(0, outputLines.length - OUTPUT_TAIL_LINES);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const outputTail = () => [...outputLines, ...(partial ? [partial] : [])].slice(-OUTPUT_TAIL_LINES).join('\n');

  let exit: { exitCode: number | null; signal: NodeJS.Signals | null } | undefined;
  let startError: Error | undefined;
  const exited = new Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', (error) => {
      startError = error;
      if (child.pid === undefined) resolve((exit = { exitCode: null, signal: null }));
    });
    child.once('close', (exitCode, signal) => resolve((exit = { exitCode, signal })));
  });

  let stopping: Promise<{ exitCode: number | null; signal: NodeJS.Signals | null; killed: boolean }> | undefined;
  const signalGroup = (signal: NodeJS.Signals) => {
    if (child.pid === undefined || exit !== undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      child.kill(signal);
    }
  };
  const stop = () => {
    stopping ??= (async () => {
      if (exit !== undefined) return { ...exit, killed: false };
      signalGroup('SIGTERM');
      let killed = false;
      const timer = setTimeout(() => {
        killed = true;
        signalGroup('SIGKILL');
      }, config.gracePeriodMs);
      const ended = await exited;
      clearTimeout(timer);
      return { ...ended, killed };
    })();
    return stopping;
  };

  const failWith = async (message: string): Promise<never> => {
    await stop();
    throw new VllmLaunchError(message, { ...(exit ?? { exitCode: null, signal: null }), outputTail: outputTail() });
  };

  const deadline = Date.now() + config.healthTimeoutMs;
  const waitAbort = new AbortController();
  void exited.then(() => waitAbort.abort());
  const onCancel = () => waitAbort.abort();
  options.signal?.addEventListener('abort', onCancel, { once: true });
  try {
    options.onStatus?.(`vllm: started (pid ${child.pid ?? '?'}); waiting for ${origin}/health`);
    let phase: 'health' | 'models' = 'health';
    while (true) {
      if (options.signal?.aborted) {
        await stop();
        throw new CancelledError('cancelled while vLLM was starting; it was stopped');
      }
      if (startError !== undefined && child.pid === undefined) {
        return await failWith(`could not start ${command.command} (${startError.message})`);
      }
      if (exit !== undefined) {
        const how = exit.signal !== null ? `killed by ${exit.signal}` : `exit code ${exit.exitCode}`;
        return await failWith(`vllm serve exited before it was ready (${how})`);
      }
      if (Date.now() > deadline) {
        return await failWith(`vllm serve was not ready within ${Math.round(config.healthTimeoutMs / 1000)} s (still waiting for ${phase === 'health' ? '/health' : '/v1/models'}); it was stopped`);
      }
      if (phase === 'health') {
        const health = await get(`${origin}/health`, 5_000);
        if (health?.status === 200) {
          phase = 'models';
          options.onStatus?.(`vllm: healthy; waiting for ${origin}/v1/models to list ${servedModel}`);
          continue;
        }
      } else {
        const models = await get(`${origin}/v1/models`, 5_000);
        const ids = models?.status === 200 ? listedModels(models.body) : null;
        if (ids?.includes(servedModel)) break;
        if (ids !== null && ids.length > 0 && models !== null) {
          return await failWith(`vllm serve is up but does not serve "${servedModel}" (it lists ${ids.join(', ')})`);
        }
      }
      await sleep(config.pollIntervalMs, waitAbort.signal);
    }
  } finally {
    options.signal?.removeEventListener('abort', onCancel);
  }
  options.onStatus?.(`vllm: ready at ${origin}/v1 serving ${servedModel}`);
  return { baseUrl: `${origin}/v1`, servedModel, pid: child.pid!, command, exited, stop };
}
