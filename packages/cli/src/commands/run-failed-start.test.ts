import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workspaceRoot } from '@confide/data';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../main.js';

const saved = { python: process.env['CONFIDE_PYTHON'], gemini: process.env['GEMINI_API_KEY'] };
afterEach(() => {
  vi.restoreAllMocks();
  for (const [name, value] of [['CONFIDE_PYTHON', saved.python], ['GEMINI_API_KEY', saved.gemini]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

function errors(): string[] {
  const lines: string[] = [];
  vi.spyOn(console, 'error').mockImplementation((...args) => void lines.push(args.join(' ')));
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  return lines;
}

describe('a run that fails before its first record leaves nothing behind', () => {
  it('a pipeline without its Python environment: no run folder, and the retry fails the same way (not "pass --resume")', async () => {
    process.env['CONFIDE_PYTHON'] = '/nonexistent/confide-python/bin/python';
    const out = join(mkdtempSync(join(tmpdir(), 'confide-failed-start-')), 'run');
    const lines = errors();
    for (let attempt = 0; attempt < 2; attempt++) {
      expect(await runCli(['run', join(workspaceRoot(), 'experiments', 'tiny-e2e'), '--out', out])).toBe(1);
      expect(lines.at(-1)).toMatch(/nonexistent\/confide-python/);
      expect(lines.join('\n')).not.toMatch(/--resume/);
      expect(existsSync(out)).toBe(false);
    }
  }, 60_000);

  it('a pipeline into a folder that existed: the folder stays, the config it wrote goes, a file of the user stays', async () => {
    process.env['CONFIDE_PYTHON'] = '/nonexistent/confide-python/bin/python';
    const out = mkdtempSync(join(tmpdir(), 'confide-failed-start-'));
    errors();
    expect(await runCli(['run', join(workspaceRoot(), 'experiments', 'tiny-e2e'), '--out', out])).toBe(1);
    expect(readdirSync(out)).toEqual([]);
    mkdirSync(join(out, 'notes'));
    writeFileSync(join(out, 'notes', 'mine.txt'), 'keep me');
    expect(await runCli(['run', join(workspaceRoot(), 'experiments', 'tiny-e2e'), '--out', out])).toBe(1);
    expect(readdirSync(out).sort()).toEqual(['notes', 'pipeline.json']);
  }, 60_000);

  it('a live run whose large model has no API key: no run folder', async () => {
    delete process.env['GEMINI_API_KEY'];
    const experiment = mkdtempSync(join(tmpdir(), 'confide-failed-live-'));
    // the bundled live experiment, its large model made a real Gemini client (no key in the environment)
    const live = JSON.parse(readFileSync(join(workspaceRoot(), 'experiments', 'paper-math500-live', 'experiment.json'), 'utf8')) as Record<string, unknown> & { large: Record<string, unknown> };
    delete live['expect'];
    live['name'] = 'needs-a-key';
    live.large['client'] = { id: 'core/gemini', options: { model: 'gemini-2.5-flash' } };
    writeFileSync(join(experiment, 'experiment.json'), JSON.stringify(live));
    const lines = errors();
    const out = join(experiment, 'run');
    expect(await runCli(['run', experiment, '--out', out])).toBe(1);
    expect(lines.at(-1)).toMatch(/GEMINI_API_KEY/);
    expect(existsSync(out)).toBe(false);
  }, 60_000);
});
