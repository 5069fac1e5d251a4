import { closeSync, existsSync, mkdirSync, openSync, statSync, truncateSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { forEachJsonLine } from '@confide/data';
import type { z } from 'zod';

/**
 * An append-only JSON Lines file: one line per completed item, written as soon as it completes, so a killed run keeps
 * everything that finished. A last line cut short by a kill is dropped (and cut off the file) when it is read back.
 * The log is read a line at a time, never as one string.
 */
export class StageLog<Schema extends z.ZodType> {
  #descriptor: number | undefined;

  constructor(
    readonly path: string,
    private readonly schema: Schema,
  ) {}

  /** The items written so far; a half-written last line is dropped from the file. */
  read(): z.infer<Schema>[] {
    const items: z.infer<Schema>[] = [];
    this.forEach((item) => items.push(item));
    return items;
  }

  /** Calls `onItem` with each item written so far, a line at a time; a half-written last line is cut off the file. */
  forEach(onItem: (item: z.infer<Schema>, lineNumber: number) => void): void {
    if (!existsSync(this.path)) return;
    const { completeBytes } = forEachJsonLine(this.path, this.schema, onItem, { allowTruncatedLastLine: true });
    if (statSync(this.path).size !== completeBytes) truncateSync(this.path, completeBytes);
  }

  /** Appends one item as one line, in one write. */
  append(item: z.infer<Schema>): void {
    if (this.#descriptor === undefined) {
      mkdirSync(dirname(this.path), { recursive: true });
      this.#descriptor = openSync(this.path, 'a');
    }
    writeSync(this.#descriptor, JSON.stringify(item) + '\n');
  }

  close(): void {
    if (this.#descriptor !== undefined) closeSync(this.#descriptor);
    this.#descriptor = undefined;
  }
}
