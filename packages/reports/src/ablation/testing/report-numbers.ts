/**
 * Test support: reads the tables (and the sentences of named sections) of a report.md and looks for each printed
 * number in summary.json, so a test can assert that the summary holds every number the report prints.
 */

/** Every markdown table of a report, as rows of cells (the header row first, the alignment row left out). */
export function markdownTables(markdown: string): string[][][] {
  const tables: string[][][] = [];
  let current: string[][] | null = null;
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('|')) {
      current = null;
      continue;
    }
    if (current === null) {
      current = [];
      tables.push(current);
    }
    const cells = line.slice(1, line.endsWith('|') ? -1 : undefined).split('|');
    if (cells.every((cell) => /^\s*:?-+:?\s*$/.test(cell))) continue;
    current.push(cells);
  }
  return tables;
}

/** Every number in a JSON value (and every array's length: a printed count of listed things), and every string. */
function summaryValues(value: unknown, numbers: number[], strings: Set<string>): void {
  if (typeof value === 'number') numbers.push(value);
  else if (typeof value === 'string') strings.add(value);
  else if (Array.isArray(value)) {
    numbers.push(value.length);
    for (const item of value) summaryValues(item, numbers, strings);
  } else if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) summaryValues(item, numbers, strings);
  }
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A printed number: digits with an optional sign, decimals and exponent, not part of a word or a longer number. */
const PRINTED_NUMBER = /(?<![A-Za-z0-9_.])[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?(?![A-Za-z0-9_])/g;

/**
 * Whether `printed` is `value` as the report prints it: as is, or times 100 (a percentage or percentage points),
 * rounded to the printed decimals (85.2 for 0.8523…, 2.48 for 2.4812…); an exponent form (3.47e-7) to its digits.
 */
export function printedAs(printed: string, value: number): boolean {
  const number = Number(printed);
  const [mantissa = '', exponent] = printed.toLowerCase().split('e');
  const decimals = mantissa.split('.')[1]?.length ?? 0;
  const tolerance = 0.5 * 10 ** (exponent === undefined ? -decimals : Number(exponent) - decimals);
  return [1, 100].some((scale) => Math.abs(value * scale - number) <= tolerance * (1 + 1e-9) + 1e-12);
}

/** The summary's numbers, and a pattern per string of it (a label, a run, a method) that takes that text out whole. */
function summaryIndex(summary: unknown, definitions: readonly string[]): { numbers: number[]; patterns: RegExp[] } {
  const numbers: number[] = [];
  const strings = new Set<string>();
  summaryValues(summary, numbers, strings);
  // longest first, so a label is taken out whole before any shorter string inside it
  const texts = [...definitions, ...[...strings].filter((text) => text.trim().length > 0).sort((left, right) => right.length - left.length)];
  const patterns = texts.map((text) => new RegExp(`(?<![A-Za-z0-9_.])${escapeRegExp(text)}(?![A-Za-z0-9_]|\\.\\d)`, 'g'));
  return { numbers, patterns };
}

/** The printed numbers of a text that are none of `numbers` as printed, once the summary's strings are taken out. */
function missingNumbers(text: string, index: { numbers: number[]; patterns: RegExp[] }): string[] {
  const numbersOnly = index.patterns.reduce((rest, pattern) => rest.replace(pattern, ' '), text);
  return (numbersOnly.match(PRINTED_NUMBER) ?? []).filter((printed) => !index.numbers.some((value) => printedAs(printed, value)));
}

/**
 * The numbers printed in the prose of the sections under `headings` (their sentences, not their tables or charts)
 * that summary.json does not hold, as "<heading>: <number>": a sentence computed from the summary prints none.
 */
export function sectionTextNumbersMissingFromSummary(markdown: string, summary: unknown, headings: readonly string[], definitions: readonly string[] = []): string[] {
  const index = summaryIndex(summary, definitions);
  const missing: string[] = [];
  let heading: string | null = null;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('#')) {
      heading = line.replace(/^#+\s*/, '');
      continue;
    }
    if (heading === null || !headings.includes(heading) || line.startsWith('|') || line.startsWith('![')) continue;
    for (const printed of missingNumbers(line, index)) missing.push(`${heading}: ${printed}`);
  }
  return missing;
}

/**
 * The numbers printed in the report's tables (headers and cells) that summary.json does not hold, as
 * "table <n>, <cell>: <number>". Text that is a string of the summary (a label, a run, a problem id) is not read for
 * numbers; `definitions` are texts whose numbers name a metric (CPT(50%)) rather than report a result.
 */
export function tableNumbersMissingFromSummary(markdown: string, summary: unknown, definitions: readonly string[] = []): string[] {
  const index = summaryIndex(summary, definitions);
  const missing: string[] = [];
  markdownTables(markdown).forEach((table, tableIndex) => {
    for (const row of table) {
      for (const cell of row) {
        for (const printed of missingNumbers(cell, index)) missing.push(`table ${tableIndex + 1}, "${cell}": ${printed}`);
      }
    }
  });
  return missing;
}
