import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileSystemError } from '@confide/core';
import { afterEach, describe, expect, it } from 'vitest';
import { setFileSystemFaultForTests, writeFileAtomic } from './atomic-write.js';
import { checkReportOutFolder, checkRunOutFolder, REPORT_MARKER_FILE, writeReportFolder } from './output-folder.js';

afterEach(() => setFileSystemFaultForTests(undefined));

const root = mkdtempSync(join(tmpdir(), 'confide-out-'));
let count = 0;
const fresh = (name: string) => join(root, `${name}-${++count}`);

/** The error `action` throws (it must throw). */
async function refusal(action: () => unknown): Promise<FileSystemError> {
  try {
    await action();
  } catch (error) {
    return error as FileSystemError;
  }
  throw new Error('expected a refusal');
}

/** Writes a report with the given policies (a smaller config writes fewer). */
const writePolicies = (folder: string, policies: string[]) =>
  writeReportFolder(folder, 'ablation', (staging) => {
    writeFileAtomic(join(staging, 'report.md'), `# ${policies.length} policies\n`);
    for (const policy of policies) writeFileAtomic(join(staging, 'policies', `${policy}.json`), '{}\n');
    return policies.length;
  });

describe('report folders', () => {
  it('are written whole: a rewrite with a smaller config leaves no stale policies/*.json, and the marker says Confide wrote it', async () => {
    const folder = fresh('report');
    await writePolicies(folder, ['a', 'b', 'c']);
    expect(readdirSync(join(folder, 'policies')).sort()).toEqual(['a.json', 'b.json', 'c.json']);
    await writePolicies(folder, ['a']);
    expect(readdirSync(join(folder, 'policies'))).toEqual(['a.json']);
    expect(readdirSync(folder).sort()).toEqual([REPORT_MARKER_FILE, 'policies', 'report.md']);
    expect(JSON.parse(readFileSync(join(folder, REPORT_MARKER_FILE), 'utf8'))).toEqual({ writtenBy: 'confide', kind: 'ablation' });
    // no staging or set-aside folder is left beside it
    expect(readdirSync(root).filter((name) => name.includes('report-') && name !== folder.split('/').at(-1))).toEqual([]);
  });

  it('a non-empty folder Confide did not write is refused and left untouched', async () => {
    const folder = fresh('mine');
    mkdirSync(folder);
    writeFileSync(join(folder, 'thesis.tex'), 'years of work');
    const error = await refusal(() => writePolicies(folder, ['a']));
    expect(error.code).toBe('OUTPUT_REFUSED');
    expect(error.message).toMatch(new RegExp(`^${folder}: is not empty and Confide did not write it`));
    expect(readdirSync(folder)).toEqual(['thesis.tex']);
    expect(readFileSync(join(folder, 'thesis.tex'), 'utf8')).toBe('years of work');
  });

  it('an empty folder and a missing one are fine', async () => {
    const empty = fresh('empty');
    mkdirSync(empty);
    await writePolicies(empty, ['a']);
    await writePolicies(join(fresh('missing'), 'deeper'), ['a']);
  });

  it('a run folder (manifest.json) is refused for a report, a report folder for a run, another kind of report for a report', async () => {
    const run = fresh('run');
    mkdirSync(run);
    writeFileSync(join(run, 'manifest.json'), '{}');
    expect((await refusal(() => checkReportOutFolder(run, 'paper'))).message).toBe(
      `${run}: is a run folder (it holds manifest.json); a paper report goes in a folder of its own: choose another --out`,
    );
    const report = fresh('report');
    await writePolicies(report, ['a']);
    expect((await refusal(() => checkRunOutFolder(report))).message).toBe(`${report}: is a Confide ablation report folder; a run goes in a folder of its own: choose another --out`);
    expect((await refusal(() => checkReportOutFolder(report, 'paper'))).message).toBe(`${report}: holds a Confide ablation report; write the paper report to another --out`);
    checkRunOutFolder(run);
  });

  it('a file is refused for a report and for a run', async () => {
    const file = fresh('file');
    writeFileSync(file, 'x');
    for (const check of [() => checkReportOutFolder(file, 'view'), () => checkRunOutFolder(file)]) {
      const error = await refusal(check);
      expect([error.code, error.message]).toEqual(['OUTPUT_REFUSED', `${file}: is a file, not a folder`]);
    }
  });

  it('a failed write names the file in the user\'s folder, not the staging folder, and keeps the earlier report', async () => {
    const folder = fresh('report');
    await writePolicies(folder, ['a', 'b']);
    const error = await refusal(() =>
      writeReportFolder(folder, 'ablation', (staging) => {
        writeFileAtomic(join(staging, 'report.md'), 'new');
        setFileSystemFaultForTests({ code: 'ENOSPC', under: staging });
        writeFileAtomic(join(staging, 'policies', 'a.json'), '{}');
      }),
    );
    expect(error.message).toBe(`${join(folder, 'policies', 'a.json')}: no space left on device`);
    expect(readdirSync(join(folder, 'policies')).sort()).toEqual(['a.json', 'b.json']);
    expect(readFileSync(join(folder, 'report.md'), 'utf8')).toBe('# 2 policies\n');
    expect(readdirSync(root).filter((name) => name.includes('.staging') || name.endsWith('.old'))).toEqual([]);
  });

  it('an unwritable parent is refused before anything is made', async () => {
    const parent = fresh('read-only');
    mkdirSync(parent);
    setFileSystemFaultForTests({ code: 'EPERM', under: parent });
    const error = await refusal(() => writePolicies(join(parent, 'report'), ['a']));
    expect(error.code).toBe('OUTPUT_REFUSED');
    expect(error.message).toBe(`${join(parent, 'report')}: not writable: permission denied (operation not permitted) (in ${parent})`);
    expect(existsSync(join(parent, 'report'))).toBe(false);
  });
});
