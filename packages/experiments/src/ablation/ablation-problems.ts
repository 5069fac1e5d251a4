import { InvalidConfigError, LoopTurns, type Problem, type RunControl } from '@confide/core';
import { datasetLabel, loadProblems, readCooperatively, readRunProblemsSteps, type LoadedProblems, type RunDirectory } from '@confide/data';
import type { ProblemAgreement } from '@confide/reports';
import type { AblationExperiment } from './ablation-experiment.js';

type ProblemDisagreements = ProblemAgreement['questionMismatches'];

export interface AblationProblems {
  problems: Problem[];
  /** The reference the report names (a dataset's pinned reference, or the runs). */
  reference: string;
  agreement: ProblemAgreement;
}

/** A question as compared: whitespace runs collapsed and ends trimmed (a CSV round trip may change line ends). */
const questionKey = (question: string) => question.replace(/\s+/g, ' ').trim();
const SHOWN = 3;

function note(disagreements: ProblemDisagreements, text: string): void {
  if (disagreements.count++ < SHOWN) disagreements.first.push(text);
}

/**
 * Every run the ablation reads, with the problems it carries (null: a v1 run, which carries none), each problems file
 * read with turns of the event loop (progress in bytes, CANCELLED on the signal).
 */
async function carriedProblems(runs: readonly string[], loadRun: (reference: string) => RunDirectory, control: RunControl): Promise<Array<{ run: string; problems: Problem[] | null }>> {
  const carried: Array<{ run: string; problems: Problem[] | null }> = [];
  for (const run of runs) carried.push({ run, problems: await readCooperatively(readRunProblemsSteps(loadRun(run)), control, `reading the problems of run ${run}`) });
  return carried;
}

/** Turns of the event loop while every run's problems are matched (a question compared per problem): progress, Ctrl-C. */
function matchingTurns(compared: ReadonlyArray<{ problems: Problem[] | null }>, control: RunControl, against: string): LoopTurns {
  const total = compared.reduce((sum, entry) => sum + entry.problems!.length, 0);
  return new LoopTurns(control, `problems: matching the runs' problems ${against}`, total, 'problems');
}

/**
 * The problems of an ablation: the experiment's dataset when it names one, each run's carried problems matched to it
 * by id (mismatches counted); else the problems the runs carry, in the order the runs first give them (the small run's
 * for the pair, the first model's for `models`), which must then be carried by every run read. `control`: progress of
 * the reading and matching, and a signal (Ctrl-C) that stops them with a CANCELLED error.
 */
export async function ablationProblems(
  experiment: AblationExperiment,
  runs: readonly string[],
  loadRun: (reference: string) => RunDirectory,
  folder: string,
  control: RunControl = {},
  /** The experiment's dataset, loaded already (the ablation loads it early to start its learned routers' fits). */
  dataset?: LoadedProblems,
): Promise<AblationProblems> {
  const carried = await carriedProblems(runs, loadRun, control);
  const compared = carried.filter((entry) => entry.problems !== null);
  const questionMismatches: ProblemDisagreements = { count: 0, first: [] };
  const missingFromDataset: ProblemDisagreements = { count: 0, first: [] };

  if (experiment.dataset !== undefined) {
    const loaded = dataset ?? (await loadProblems(experiment.dataset, { baseFolder: folder, ...(control.signal ? { signal: control.signal } : {}) }));
    const byId = new Map(loaded.problems.map((problem) => [problem.id, problem]));
    const mismatched = new Set<string>();
    const missing = new Set<string>();
    const turns = matchingTurns(compared, control, 'to the dataset');
    let done = 0;
    for (const { run, problems } of compared) {
      for (const problem of problems!) {
        await turns.step(done++);
        const known = byId.get(problem.id);
        if (known === undefined) {
          if (!missing.has(problem.id)) note(missingFromDataset, `${problem.id} (${run})`);
          missing.add(problem.id);
        } else if (problem.problem.trim() !== '' && questionKey(problem.problem) !== questionKey(known.problem) && !mismatched.has(problem.id)) {
          mismatched.add(problem.id);
          note(questionMismatches, `${problem.id} (${run} against the dataset)`);
        }
      }
    }
    turns.finish();
    return { problems: loaded.problems, reference: loaded.reference, agreement: { source: 'dataset', runsCompared: compared.length, questionMismatches, missingFromDataset } };
  }

  const without = carried.filter((entry) => entry.problems === null).map((entry) => entry.run);
  if (without.length > 0) {
    throw new InvalidConfigError(`the experiment names no "dataset", so its problems come from the runs, and ${without.map((run) => `"${run}"`).join(', ')} ${without.length === 1 ? 'carries' : 'carry'} none (a run written before runs carried their problems): give the experiment a "dataset"`);
  }
  const problems: Problem[] = [];
  const first = new Map<string, { problem: Problem; run: string; index: number }>();
  const mismatched = new Set<string>();
  const turns = matchingTurns(compared, control, 'to each other');
  let done = 0;
  for (const { run, problems: own } of compared) {
    for (const problem of own!) {
      await turns.step(done++);
      const seen = first.get(problem.id);
      if (seen === undefined) {
        first.set(problem.id, { problem, run, index: problems.length });
        problems.push(problem);
      } else if (seen.problem.problem.trim() === '' && problem.problem.trim() !== '') {
        // a run without the question text (a log that does not record it) gives way to one with it
        first.set(problem.id, { problem, run, index: seen.index });
        problems[seen.index] = problem;
      } else if (problem.problem.trim() !== '' && questionKey(problem.problem) !== questionKey(seen.problem.problem) && !mismatched.has(problem.id)) {
        mismatched.add(problem.id);
        note(questionMismatches, `${problem.id} (${seen.run} and ${run})`);
      }
    }
  }
  turns.finish();
  return { problems, reference: `the problems the runs carry (${compared.length} runs)`, agreement: { source: 'runs', runsCompared: compared.length, questionMismatches, missingFromDataset } };
}

/** The dataset as the experiment names it, or what stands for it without one. */
export function problemsLabel(experiment: Pick<AblationExperiment, 'dataset'>): string {
  return experiment.dataset === undefined ? 'the runs' : datasetLabel(experiment.dataset);
}
