import { createRandom, definePlugin, FeatureSpec, FittedModel, InvalidConfigError, LearnerSettings, PLUGIN_SPECIFICATION_VERSION, type Problem, type RouterDecision, type RunControl, type RunRecord, type SparseVector } from '@confide/core';
import { z } from 'zod';
import { crossFit, crossFitCooperatively, crossFittedProbabilities, crossFittedProbability, type CrossFitted, type TrainingExample } from './cross-fit.js';

export const CrossFittedModels = z.strictObject({
  folds: z.number().int().min(2),
  seed: z.number().int().nonnegative(),
  assignment: z.record(z.string(), z.number().int().nonnegative()),
  foldModels: z.array(FittedModel),
  full: FittedModel,
});

/**
 * Models this process fitted (`crossFit` below): handed to another instance through `fittedOptions` (an ablation
 * re-creates the router at each checked threshold) they pass as they are, the same object, instead of being
 * re-validated and copied; models from a file (a policy) are validated by `CrossFittedModels`.
 */
const fittedInThisProcess = new WeakSet<object>();
const FittedModels = z.union([
  z.custom<CrossFitted>((value) => typeof value === 'object' && value !== null && fittedInThisProcess.has(value)),
  CrossFittedModels,
]);

/**
 * Each fitted model set's probabilities, by the small answer's record (or by problem id when the features read no
 * answer): instances sharing the models (one per checked threshold) compute each problem's probability once.
 */
interface Probabilities {
  byAnswer: WeakMap<RunRecord, number>;
  byProblem: Map<string, number>;
}
const probabilitiesOf = new WeakMap<CrossFitted, Probabilities>();

export const LearnedRouterOptions = z.strictObject({
  learner: LearnerSettings.prefault({ model: 'logistic' }),
  features: FeatureSpec.prefault({}),
  /** k of the k-fold cross-fitting; the seed fixes the folds (recorded with the models). */
  folds: z.number().int().min(2).max(20).default(5),
  seed: z.number().int().nonnegative().default(0),
  /** Keep the small answer when its predicted probability of being right is at least this. */
  threshold: z.number().min(0).max(1).default(0.5),
  /**
   * Fit on at most this many examples, a seeded sample (the field's scale: a million problems); the problems left out
   * are scored by the model fitted on the sample, which never saw them. Absent: every example.
   */
  sample: z.number().int().min(10).optional(),
  /** Models fitted before (a policy file holds them): used as they are, nothing is fitted. */
  fitted: FittedModels.optional(),
});
export type LearnedRouterOptions = z.infer<typeof LearnedRouterOptions>;

function trainingExamples(problems: readonly Problem[], small: readonly RunRecord[]): TrainingExample[] {
  const byId = new Map(small.map((record) => [record.problemId, record]));
  return problems.flatMap((problem) => {
    const record = byId.get(problem.id);
    return record === undefined ? [] : [{ problem, small: record }];
  });
}

/** At most `size` examples, a seeded uniform sample kept in their order; all of them when there are no more. */
function sampled(examples: TrainingExample[], size: number | undefined, seed: number): TrainingExample[] {
  if (size === undefined || examples.length <= size) return examples;
  const random = createRandom(seed);
  const positions = Uint32Array.from(examples.keys());
  for (let index = 0; index < size; index++) {
    const other = index + Math.floor(random() * (positions.length - index));
    [positions[index], positions[other]] = [positions[other]!, positions[index]!];
  }
  return Array.from(positions.subarray(0, size).sort(), (position) => examples[position]!);
}

/**
 * `core/learned`: predicts the probability that the small model's answer is right from features of the problem and
 * (post-hoc) of the answer, with logistic regression or k-nearest neighbours, and delegates below a threshold. It
 * fits on the data its context lends (an ablation: its problems and small run) by k-fold cross-fitting, so the
 * probability of a problem it was fitted on comes from a model that did not see it; new problems use the model
 * fitted on all of them.
 */
export const learnedRouter = definePlugin({
  id: 'core/learned',
  kind: 'router',
  description: 'delegate when a learned probability that the small answer is right (logistic regression or kNN over problem and answer features, cross-fitted) is below a threshold',
  optionsSchema: LearnedRouterOptions,
  create: (options, context) => {
    // the models: a policy's as given, else fitted on the ablation's data — on first use, or earlier and cooperatively
    // through `prepare` (an ablation: progress, Ctrl-C); either way the same models
    let fitted: CrossFitted | undefined = options.fitted;
    let examplesToFit: TrainingExample[] | undefined;
    const toFit = (): TrainingExample[] => {
      if (examplesToFit !== undefined) return examplesToFit;
      if (context.fitData === undefined) {
        throw new InvalidConfigError(
          'core/learned fits on data: use it in an ablation (which lends its problems and small run), or give "fitted" (the models of a policy file written by confide ablate)',
        );
      }
      const examples = sampled(trainingExamples(context.fitData.problems, context.fitData.small), options.sample, options.seed);
      if (examples.length < options.folds * 2) throw new InvalidConfigError(`core/learned: ${examples.length} examples to fit on, too few for ${options.folds} folds`);
      return (examplesToFit = examples);
    };
    if (fitted === undefined) toFit(); // a router that cannot fit says so when it is created
    /** Keeps models fitted here, with the training examples' cross-fitted probabilities from the fit's own vectors. */
    const keep = (models: CrossFitted, examples: readonly TrainingExample[], vectors: readonly SparseVector[]): CrossFitted => {
      fittedInThisProcess.add(models);
      const probabilities: Probabilities = { byAnswer: new WeakMap(), byProblem: new Map() };
      const computed = crossFittedProbabilities(models, options.features, examples, vectors);
      examples.forEach((example, index) => {
        const probability = computed[index]!;
        if (options.features.answer) probabilities.byAnswer.set(example.small, probability);
        else probabilities.byProblem.set(example.problem.id, probability);
      });
      probabilitiesOf.set(models, probabilities);
      return models;
    };
    const models = (): CrossFitted => {
      if (fitted === undefined) {
        const examples = toFit();
        let vectors: readonly SparseVector[] = [];
        fitted = keep(crossFit(examples, options.features, options.learner, options.folds, options.seed, undefined, (computed) => (vectors = computed)), examples, vectors);
      }
      return fitted;
    };
    const prepare = async (control: RunControl): Promise<void> => {
      if (fitted !== undefined) return;
      const examples = toFit();
      let vectors: readonly SparseVector[] = [];
      const stage = `fitting core/learned (${options.learner.model}, ${options.folds} folds and the full model, ${examples.length} examples)`;
      const models = await crossFitCooperatively(examples, options.features, options.learner, options.folds, options.seed, { ...control, stage }, (computed) => (vectors = computed), context.fitCache);
      fitted ??= keep(models, examples, vectors);
    };
    const memoOf = (models: CrossFitted): Probabilities => {
      let memo = probabilitiesOf.get(models);
      if (memo === undefined) {
        memo = { byAnswer: new WeakMap(), byProblem: new Map() };
        probabilitiesOf.set(models, memo);
      }
      return memo;
    };
    const score = (problem: Problem, small: RunRecord | undefined): number => {
      const answer = options.features.answer ? small : undefined;
      const current = models();
      const { byAnswer, byProblem } = memoOf(current);
      const cached = answer ? byAnswer.get(answer) : byProblem.get(problem.id);
      if (cached !== undefined) return cached;
      const probability = crossFittedProbability(current, options.features, problem, answer);
      if (answer) byAnswer.set(answer, probability);
      else byProblem.set(problem.id, probability);
      return probability;
    };
    return {
      specificationVersion: PLUGIN_SPECIFICATION_VERSION,
      capabilities: {
        decides: options.features.answer ? 'after-first-answer' : 'before-generation',
        reads: options.features.answer ? ['small'] : [],
        ownScore: { option: 'threshold', label: `P(small right), ${options.learner.model}, ${options.folds}-fold cross-fitted`, score },
        fittedOptions: () => ({ ...options, fitted: models() }),
        prepare,
      },
      async decide(input): Promise<RouterDecision> {
        const small = input.answers['small'];
        if (options.features.answer && small === undefined) throw new InvalidConfigError('core/learned reads the small answer (features.answer): the engine must call the small model first');
        const probability = score(input.problem, small);
        const delegate = probability < options.threshold;
        const fold = models().assignment[input.problem.id];
        return {
          router: 'core/learned',
          model: delegate ? 'large' : 'small',
          score: probability,
          reason: `P(small right) = ${probability.toFixed(4)} ${delegate ? '<' : '≥'} ${options.threshold} (${options.learner.model}${fold === undefined ? ', full model' : `, fold ${fold} model`})`,
        };
      },
    };
  },
});
