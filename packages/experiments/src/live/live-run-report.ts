import { costLabel, COST_ACCOUNTING } from '@confide/metrics';
import type { LiveRunSummary } from './live-run-summary.js';

const usd = (value: number) => value.toFixed(6);
const percent = (correct: number, total: number) => (total === 0 ? '-' : ((correct * 100) / total).toFixed(1));

/** The run's report as markdown: accuracy under each evaluator, the hand-off, the ledger, failures, expected numbers. */
export function liveRunReport(summary: LiveRunSummary): string {
  const lines = [`# ${summary.title}`, '', `Run \`${summary.name}\`, graded by \`${summary.evaluator}\`.`, ''];
  lines.push('| evaluator | correct | problems | accuracy % |', '|:-|-:|-:|-:|');
  lines.push(`|${summary.evaluator}|${summary.accuracy.correct}|${summary.accuracy.total}|${summary.accuracy.percent.toFixed(1)}|`);
  for (const other of summary.otherEvaluators) lines.push(`|${other.id}|${other.correct}|${other.total}|${other.percent.toFixed(1)}|`);
  lines.push('', '## Hand-off', '', `| side | model | problems | correct | accuracy % | ${costLabel('answers')} $ |`, '|:-|:-|-:|-:|-:|-:|');
  for (const row of summary.handOff) {
    lines.push(`|${row.side}|${row.model}|${row.problems}|${row.correct}|${percent(row.correct, row.problems)}|${usd(row.costUsd)}|`);
  }
  if (summary.router) lines.push(`|router|${summary.router.model}|${summary.router.calls}|||${usd(summary.router.costUsd)}|`);
  if (summary.models) {
    lines.push('', '## Models', '', `| label | model | problems | correct | accuracy % | ${costLabel('answers')} $ |`, '|:-|:-|-:|-:|-:|-:|');
    for (const row of summary.models) lines.push(`|${row.label}|${row.model}|${row.problems}|${row.correct}|${percent(row.correct, row.problems)}|${usd(row.costUsd)}|`);
  }
  lines.push(
    '',
    '## Cost',
    '',
    `- ${COST_ACCOUNTING.answers} (the answers used; the paper's accounting): $${usd(summary.costUsd.answers)}`,
    `- ${COST_ACCOUNTING.answersAndOrchestrator}: $${usd(summary.costUsd.withRouter)}`,
    `- ${COST_ACCOUNTING.allCalls} (small answers delegated away included; what the budget counts): $${usd(summary.costUsd.allCalls)}`,
  );
  if (summary.expected) {
    const mark = (ok: boolean) => (ok ? '✓' : '✗');
    lines.push(
      '',
      '## Expected',
      '',
      `- correct: ${summary.expected.correct.actual} (expected ${summary.expected.correct.expected}) ${mark(summary.expected.correct.ok)}`,
      `- ${costLabel('answers')}: $${summary.expected.costUsd.actual} (expected $${summary.expected.costUsd.expected}) ${mark(summary.expected.costUsd.ok)}`,
    );
  }
  lines.push('', `## Failed problems (${summary.failed.length})`, '');
  for (const failure of summary.failed) lines.push(`- ${failure.problemId}: ${failure.reason}`);
  return lines.join('\n') + '\n';
}
