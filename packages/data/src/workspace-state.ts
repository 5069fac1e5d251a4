import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceRoot } from './workspace-paths.js';

/** The git commit of a checkout and whether its tree has uncommitted changes; both null outside git. */
export function gitState(folder = workspaceRoot()): { commit: string | null; dirty: boolean | null } {
  const git = (args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: folder, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return null;
    }
  };
  const commit = git(['rev-parse', 'HEAD']);
  const status = commit === null ? null : git(['status', '--porcelain']);
  return { commit, dirty: status === null ? null : status !== '' };
}

/** The libraries whose versions every run manifest and report summary records. */
export const RECORDED_PACKAGES = ['@google/genai', 'openai', 'better-sqlite3', 'zod', 'mathjs', 'arquero', 'vega', 'vega-lite'] as const;

/** Installed versions of `names` (a package that is not installed is left out, not guessed). */
export function packageVersions(names: readonly string[] = RECORDED_PACKAGES): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const name of names) {
    try {
      const path = join(workspaceRoot(), 'node_modules', name, 'package.json');
      versions[name] = (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
    } catch {
      // not installed where we look
    }
  }
  return versions;
}
