import { InvalidConfigError } from '@confide/core';
import { NodeLaunch } from '@confide/training';

/** `confide train`'s flags for a run across machines, as commander gives them. */
export interface NodeFlags {
  nodes?: number;
  nodeRank?: number;
  masterAddr?: string;
  masterPort?: number;
}

const FLAG_NAMES: Record<keyof NodeFlags, string> = {
  nodes: '--nodes',
  nodeRank: '--node-rank',
  masterAddr: '--master-addr',
  masterPort: '--master-port',
};
const MEETING_FLAGS = ['nodeRank', 'masterAddr', 'masterPort'] as const;

/**
 * This machine's part in a run across machines, from the flags; undefined for a run on one machine (no --nodes, or
 * --nodes 1). Errors name the flag: a rank of nodes or more, a port out of range, --nodes 2 without where to meet.
 */
export function nodeLaunchFromFlags(flags: NodeFlags): NodeLaunch | undefined {
  const given = MEETING_FLAGS.filter((key) => flags[key] !== undefined).map((key) => FLAG_NAMES[key]);
  if (flags.nodes === undefined || flags.nodes === 1) {
    if (given.length > 0) throw new InvalidConfigError(`${given.join(', ')}: only with --nodes 2 or more (a run across machines)`);
    return undefined;
  }
  const missing = MEETING_FLAGS.filter((key) => flags[key] === undefined).map((key) => FLAG_NAMES[key]);
  if (missing.length > 0) {
    throw new InvalidConfigError(
      `--nodes ${flags.nodes} needs ${missing.join(', ')}: every node gives node 0's --master-addr and --master-port, and its own --node-rank`,
    );
  }
  const parsed = NodeLaunch.safeParse({ nodes: flags.nodes, nodeRank: flags.nodeRank, masterAddr: flags.masterAddr, masterPort: flags.masterPort });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const key = issue.path[0] as keyof NodeFlags;
  throw new InvalidConfigError(`${FLAG_NAMES[key]} ${String(flags[key])}: ${issue.message}`);
}
