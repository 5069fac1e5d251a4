import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Whether a run folder holds nothing a run produced: no file but its config, and empty logs and folders. `isEmpty`
 * says when a file counts as empty (default: zero bytes; a live run also counts a stage log that holds only failed
 * requests, which a rerun retries anyway).
 */
export function producedNothing(folder: string, configFile: string, isEmpty: (path: string) => boolean = (path) => statSync(path).size === 0): boolean {
  if (!existsSync(folder)) return true;
  const walk = (current: string): boolean =>
    readdirSync(current, { withFileTypes: true }).every((entry) => {
      const path = join(current, entry.name);
      if (entry.isDirectory()) return walk(path);
      return (current === folder && entry.name === configFile) || isEmpty(path);
    });
  return walk(folder);
}

/**
 * After a run that stopped before producing anything (a missing Python environment, a bad config, an unreachable
 * server): removes the folder when this run created it, else the config and the empty logs it wrote, so a plain rerun
 * starts cleanly instead of asking for --resume. A folder that holds anything produced is left as it is.
 */
export function discardFailedStart(folder: string, configFile: string, createdFolder: boolean, isEmpty?: (path: string) => boolean): void {
  if (!existsSync(folder) || !producedNothing(folder, configFile, isEmpty)) return;
  if (createdFolder) {
    rmSync(folder, { recursive: true, force: true });
    return;
  }
  for (const entry of readdirSync(folder)) rmSync(join(folder, entry), { recursive: true, force: true });
}
