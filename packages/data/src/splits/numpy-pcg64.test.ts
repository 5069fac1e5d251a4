import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NumpySeedSequence, Pcg64, numpyDefaultRng, randomInterval } from './numpy-pcg64.js';

/*
 * numpy-fixtures.json was made once with numpy 2.4.6 (random_interval is called through ctypes, since numpy exports
 * it from its C distributions but not to Python), by running this from this folder:
 *
 * python3 - <<'PY' > numpy-fixtures.json
 * import ctypes, hashlib, json
 * import numpy as np
 * import numpy.random._generator as generator_module
 * from numpy.random import PCG64, SeedSequence, default_rng
 *
 * library = ctypes.CDLL(generator_module.__file__)  # random_interval is exported from numpy's C distributions
 * library.random_interval.restype = ctypes.c_uint64
 * library.random_interval.argtypes = [ctypes.c_void_p, ctypes.c_uint64]
 * digest = lambda values: hashlib.sha256(','.join(map(str, values)).encode()).hexdigest()
 * ops = ['u64', 'u32', 'u32', 'u32', 'u64', 'u32', 'u64', 'u64', 'u32', 'u32', 'u32', 'u64']
 * maxima = [0, 1, 2, 9, 1000, 7499, 2**31, 2**32 - 1, 2**32, 2**40 + 12345, 2**63, 2**64 - 1, 5]
 * out = {'numpyVersion': np.__version__, 'seedSequence': [], 'pcg64Seeded': [], 'rawDraws': [], 'randomInterval': [], 'permutations': []}
 * for seed in [0, 42, 123, 2**32 + 7, 2**70 + 3]:
 *     sequence = SeedSequence(seed)
 *     out['seedSequence'].append({'seed': str(seed), 'pool': [int(v) for v in sequence.pool],
 *         'uint32x8': [int(v) for v in sequence.generate_state(8, np.uint32)],
 *         'uint64x4': [str(int(v)) for v in sequence.generate_state(4, np.uint64)]})
 *     state = PCG64(seed).state['state']
 *     out['pcg64Seeded'].append({'seed': str(seed), 'state': str(state['state']), 'inc': str(state['inc'])})
 *     interface = PCG64(seed).ctypes
 *     draws = [interface.next_uint64(interface.state) if op == 'u64' else interface.next_uint32(interface.state) for op in ops]
 *     out['rawDraws'].append({'seed': str(seed), 'ops': ops, 'values': [str(v) for v in draws]})
 *     interface = PCG64(seed).ctypes
 *     values = [library.random_interval(interface.bit_generator, m) for m in maxima]
 *     out['randomInterval'].append({'seed': str(seed), 'maxima': [str(m) for m in maxima], 'values': [str(v) for v in values]})
 * for seed in [0, 42, 123]:
 *     for n in [1, 2, 10, 1000, 7500]:
 *         permutation = [int(v) for v in default_rng(seed).permutation(n)]
 *         out['permutations'].append({'seed': seed, 'n': n, 'head': permutation[:50], 'tail': permutation[-50:], 'sha256': digest(permutation)})
 * rows = [f'  "numpyVersion": {json.dumps(out.pop("numpyVersion"))}']
 * for key, entries in out.items():
 *     rows.append(f'  "{key}": [\n' + ',\n'.join('    ' + json.dumps(entry) for entry in entries) + '\n  ]')
 * print('{\n' + ',\n'.join(rows) + '\n}')
 * PY
 *
 * Permutations are stored as their first and last 50 entries plus the sha256 of the full permutation written as
 * comma-joined decimals.
 */

interface NumpyFixtures {
  numpyVersion: string;
  seedSequence: { seed: string; pool: number[]; uint32x8: number[]; uint64x4: string[] }[];
  pcg64Seeded: { seed: string; state: string; inc: string }[];
  rawDraws: { seed: string; ops: ('u32' | 'u64')[]; values: string[] }[];
  randomInterval: { seed: string; maxima: string[]; values: string[] }[];
  permutations: { seed: number; n: number; head: number[]; tail: number[]; sha256: string }[];
}

const fixtures = JSON.parse(
  readFileSync(new URL('./numpy-fixtures.json', import.meta.url), 'utf8'),
) as NumpyFixtures;

const sha256 = (values: readonly number[]): string => createHash('sha256').update(values.join(',')).digest('hex');

describe.each(fixtures.seedSequence)('SeedSequence($seed)', (expected) => {
  const sequence = new NumpySeedSequence(BigInt(expected.seed));

  it('mixes the entropy into the same pool', () => {
    expect([...sequence.pool]).toEqual(expected.pool);
  });

  it('generates the same uint32 and uint64 state', () => {
    expect([...sequence.generateStateUint32(8)]).toEqual(expected.uint32x8);
    expect(sequence.generateStateUint64(4).map(String)).toEqual(expected.uint64x4);
  });
});

describe.each(fixtures.pcg64Seeded)('PCG64($seed)', (expected) => {
  it('starts from the same 128-bit state and increment', () => {
    const state = Pcg64.fromSeed(BigInt(expected.seed)).getState();
    expect({ state: String(state.state), increment: String(state.increment) }).toEqual({
      state: expected.state,
      increment: expected.inc,
    });
  });
});

describe.each(fixtures.rawDraws)('PCG64($seed) raw draws', (expected) => {
  it('matches next_uint64 and the buffered next_uint32, interleaved', () => {
    const bitGenerator = Pcg64.fromSeed(BigInt(expected.seed));
    const draws = expected.ops.map((operation) =>
      operation === 'u64' ? String(bitGenerator.nextUint64()) : String(bitGenerator.nextUint32()),
    );
    expect(draws).toEqual(expected.values);
  });
});

describe.each(fixtures.randomInterval)('random_interval on PCG64($seed)', (expected) => {
  it('matches both the 32-bit and the 64-bit branch, in one stream', () => {
    const bitGenerator = Pcg64.fromSeed(BigInt(expected.seed));
    const draws = expected.maxima.map((max) => String(randomInterval(bitGenerator, BigInt(max))));
    expect(draws).toEqual(expected.values);
  });
});

describe.each(fixtures.permutations)('default_rng($seed).permutation($n)', (expected) => {
  it('is the same permutation as numpy', () => {
    const permutation = numpyDefaultRng(expected.seed).permutation(expected.n);
    expect(permutation).toHaveLength(expected.n);
    expect(permutation.slice(0, 50)).toEqual(expected.head);
    expect(permutation.slice(-50)).toEqual(expected.tail);
    expect(sha256(permutation)).toBe(expected.sha256);
  });
});

describe('numpyDefaultRng', () => {
  it('gives an empty permutation for 0 without drawing', () => {
    const generator = numpyDefaultRng(42);
    expect(generator.permutation(0)).toEqual([]);
    expect(generator.bitGenerator.getState()).toEqual(Pcg64.fromSeed(42).getState());
  });

  it('shuffles any array with the draws of permutation', () => {
    const letters = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
    numpyDefaultRng(0).shuffle(letters);
    const permutation = fixtures.permutations.find((entry) => entry.seed === 0 && entry.n === 10)!.head;
    expect(letters).toEqual(permutation.map((index) => 'abcdefghij'[index]));
  });

  it.each([-1, 1.5, Number.NaN])('rejects the seed %s', (seed) => {
    expect(() => numpyDefaultRng(seed)).toThrow(RangeError);
  });

  it.each([-1, 2.5, 2 ** 32])('rejects the permutation length %s', (length) => {
    expect(() => numpyDefaultRng(0).permutation(length)).toThrow(RangeError);
  });
});
