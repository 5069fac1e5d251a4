import { join, relative, resolve } from 'node:path';
import { workspaceRoot } from '@confide/data';

/**
 * Where a report goes by default: `reports/<name>` in the workspace for the workspace's own experiments (the
 * committed reports), and `reports/<name>` in the current folder for an experiment kept anywhere else.
 */
export function defaultReportFolder(experimentFolder: string, name: string): string {
  const root = workspaceRoot();
  const inside = !relative(root, resolve(experimentFolder)).startsWith('..');
  return inside ? join(root, 'reports', name) : resolve('reports', name);
}
