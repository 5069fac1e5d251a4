import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LogisticCoefficients, LogisticFitCache, LogisticFitInputs } from '@confide/core';
import { writeFileAtomic } from './io/atomic-write.js';

/** What a kept file starts with, before its coefficients: a name, then the number of fits and the dimension. */
const HEADER = Buffer.from('confide logistic fits 1\n', 'latin1');

/** The bytes of a file of `count` fits of `dimension` weights: the header, the two counts, each fit's weights and bias. */
function fileSize(count: number, dimension: number): number {
  return HEADER.length + 8 + count * (dimension + 1) * 8;
}

/**
 * The sha256 naming a set of fits: of the code that fits, the dimension and settings, then every byte of the rows,
 * the targets and each fit's rows (each after its length), in that order.
 */
export function logisticFitKey(inputs: LogisticFitInputs): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ algorithm: inputs.algorithm, dimension: inputs.dimension, settings: inputs.settings }));
  const add = (array: ArrayBufferView) => {
    hash.update(`\n${array.byteLength}\n`);
    hash.update(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
  };
  add(inputs.rows.offsets);
  add(inputs.rows.columns);
  add(inputs.rows.entries);
  add(inputs.targets);
  for (const subset of inputs.subsets) add(subset);
  return hash.digest('hex');
}

/**
 * Logistic fits kept in `folder` (the cache folder's `fits/`, `defaultFitCacheFolder`), one file per set of fits,
 * named by `logisticFitKey`: the header, then each fit's weights and bias as little-endian doubles. A file that is
 * missing, cut short or not of this format reads as none (the fits are fitted again and the file written anew); files
 * are written to a temporary name and renamed, so a reader never sees half of one.
 */
export function logisticFitCacheIn(folder: string): LogisticFitCache {
  // a fit that misses is written under the key its read computed: every byte of its rows is hashed once
  const keys = new WeakMap<LogisticFitInputs, string>();
  const path = (inputs: LogisticFitInputs) => {
    let key = keys.get(inputs);
    if (key === undefined) keys.set(inputs, (key = logisticFitKey(inputs)));
    return join(folder, `${key}.bin`);
  };
  return {
    read(inputs) {
      const file = path(inputs);
      if (!existsSync(file)) return undefined;
      const bytes = readFileSync(file);
      const count = inputs.subsets.length;
      if (bytes.length !== fileSize(count, inputs.dimension) || !bytes.subarray(0, HEADER.length).equals(HEADER)) return undefined;
      if (bytes.readUInt32LE(HEADER.length) !== count || bytes.readUInt32LE(HEADER.length + 4) !== inputs.dimension) return undefined;
      const fits: LogisticCoefficients[] = [];
      let at = HEADER.length + 8;
      for (let fit = 0; fit < count; fit++) {
        const weights = new Float64Array(inputs.dimension);
        for (let index = 0; index < inputs.dimension; index++, at += 8) weights[index] = bytes.readDoubleLE(at);
        fits.push({ weights, bias: bytes.readDoubleLE(at) });
        at += 8;
      }
      return fits;
    },
    write(inputs, fits) {
      const bytes = Buffer.alloc(fileSize(fits.length, inputs.dimension));
      HEADER.copy(bytes, 0);
      bytes.writeUInt32LE(fits.length, HEADER.length);
      bytes.writeUInt32LE(inputs.dimension, HEADER.length + 4);
      let at = HEADER.length + 8;
      for (const { weights, bias } of fits) {
        for (let index = 0; index < inputs.dimension; index++, at += 8) bytes.writeDoubleLE(weights[index]!, at);
        bytes.writeDoubleLE(bias, at);
        at += 8;
      }
      writeFileAtomic(path(inputs), bytes);
    },
  };
}
