/**
 * LaTeX as it appears in JSON-escaped logs: every backslash doubled (`\\frac{1}{2}`, `\\left(`, a row break `\\\\`),
 * newlines and quotes possibly left as `\n`, `\"`. Read back as the LaTeX it escapes, in one linear pass.
 */

/** Letters after a doubled backslash that make it a command (`\\frac`); one letter (`\\x`) is too weak a sign. */
const COMMAND_LETTERS = 2;

function isLetter(char: string | undefined): boolean {
  return char !== undefined && ((char >= 'A' && char <= 'Z') || (char >= 'a' && char <= 'z'));
}

/**
 * Whether a text is escaped LaTeX: it holds a doubled backslash before a command name (`\\frac`, `\\left`) and no lone
 * backslash other than the escapes `\n`, `\t`, `\r`, `\"` (a text with one real command such as `\begin` is plain
 * LaTeX whose `\\` are row breaks).
 */
export function isEscapedLatex(text: string): boolean {
  if (!text.includes('\\\\')) return false;
  let command = false;
  for (let index = text.indexOf('\\'); index !== -1 && index < text.length; index = text.indexOf('\\', index)) {
    let end = index;
    while (text[end] === '\\') end++;
    const run = end - index;
    if (run % 2 === 1) {
      const next = text[end];
      if (run !== 1 || !(next === 'n' || next === 't' || next === 'r' || next === '"')) return false;
    } else if (run === 2 && isLetter(text[end]) && isLetter(text[end + COMMAND_LETTERS - 1])) {
      command = true;
    }
    index = end;
  }
  return command;
}

/** The LaTeX an escaped text stands for (`\\frac{1}{2}` → `\frac{1}{2}`); any other text as it is. */
export function unescapeLatex(text: string): string {
  if (!isEscapedLatex(text)) return text;
  return text.replace(/\\+[ntr"]?/g, (match) => {
    const slashes = match.replace(/[^\\]/g, '').length;
    if (slashes % 2 === 0) return `${'\\'.repeat(slashes / 2)}${match.slice(slashes)}`;
    const escaped = match.at(-1);
    return escaped === 'n' || escaped === 'r' ? '\n' : escaped === 't' ? ' ' : '"';
  });
}
