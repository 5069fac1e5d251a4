import { closeSync, existsSync, mkdirSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { completeLines, parseJsonLines } from '@confide/data';
import type { z } from 'zod';

/**
 * An append-only JSON Lines file: one line per completed item, written as soon as it completes, so a killed run keeps
 * everything that finished. A last line cut short by a kill is dropped (and cut off the file) when it is read back.
 */
export class StageLog<Schema extends z.ZodType> {
  #descriptor: number | undefined;

  constructor(
    readonly path: string,
    private readonly schema: Schema,
  ) {}

  /** The items written so far; a half-written last line is dropped from the file. */
  read(): z.infer<Schema>[] {
    if (!existsSync(this.path)) return [];
    const text = readFileSync(this.path, 'utf8');
    const complete = completeLines(text);
    if (complete.length !== text.length) truncateSync(this.path, Buffer.byteLength(complete, 'utf8'));
    return parseJsonLines(complete, this.path, this.schema);
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
