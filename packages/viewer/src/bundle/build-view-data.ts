import type { PipelineCheck, PriceTable, Problem, RoutingScore, RunRecord, ScoreDirection } from '@confide/core';
import { pairedProblemIds, recordedCalls } from '@confide/routing';
import { VIEW_DATA_SCHEMA_VERSION, type ViewAnswer, type ViewData, type ViewMathGrade, type ViewProblem, type ViewScore } from '../view-data.js';

/** Grades a full response against a gold answer, saying what it found on each side (the CLI passes core/math). */
export type ResponseGrader = (gold: string, response: string) => Promise<ViewMathGrade>;

export interface ViewRunInput {
  id: string;
  label: string;
  records: readonly RunRecord[];
  /** The run manifest's `pipelineCheck`: a run made to check the pipeline, not to measure (the header says so). */
  pipelineCheck?: PipelineCheck | null;
}

export interface ViewSource {
  title: string;
  command: string;
  run: ViewRunInput;
  /** A large run to delegate to: the threshold view needs it (and a score). */
  large?: ViewRunInput;
  /** A run to compare with; `grades: 'math'` says its records carry core/math's verdicts (`withMathGrades`). */
  compare?: ViewRunInput & { grades: 'recorded' | 'math' | 'regrade' };
  /** A field score, or a router's own score of a problem's small answer (computed here, for every problem). */
  score?: { score: RoutingScore; direction: ScoreDirection; label: string } | { of: (problem: Problem, small: RunRecord) => number; direction: ScoreDirection; label: string };
  /** The dataset's problems (questions, order); null when the dataset is not at hand (no questions shown). */
  problems: readonly Problem[] | null;
  prices: PriceTable;
  bootstrap: { resamples: number; seed: number; confidence: number };
}

function viewScore(score: NonNullable<ViewSource['score']>, problems: readonly ViewProblem[], dataset: readonly Problem[] | null): ViewScore {
  if (!('of' in score)) return score;
  const byId = new Map((dataset ?? []).map((problem) => [problem.id, problem]));
  const values = problems.map((problem) => score.of(byId.get(problem.id) ?? { id: problem.id, problem: problem.question ?? '', answer: problem.answer.record.gold }, problem.answer.record));
  return { values, direction: score.direction, label: score.label };
}

/**
 * The bundle's data: every record of the run (and of the large and compared runs) on the paired problems, each with
 * the grader's reading of its full response (core/math from the CLI) and the calls it holds. Problems the paired runs lack fail by name.
 */
export async function buildViewData(source: ViewSource, gradeResponse: ResponseGrader, onProgress?: (done: number, total: number) => void): Promise<ViewData> {
  const ids = pairedProblemIds(source.problems?.map((problem) => problem.id) ?? null, source.run.records);
  const questions = new Map((source.problems ?? []).map((problem) => [problem.id, problem.problem]));
  const viewRun = (run: ViewRunInput) => ({ id: run.id, label: run.label, ...(run.pipelineCheck ? { pipelineCheck: run.pipelineCheck } : {}) });
  const byId = (run: ViewRunInput) => new Map(run.records.map((record) => [record.problemId, record]));
  const main = byId(source.run);
  const large = source.large ? byId(source.large) : null;
  const compare = source.compare ? byId(source.compare) : null;
  const recordOf = (map: Map<string, RunRecord>, run: ViewRunInput, id: string): RunRecord => {
    const record = map.get(id);
    if (record === undefined) throw new Error(`run "${run.id}" has no record for problem ${id}, which "${source.run.id}" answers: a paired run needs every problem`);
    return record;
  };
  const total = ids.length * (1 + (large ? 1 : 0) + (compare ? 1 : 0));
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
    const answer = await answerOf(recordOf(main, source.run, id));
    const problem: ViewProblem = { id, question: questions.get(id) ?? null, answer };
    if (large && source.large) problem.large = await answerOf(recordOf(large, source.large, id));
    if (compare && source.compare) {
      problem.compare = await answerOf(recordOf(compare, source.compare, id));
    }
    problems.push(problem);
  }
  return {
    schemaVersion: VIEW_DATA_SCHEMA_VERSION,
    title: source.title,
    command: source.command,
    run: viewRun(source.run),
    ...(source.large ? { large: viewRun(source.large) } : {}),
    ...(source.compare ? { compare: { ...viewRun(source.compare), grades: source.compare.grades } } : {}),
    ...(source.score && source.large ? { score: viewScore(source.score, problems, source.problems) } : {}),
    prices: source.prices,
    bootstrap: source.bootstrap,
    problems,
  };
}
