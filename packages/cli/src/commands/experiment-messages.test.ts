/**
 * Messages that name the thing: a missing experiment folder is NOT_FOUND in plain words; a plugin option, a swept
 * value or a swept option that is wrong names the file and the router entry when the experiment loads; an
 * ablation's paperExperiment may be a bundled experiment id, and a dangling one names the key; a report command
 * without --experiment refuses outside the checkout rather than rewrite its committed report.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfideError } from '@confide/core';
import { workspaceRoot } from '@confide/data';
import { loadExperimentOfKind } from '@confide/experiments';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { captureOutput } from '../../tests/capture-output.js';
import { runCli } from '../main.js';
import { createPluginRegistry } from '../plugin-registry.js';

afterEach(() => vi.restoreAllMocks());

const root = mkdtempSync(join(tmpdir(), 'confide-messages-'));
let count = 0;
const ablation = JSON.parse(readFileSync(join(workspaceRoot(), 'experiments', 'ablation-math500', 'experiment.json'), 'utf8')) as Record<string, unknown> & {
  routers: Array<{ id: string; router: { id: string; options: Record<string, unknown> }; sweep?: { option: string; values: unknown } }>;
};

/** An ablation experiment folder: ablation-math500's config changed by `edit`. */
function ablationFolder(edit: (config: typeof ablation) => void): string {
  const config = structuredClone(ablation);
  config['paperExperiment'] = 'paper-math500';
  edit(config);
  const folder = join(root, `ablation-${++count}`);
  mkdirSync(folder);
  writeFileSync(join(folder, 'experiment.json'), JSON.stringify(config, null, 2));
  return folder;
}

function entry(config: typeof ablation, id: string) {
  return config.routers.find((router) => router.id === id)!;
}

function loadError(folder: string): ConfideError {
  try {
    loadExperimentOfKind(folder, 'ablation', { registry: createPluginRegistry() });
  } catch (error) {
    if (ConfideError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('loaded');
}

async function cli(args: string[]) {
  const output = captureOutput();
  const code = await runCli(args);
  vi.restoreAllMocks();
  return { code, err: output.err.join('') };
}

describe('a missing experiment folder', () => {
  it('is NOT_FOUND in plain words, never a raw ENOENT', async () => {
    const missing = join(root, 'no-such-experiment');
    const { code, err } = await cli(['paper', '--experiment', missing]);
    expect(code).not.toBe(0);
    expect(err).toContain(`confide: error [NOT_FOUND]: no experiment folder ${missing}: it does not exist`);
    expect(err).not.toMatch(/ENOENT/);
  });

  it('suggests the experiment folder it is close to, and says a folder without experiment.json is not one', async () => {
    const { err } = await cli(['ablate', '--experiment', join(workspaceRoot(), 'experiments', 'ablation-math50')]);
    expect(err).toMatch(/\[NOT_FOUND\]: no experiment folder .*ablation-math50: it does not exist; did you mean .*experiments\/ablation-math500/);
    const empty = join(root, 'empty');
    mkdirSync(empty);
    expect((await cli(['paper', '--experiment', empty])).err).toContain(`[NOT_FOUND]: ${empty} is not an experiment folder: it has no experiment.json`);
  });
});

describe('plugin options are checked as the experiment loads, naming the file and the router entry', () => {
  it('a mistyped option key', () => {
    const folder = ablationFolder((config) => {
      entry(config, 'token-and-length').router.options = { maxOutputToken: 800 };
    });
    const error = loadError(folder);
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toBe(
      `${join(folder, 'experiment.json')}: router entry "token-and-length": router plugin "core/token-and-length": key "maxOutputToken": unknown key; did you mean "maxOutputTokens"?`,
    );
  });

  it('a swept value the plugin refuses, naming the item', () => {
    const folder = ablationFolder((config) => {
      entry(config, 'token-and-length').sweep!.values = [200, 300, -5];
    });
    expect(loadError(folder).message).toMatch(
      /experiment\.json: router entry "token-and-length": sweep\.values\[2\] \(maxOutputTokens = -5\): router plugin "core\/token-and-length": key "maxOutputTokens": /,
    );
  });

  it('a swept option the plugin does not have', () => {
    const folder = ablationFolder((config) => {
      entry(config, 'random').sweep!.option = 'rte';
    });
    expect(loadError(folder).message).toMatch(/router entry "random": key "sweep.option": "rte" is not an option of router plugin "core\/random"; did you mean "rate"/);
  });

  it('an unknown plugin id', () => {
    const folder = ablationFolder((config) => {
      entry(config, 'oracle').router.id = 'core/oracel';
    });
    const error = loadError(folder);
    expect(error.code).toBe('UNKNOWN_PLUGIN');
    expect(error.message).toMatch(/experiment\.json: router entry "oracle": no router plugin "core\/oracel"; did you mean "core\/oracle"/);
  });
});

describe("an ablation's paperExperiment", () => {
  it('may be a bundled experiment id', () => {
    const loaded = loadExperimentOfKind(ablationFolder(() => undefined), 'ablation', { registry: createPluginRegistry() });
    expect(loaded.experiment.paperExperiment).toBe(join(workspaceRoot(), 'experiments', 'paper-math500'));
  });

  it('names the key when its path is missing', () => {
    const folder = ablationFolder((config) => {
      config['paperExperiment'] = '../paper-math500';
    });
    expect(loadError(folder).message).toBe(
      `${join(folder, 'experiment.json')}: key "paperExperiment": no experiment at ${join(root, 'paper-math500')} (give a bundled experiment id such as "paper-math500", or a path to its folder relative to this file's folder)`,
    );
  });
});

describe('a report command without --experiment outside the checkout', () => {
  it.each(['ablate', 'paper'])('confide %s refuses and leaves the committed report alone', (command) => {
    const outside = mkdtempSync(join(tmpdir(), 'confide-outside-'));
    const summary = join(workspaceRoot(), 'reports', command === 'ablate' ? 'ablation-math500' : 'paper-math500', 'summary.json');
    const before = readFileSync(summary, 'utf8');
    const result = spawnSync(process.execPath, ['--conditions=@confide/source', '--import', pathToFileURL(join(workspaceRoot(), 'node_modules', 'tsx', 'dist', 'loader.mjs')).href, join(workspaceRoot(), 'packages', 'cli', 'src', 'main.ts'), command], {
      cwd: outside,
      encoding: 'utf8',
      env: { ...process.env, CONFIDE_ROOT: '' },
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(new RegExp(`confide: error \\[INVALID_CONFIG\\]: confide ${command} without --experiment .* runs only inside the checkout`));
    expect(readFileSync(summary, 'utf8')).toBe(before);
  }, 30_000);
});
