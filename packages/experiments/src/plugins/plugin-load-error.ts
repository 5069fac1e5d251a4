import { ConfideError } from '@confide/core';

/** Where a syntax error is, from the messages of the two parsers a module meets: esbuild's (tsx) and V8's. */
function syntaxErrorLocation(error: Error, file: string): { line: number; column: number; message: string } | undefined {
  // esbuild (TypeScript, and JavaScript tsx transforms): "Transform failed with 1 error:\n<file>:2:18: ERROR: Unexpected ";""
  const esbuild = /^(.*):(\d+):(\d+): ERROR: (.*)$/m.exec(error.message);
  if (esbuild !== null && esbuild[1]!.endsWith(file)) return { line: Number(esbuild[2]), column: Number(esbuild[3]) + 1, message: esbuild[4]! };
  // V8 (CommonJS Node compiles itself): the stack starts "<file>:2\n<source line>\n<caret under the column>\n\nSyntaxError: …"
  if (error.name === 'SyntaxError' && error.stack !== undefined) {
    const [where, , caret] = error.stack.split('\n');
    const line = where !== undefined && where.startsWith(file) ? /:(\d+)$/.exec(where)?.[1] : undefined;
    if (line !== undefined) return { line: Number(line), column: (caret?.indexOf('^') ?? -1) + 1 || 1, message: error.message };
  }
  return undefined;
}

/**
 * A module that could not be imported, as one coded line naming its file: a syntax error with file:line:column, a
 * missing import, or whatever the module threw while it ran.
 */
export function pluginLoadError(module: string, file: string, error: unknown): ConfideError {
  if (ConfideError.isInstance(error) && error.code === 'PLUGIN_LOAD_FAILED') return error;
  const thrown = error instanceof Error ? error : new Error(String(error));
  const syntax = syntaxErrorLocation(thrown, file);
  if (syntax !== undefined) {
    return new ConfideError('PLUGIN_LOAD_FAILED', `plugin module ${module}:${syntax.line}:${syntax.column}: syntax error: ${syntax.message}`, { cause: error });
  }
  const code = (thrown as { code?: unknown }).code;
  if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') {
    return new ConfideError('PLUGIN_LOAD_FAILED', `plugin module ${module}: an import is not found: ${thrown.message.split('\n')[0]}`, { cause: error });
  }
  return new ConfideError('PLUGIN_LOAD_FAILED', `plugin module ${module} threw while it was imported: ${thrown.message.split('\n')[0]}`, { cause: error });
}
