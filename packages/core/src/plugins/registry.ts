import { ConfideError, describeZodError, InvalidConfigError } from '../errors.js';
import type { PluginUse } from '../schemas/run-manifest.js';
import { closestIds } from './closest-ids.js';
import { adaptV1Router } from './adapt-v1-router.js';
import { PLUGIN_SPECIFICATION_VERSION, type Plugin, type PluginContext, type PluginInstances, type PluginKind, type PluginProducts, type Router } from './plugin.js';
import type { RouterV1 } from './plugin-v1.js';

export { adaptV1Router, capabilitiesFromV1 } from './adapt-v1-router.js';

/** Where a plugin came from: a user's module (its file), or Confide itself when absent. */
export interface PluginOrigin {
  /** The module's file as the user named it (relative to the experiment's folder, or `name@version` for a package). */
  module: string;
  /** The export that holds the plugin. */
  exportName: string;
  /** The sha256 of the module's file as it was loaded. */
  sha256: string;
}

function describeOrigin(origin: PluginOrigin | undefined): string {
  return origin === undefined ? "Confide's built-in plugins" : `${origin.module} (export "${origin.exportName}")`;
}

export class DuplicatePluginError extends ConfideError {
  constructor(id: string, registered?: PluginOrigin, incoming?: PluginOrigin) {
    super(
      'DUPLICATE_PLUGIN',
      registered === undefined && incoming === undefined
        ? `a plugin with id "${id}" is already registered`
        : `plugin id "${id}" is registered twice: by ${describeOrigin(registered)} and by ${describeOrigin(incoming)}; an id names one plugin`,
    );
    this.name = 'DuplicatePluginError';
  }
}

export class UnknownPluginError extends ConfideError {
  readonly suggestions: string[];

  /** `where` names the config entry that asked for the plugin (`<file>: routers "x"`). */
  constructor(kind: PluginKind, id: string, known: string[], where?: string) {
    const suggestions = closestIds(id, known);
    const hint = suggestions.length > 0 ? `; did you mean ${suggestions.map((s) => `"${s}"`).join(' or ')}?` : '';
    super('UNKNOWN_PLUGIN', `${where === undefined ? '' : `${where}: `}no ${kind} plugin "${id}"${hint} (registered: ${known.join(', ') || 'none'})`);
    this.name = 'UnknownPluginError';
    this.suggestions = suggestions;
  }
}

export interface CreatedPlugin<Kind extends PluginKind> {
  instance: PluginInstances[Kind];
  /** What goes into the run manifest: the id and the options after validation (defaults filled in). */
  use: PluginUse;
}

/** The one registry for every plugin kind. Registration is explicit; ids are unique across kinds. */
export class PluginRegistry {
  readonly #plugins = new Map<string, Plugin>();
  readonly #origins = new Map<string, PluginOrigin>();

  /** Registers a plugin; `origin` names the user's module it came from (none: one of Confide's own). */
  register<Kind extends PluginKind, Options>(plugin: Plugin<Kind, Options>, origin?: PluginOrigin): this {
    if (this.#plugins.has(plugin.id)) {
      const registered = this.#origins.get(plugin.id);
      throw origin === undefined && registered === undefined ? new DuplicatePluginError(plugin.id) : new DuplicatePluginError(plugin.id, registered, origin);
    }
    this.#plugins.set(plugin.id, plugin as unknown as Plugin);
    if (origin !== undefined) this.#origins.set(plugin.id, origin);
    return this;
  }

  has(id: string): boolean {
    return this.#plugins.has(id);
  }

  /** The user's module a plugin came from; undefined for Confide's own (and for ids not registered). */
  origin(id: string): PluginOrigin | undefined {
    return this.#origins.get(id);
  }

  get<Kind extends PluginKind>(kind: Kind, id: string, where?: string): Plugin<Kind> {
    const plugin = this.#plugins.get(id);
    if (plugin === undefined || plugin.kind !== kind) throw new UnknownPluginError(kind, id, this.ids(kind), where);
    return plugin as Plugin<Kind>;
  }

  /**
   * Validates `options` with the plugin's schema and returns them with defaults filled in. A bad option throws an
   * InvalidConfigError naming the key (with "did you mean" for a mistyped one), prefixed by `where` when given: the
   * file and entry that asked for the plugin, so a config is checked when it loads, not halfway through a run.
   */
  parseOptions(kind: PluginKind, id: string, options: unknown, where?: string): Record<string, unknown> {
    const plugin = this.get(kind, id, where);
    const parsed = plugin.optionsSchema.safeParse(options ?? {});
    if (!parsed.success) {
      const { key, message } = describeZodError(parsed.error, plugin.optionsSchema);
      throw new InvalidConfigError(`${where === undefined ? '' : `${where}: `}${kind} plugin "${id}": ${key === undefined ? 'options' : `key "${key}"`}: ${message}`);
    }
    return (parsed.data ?? {}) as Record<string, unknown>;
  }

  ids(kind?: PluginKind): string[] {
    return [...this.#plugins.values()]
      .filter((plugin) => kind === undefined || plugin.kind === kind)
      .map((plugin) => plugin.id)
      .sort();
  }

  list(kind?: PluginKind): Plugin[] {
    return this.ids(kind).map((id) => this.#plugins.get(id)!);
  }

  /**
   * What a manifest or summary records of a plugin used with `options`: its id, kind, the options validated (defaults
   * filled in; a bad one throws like `parseOptions`), and for a plugin from a user's module that module and its hash.
   */
  use(kind: PluginKind, id: string, options: unknown, where?: string): PluginUse {
    const validated = this.parseOptions(kind, id, options, where);
    const origin = this.#origins.get(id);
    return { id, kind, options: validated, ...(origin === undefined ? {} : { module: { name: origin.module, sha256: origin.sha256 } }) };
  }

  /** Validates `options` with the plugin's schema (naming the key that is wrong) and builds the instance. */
  create<Kind extends PluginKind>(
    kind: Kind,
    id: string,
    options: unknown,
    context: PluginContext,
  ): CreatedPlugin<Kind> {
    const plugin = this.get(kind, id);
    const use = this.use(kind, id, options);
    // the plugin may build others (a composed evaluator its parts) through this registry, with the same context
    const lent: PluginContext = { ...context, createPlugin: (childKind, childId, childOptions) => this.create(childKind, childId, childOptions, context).instance };
    return {
      instance: currentSpecification(kind, id, plugin.create(use.options, lent) as PluginProducts[Kind]),
      use,
    };
  }
}

/**
 * A created plugin under the current specification: a v1 router adapted, a v2 router's declaration checked. (v1 and
 * v2 evaluators and model clients are the same interface.)
 */
function currentSpecification<Kind extends PluginKind>(kind: Kind, id: string, product: PluginProducts[Kind]): PluginInstances[Kind] {
  if (kind !== 'router') return product as PluginInstances[Kind];
  const router = product as Router | RouterV1;
  if (router.specificationVersion === 'v1') return adaptV1Router(id, router) as PluginInstances[Kind];
  if (router.specificationVersion !== PLUGIN_SPECIFICATION_VERSION) {
    throw new ConfideError('INVALID_INPUT', `router plugin "${id}" states specification version ${JSON.stringify((router as { specificationVersion: unknown }).specificationVersion)}; this Confide reads v1 and ${PLUGIN_SPECIFICATION_VERSION}`);
  }
  const capabilities = router.capabilities as Partial<Router['capabilities']> & { needsSmallAnswer?: unknown };
  if (!Array.isArray(capabilities.reads) || (capabilities.decides !== 'before-generation' && capabilities.decides !== 'after-first-answer')) {
    const hint = capabilities.needsSmallAnswer !== undefined ? ": its capabilities are v1's (needsSmallAnswer); state specificationVersion 'v1' to have it adapted, or declare v2's" : '';
    throw new ConfideError('INVALID_INPUT', `router plugin "${id}" states ${PLUGIN_SPECIFICATION_VERSION}${hint} (capabilities.reads: the models whose answers it reads; capabilities.decides: "before-generation" or "after-first-answer")`);
  }
  if ((capabilities.decides === 'before-generation') !== (capabilities.reads.length === 0)) {
    throw new ConfideError(
      'INVALID_INPUT',
      `router plugin "${id}" decides ${capabilities.decides} but reads [${capabilities.reads.join(', ')}]: a router reads no answer exactly when it decides before generation`,
    );
  }
  return router as PluginInstances[Kind];
}
