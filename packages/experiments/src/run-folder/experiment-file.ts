import { isAbsolute, relative } from 'node:path';
import { workspaceRoot } from '@confide/data';

/** How a report names the experiment file it came from: relative to the workspace when inside it, else absolute. */
export function experimentFileLabel(path: string): string {
  const inside = relative(workspaceRoot(), path);
  return inside.startsWith('..') || isAbsolute(inside) ? path : inside;
}
