import { InvalidConfigError } from '../errors.js';
import { RouteDecision, type RouterDecision } from '../schemas/route-decision.js';
import type { RunRecord } from '../schemas/run-record.js';
import { PLUGIN_SPECIFICATION_VERSION, type RouteInput, type Router, type RouterCapabilities } from './plugin.js';
import type { RouterCapabilitiesV1, RouterV1 } from './plugin-v1.js';

/** v1 capabilities in v2 terms: the pair's answers it reads (`small`, then `large`), then its peers, in that order. */
export function capabilitiesFromV1(capabilities: RouterCapabilitiesV1): RouterCapabilities {
  const reads = [
    ...(capabilities.needsSmallAnswer ? ['small'] : []),
    ...(capabilities.needsLargeAnswer === true ? ['large'] : []),
    ...(capabilities.peers ?? []),
  ];
  return {
    decides: reads.length === 0 ? 'before-generation' : 'after-first-answer',
    reads,
    ...(capabilities.sweepableScore !== undefined ? { sweepableScore: capabilities.sweepableScore } : {}),
    ...(capabilities.ownScore !== undefined ? { ownScore: capabilities.ownScore } : {}),
    ...(capabilities.fittedOptions !== undefined ? { fittedOptions: () => capabilities.fittedOptions!() } : {}),
  };
}

/**
 * A router written for plugin specification v1, as a v2 router. A v1 router chooses within a pair: it is asked with
 * the pair's answers as v1 named them (`small`, `large`, `peers`) and its `target` becomes the label `small` or
 * `large`, which for a pair of any labels names its first or second model. Among more than two models it is refused.
 */
export function adaptV1Router(id: string, router: RouterV1): Router {
  const v1 = router.capabilities;
  const capabilities = capabilitiesFromV1(v1);
  return {
    specificationVersion: PLUGIN_SPECIFICATION_VERSION,
    capabilities,
    async decide(input: RouteInput): Promise<RouterDecision> {
      if (input.models.length !== 2) {
        throw new InvalidConfigError(`router "${id}" is a v1 plugin: it chooses between two models, and this routing lists ${input.models.length} (${input.models.join(', ')})`);
      }
      const peers: Record<string, RunRecord> = {};
      for (const name of v1.peers ?? []) {
        const record = input.answers[name];
        if (record !== undefined) peers[name] = record;
      }
      const small = input.answers['small'];
      const large = input.answers['large'];
      const decision = RouteDecision.parse(
        await router.decide({
          problem: input.problem,
          ...(small !== undefined ? { small } : {}),
          ...(large !== undefined ? { large } : {}),
          ...((v1.peers ?? []).length > 0 ? { peers } : {}),
          ...(input.recordedRoute !== undefined ? { recordedRoute: input.recordedRoute } : {}),
        }),
      );
      const { router: name, target, model: _model, ...rest } = decision;
      return { router: name, model: target, ...rest };
    },
  };
}
