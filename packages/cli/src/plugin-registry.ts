import { PluginRegistry } from '@confide/core';
import { confidenceTokenRouter } from '@confide/router-confidence-token';
import { orchestratorRouter } from '@confide/router-orchestrator';

/** Every plugin Confide ships, registered explicitly: one line per plugin. */
export function createPluginRegistry(): PluginRegistry {
  return new PluginRegistry()
    .register(confidenceTokenRouter)
    .register(orchestratorRouter);
}
