import { join } from 'node:path';
import { datasetTitle, isRunPath, writeFileAtomic } from '@confide/data';
import { accuracyCostChart } from '../charts/accuracy-cost-chart.js';
import { renderChart, type RenderedChart } from '../charts/render-chart.js';
import { tokenCorrectnessChart } from '../charts/token-correctness-chart.js';
import { pivotTable, tableToHtml, tableToMarkdown, type ReportTable } from '../tables/report-table.js';
import { sliceRows, type PaperResults } from './paper-results.js';
import { differencesFromPublished, matchesPublished, paperSummary, usd6, type PaperSummary } from './paper-summary.js';

const pct = (value: number) => value.toFixed(1);

function table1(summary: PaperSummary): ReportTable {
  return {
    columns: ['', 'accuracy %', 'published', 'cost $', 'published ', 'agrees'],
    rows: summary.table1.map((row) => {
      const matches = row.matchesPublished;
      return {
        '': row.label,
        'accuracy %': pct(row.accuracy.percent),
        published: row.published?.accuracy ?? '–',
        'cost $': usd6(row.costUsd),
        'published ': row.published?.costUsd ?? '–',
        agrees: matches === null ? '–' : matches.accuracy && matches.costUsd ? '✓' : `≠ (${[!matches.accuracy && 'accuracy', !matches.costUsd && 'cost'].filter(Boolean).join(', ')})`,
      };
    }),
  };
}

function table2(results: PaperResults): ReportTable {
  const rows: Array<Record<string, string>> = [];
  for (const id of results.experiment.table2) {
    const delegation = results.delegations.find((candidate) => candidate.id === id)!;
    const published = results.experiment.publishedHandOff[id];
    for (const row of delegation.handOff) {
      const figures = row.side === 'router' ? undefined : published?.[row.side];
      rows.push({
        strategy: delegation.label,
        'hand-off': row.side === 'router' ? `orchestrator (${row.model})` : `${row.side === 'small' ? 'SLM' : 'LLM'} (${row.model})`,
        correct: row.correct === null ? '–' : String(row.correct),
        total: String(row.problems),
        'accuracy %': row.accuracy === null ? '–' : pct(row.accuracy),
        'cost $': usd6(row.costUsd),
        published: figures ? `${figures.correct} / ${figures.total}${figures.costUsd ? `, $${figures.costUsd}` : ''}` : '–',
        agrees: figures
          ? figures.correct === row.correct && figures.total === row.problems && (!figures.costUsd || matchesPublished(row.costUsd, figures.costUsd))
            ? '✓'
            : '≠'
          : '',
      });
    }
  }
  return { columns: ['strategy', 'hand-off', 'correct', 'total', 'accuracy %', 'cost $', 'published', 'agrees'], rows, empty: 'No delegation to show: the experiment lists none in `table2`.' };
}

function finetunedTables(results: PaperResults): { headline: ReportTable; crosstab: ReportTable } {
  const { finetuned, experiment } = results;
  const published = experiment.finetuned.published;
  const tokens = finetuned.tokens;
  const headline: ReportTable = {
    columns: ['metric', 'regenerated', 'published'],
    rows: [
      { metric: 'accuracy %', regenerated: pct(finetuned.accuracy.percent), published: published?.accuracy ?? '–' },
      { metric: 'calibration accuracy % (no token = not calibrated)', regenerated: pct(finetuned.calibration.percent), published: published?.calibration ?? '–' },
      {
        metric: 'tokens <|c_math|> / <|u_math|> / none',
        regenerated: `${tokens.confident} / ${tokens.uncertain} / ${tokens.none}`,
        published: published ? `${published.tokens.confident} / ${published.tokens.uncertain} / ${published.tokens.none}` : '–',
      },
    ],
  };
  const table = finetuned.tokenCorrectness;
  const crosstab: ReportTable = {
    columns: ['', '<|c_math|>', '<|u_math|>', 'no token', 'total'],
    rows: (['correct', 'incorrect'] as const).map((outcome) => ({
      '': outcome,
      '<|c_math|>': String(table[outcome].confident),
      '<|u_math|>': String(table[outcome].uncertain),
      'no token': String(table[outcome].none),
      total: String(table[outcome].confident + table[outcome].uncertain + table[outcome].none),
    })),
  };
  return { headline, crosstab };
}

type SummaryRun = PaperSummary['runs'][number];

function allRunsTable(runs: readonly SummaryRun[]): ReportTable {
  return {
    columns: ['run', 'kind', 'accuracy %', 'cost $', 'Pareto frontier'],
    rows: runs.map((run) => ({
      run: run.label,
      kind: run.kind,
      'accuracy %': pct(run.accuracy.percent),
      'cost $': usd6(run.costUsd),
      'Pareto frontier': run.onParetoFrontier ? 'yes' : '',
    })),
  };
}

function sliceTables(results: PaperResults): { subject: ReportTable; level: ReportTable } {
  const rows = sliceRows(results).map((row) => ({ ...row, cell: pct(row.percent) }));
  const withCount = (key: 'subject' | 'level', title: string): ReportTable => {
    const keyed = rows.filter((row) => row.key === key);
    const table = pivotTable(keyed, 'slice', 'run', 'cell', title, key === 'level' ? (l, r) => Number(l) - Number(r) : undefined);
    const first = keyed[0]?.run;
    const counts = new Map(keyed.filter((row) => row.run === first).map((row) => [row.slice, String(row.total)]));
    return {
      columns: [title, 'problems', ...table.columns.slice(1)],
      rows: table.rows.map((row) => ({ ...row, problems: counts.get(row[title]!) ?? '–' })),
      empty: `No ${key} slices: the runs' records carry no ${key}.`,
    };
  };
  return { subject: withCount('subject', 'subject'), level: withCount('level', 'level') };
}

interface Section {
  heading: string;
  intro?: string;
  tables?: ReportTable[];
  chart?: { file: string; alt: string; rendered: RenderedChart };
  bullets?: string[];
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Inline code spans (`…`) of the markdown texts, rendered for HTML. */
function inlineHtml(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

function markdown(title: string, preamble: string[], sections: Section[]): string {
  const parts = [`# ${title}`, '', ...preamble, ''];
  for (const section of sections) {
    parts.push(`## ${section.heading}`, '');
    if (section.intro) parts.push(section.intro, '');
    for (const table of section.tables ?? []) parts.push(tableToMarkdown(table), '');
    if (section.chart) parts.push(`![${section.chart.alt}](${section.chart.file}.svg)`, '');
    for (const bullet of section.bullets ?? []) parts.push(`- ${bullet}`);
    if (section.bullets) parts.push('');
  }
  return parts.join('\n');
}

function html(title: string, preamble: string[], sections: Section[]): string {
  const body: string[] = [`<h1>${escapeHtml(title)}</h1>`, ...preamble.map((line) => `<p>${inlineHtml(line)}</p>`)];
  for (const section of sections) {
    body.push(`<section><h2>${escapeHtml(section.heading)}</h2>`);
    if (section.intro) body.push(`<p>${inlineHtml(section.intro)}</p>`);
    for (const table of section.tables ?? []) body.push(tableToHtml(table));
    if (section.chart) {
      body.push(`<figure class="chart" data-chart="${section.chart.file}" aria-label="${escapeHtml(section.chart.alt)}">${section.chart.rendered.svg}</figure>`);
    }
    if (section.bullets) body.push(`<ul>${section.bullets.map((bullet) => `<li>${inlineHtml(bullet)}</li>`).join('')}</ul>`);
    body.push('</section>');
  }
  const style = [
    'body{font-family:"DejaVu Sans",system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}',
    'table{border-collapse:collapse;margin:1em 0;font-size:14px}',
    'th,td{border:1px solid #ccc;padding:4px 8px}',
    'th{background:#f3f3f3}',
    'code{background:#f3f3f3;padding:0 3px}',
    'figure.chart{margin:1em 0}',
  ].join('\n');
  return `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>${escapeHtml(title)}</title>\n<style>\n${style}\n</style>\n</head>\n<body>\n${body.join('\n')}\n</body>\n</html>\n`;
}

/**
 * Writes the paper report into `outputFolder`: report.md, a self-contained report.html (tables and inline SVG charts),
 * each chart as .svg, .png and its Vega-Lite .vl.json, and summary.json. Every write is atomic; output is byte-identical
 * for the same inputs.
 */
export async function writePaperReport(results: PaperResults, outputFolder: string): Promise<string[]> {
  const experiment = results.experiment;
  const summary = paperSummary(results);
  const summaryRuns = summary.runs;
  const chartedIds = new Set([
    ...results.runs.map((run) => run.id),
    ...experiment.delegations.filter((config) => config.chart).map((config) => config.id),
  ]);
  const accuracyCostSpec = accuracyCostChart(
    summaryRuns
      .filter((run) => chartedIds.has(run.id))
      .map((run) => ({ label: run.label, kind: run.kind, costUsd: run.costUsd, accuracy: run.accuracy.percent, onFrontier: run.onParetoFrontier })),
    `${datasetTitle(experiment.dataset)}: accuracy against cost`,
    datasetTitle(experiment.dataset),
  );
  const table = results.finetuned.tokenCorrectness;
  const tokenSpec = tokenCorrectnessChart(
    (['correct', 'incorrect'] as const).flatMap((outcome) => [
      { token: '<|c_math|>', outcome, count: table[outcome].confident },
      { token: '<|u_math|>', outcome, count: table[outcome].uncertain },
      { token: 'none', outcome, count: table[outcome].none },
    ]),
    'Fine-tuned SLM: confidence token × correctness',
  );
  // both charts asked for at once: queued together to the chart worker
  const [accuracyCost, tokenCorrectness] = await Promise.all([renderChart(accuracyCostSpec, 'accuracy-cost'), renderChart(tokenSpec, 'token-correctness')]);
  const charts = {
    'accuracy-cost': { spec: accuracyCostSpec, rendered: accuracyCost },
    'token-correctness': { spec: tokenSpec, rendered: tokenCorrectness },
  };
  const finetuned = finetunedTables(results);
  const slices = sliceTables(results);
  const engineChecks = results.delegations
    .filter((delegation) => delegation.mismatchesWithRecordedRun !== null)
    .map(
      (delegation) =>
        `${delegation.label}, checked problem by problem against the recorded delegated run (route, answer, text, grade): ` +
        `${delegation.mismatchesWithRecordedRun} of ${delegation.records.length} differ.`,
    );
  const graders = [...new Set([...results.runs, ...results.delegations].flatMap((run) => run.records.map((record) => record.grade.reason ?? record.grade.evaluator)))].sort();
  const named = [...new Set([...results.runs.map((run) => run.id), ...experiment.delegations.flatMap((config) => [config.small.run, config.large.run])])];
  const byPath = named.filter(isRunPath).length;
  const preamble = [
    `Regenerated by \`confide paper\` from \`${results.provenance.experimentFile.path}\` and the ${named.length} runs it names ` +
      `(${named.length - byPath} bundled, ${byPath} by path), offline.`,
    `Grades: the verdicts the runs carry (${graders.join('; ')}). Prices: \`${results.priceTable.id}@${results.priceTable.version}\` ` +
      `(thinking tokens billed as output). Delegations are recomposed by the routing engine from the SLM and LLM records ` +
      `with the router plugins named below; summary.json holds every number at full precision.`,
  ];
  const sections: Section[] = [
    {
      heading: `Table 1. Performance comparison on ${datasetTitle(experiment.dataset)}`,
      intro: experiment.table1.some((row) => row.published)
        ? 'Regenerated numbers beside the published ones; "agrees" compares them at the published precision.'
        : 'Regenerated numbers (the experiment gives no published figures to compare with).',
      tables: [table1(summary)],
    },
    {
      heading: 'Table 2. Delegation analysis',
      intro:
        'Per hand-off model: problems, correct answers, accuracy and the cost of the answers used' +
        (results.delegations.some((delegation) => delegation.handOff.some((row) => row.side === 'router')) ? "; a router's own model calls on their own row." : '.'),
      tables: [table2(results)],
    },
    {
      heading: `The model with confidence tokens (${[...new Set(results.runs.find((run) => run.id === results.finetuned.run)?.records.map((record) => record.generation.model) ?? [results.finetuned.run])].join(', ')})`,
      intro: 'Calibration accuracy: share of answers where <|c_math|> goes with a correct answer or <|u_math|> with a wrong one; an answer with no token counts as not calibrated.',
      tables: [finetuned.headline, finetuned.crosstab],
      chart: { file: 'token-correctness', alt: 'confidence token by correctness', rendered: charts['token-correctness'].rendered },
    },
    {
      heading: 'Accuracy against cost',
      intro: 'Every run and every delegation (cost on a log axis); the dashed step line is the Pareto frontier.',
      tables: [allRunsTable(summaryRuns)],
      chart: { file: 'accuracy-cost', alt: 'accuracy against cost with the Pareto frontier', rendered: charts['accuracy-cost'].rendered },
    },
    ...(['subject', 'level'] as const).map((key) =>
      sliceRows(results).every((row) => row.key !== key || row.slice === 'unknown')
        ? { heading: `Accuracy by ${key} (%)`, intro: `The dataset has no ${key} column, so there are no ${key} slices.` }
        : { heading: `Accuracy by ${key} (%)`, tables: [slices[key]] },
    ),
    {
      heading: 'Differences from the published text',
      bullets: differencesFromPublished(results).map((difference) => `**${difference.title}.** ${difference.detail}`),
    },
    {
      heading: 'How this was made',
      bullets: [
        ...results.delegations.map(
          (delegation) =>
            `${delegation.label}: router \`${delegation.router.id}\` with options \`${JSON.stringify(delegation.router.options)}\`; ` +
            `small = \`${experiment.delegations.find((config) => config.id === delegation.id)!.small.run}\`, ` +
            `large = \`${experiment.delegations.find((config) => config.id === delegation.id)!.large.run}\`.`,
        ),
        ...engineChecks,
      ],
    },
  ];
  const title = experiment.title;
  const written: string[] = [];
  const write = (name: string, content: string | Uint8Array) => {
    writeFileAtomic(join(outputFolder, name), content);
    written.push(name);
  };
  for (const [name, chart] of Object.entries(charts)) {
    write(`${name}.svg`, chart.rendered.svg);
    write(`${name}.png`, chart.rendered.png);
    write(`${name}.vl.json`, JSON.stringify(chart.spec, null, 2) + '\n');
  }
  write('report.md', markdown(title, preamble, sections));
  write('report.html', html(title, preamble, sections).replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>'));
  write('summary.json', JSON.stringify(summary, null, 2) + '\n');
  return written;
}
