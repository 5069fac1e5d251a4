import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkScaffoldName, commandTypes, SCAFFOLD_KINDS, scaffoldFiles, scaffoldPluginId, writeScaffold } from './scaffold.js';

const types = { core: '/opt/confide/packages/core/dist/index', coreTesting: '/opt/confide/packages/core/dist/testing/index', typeRoots: '/opt/confide/node_modules/@types' };

describe('scaffoldFiles', () => {
  it.each(SCAFFOLD_KINDS)('%s: the plugin, its test, an experiment that uses it, tsconfig.json, every placeholder filled', (kind) => {
    const files = scaffoldFiles(kind, 'long-answers', 'me/long-answers', types);
    const experiment = kind === 'model' ? 'long-answers-live/experiment.json' : 'long-answers-ablation/experiment.json';
    expect(files.map((file) => file.path)).toEqual(['long-answers.ts', 'long-answers.test.ts', experiment, 'tsconfig.json']);
    for (const file of files) expect(file.text).not.toMatch(/__(name|id|export)__/);
    expect(files[0]!.text).toContain("export const longAnswers = definePlugin({\n  id: 'me/long-answers',");
    expect(files[0]!.text).toContain(`kind: '${kind}'`);
    expect(files[1]!.text).toContain("import { longAnswers } from './long-answers.js';");
    const parsed = JSON.parse(files[2]!.text) as { name: string; plugins: string[] };
    expect(parsed.plugins).toEqual(['../long-answers.ts']);
    expect(parsed.name).toBe(experiment.split('/')[0]);
    expect(files[2]!.text).toContain('"me/long-answers"');
  });

  it("maps @confide/core to the command's own copy", () => {
    const tsconfig = JSON.parse(scaffoldFiles('router', 'r', 'me/r', types)[3]!.text) as { compilerOptions: { paths: Record<string, string[]>; typeRoots: string[] } };
    expect(tsconfig.compilerOptions.paths).toEqual({ '@confide/core': ['/opt/confide/packages/core/dist/index'], '@confide/core/testing': ['/opt/confide/packages/core/dist/testing/index'] });
    expect(tsconfig.compilerOptions.typeRoots).toEqual(['/opt/confide/node_modules/@types']);
  });

  it("finds this command's built @confide/core and its test kit, without an extension (TypeScript finds the .d.ts, tsx the .js), from the sources too", () => {
    const found = commandTypes();
    expect(found.core).toMatch(/packages[\\/]core[\\/]dist[\\/]index$/);
    expect(found.coreTesting).toMatch(/packages[\\/]core[\\/]dist[\\/]testing[\\/]index$/);
  });
});

describe('names and ids', () => {
  it('takes lowercase words joined by dashes, naming the export in camelCase', () => {
    expect(checkScaffoldName('my-router-2')).toEqual({ exportName: 'myRouter2' });
    expect(() => checkScaffoldName('My_Router')).toThrow(/"My_Router" is not a name for a plugin/);
    expect(() => checkScaffoldName('-x')).toThrow(/not a name/);
    expect(() => checkScaffoldName('class')).toThrow(/JavaScript keyword/);
  });

  it('gives me/<name> by default, and refuses a malformed id or the core/ namespace', () => {
    expect(scaffoldPluginId('my-router', undefined)).toBe('me/my-router');
    expect(scaffoldPluginId('my-router', 'lab/short')).toBe('lab/short');
    expect(() => scaffoldPluginId('x', 'nonamespace')).toThrow(/--id "nonamespace": a plugin id is namespace\/name/);
    expect(() => scaffoldPluginId('x', 'core/x')).toThrow(/namespace "core\/" is Confide's own/);
  });
});

describe('writeScaffold', () => {
  it('writes every file, then keeps a file with the same text and refuses others, naming each and writing nothing', () => {
    const folder = mkdtempSync(join(tmpdir(), 'confide-scaffold-'));
    const files = scaffoldFiles('router', 'my-router', 'me/my-router', types);
    expect(writeScaffold(folder, files)).toEqual({ written: files.map((file) => file.path), kept: [] });
    expect(readFileSync(join(folder, 'my-router-ablation', 'experiment.json'), 'utf8')).toBe(files[2]!.text);

    // a second plugin in the same folder shares the tsconfig.json
    const evaluator = scaffoldFiles('evaluator', 'my-grader', 'me/my-grader', types);
    expect(writeScaffold(folder, evaluator)).toEqual({ written: ['my-grader.ts', 'my-grader.test.ts', 'my-grader-ablation/experiment.json'], kept: ['tsconfig.json'] });

    writeFileSync(join(folder, 'my-router.ts'), '// my own edits\n');
    writeFileSync(join(folder, 'tsconfig.json'), '{}\n');
    const before = readdirSync(folder).sort();
    expect(() => writeScaffold(folder, scaffoldFiles('router', 'my-router', 'me/my-router', types))).toThrow(/will not overwrite my-router\.ts, tsconfig\.json in .*nothing written/);
    expect(readdirSync(folder).sort()).toEqual(before);
    expect(readFileSync(join(folder, 'my-router.ts'), 'utf8')).toBe('// my own edits\n');
  });
});
