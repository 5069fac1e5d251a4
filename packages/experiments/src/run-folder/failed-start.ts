import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/**
 * Whether a run folder holds nothing a run produced: no file but those it writes at its start (`startFiles`, paths
 * relative to the folder: its config, the problems and prices it carries), and empty logs and folders. `isEmpty` says
 * when a file counts as empty (default: zero bytes; a live run also counts a stage log that holds only failed
 * requests, which a rerun retries anyway).
 */
export function producedNothing(folder: string, startFiles: readonly string[], isEmpty: (path: string) => boolean = (path) => statSync(path).size === 0): boolean {
  if (!existsSync(folder)) return true;
  const starting = new Set(startFiles);
  const walk = (current: string): boolean =>
    readdirSync(current, { withFileTypes: true }).every((entry) => {
      const path = join(current, entry.name);
      if (entry.isDirectory()) return walk(path);
      return starting.has(relative(folder, path).split(sep).join('/')) || isEmpty(path);
    });
  return walk(folder);
}

/**
 * After a run that stopped before producing anything (a missing Python environment, a bad config, an unreachable
 * server): removes the folder when this run created it, else the start files and the empty logs it wrote, so a plain rerun
 * starts cleanly instead of asking for --resume. A folder that holds anything produced is left as it is.
 */
export function discardFailedStart(folder: string, startFiles: readonly string[], createdFolder: boolean, isEmpty?: (path: string) => boolean): void {
  if (!existsSync(folder) || !producedNothing(folder, startFiles, isEmpty)) return;
  if (createdFolder) {
    rmSync(folder, { recursive: true, force: true });
    return;
  }
  for (const entry of readdirSync(folder)) rmSync(join(folder, entry), { recursive: true, force: true });
}
