import { describe, expect, it } from 'vitest';
import { launcherArguments, NodeLaunch } from './distributed-launch.js';
import { buildRunnerCommand } from './runner-command.js';

const launch = { nodes: 2, nodeRank: 1, masterAddr: '10.0.0.5', masterPort: 29500 };

describe('launcherArguments', () => {
  it('runs one process on one machine without a launcher', () => {
    expect(launcherArguments(1, undefined)).toEqual([]);
  });

  it('starts several processes on one machine with torchrun --standalone', () => {
    expect(launcherArguments(4, undefined)).toEqual(['-m', 'torch.distributed.run', '--standalone', '--nproc-per-node', '4']);
  });

  it("gives torchrun this machine's rank, node 0's address and the processes per machine", () => {
    expect(launcherArguments(8, launch)).toEqual([
      '-m', 'torch.distributed.run', '--nnodes', '2', '--node-rank', '1', '--master-addr', '10.0.0.5', '--master-port', '29500', '--nproc-per-node', '8',
    ]);
  });

  it('puts the launcher before the runner module in the command', () => {
    const command = buildRunnerCommand(['train', '--config', 'c.json'], { python: 'python3', processes: 1 }, launch);
    expect(command.args.slice(-5)).toEqual(['-m', 'confide_runner', 'train', '--config', 'c.json']);
    expect(command.args.slice(0, 2)).toEqual(['-m', 'torch.distributed.run']);
    expect(command.stopRequest).toBe('close-stdin'); // torchrun's workers are not in its process group
    expect(buildRunnerCommand(['train'], { python: 'python3' }).stopRequest).toBe('signal');
  });
});

describe('NodeLaunch', () => {
  it.each([
    ['host name', { ...launch, masterAddr: 'gpu-node-01.cluster' }],
    ['IPv6 address', { ...launch, masterAddr: 'fd00::5' }],
    ['last rank', { ...launch, nodes: 4, nodeRank: 3 }],
  ])('accepts a %s', (_what, value) => {
    expect(NodeLaunch.safeParse(value).success).toBe(true);
  });

  it.each([
    ['a rank of nodes or more', { ...launch, nodeRank: 2 }, 'nodeRank', 'must be below nodes'],
    ['one node', { ...launch, nodes: 1, nodeRank: 0 }, 'nodes', 'must be at least 2'],
    ['port 0', { ...launch, masterPort: 0 }, 'masterPort', 'Too small'],
    ['port 65536', { ...launch, masterPort: 65536 }, 'masterPort', 'must be a TCP port'],
    ['an address with a space', { ...launch, masterAddr: 'node 0' }, 'masterAddr', 'must be a host name or an IP address'],
    ['an empty address', { ...launch, masterAddr: '' }, 'masterAddr', 'must be a host name or an IP address'],
    ['an unknown key', { ...launch, backend: 'nccl' }, '', 'Unrecognized key'],
  ])('rejects %s, naming the key', (_what, value, key, message) => {
    const parsed = NodeLaunch.safeParse(value);
    expect(parsed.success).toBe(false);
    const issue = parsed.error!.issues[0]!;
    expect(issue.path.join('.')).toBe(key);
    expect(issue.message).toContain(message);
  });
});
