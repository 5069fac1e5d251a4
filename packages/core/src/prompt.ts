import type { ChatMessage } from './plugins/plugin.js';
import type { Problem } from './schemas/problem.js';

export interface PromptTemplate {
  system?: string;
  /** `{problem}` is replaced by the problem text (plain replacement: other braces need no escaping). */
  user: string;
}

/** The chat messages for one problem. */
export function promptMessages(template: PromptTemplate, problem: Problem): ChatMessage[] {
  return [
    ...(template.system ? [{ role: 'system' as const, content: template.system }] : []),
    { role: 'user' as const, content: template.user.split('{problem}').join(problem.problem) },
  ];
}
