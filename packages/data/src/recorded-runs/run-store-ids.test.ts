import { NotFoundError } from '@confide/core';
import { describe, expect, it } from 'vitest';
import { RunStore } from './run-store.js';

describe('a mistyped run id', () => {
  it('is NOT_FOUND with the closest bundled ids suggested', () => {
    const store = new RunStore();
    let error: unknown;
    try {
      store.load('gemini-flsh');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toMatch(/^no recorded run "gemini-flsh"; did you mean "gemini-flash"/);
  });

  it('lists the bundled ids without a suggestion when none is close', () => {
    expect(() => new RunStore().load('zzzzzzzzzzzzzzzzzzzzzzzz')).toThrow(/^no recorded run "zzzzzzzzzzzzzzzzzzzzzzzz" \(bundled: /);
  });
});
