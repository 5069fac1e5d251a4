import { gitState } from '../workspace-state.js';
import type { YamlValue } from './yaml-front-matter.js';

/** Where a published dataset or adapter came from: written into its card, as YAML and as prose. */
export interface HubProvenance {
  /** `confide <version>` */
  builtBy: string;
  /** The workspace commit the artefact was built from, and whether the tree had uncommitted changes. */
  gitCommit: string | null;
  gitDirty: boolean | null;
  createdAt: string;
  /** What it was built from: dataset references (`hf://datasets/<repo>@<commit>`, bundled dataset names), run ids. */
  sources: string[];
  /** The command line that built or pushed it. */
  command?: string;
}

/** Provenance for something built now from `cwd`'s git checkout (commit and dirty flag are null outside git). */
export function currentProvenance(options: { builtBy: string; sources?: string[]; command?: string; cwd?: string }): HubProvenance {
  const cwd = options.cwd ?? process.cwd();
  const git = gitState(cwd);
  return {
    builtBy: options.builtBy,
    gitCommit: git.commit,
    gitDirty: git.dirty,
    createdAt: new Date().toISOString(),
    sources: options.sources ?? [],
    ...(options.command === undefined ? {} : { command: options.command }),
  };
}

export function provenanceYaml(provenance: HubProvenance): YamlValue {
  return {
    built_by: provenance.builtBy,
    git_commit: provenance.gitCommit,
    git_dirty: provenance.gitDirty,
    created_at: provenance.createdAt,
    sources: provenance.sources,
    command: provenance.command,
  };
}

export function provenanceMarkdown(provenance: HubProvenance): string {
  const lines = [
    '## Provenance',
    '',
    `- Built by ${provenance.builtBy} on ${provenance.createdAt}`,
    `- Workspace commit: ${provenance.gitCommit === null ? 'unknown (not a git checkout)' : `\`${provenance.gitCommit}\`${provenance.gitDirty ? ' with uncommitted changes' : ''}`}`,
  ];
  if (provenance.sources.length > 0) lines.push(`- Sources: ${provenance.sources.map((source) => `\`${source}\``).join(', ')}`);
  if (provenance.command !== undefined) lines.push(`- Command: \`${provenance.command}\``);
  return lines.join('\n');
}
