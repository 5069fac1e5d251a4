import { InvalidConfigError } from '@confide/core';

export type HubRepoType = 'dataset' | 'model';

/** A repository on the Hugging Face hub: a dataset or a model (an adapter is a model repository). */
export interface HubRepo {
  type: HubRepoType;
  /** `owner/name` */
  name: string;
}

const REPO_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*\/[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Parses `owner/name` (as the hub spells it) into a repository of the given type; anything else is a config error. */
export function parseHubRepo(text: string, type: HubRepoType): HubRepo {
  const name = text.trim();
  if (!REPO_NAME.test(name) || name.includes('..') || name.endsWith('.git')) {
    throw new InvalidConfigError(`"${text}" is not a hub repository name: expected owner/name, e.g. HuggingFaceH4/MATH-500`);
  }
  return { type, name };
}

/** `dataset HuggingFaceH4/MATH-500`: how messages name a repository. */
export function describeHubRepo(repo: HubRepo): string {
  return `${repo.type} ${repo.name}`;
}

/** The path segment the hub and the cache use for the repository kind. */
export function hubRepoFolder(repo: HubRepo): string {
  return repo.type === 'dataset' ? 'datasets' : 'models';
}

/** The repository's page on the hub: `<hub>/datasets/<name>` or `<hub>/<name>` for a model. */
export function hubRepoUrl(hubUrl: string, repo: HubRepo): string {
  return `${hubUrl.replace(/\/+$/, '')}/${repo.type === 'dataset' ? 'datasets/' : ''}${repo.name}`;
}

/** Whether a revision is a full commit id (which never moves, so a cached copy never needs the hub). */
export function isCommitId(revision: string): boolean {
  return /^[0-9a-f]{40}$/.test(revision);
}
