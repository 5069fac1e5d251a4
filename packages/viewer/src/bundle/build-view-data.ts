import type { PipelineCheck, PriceTable, Problem, RoutingScore, RunRecord, ScoreDirection } from '@confide/core';
import { buildOutcomeTable, pairedProblemIds, recordedCalls } from '@confide/routing';
import { VIEW_DATA_SCHEMA_VERSION, type ViewAnswer, type ViewData, type ViewLostProblems, type ViewMathGrade, type ViewProblem, type ViewRun, type ViewScore } from '../view-data.js';

/** Grades a full response against a gold answer, saying what it found on each side (the CLI passes core/math). */
export type ResponseGrader = (gold: string, response: string) => Promise<ViewMathGrade>;

export interface ViewRunInput {
  id: string;
  label: string;
  records: readonly RunRecord[];
  /** The run manifest's `pipelineCheck`: a run made to check the pipeline, not to measure (the header says so). */
  pipelineCheck?: PipelineCheck | null;
}

interface ViewSourceCommon {
  title: string;
  command: string;
  /** The dataset's problems (questions, order); null when the dataset is not at hand (no questions shown). */
  problems: readonly Problem[] | null;
  prices: PriceTable;
  bootstrap: { resamples: number; seed: number; confidence: number };
}

/** A run, with the large run it delegates to and a run (or the same run's other verdicts) to compare with. */
export interface RunViewSource extends ViewSourceCommon {
  kind: 'run';
  run: ViewRunInput;
  /** A large run to delegate to: the threshold view needs it (and a score). */
  large?: ViewRunInput;
  /** A run to compare with; `grades: 'math'` says its records carry core/math's verdicts (`withMathGrades`). */
  compare?: ViewRunInput & { grades: 'recorded' | 'math' | 'regrade' };
  /** A field score, or a router's own score of a problem's small answer (computed here, for every problem). */
  score?: { score: RoutingScore; direction: ScoreDirection; label: string } | { of: (problem: Problem, small: RunRecord) => number; direction: ScoreDirection; label: string };
}

/** K ≥ 2 models (an ablation's `models`, or runs named on the command line), each labelled; labels are unique. */
export interface ModelsViewSource extends ViewSourceCommon {
  kind: 'models';
  models: readonly ViewRunInput[];
}

export type ViewSource = RunViewSource | ModelsViewSource;

function viewScore(score: NonNullable<RunViewSource['score']>, problems: readonly ViewProblem[], dataset: readonly Problem[] | null): ViewScore {
  if (!('of' in score)) return score;
  const byId = new Map((dataset ?? []).map((problem) => [problem.id, problem]));
  const values = problems.map((problem) => {
    const small = problem.answers[0]!.record;
    return score.of(byId.get(problem.id) ?? { id: problem.id, problem: problem.question ?? '', answer: small.gold }, small);
  });
  return { values, direction: score.direction, label: score.label };
}

/** The runs of a source in bundle order, with their roles, and the problems to show in order (and what each run lost). */
function runsOf(source: ViewSource): { runs: Array<{ input: ViewRunInput; run: ViewRun }>; ids: string[]; lost?: ViewLostProblems[] } {
  const datasetIds = source.problems?.map((problem) => problem.id) ?? null;
  const viewRun = (input: ViewRunInput, role: ViewRun['role'], grades?: ViewRun['grades']): ViewRun => ({
    id: input.id,
    label: input.label,
    role,
    ...(grades ? { grades } : {}),
    ...(input.pipelineCheck ? { pipelineCheck: input.pipelineCheck } : {}),
  });
  if (source.kind === 'run') {
    const runs = [{ input: source.run, run: viewRun(source.run, 'run') }];
    if (source.large) runs.push({ input: source.large, run: viewRun(source.large, 'large') });
    if (source.compare) runs.push({ input: source.compare, run: viewRun(source.compare, 'compare', source.compare.grades) });
    return { runs, ids: pairedProblemIds(datasetIds, source.run.records) };
  }
  if (source.models.length < 2) throw new Error(`a models view needs at least two runs (K ≥ 2), got ${source.models.length}`);
  // the outcome table intersects the runs' problems and counts what each lost (and checks labels, duplicates, scores)
  const table = buildOutcomeTable(source.models, source.prices);
  const kept = new Set(table.problemIds);
  const ids = pairedProblemIds(datasetIds, source.models[0]!.records).filter((id) => kept.has(id));
  return {
    runs: source.models.map((input) => ({ input, run: viewRun(input, 'model') })),
    ids,
    lost: table.lost.map((entry) => ({ label: entry.label, count: entry.count, firstIds: [...entry.firstIds] })),
  };
}

/** How many problems a source's bundle shows (a models source: those every model answered), before any grading. */
export function viewProblemCount(source: ViewSource): number {
  return runsOf(source).ids.length;
}

/**
 * The bundle's data: every record of every run on the problems shown, each with the grader's reading of its full
 * response (core/math from the CLI) and the calls it holds. A run bundle shows the viewed run's problems, and a paired
 * run lacking one fails by name; a models bundle shows the problems every model answered and counts what each lost.
 */
export async function buildViewData(source: ViewSource, gradeResponse: ResponseGrader, onProgress?: (done: number, total: number) => void): Promise<ViewData> {
  const { runs, ids, lost } = runsOf(source);
  const questions = new Map((source.problems ?? []).map((problem) => [problem.id, problem.problem]));
  const byId = runs.map(({ input }) => new Map(input.records.map((record) => [record.problemId, record])));
  const first = runs[0]!.input;
  const recordOf = (run: number, id: string): RunRecord => {
    const record = byId[run]!.get(id);
    if (record === undefined) throw new Error(`run "${runs[run]!.input.id}" has no record for problem ${id}, which "${first.id}" answers: a paired run needs every problem`);
    return record;
  };
  const total = ids.length * runs.length;
  let done = 0;
  const answerOf = async (record: RunRecord): Promise<ViewAnswer> => {
    const math = await gradeResponse(record.gold ?? '', record.generation.text);
    onProgress?.(++done, total);
    return {
      record,
      math,
      calls: recordedCalls(record, source.prices).map(({ costHundredMillionths, ...call }) => ({ ...call, costUsd: costHundredMillionths / 1e8 })),
    };
  };
  const problems: ViewProblem[] = [];
  for (const id of ids) {
    const answers: ViewAnswer[] = [];
    for (let run = 0; run < runs.length; run++) answers.push(await answerOf(recordOf(run, id)));
    problems.push({ id, question: questions.get(id) ?? null, answers });
  }
  const score = source.kind === 'run' && source.score && source.large ? viewScore(source.score, problems, source.problems) : undefined;
  return {
    schemaVersion: VIEW_DATA_SCHEMA_VERSION,
    title: source.title,
    command: source.command,
    runs: runs.map(({ run }) => run),
    ...(lost ? { lost } : {}),
    ...(score ? { score } : {}),
    prices: source.prices,
    bootstrap: source.bootstrap,
    problems,
  };
}
