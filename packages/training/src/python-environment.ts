import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfideError } from '@confide/core';
import { workspaceRoot } from '@confide/data';

/** The repository root: the data package's one lookup (CONFIDE_ROOT, else the folder above with nx.json). */
export const WORKSPACE_ROOT = workspaceRoot();

/** Where the runner's Python package lives; put on PYTHONPATH so any interpreter with the deps can run it. */
export const RUNNER_SOURCE_DIR = path.join(WORKSPACE_ROOT, 'packages', 'training', 'python', 'src');

export const SETUP_COMMAND = 'npm run setup:python   (or: bash tools/python/setup.sh)';

export class PythonEnvironmentMissingError extends ConfideError {
  readonly python: string;

  constructor(python: string) {
    super('NOT_FOUND', `Python environment not found: ${python} does not exist. Create it with: ${SETUP_COMMAND}`);
    this.name = 'PythonEnvironmentMissingError';
    this.python = python;
  }
}

/**
 * The interpreter that runs the runner: an explicit path, else $CONFIDE_PYTHON, else the workspace's .venv.
 * Throws PythonEnvironmentMissingError (with the setup command) when it does not exist.
 */
export function resolveRunnerPython(explicit?: string): string {
  const python = explicit ?? process.env['CONFIDE_PYTHON'] ?? path.join(WORKSPACE_ROOT, '.venv', 'bin', 'python');
  if (path.isAbsolute(python) && !existsSync(python)) {
    throw new PythonEnvironmentMissingError(python);
  }
  return python;
}
