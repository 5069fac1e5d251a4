import { resolve } from 'node:path';
import { ConfideError, InvalidConfigError } from '@confide/core';
import { startVllmServer, VllmServeOptions, type VllmServer } from '@confide/inference';
import type { Command } from 'commander';
import { parseCount } from '../options/parse-count.js';
import { topLevelCommand } from '../command-table.js';

interface ServeOptions {
  adapter?: string;
  name: string;
  tensorParallelSize?: number;
  dataParallelSize?: number;
  host: string;
  port: number;
  maxLoraRank: number;
  vllm: string;
  healthTimeout: number;
  grace: number;
  quiet?: boolean;
}

/** Resolves on the first SIGINT or SIGTERM (stop it), or when the server ends on its own (report it). */
function untilStopped(server: VllmServer): Promise<'signal' | 'exited'> {
  return new Promise((done) => {
    const onSignal = () => finish('signal');
    const finish = (why: 'signal' | 'exited') => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      done(why);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    void server.exited.then(() => finish('exited'));
  });
}

/** `confide serve <base> --adapter <folder>`: vLLM's OpenAI-compatible server with the LoRA adapter, until Ctrl-C. */
export function registerServeCommand(program: Command): void {
  topLevelCommand(program, 'serve')
    .argument('<base-model>', 'hub id or local folder of the base model, e.g. Qwen/Qwen2.5-Math-1.5B-Instruct')
    .argument('[vllm-args...]', 'more vllm serve arguments, after --, e.g. -- --gpu-memory-utilization 0.9')
    .option('--adapter <folder>', 'PEFT adapter folder, e.g. finetuned_models/<run>/adapter (without it: the base model alone)')
    .option('--name <name>', "the adapter's served name: a core/vllm client's servedModel", 'confidence')
    .option('--tensor-parallel-size <n>', 'GPUs to shard the model over', parseCount)
    .option('--data-parallel-size <n>', "data-parallel replicas of the model behind the one endpoint (vLLM's --data-parallel-size)", parseCount)
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on', parseCount, 8000)
    .option('--max-lora-rank <r>', 'largest LoRA rank vLLM accepts (the seed trains r 8)', parseCount, 8)
    .option('--vllm <executable>', 'the vllm executable', 'vllm')
    .option('--health-timeout <seconds>', 'how long loading may take', parseCount, 900)
    .option('--grace <seconds>', 'after SIGTERM, how long vLLM gets before SIGKILL', parseCount, 30)
    .option('--quiet', "do not copy vLLM's own output to stderr")
    .action(async (baseModel: string, vllmArgs: string[], options: ServeOptions) => {
      const parsed = VllmServeOptions.safeParse({
        baseModel,
        adapter: options.adapter === undefined ? null : resolve(options.adapter),
        adapterName: options.name,
        maxLoraRank: options.maxLoraRank,
        ...(options.tensorParallelSize !== undefined ? { tensorParallelSize: options.tensorParallelSize } : {}),
        ...(options.dataParallelSize !== undefined ? { dataParallelSize: options.dataParallelSize } : {}),
        host: options.host,
        port: options.port,
        executable: options.vllm,
        extraArgs: vllmArgs,
        healthTimeoutMs: options.healthTimeout * 1000,
        gracePeriodMs: options.grace * 1000,
      });
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new InvalidConfigError(`confide serve: ${issue.path.join('.')}: ${issue.message}`);
      }
      const starting = new AbortController();
      const cancelStart = () => starting.abort();
      process.once('SIGINT', cancelStart);
      process.once('SIGTERM', cancelStart);
      let server: VllmServer;
      try {
        server = await startVllmServer(parsed.data, {
          signal: starting.signal,
          onStatus: (message) => process.stderr.write(`${message}\n`),
          ...(options.quiet ? {} : { onOutput: (text: string) => process.stderr.write(text) }),
        });
      } finally {
        process.off('SIGINT', cancelStart);
        process.off('SIGTERM', cancelStart);
      }
      const client = { id: 'core/vllm', options: { model: '<price-table id>', servedModel: server.servedModel, baseUrl: server.baseUrl } };
      console.log(`serving ${server.servedModel} at ${server.baseUrl} (pid ${server.pid}); Ctrl-C stops it`);
      console.log(`small model client: ${JSON.stringify(client)}`);
      const why = await untilStopped(server);
      const stopped = await server.stop();
      const how = stopped.signal !== null ? `killed by ${stopped.signal}` : `exit code ${stopped.exitCode}`;
      if (why === 'exited') throw new ConfideError('SUBPROCESS_FAILED', `vllm serve ended on its own (${how})`);
      console.error(`serve: vllm stopped (${how}${stopped.killed ? ', after the grace period' : ''})`);
    });
}
