import { z } from 'zod';

/**
 * A plugin as a config names it: its id and its options (validated later by the plugin's own schema, when the
 * registry that knows the plugin is at hand; absent: `{}`, the plugin's defaults). Every config that chooses a plugin
 * (an experiment's router, model client, evaluator; a routing policy's router) uses this one shape.
 */
export const PluginChoice = z.strictObject({
  id: z.string().min(1),
  options: z.record(z.string(), z.unknown()).default({}),
});
export type PluginChoice = z.infer<typeof PluginChoice>;
