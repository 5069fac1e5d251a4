import { launcherArguments, type NodeLaunch } from './distributed-launch.js';
import { resolveRunnerPython, RUNNER_SOURCE_DIR } from './python-environment.js';

/** How to start the runner; shared by training and generation. */
export interface RunnerLaunchOptions {
  /** Python interpreter; default $CONFIDE_PYTHON, else the workspace's .venv/bin/python. */
  python?: string;
  /** Processes on this machine, one per GPU, started by torchrun; 1 (the default) runs the runner directly. */
  processes?: number;
  /** Extra environment for the runner (e.g. CUDA_VISIBLE_DEVICES, HF_HOME). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/**
 * The command that starts the runner: `python [launcher] -m confide_runner <runnerArguments>`. With `nodes`, this
 * machine's part of a run across machines (see launcherArguments for why torchrun).
 */
export function buildRunnerCommand(
  runnerArguments: readonly string[],
  options: RunnerLaunchOptions,
  nodes?: NodeLaunch,
): { command: string; args: string[]; env: NodeJS.ProcessEnv; stopRequest: 'signal' | 'close-stdin' } {
  const python = resolveRunnerPython(options.python);
  const launcher = launcherArguments(options.processes ?? 1, nodes);
  const inherited = process.env['PYTHONPATH'];
  return {
    command: python,
    args: [...launcher, '-m', 'confide_runner', ...runnerArguments],
    // torchrun's workers are not in its process group: they are asked to stop through stdin (see runRunnerProcess)
    stopRequest: launcher.length > 0 ? 'close-stdin' : 'signal',
    env: {
      ...process.env,
      ...options.env,
      PYTHONPATH: inherited ? `${RUNNER_SOURCE_DIR}:${inherited}` : RUNNER_SOURCE_DIR,
      PYTHONUNBUFFERED: '1',
      TOKENIZERS_PARALLELISM: 'false',
      CONFIDE_RUNNER_WATCH_STDIN: '1',
    },
  };
}
