import { PluginRegistry } from '@confide/core';
import { mathEvaluatorPlugin } from '@confide/evaluator-math';
import { recordedEvaluator } from '@confide/evaluator-recorded';
import { geminiModel, openaiModel, replayModel, transformersModel, vllmModel } from '@confide/inference';
import { agreementRouter } from '@confide/router-agreement';
import { alwaysLargeRouter, alwaysModelRouter, alwaysSmallRouter, exploreRouter, oracleRouter, randomRouter } from '@confide/router-baselines';
import { confidenceTokenRouter, tokenAndLengthRouter } from '@confide/router-confidence-token';
import { orchestratorRouter } from '@confide/router-orchestrator';
import { firstOfEvaluator } from '@confide/evaluator-chain';
import { modelVerifierEvaluator } from '@confide/evaluator-verifier';
import { learnedRouter } from '@confide/router-learned';
import { thresholdRouter } from '@confide/router-threshold';

/** Every plugin Confide ships, registered explicitly: one line per plugin. */
export function createPluginRegistry(): PluginRegistry {
  return new PluginRegistry()
    .register(confidenceTokenRouter)
    .register(orchestratorRouter)
    .register(thresholdRouter)
    .register(learnedRouter)
    .register(modelVerifierEvaluator)
    .register(firstOfEvaluator)
    .register(oracleRouter)
    .register(randomRouter)
    .register(exploreRouter)
    .register(alwaysSmallRouter)
    .register(alwaysLargeRouter)
    .register(alwaysModelRouter)
    .register(agreementRouter)
    .register(tokenAndLengthRouter)
    .register(geminiModel)
    .register(openaiModel)
    .register(vllmModel)
    .register(replayModel)
    .register(transformersModel)
    .register(recordedEvaluator)
    .register(mathEvaluatorPlugin);
}
