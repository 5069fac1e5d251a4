import { gradeScore, InvalidConfigError, type PriceTable, type RunRecord } from '@confide/core';
import { costUnknownSentence, recordedCostSentence, runCosts } from '@confide/routing';
import type { AblationExperiment } from './ablation-experiment.js';

/** How the ablation's runs stand on its cost axis: what the report says about their costs, and the runs it leaves off. */
export interface AblationCosts {
  /** One sentence per run costed (in part) by its recorded cost, and per run left off the cost axis (why). */
  notes: string[];
  /** Labels of `models` and `referenceRuns` left out: cost-unknown. */
  leftOut: ReadonlySet<string>;
}

const named = (label: string, run: string) => (label === run ? `\`${run}\`` : `${label} (\`${run}\`)`);

/**
 * Checks each run the ablation places on a cost axis (`runCosts`): a run whose records carry neither token counts nor a
 * recorded cost has no cost (not $0). The pair analysis (the small and large runs, the peers its routers read, the
 * cascade stages) costs every router, so such a run there refuses the ablation, saying why; one of the `models` or
 * `referenceRuns` is left out of the models section with that sentence in the report (the ablation is refused when
 * fewer than two models remain, or a chain names one left out). Runs costed by their recorded cost are named too.
 */
export function ablationCosts(experiment: AblationExperiment, records: (run: string) => RunRecord[], prices: PriceTable): AblationCosts {
  const notes: string[] = [];
  const leftOut = new Set<string>();
  const said = new Set<string>();
  const check = (label: string, run: string) => {
    const runRecords = records(run);
    const costs = runCosts(named(label, run), runRecords, prices);
    const recorded = recordedCostSentence(costs, prices);
    if (recorded !== null && !said.has(run)) notes.push(recorded);
    said.add(run);
    return { sentence: costUnknownSentence(costs), meanScore: runRecords.reduce((sum, record) => sum + gradeScore(record.grade), 0) / Math.max(1, runRecords.length), count: runRecords.length };
  };
  const pairRuns = [
    ...(experiment.small ? [{ label: experiment.small.label || experiment.small.run, run: experiment.small.run }] : []),
    ...(experiment.large ? [{ label: experiment.large.label || experiment.large.run, run: experiment.large.run }] : []),
    ...(experiment.routers ?? []).flatMap((entry) => Object.entries(entry.peers).map(([peer, { run }]) => ({ label: `peer ${peer}`, run }))),
    ...experiment.cascades.flatMap((entry) => entry.stages.map((stage) => ({ label: stage.run, run: stage.run }))),
  ];
  for (const { label, run } of pairRuns) {
    const { sentence } = check(label, run);
    if (sentence !== null) throw new InvalidConfigError(`${sentence} The pair analysis places every router on a cost axis, so it cannot run with this run; give a run whose log records token counts or costs`);
  }
  for (const entry of [...(experiment.models ?? []), ...experiment.referenceRuns]) {
    const { sentence, meanScore, count } = check(entry.label, entry.run);
    if (sentence === null) continue;
    leftOut.add(entry.label);
    notes.push(`${sentence} It is left out of the models section (its mean score on its ${count} problems: ${(meanScore * 100).toFixed(1)}%).`);
  }
  const models = (experiment.models ?? []).filter((entry) => !leftOut.has(entry.label));
  if (experiment.models !== undefined && models.length < 2) {
    throw new InvalidConfigError(`${notes.filter((sentence) => sentence.includes('is not placed on a cost axis')).join(' ')} Fewer than two models remain to route among (${models.map((entry) => entry.label).join(', ') || 'none'})`);
  }
  for (const chain of experiment.chains) {
    const gone = chain.stages.find((stage) => leftOut.has(stage.model));
    if (gone) throw new InvalidConfigError(`chain "${chain.id}" names "${gone.model}", which has no cost: ${notes.find((sentence) => sentence.startsWith(named(gone.model, experiment.models!.find((entry) => entry.label === gone.model)!.run)))}`);
  }
  return { notes, leftOut };
}
