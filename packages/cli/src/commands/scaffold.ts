import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfideError, InvalidConfigError, PluginId, RESERVED_PLUGIN_NAMESPACE } from '@confide/core';

/** What `confide new` scaffolds: a plugin of one of these kinds. */
export const SCAFFOLD_KINDS = ['router', 'evaluator', 'model'] as const;
export type ScaffoldKind = (typeof SCAFFOLD_KINDS)[number];

/** The templates, shipped in the package beside `src/` and `dist/` (one folder per kind; `__name__` in paths and text). */
const TEMPLATES = fileURLToPath(new URL('../../templates/', import.meta.url));
const TEMPLATE_SUFFIX = '.template';

/** A file `confide new` writes: its path relative to the folder it writes in, and its text. */
export interface ScaffoldFile {
  path: string;
  text: string;
}

/** Where the command's own packages are, for the scaffolded tsconfig.json (so an editor type-checks against them). */
export interface CommandTypes {
  /** `@confide/core`'s built entry, without its extension (`…/core/dist/index`: TypeScript finds the .d.ts, tsx the .js). */
  core: string;
  /** `@confide/core/testing`'s, the same way. */
  coreTesting: string;
  /** The folder holding `@types/node`, when the command has it (a test imports `node:test`). */
  typeRoots: string | undefined;
}

/**
 * This command's `@confide/core` (and `@types/node`): the built entries its package.json exports declare types for,
 * the same whether the command runs built or from its sources.
 */
export function commandTypes(): CommandTypes {
  const require = createRequire(import.meta.url);
  // by a name held in a variable: a file path is wanted, and a literal reads to the linter as a lazy import of core
  const core = '@confide/core';
  const packageFile = require.resolve(`${core}/package.json`);
  const { exports } = JSON.parse(readFileSync(packageFile, 'utf8')) as { exports: Record<string, { types?: string }> };
  const entry = (subpath: string) => {
    const types = exports[subpath]?.types;
    if (types === undefined) throw new ConfideError('NOT_FOUND', `new: ${packageFile} exports no types for "${subpath}"`);
    return join(dirname(packageFile), types.replace(/\.d\.ts$/, ''));
  };
  let typeRoots: string | undefined;
  try {
    typeRoots = dirname(dirname(require.resolve('@types/node/package.json')));
  } catch {
    typeRoots = undefined;
  }
  return { core: entry('.'), coreTesting: entry('./testing'), typeRoots };
}

const RESERVED_WORDS = new Set(
  'break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await'.split(' '),
);

/** A name in lowercase words joined by dashes (`my-router`); its camelCase form names the export. */
export function checkScaffoldName(name: string): { exportName: string } {
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name)) {
    throw new InvalidConfigError(`new: "${name}" is not a name for a plugin: use lowercase letters and digits in words joined by dashes, starting with a letter (e.g. my-router)`);
  }
  const exportName = name.replace(/-([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
  if (RESERVED_WORDS.has(exportName)) throw new InvalidConfigError(`new: "${name}" is a JavaScript keyword and cannot name the export: choose another name`);
  return { exportName };
}

/** The plugin id: `--id` as given (namespace/name, not core/), else `me/<name>`. */
export function scaffoldPluginId(name: string, id: string | undefined): string {
  const chosen = id ?? `me/${name}`;
  const parsed = PluginId.safeParse(chosen);
  if (!parsed.success) throw new InvalidConfigError(`new: --id "${chosen}": ${parsed.error.issues[0]!.message}`);
  if (chosen.split('/')[0] === RESERVED_PLUGIN_NAMESPACE) throw new InvalidConfigError(`new: --id "${chosen}": the namespace "${RESERVED_PLUGIN_NAMESPACE}/" is Confide's own; name yours under another (e.g. me/${name})`);
  return chosen;
}

/** Every template file of a kind, relative to its folder. */
function templateFiles(folder: string, under = ''): string[] {
  return readdirSync(join(folder, under), { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => (entry.isDirectory() ? templateFiles(folder, join(under, entry.name)) : entry.name.endsWith(TEMPLATE_SUFFIX) ? [join(under, entry.name)] : []));
}

/** The tsconfig.json of a scaffolded folder: `@confide/core` (and `/testing`) mapped to the command's own copy. */
export function scaffoldTsconfig(types: CommandTypes): string {
  const compilerOptions = {
    target: 'es2023',
    lib: ['es2023'],
    module: 'preserve',
    moduleResolution: 'bundler',
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    isolatedModules: true,
    esModuleInterop: true,
    ...(types.typeRoots === undefined ? {} : { types: ['node'], typeRoots: [types.typeRoots] }),
    // the confide command's own @confide/core: the folder has no node_modules, and confide loads your files with it.
    // Without an extension, TypeScript finds the declarations (.d.ts) and tsx, reading these paths, the code (.js).
    paths: { '@confide/core': [types.core], '@confide/core/testing': [types.coreTesting] },
  };
  return `${JSON.stringify({ compilerOptions, include: ['**/*.ts'] }, null, 2)}\n`;
}

/** The files `confide new <kind> <name>` writes, in order: the plugin, its test, an experiment that uses it, tsconfig.json. */
export function scaffoldFiles(kind: ScaffoldKind, name: string, id: string, types: CommandTypes): ScaffoldFile[] {
  const { exportName } = checkScaffoldName(name);
  const folder = join(TEMPLATES, kind);
  const fill = (text: string) => text.replaceAll('__name__', name).replaceAll('__id__', id).replaceAll('__export__', exportName);
  const order = (path: string) => (path === `${name}.ts` ? 0 : path.endsWith('.test.ts') ? 1 : 2);
  const files = templateFiles(folder)
    .map((template) => ({ path: fill(template.slice(0, -TEMPLATE_SUFFIX.length)).split('\\').join('/'), text: fill(readFileSync(join(folder, template), 'utf8')) }))
    .sort((a, b) => order(a.path) - order(b.path));
  return [...files, { path: 'tsconfig.json', text: scaffoldTsconfig(types) }];
}

/** What `writeScaffold` did: the files written, and those already there with the same text (kept). */
export interface ScaffoldWritten {
  written: string[];
  kept: string[];
}

/**
 * Writes the files into `folder`, or none of them: a file already there with other text is never overwritten, and
 * the refusal names every such file. A file with the same text (tsconfig.json of an earlier `confide new` in the
 * folder) is kept as it is.
 */
export function writeScaffold(folder: string, files: readonly ScaffoldFile[]): ScaffoldWritten {
  const kept: string[] = [];
  const clashes: string[] = [];
  for (const file of files) {
    const target = join(folder, file.path);
    if (!existsSync(target)) continue;
    if (readFileSync(target, 'utf8') === file.text) kept.push(file.path);
    else clashes.push(file.path);
  }
  if (clashes.length > 0) {
    throw new ConfideError('OUTPUT_REFUSED', `new: will not overwrite ${clashes.join(', ')} in ${relative(process.cwd(), folder) || '.'}: move ${clashes.length === 1 ? 'it' : 'them'} away or choose another name (nothing written)`);
  }
  const written: string[] = [];
  for (const file of files) {
    if (kept.includes(file.path)) continue;
    const target = join(folder, file.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.text, { flag: 'wx' });
    written.push(file.path);
  }
  return { written, kept };
}
