import { z } from 'zod';

/**
 * How long torchrun's static rendezvous waits for every node to join (its default, in seconds). The runner sends
 * `ready` only once all nodes are there, so a node's ready timeout is this plus the runner's start-up.
 */
export const RENDEZVOUS_TIMEOUT_SECONDS = 600;

// A host name, an IPv4 address or an IPv6 address without brackets: what torchrun's --master-addr takes.
const HOST = /^[A-Za-z0-9]([A-Za-z0-9.:-]*[A-Za-z0-9])?$/;

/**
 * This machine's part in a training run across machines: every node runs the same config with its own rank, and
 * they meet at node 0's address and port. Keys are the `confide train` flags in camelCase.
 */
export const NodeLaunch = z
  .strictObject({
    /** Machines in the run (torchrun --nnodes). */
    nodes: z.number().int().min(2, { message: 'must be at least 2 (one machine needs no node flags)' }),
    /** This machine's rank, 0 to nodes - 1; node 0 writes the checkpoints and the adapter (torchrun --node-rank). */
    nodeRank: z.number().int().nonnegative(),
    /** Node 0's address, reachable from every node (torchrun --master-addr). */
    masterAddr: z.string().regex(HOST, { message: 'must be a host name or an IP address' }),
    /** A free TCP port on node 0 (torchrun --master-port). */
    masterPort: z.number().int().min(1).max(65535, { message: 'must be a TCP port, 1 to 65535' }),
  })
  .refine((launch) => launch.nodeRank < launch.nodes, {
    path: ['nodeRank'],
    message: 'must be below nodes (ranks count from 0)',
  });
export type NodeLaunch = z.infer<typeof NodeLaunch>;

/**
 * The launcher's arguments before `-m confide_runner`: none for one process on one machine, else torchrun
 * (`python -m torch.distributed.run`) with `processesPerNode` processes here: `--standalone` on one machine,
 * the static rendezvous at node 0 across machines.
 *
 * torchrun, not `accelerate launch`: on a machine without GPUs accelerate starts one process whatever
 * `--num_processes` says (its multi-CPU path needs mpirun), and it reads the user's accelerate config file, which
 * can change a run without a word. torchrun starts exactly the processes asked for, with gloo on CPU and NCCL on
 * GPUs chosen by the Trainer, and `accelerate launch` itself hands multi-GPU runs to it.
 */
export function launcherArguments(processesPerNode: number, nodes: NodeLaunch | undefined): string[] {
  if (nodes === undefined) {
    return processesPerNode > 1 ? ['-m', 'torch.distributed.run', '--standalone', '--nproc-per-node', String(processesPerNode)] : [];
  }
  return [
    '-m',
    'torch.distributed.run',
    '--nnodes',
    String(nodes.nodes),
    '--node-rank',
    String(nodes.nodeRank),
    '--master-addr',
    nodes.masterAddr,
    '--master-port',
    String(nodes.masterPort),
    '--nproc-per-node',
    String(processesPerNode),
  ];
}
