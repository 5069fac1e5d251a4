import { resolve } from 'node:path';
import { ConfideError } from '@confide/core';
import {
  formatDuration,
  formatRunnerProgress,
  RENDEZVOUS_TIMEOUT_SECONDS,
  RunnerCancelledError,
  trainAdapter,
  type NodeLaunch,
  type RunnerProgress,
} from '@confide/training';
import { readConfigJson } from '@confide/data';
import type { Command } from 'commander';
import { withInterrupts } from '../options/interrupts.js';
import { nodeLaunchFromFlags, type NodeFlags } from '../options/node-flags.js';
import { parseCount } from '../options/parse-count.js';
import { topLevelCommand } from '../command-table.js';

interface TrainOptions extends NodeFlags {
  resume?: boolean;
  python?: string;
  processes?: number;
  grace: number;
  verbose?: boolean;
}

/**
 * The training progress line on stderr: redrawn in place on a terminal; elsewhere (CI, a log file) the first step, a line
 * every `everyMs` and the last step, so a log stays readable.
 */
export class TrainProgressDisplay {
  #lastLineAt: number | undefined;
  #drawn = false;

  constructor(
    private readonly write: (text: string) => void,
    private readonly interactive: boolean,
    private readonly everyMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  update(progress: RunnerProgress): void {
    const line = formatRunnerProgress(progress);
    if (progress.phase === 'load') {
      this.message(`train: ${line}`);
      return;
    }
    if (this.interactive) {
      this.write(`\r\x1b[2K${line}`);
      this.#drawn = true;
      return;
    }
    const last = progress.totalSteps !== null && progress.step >= progress.totalSteps;
    if (last || this.#lastLineAt === undefined || this.now() - this.#lastLineAt >= this.everyMs) {
      this.#lastLineAt = this.now();
      this.write(`${line}\n`);
    }
  }

  /** A line of its own (a checkpoint, a warning), below the progress line. */
  message(text: string): void {
    this.finish();
    this.write(`${text}\n`);
  }

  finish(): void {
    if (this.#drawn) this.write('\n');
    this.#drawn = false;
  }
}

/** `confide train <config>`: LoRA fine-tuning with the Python runner (step 2 of the seed). */
export function registerTrainCommand(program: Command): void {
  topLevelCommand(program, 'train')
    .argument('<config>', 'JSON config: {baseModel, trainFile, outputDir, ...}; every other key has the seed default (r 8, alpha 32, lr 5e-5, 5 epochs, ...)')
    .option('--resume', 'continue from the newest checkpoint in outputDir (same config)')
    .option('--python <path>', 'Python interpreter with the runner installed (default: $CONFIDE_PYTHON or .venv/bin/python)')
    .option('--processes <n>', 'processes on this machine, one per GPU, started by torchrun (default 1: the runner alone)', parseCount)
    .option('--nodes <n>', 'machines in the run (torchrun --nnodes); each runs this command with its own --node-rank', parseCount)
    .option('--node-rank <r>', "this machine's rank, 0 to nodes - 1; node 0 writes checkpoints and the adapter", parseCount)
    .option('--master-addr <host>', "node 0's address, reachable from every node")
    .option('--master-port <port>', 'a free TCP port on node 0, the same on every node', parseCount)
    .option('--grace <seconds>', 'after Ctrl-C, how long the runner gets to write its checkpoint before it is killed', parseCount, 120)
    .option('--verbose', "copy the runner's log (stderr) to stderr")
    .action(async (configArgument: string, options: TrainOptions, command: Command) => {
      // `--verbose` is also the program's option (stack traces), which takes it wherever it is written
      const verbose = options.verbose === true || command.optsWithGlobals<{ verbose?: boolean }>().verbose === true;
      const nodes = nodeLaunchFromFlags(options);
      const configPath = resolve(configArgument);
      const json = readConfigJson(configPath);
      const display = new TrainProgressDisplay((text) => process.stderr.write(text), process.stderr.isTTY === true);
      const launchFlags = `${options.processes !== undefined ? ` --processes ${options.processes}` : ''}${nodes ? ` --nodes ${nodes.nodes} --node-rank ${nodes.nodeRank} --master-addr ${nodes.masterAddr} --master-port ${nodes.masterPort}` : ''}`;
      const resumeHint = `confide train ${configArgument}${launchFlags} --resume`;
      const stopping = 'train: stopping: the runner writes a checkpoint, then exits (this can take a minute)';
      if (nodes) display.message(describeNode(nodes, options.processes ?? 1));
      await withInterrupts(stopping, async ({ stop }) => {
        try {
          const result = await trainAdapter(json as Parameters<typeof trainAdapter>[0], {
            resume: options.resume === true,
            signal: stop,
            gracePeriodMs: options.grace * 1000,
            source: configPath,
            ...(options.python !== undefined ? { python: options.python } : {}),
            ...(options.processes !== undefined ? { processes: options.processes } : {}),
            ...(nodes ? { nodes } : {}),
            ...(verbose ? { onStderr: (text: string) => display.message(text.trimEnd()) } : {}),
            onProgress: (progress) => display.update(progress),
            onCheckpoint: (checkpoint) => {
              if (checkpoint.reason === 'interval') display.message(`train: checkpoint at step ${checkpoint.step}: ${checkpoint.path}`);
            },
          });
          display.finish();
          const loss = result.firstLoss !== null && result.finalLoss !== null ? `; loss ${result.firstLoss.toFixed(4)} -> ${result.finalLoss.toFixed(4)}` : '';
          console.log(
            `trained ${result.steps} steps (${(result.epochs ?? 0).toFixed(2)} epochs) on ${result.examples} examples in ${formatDuration(result.durationSeconds)} on ${result.device}${loss}`,
          );
          console.log(result.adapterWrittenHere ? `adapter: ${result.adapterPath}` : `adapter: written by node 0 at ${result.adapterPath} (on node 0's filesystem)`);
        } catch (error) {
          display.finish();
          if (error instanceof RunnerCancelledError) {
            const killed = error.killed ? ' (killed after the grace period)' : '';
            throw new ConfideError(
              'CANCELLED',
              error.checkpointPath
                ? `training stopped${killed}: checkpoint at ${error.checkpointPath}. Continue with: ${resumeHint}`
                : `training stopped${killed} before its first checkpoint. Start again with: confide train ${configArgument}${launchFlags}`,
            );
          }
          throw error;
        }
      }, (text) => display.message(text));
    });
}

function describeNode(nodes: NodeLaunch, processes: number): string {
  const here = `${processes} process${processes === 1 ? '' : 'es'} here`;
  return `train: node rank ${nodes.nodeRank} of ${nodes.nodes} nodes (${here}); meeting node 0 at ${nodes.masterAddr}:${nodes.masterPort}, waiting up to ${RENDEZVOUS_TIMEOUT_SECONDS / 60} minutes for every node`;
}
