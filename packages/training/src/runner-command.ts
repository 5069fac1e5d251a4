import { resolveRunnerPython, RUNNER_SOURCE_DIR } from './python-environment.js';

/** How to start the runner; shared by training and generation. */
export interface RunnerLaunchOptions {
  /** Python interpreter; default $CONFIDE_PYTHON, else the workspace's .venv/bin/python. */
  python?: string;
  /** Processes for `accelerate launch` (one per GPU); 1 runs the runner directly. */
  processes?: number;
  /** Extra environment for the runner (e.g. CUDA_VISIBLE_DEVICES, HF_HOME). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export function buildRunnerCommand(
  runnerArguments: readonly string[],
  options: RunnerLaunchOptions,
): { command: string; args: string[]; env: NodeJS.ProcessEnv } {
  const python = resolveRunnerPython(options.python);
  const processes = options.processes ?? 1;
  const launcher = processes > 1 ? ['-m', 'accelerate.commands.launch', '--num_processes', String(processes)] : [];
  const inherited = process.env['PYTHONPATH'];
  return {
    command: python,
    args: [...launcher, '-m', 'confide_runner', ...runnerArguments],
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
