import { isAbsolute, join, relative } from 'node:path';
import { InvalidConfigError } from '@confide/core';
import { workspaceRoot } from '@confide/data';

/** Whether the current folder is the checkout or inside it. */
export function insideCheckout(folder = process.cwd()): boolean {
  const path = relative(workspaceRoot(), folder);
  return !path.startsWith('..') && !isAbsolute(path);
}

/**
 * The experiment folder a report command runs: `--experiment` when given; else the checkout's own `name`, but only
 * from inside the checkout. Run elsewhere, the default would rewrite the checkout's committed report from a folder
 * that has nothing to do with it, so the command refuses and says what to pass.
 */
export function experimentFolderOption(command: string, given: string | undefined, name: string): string {
  if (given !== undefined) return given;
  const folder = join(workspaceRoot(), 'experiments', name);
  if (!insideCheckout()) {
    throw new InvalidConfigError(
      `confide ${command} without --experiment runs the checkout's ${name} and rewrites its committed report, so it runs only inside the checkout (${workspaceRoot()}); here pass --experiment <folder> (e.g. --experiment ${folder} --out reports/${name})`,
    );
  }
  return folder;
}
