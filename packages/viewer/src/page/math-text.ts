import katex from 'katex';

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const DELIMITERS: [open: string, close: string, display: boolean][] = [
  ['$$', '$$', true],
  ['\\[', '\\]', true],
  ['\\(', '\\)', false],
  ['$', '$', false],
];

function renderTex(tex: string, displayMode: boolean): string {
  return katex.renderToString(tex, { displayMode, throwOnError: false, strict: 'ignore', trust: false, output: 'htmlAndMathml' });
}

/**
 * A model response or a question as HTML: text escaped, math (`$…$`, `$$…$$`, `\(…\)`, `\[…\]`) rendered by KaTeX;
 * a formula KaTeX cannot read is shown in red as written, and an unclosed delimiter as text.
 */
export function renderMathText(text: string): string {
  let html = '';
  let index = 0;
  let plainFrom = 0;
  while (index < text.length) {
    const char = text[index];
    if (char === '\\' && text[index + 1] === '$') {
      index += 2;
      continue;
    }
    const delimiter = char === '$' || char === '\\' ? DELIMITERS.find(([open]) => text.startsWith(open, index)) : undefined;
    if (delimiter === undefined) {
      index++;
      continue;
    }
    const [open, close, display] = delimiter;
    const end = text.indexOf(close, index + open.length);
    if (end === -1) {
      index += open.length;
      continue;
    }
    html += escapeHtml(text.slice(plainFrom, index)) + renderTex(text.slice(index + open.length, end), display);
    index = end + close.length;
    plainFrom = index;
  }
  return html + escapeHtml(text.slice(plainFrom));
}

/** One answer (no delimiters) as math. */
export function renderAnswer(tex: string): string {
  return renderTex(tex, false);
}
