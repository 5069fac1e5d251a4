import { z } from '@confide/core';

/** One option of a plugin as `confide plugins` shows it: its type, and its default or whether it must be given. */
export interface OptionDescription {
  name: string;
  /** As JSON Schema would say it, short: `integer`, `"keep-high" | "keep-low"`, `string[]`… (`any` where it cannot say). */
  type: string;
  /** `default`: filled in when absent (`default` holds it); `optional`: may be absent; `required`: must be given. */
  presence: 'default' | 'optional' | 'required';
  default?: unknown;
  description?: string;
}

/** A JSON Schema (as zod writes one), reduced to what a type line needs. */
interface JsonSchemaLike {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchemaLike[];
  oneOf?: JsonSchemaLike[];
  items?: JsonSchemaLike;
}

function typeOfJsonSchema(schema: JsonSchemaLike): string {
  if (schema.enum !== undefined) return schema.enum.map((value) => JSON.stringify(value)).join(' | ');
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives !== undefined) return [...new Set(alternatives.map(typeOfJsonSchema))].join(' | ');
  if (schema.type === 'array') {
    if (schema.items === undefined) return 'array';
    const item = typeOfJsonSchema(schema.items);
    return item.includes(' | ') ? `(${item})[]` : `${item}[]`;
  }
  if (Array.isArray(schema.type)) return schema.type.join(' | ');
  return schema.type ?? 'any';
}

/** The type of one option's schema; `any` for a schema zod cannot describe (a custom check, another zod's schema). */
function typeOf(schema: unknown): string {
  try {
    return typeOfJsonSchema(z.toJSONSchema(schema as z.ZodType, { io: 'input', unrepresentable: 'any' }) as JsonSchemaLike);
  } catch {
    return 'any';
  }
}

type SchemaLike = { shape?: unknown; _zod?: { def?: { type?: string; in?: unknown; innerType?: unknown; options?: unknown[] } } } | undefined;

/** The schema inside wrappers (a transform's input, a default, an optional, a refinement's pipe). */
function unwrapped(schema: unknown): SchemaLike {
  let current = schema as SchemaLike;
  for (let depth = 0; current !== undefined && depth < 8; depth += 1) {
    if (typeof current.shape === 'object' && current.shape !== null) return current;
    const def = current._zod?.def;
    const inner = (def?.type === 'pipe' ? def.in : def?.innerType) as SchemaLike;
    if (inner === undefined) return current;
    current = inner;
  }
  return current;
}

function describeShape(shape: Record<string, unknown>): OptionDescription[] {
  return Object.entries(shape).map(([name, field]) => {
    const option = field as { safeParse?: (value: unknown) => { success: boolean; data?: unknown }; description?: unknown };
    const absent = typeof option.safeParse === 'function' ? option.safeParse(undefined) : { success: false };
    const description = typeof option.description === 'string' ? { description: option.description } : {};
    if (!absent.success) return { name, type: typeOf(field), presence: 'required', ...description };
    if (absent.data === undefined) return { name, type: typeOf(field), presence: 'optional', ...description };
    return { name, type: typeOf(field), presence: 'default', default: absent.data, ...description };
  });
}

/**
 * The options a plugin's schema takes, as alternatives: one list for an object of options (in its order: for each its
 * type, and its default — what the schema gives for an absent key — or whether it is optional or required), one per
 * branch for a union of objects (`{mode: "replay"} | {mode: "live", …}`). Undefined for any other schema.
 */
export function describeOptions(schema: unknown): OptionDescription[][] | undefined {
  const inner = unwrapped(schema);
  if (inner === undefined) return undefined;
  if (typeof inner.shape === 'object' && inner.shape !== null) return [describeShape(inner.shape as Record<string, unknown>)];
  const branches = inner._zod?.def?.type === 'union' ? (inner._zod.def.options ?? []).map(unwrapped) : [];
  if (branches.length === 0 || branches.some((branch) => typeof branch?.shape !== 'object' || branch.shape === null)) return undefined;
  return branches.map((branch) => describeShape(branch!.shape as Record<string, unknown>));
}

/** One option in a line: `threshold: number = 0.5`, `score: string (required)`, `seed?: integer`. */
export function formatOption(option: OptionDescription, maxDefault = Infinity): string {
  if (option.presence === 'optional') return `${option.name}?: ${option.type}`;
  if (option.presence === 'required') return `${option.name}: ${option.type} (required)`;
  const shown = JSON.stringify(option.default);
  const short = shown.length <= maxDefault ? shown : Array.isArray(option.default) ? '[…]' : typeof option.default === 'object' ? '{…}' : `${shown.slice(0, maxDefault - 1)}…`;
  return `${option.name}: ${option.type} = ${short}`;
}
