import { basename } from 'node:path';
import { LoopTurns, type RunControl } from '@confide/core';

/** How far reading a file has got: bytes of it used so far, as stored (compressed, for a `.gz` file), of its size. */
export interface FileProgress {
  path: string;
  done: number;
  total: number;
}

/**
 * Reading as steps: a generator that reads a bounded piece of a file at a time (`plainChunks` and the generators built
 * on it, `lineSteps`, `jsonLineSteps`, `runRecordSteps`, `runDirectorySteps`), yields how far it got after each piece,
 * and returns what it read. The synchronous readers run their steps through (core's `runSteps`); `readCooperatively`
 * drives the same steps with turns of the event loop, so there is one reader of each kind, not two.
 */
export type ReadSteps<Result> = Generator<FileProgress, Result, void>;

/** The same steps with each progress mapped (a reader that reads one file twice counts both passes). */
export function* mapReadProgress<Result>(steps: ReadSteps<Result>, map: (progress: FileProgress) => FileProgress): ReadSteps<Result> {
  try {
    for (;;) {
      const next = steps.next();
      if (next.done) return next.value;
      yield map(next.value);
    }
  } finally {
    // returned early: closes the file the steps hold open
    steps.return(undefined as Result);
  }
}

/**
 * Drives reading steps with a turn of the event loop at most every 200 ms (core's LoopTurns): progress in bytes of
 * each file read, one stage per file (`<what>, bytes of <file name>`), and a CANCELLED error once `control.signal` is
 * aborted, with the file closed and nothing kept. Gives what the steps return: the same as running them through.
 */
export async function readCooperatively<Result>(steps: ReadSteps<Result>, control: RunControl, what: string): Promise<Result> {
  let turns: { path: string; loop: LoopTurns } | undefined;
  try {
    for (;;) {
      const next = steps.next();
      if (next.done) {
        turns?.loop.finish();
        return next.value;
      }
      const { path, done, total } = next.value;
      if (turns?.path !== path) {
        turns?.loop.finish();
        turns = { path, loop: new LoopTurns(control, `${what}, bytes of ${basename(path)}`, total, 'bytes') };
      }
      await turns.loop.step(done);
    }
  } finally {
    // stopped early (cancelled, or a step failed outside the generator): closes the file it holds open; a no-op otherwise
    steps.return(undefined as Result);
  }
}
