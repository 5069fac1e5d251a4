import type { PipelineCheck } from '@confide/core';

/**
 * Why a pipeline experiment with `pipelineCheck: true` makes no result: the reason its run manifests carry
 * (`pipelineCheck`), which every reader of the runs (ablation report and summary, console lines, the viewer) repeats.
 */
export const TINY_MODEL_PIPELINE_CHECK: PipelineCheck = {
  reason:
    'the small model is a tiny Qwen2-architecture model with random weights (tools/tiny-model) trained for a few steps on CPU; ' +
    'it cannot solve these problems and its confidence tokens mean nothing, so the numbers show that the pipeline runs end to end, not how well the method works.',
};

/** The `pipelineCheck` of the run manifests a pipeline experiment writes (its delegate run and that run's small/large sides). */
export function pipelineCheckOf(experiment: { pipelineCheck: boolean }): PipelineCheck | null {
  return experiment.pipelineCheck ? TINY_MODEL_PIPELINE_CHECK : null;
}
