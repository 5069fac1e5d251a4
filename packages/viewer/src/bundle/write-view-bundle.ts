import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { InvalidConfigError } from '@confide/core';
import { writeFileAtomic } from '@confide/data';
import type { ViewData } from '../view-data.js';
import { ensurePageBuilt, PAGE_STYLE } from './page-build.js';

/** The page may load nothing from outside: inline scripts and styles, fonts and images as data URLs only. */
export const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; font-src data:; img-src data:";
/** A served page may also read its data from the server that served it, and nothing else. */
export const SERVED_CONTENT_SECURITY_POLICY = `${CONTENT_SECURITY_POLICY}; connect-src 'self'`;

/**
 * The most problems one self-contained page holds (its data inline: about 1.5 kB a problem and run, so 50,000
 * problems is some 75 MB per run). Beyond it `confide view` serves the data as columns (`--serve`).
 */
export const SELF_CONTAINED_PROBLEM_LIMIT = 50_000;

/** KaTeX's style sheet with its fonts inlined as woff2 data URLs (the other formats dropped: every browser reads woff2). */
export function katexStyleInline(): string {
  const katexFolder = dirname(createRequire(import.meta.url).resolve('katex/package.json'));
  const css = readFileSync(join(katexFolder, 'dist', 'katex.min.css'), 'utf8');
  return css.replace(/src:url\(fonts\/([A-Za-z0-9_-]+\.woff2)\) format\("woff2"\)(?:,url\([^)]*\) format\("[a-z]+"\))*/g, (_whole, file: string) => {
    const font = readFileSync(join(katexFolder, 'dist', 'fonts', file)).toString('base64');
    return `src:url(data:font/woff2;base64,${font}) format("woff2")`;
  });
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export interface WrittenBundle {
  file: string;
  bytes: number;
  /** Bytes of the page itself (script, styles, fonts) and of the data. */
  pageBytes: number;
  dataBytes: number;
}

/**
 * The page's HTML: its script and styles, KaTeX with its fonts, and the data inline (`json`, a self-contained page) or
 * none (a served page, which reads its data from the server: `connect-src 'self'`).
 */
export async function viewPageHtml(title: string, json: string | null, onBuild?: (where: string) => void): Promise<string> {
  const script = readFileSync(await ensurePageBuilt(onBuild), 'utf8');
  const styles = `${katexStyleInline()}\n${readFileSync(PAGE_STYLE, 'utf8')}`;
  const head = [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${json === null ? SERVED_CONTENT_SECURITY_POLICY : CONTENT_SECURITY_POLICY}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${styles}</style>`,
    '</head>',
    '<body>',
    '<div id="app"></div>',
  ].join('\n');
  const data = json === null ? '' : `\n<script type="application/json" id="confide-view-data">${json}</script>`;
  return `${head}${data}\n<script>${script.replace(/<\/script/gi, '<\\/script')}</script>\n</body>\n</html>\n`;
}

/**
 * Writes the viewer as one self-contained `index.html` in `folder`: the page's script and styles, KaTeX with its fonts,
 * and the data, all inline, so it opens from file:// and offline. Written to a temporary file, then renamed. A bundle
 * of more than `SELF_CONTAINED_PROBLEM_LIMIT` problems is refused: serve it (`serveViewData`).
 */
export async function writeViewBundle(data: ViewData, folder: string, onBuild?: (where: string) => void): Promise<WrittenBundle> {
  if (data.problems.length > SELF_CONTAINED_PROBLEM_LIMIT) {
    throw new InvalidConfigError(`${data.problems.length} problems are more than one self-contained page holds (${SELF_CONTAINED_PROBLEM_LIMIT}): serve them as columns (confide view --serve)`);
  }
  // `<` escaped so the data cannot close its script element
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  const html = await viewPageHtml(data.title, json, onBuild);
  const file = join(folder, 'index.html');
  writeFileAtomic(file, html);
  const dataBytes = Buffer.byteLength(json);
  const bytes = Buffer.byteLength(html);
  return { file, bytes, dataBytes, pageBytes: bytes - dataBytes };
}
