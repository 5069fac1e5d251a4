import { InvalidConfigError, type PluginRegistry, type PluginUse } from '@confide/core';
import type { Command } from 'commander';
import { pluginOption, type PluginFlags } from './plugin-modules.js';

/** The evaluator a command grades with when none is named. */
export const DEFAULT_EVALUATOR = 'core/math';

/** `--evaluator <id>`, `--evaluator-options <json>` and `--plugin <module>` as commander gives them. */
export interface EvaluatorFlags extends PluginFlags {
  evaluator?: string;
  evaluatorOptions?: string;
}

/**
 * Adds `--evaluator <id>`, `--evaluator-options <json>` and `--plugin <module>` (the evaluator may be a user's);
 * `purpose` says what the evaluator grades.
 */
export function addEvaluatorFlags(command: Command, purpose: string, value = '<id>'): Command {
  return command
    .option(`--evaluator ${value}`, `the evaluator plugin that ${purpose} (default ${DEFAULT_EVALUATOR}; an unknown id is answered with the registered ones)`)
    .option('--evaluator-options <json>', 'its options as a JSON object, e.g. \'{"timeoutMs": 10000}\' (checked by the plugin, naming a wrong key)')
    .addOption(pluginOption());
}

/** The `--evaluator-options` JSON: an object, or an error naming the flag. */
function parseOptionsFlag(value: string | undefined): Record<string, unknown> {
  if (value === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new InvalidConfigError(`--evaluator-options: not valid JSON (${(error as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new InvalidConfigError(`--evaluator-options: ${value} is not a JSON object`);
  return parsed as Record<string, unknown>;
}

export interface EvaluatorChoiceSettings {
  /**
   * Options the command gives core/math under the user's own (`{timeoutMs: 10000}` for a whole run), and flags that
   * set core/math options (`--timeout-ms`): given with another evaluator they are refused, naming the flag.
   */
  math?: { defaults?: Record<string, unknown>; flags?: ReadonlyArray<{ flag: string; key: string; value: unknown }> };
}

/**
 * The evaluator the flags choose, through the registry: an unknown id is refused naming the close ids, and the options
 * are validated by the plugin's schema (defaults filled in), naming the key that is wrong.
 */
export function evaluatorChoice(flags: EvaluatorFlags, registry: PluginRegistry, settings: EvaluatorChoiceSettings = {}): PluginUse {
  const id = flags.evaluator ?? DEFAULT_EVALUATOR;
  registry.get('evaluator', id, '--evaluator');
  const given = parseOptionsFlag(flags.evaluatorOptions);
  const mathFlags = settings.math?.flags ?? [];
  if (id !== DEFAULT_EVALUATOR && mathFlags.length > 0) {
    throw new InvalidConfigError(`${mathFlags.map((entry) => entry.flag).join(', ')}: ${mathFlags.length === 1 ? 'sets an option' : 'set options'} of ${DEFAULT_EVALUATOR}, not of ${id}; give ${id}'s options with --evaluator-options`);
  }
  const options: Record<string, unknown> = id === DEFAULT_EVALUATOR ? { ...settings.math?.defaults, ...given } : given;
  for (const { flag, key, value } of mathFlags) {
    if (key in given) throw new InvalidConfigError(`${flag} and --evaluator-options both set "${key}": give it once`);
    options[key] = value;
  }
  return registry.use('evaluator', id, options, '--evaluator-options');
}

