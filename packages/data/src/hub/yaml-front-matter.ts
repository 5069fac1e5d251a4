/** A value a card's YAML metadata can hold. */
export type YamlValue = string | number | boolean | null | readonly YamlValue[] | { readonly [key: string]: YamlValue | undefined };

const PLAIN = /^[A-Za-z_][A-Za-z0-9_./*+-]*$/;
const RESERVED = /^(true|false|yes|no|on|off|null|~)$/i;

function scalar(value: string | number | boolean | null): string {
  if (value === null) return 'null';
  if (typeof value !== 'string') return String(value);
  // JSON strings are valid YAML double-quoted scalars
  return PLAIN.test(value) && !RESERVED.test(value) ? value : JSON.stringify(value);
}

function isScalar(value: YamlValue): value is string | number | boolean | null {
  return value === null || typeof value !== 'object';
}

function lines(value: YamlValue, indent: string): string[] {
  if (isScalar(value)) return [`${indent}${scalar(value)}`];
  if (Array.isArray(value)) {
    if (value.length === 0) return [`${indent}[]`];
    return value.flatMap((item: YamlValue) => {
      if (isScalar(item)) return [`${indent}- ${scalar(item)}`];
      const inner = lines(item, `${indent}  `);
      return [`${indent}- ${inner[0]!.trimStart()}`, ...inner.slice(1)];
    });
  }
  const entries = Object.entries(value).filter((entry): entry is [string, YamlValue] => entry[1] !== undefined);
  if (entries.length === 0) return [`${indent}{}`];
  return entries.flatMap(([key, item]) => {
    if (isScalar(item) || (Array.isArray(item) && item.length === 0)) return [`${indent}${scalar(key)}: ${lines(item, '')[0]}`];
    return [`${indent}${scalar(key)}:`, ...lines(item, Array.isArray(item) ? indent : `${indent}  `)];
  });
}

/** YAML block text for a card's metadata (strings quoted where YAML would read them as something else). */
export function toYaml(value: { readonly [key: string]: YamlValue | undefined }): string {
  return `${lines(value, '').join('\n')}\n`;
}

/** A hub card: YAML metadata between `---` lines, then the markdown body. */
export function renderCard(metadata: { readonly [key: string]: YamlValue | undefined }, body: string): string {
  return `---\n${toYaml(metadata)}---\n\n${body.trim()}\n`;
}
