import { z } from 'zod';
import { describeZodError } from '../errors.js';
import { PLUGIN_KINDS, PLUGIN_SPECIFICATION_VERSION, type Plugin, type PluginSpecificationVersion } from './plugin.js';

/** The plugin specifications this Confide reads: v2, and v1 (whose routers the registry adapts when it creates them). */
export const READ_SPECIFICATION_VERSIONS: readonly PluginSpecificationVersion[] = ['v1', PLUGIN_SPECIFICATION_VERSION];

/** The namespace of the plugins Confide ships: a plugin from a user's module may not use it. */
export const RESERVED_PLUGIN_NAMESPACE = 'core';

/** `namespace/name`, e.g. `me/long-uncertain`. */
export const PluginId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._/-]*$/, 'a plugin id is namespace/name, e.g. me/long-uncertain');

/**
 * A plugin definition as a user's module exports it (from `definePlugin`). Checked by shape, not by class: the
 * module may hold its own copy of zod, so `optionsSchema` only has to parse.
 */
const PluginDefinition = z.looseObject({
  id: PluginId,
  kind: z.enum(PLUGIN_KINDS as [string, ...string[]]),
  description: z.string().min(1, 'a plugin says in a line what it does'),
  optionsSchema: z.custom<z.ZodType>((value) => typeof value === 'object' && value !== null && typeof (value as { safeParse?: unknown }).safeParse === 'function', {
    message: 'expected a zod schema of the options (e.g. z.strictObject({ threshold: z.number() }))',
  }),
  create: z.custom<Plugin['create']>((value) => typeof value === 'function', { message: 'expected a function (options, context) => the plugin instance' }),
});

/** Whether a module's export looks like a plugin (an object with `id` and `kind`); the loader ignores other exports. */
export function looksLikePlugin(value: unknown): value is { id: unknown; kind: unknown } {
  return typeof value === 'object' && value !== null && 'id' in value && 'kind' in value;
}

/**
 * What is wrong with an export that looks like a plugin, or null when it is a plugin this Confide can register: a
 * definition of the right shape, stamped by `definePlugin` with a specification version this Confide reads, with an
 * id outside the `core/` namespace.
 */
export function pluginDefinitionProblem(value: { id: unknown; kind: unknown }): string | null {
  const parsed = PluginDefinition.safeParse(value);
  if (!parsed.success) {
    const { key, message } = describeZodError(parsed.error);
    return `${key === undefined ? '' : `key "${key}": `}${message}`;
  }
  const id = parsed.data.id;
  const version = (value as { specificationVersion?: unknown }).specificationVersion;
  if (version === undefined) {
    return `plugin "${id}" states no plugin specification: declare it with definePlugin from @confide/core, which stamps the version (this Confide reads ${READ_SPECIFICATION_VERSIONS.join(' and ')})`;
  }
  if (!READ_SPECIFICATION_VERSIONS.includes(version as PluginSpecificationVersion)) {
    return `plugin "${id}" was written for plugin specification ${JSON.stringify(version)}; this Confide reads ${READ_SPECIFICATION_VERSIONS.join(' and ')}`;
  }
  if (id.split('/')[0] === RESERVED_PLUGIN_NAMESPACE) {
    return `plugin "${id}": the namespace "${RESERVED_PLUGIN_NAMESPACE}/" is Confide's own; name yours under another (e.g. "me/${id.slice(RESERVED_PLUGIN_NAMESPACE.length + 1)}")`;
  }
  return null;
}
