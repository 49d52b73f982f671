// Sobol' low-discrepancy points (I. M. Sobol' 1967) with the Joe–Kuo direction numbers, in
// 32-bit integer arithmetic so that every engine yields the same bits. The scrambled variant is
// Owen's nested uniform scrambling in the hash-based form of Burley (Practical Hash-based Owen
// Scrambling, JCGT 9(4), 2020): bits are reversed, so that each operation below (add, multiply
// by an odd number, xor with a multiple by an even number) changes a digit only as a function of
// the digits before it, which is exactly the structure of a nested scramble. Scrambled points
// keep the (t, m, s)-net property, so the first 2^m points still stratify every elementary box.
import { createRng } from '../optimize/rng.ts';
import { JOE_KUO_DIMENSIONS, JOE_KUO_ENTRIES } from './joe-kuo.ts';

export const SOBOL_MAX_DIMENSIONS = JOE_KUO_DIMENSIONS;
const BITS = 32;
const TWO_POW_32 = 4294967296;

export interface SobolOptions {
  /** Owen-scramble the points (default true); false gives the plain sequence, starting at 0. */
  readonly scramble?: boolean;
  /** Seed of the scramble (default 0). */
  readonly seed?: number;
  /** Index of the first point (default 0). Keep n a power of two from 0 for balanced nets. */
  readonly skip?: number;
}

const directionCache: Uint32Array[] = [];

/** The 32 direction numbers v_1 … v_32 of dimension `dimension` (0-based), left-aligned. */
function directions(dimension: number): Uint32Array {
  const cached = directionCache[dimension];
  if (cached !== undefined) return cached;
  const v = new Uint32Array(BITS);
  if (dimension === 0) {
    for (let i = 0; i < BITS; i++) v[i] = (1 << (BITS - 1 - i)) >>> 0;
  } else {
    const numbers = JOE_KUO_ENTRIES[dimension - 1].split(' ').map(Number);
    const s = numbers[0];
    const a = numbers[1];
    for (let i = 0; i < s; i++) v[i] = (numbers[2 + i] << (BITS - 1 - i)) >>> 0;
    // Bratley & Fox recurrence: v_i = a_1 v_{i−1} ⊕ … ⊕ a_{s−1} v_{i−s+1} ⊕ v_{i−s} ⊕ (v_{i−s} >> s).
    for (let i = s; i < BITS; i++) {
      let value = v[i - s] ^ (v[i - s] >>> s);
      for (let k = 1; k < s; k++) if ((a >>> (s - 1 - k)) & 1) value ^= v[i - k];
      v[i] = value >>> 0;
    }
  }
  directionCache[dimension] = v;
  return v;
}

function reverseBits(x: number): number {
  x = ((x >>> 1) & 0x55555555) | ((x & 0x55555555) << 1);
  x = ((x >>> 2) & 0x33333333) | ((x & 0x33333333) << 2);
  x = ((x >>> 4) & 0x0f0f0f0f) | ((x & 0x0f0f0f0f) << 4);
  x = ((x >>> 8) & 0x00ff00ff) | ((x & 0x00ff00ff) << 8);
  return ((x >>> 16) | (x << 16)) >>> 0;
}

/** Burley's improved Laine–Karras permutation, applied to bit-reversed digits. */
function owenScramble(x: number, seed: number): number {
  let y = reverseBits(x);
  y ^= Math.imul(y, 0x3d20adea);
  y = (y + seed) | 0;
  y = Math.imul(y, (seed >>> 16) | 1);
  y ^= Math.imul(y, 0x05526c56);
  y ^= Math.imul(y, 0x53a22864);
  return reverseBits(y >>> 0);
}

/** Number of trailing one bits of a non-negative integer below 2^32. */
function trailingOnes(i: number): number {
  let c = 0;
  while (i % 2 === 1) {
    i = (i - 1) / 2;
    c++;
  }
  return c;
}

/**
 * `n` points of the `dimensions`-dimensional Sobol' sequence in [0, 1), row-major
 * (point i, coordinate j at i·dimensions + j).
 */
export function sobolPoints(n: number, dimensions: number, options: SobolOptions = {}): Float64Array {
  if (!Number.isInteger(n) || n < 0) throw new RangeError('n must be a non-negative integer');
  if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > SOBOL_MAX_DIMENSIONS) {
    throw new RangeError(`dimensions must be an integer from 1 to ${SOBOL_MAX_DIMENSIONS}`);
  }
  const skip = options.skip ?? 0;
  if (!Number.isInteger(skip) || skip < 0 || skip + n > TWO_POW_32) throw new RangeError('skip + n must stay below 2^32');
  const scramble = options.scramble ?? true;
  const v = Array.from({ length: dimensions }, (_, j) => directions(j));
  const seeds = new Uint32Array(dimensions);
  if (scramble) {
    const rng = createRng(options.seed ?? 0);
    for (let j = 0; j < dimensions; j++) seeds[j] = Math.floor(rng.next() * TWO_POW_32);
  }
  // The state of point `skip` directly (x = ⊕ v_k over the bits of its Gray code), then the
  // Gray-code recurrence: point i+1 flips direction number (trailing ones of i).
  const state = new Uint32Array(dimensions);
  const gray = (skip ^ (skip >>> 1)) >>> 0;
  for (let bit = 0, g = gray; g > 0; bit++, g >>>= 1) {
    if (g & 1) for (let j = 0; j < dimensions; j++) state[j] ^= v[j][bit];
  }
  const out = new Float64Array(n * dimensions);
  for (let i = 0; i < n; i++) {
    const row = i * dimensions;
    for (let j = 0; j < dimensions; j++) {
      const bits = scramble ? owenScramble(state[j], seeds[j]) : state[j];
      out[row + j] = bits / TWO_POW_32;
    }
    if (i + 1 < n) {
      const c = trailingOnes(skip + i);
      for (let j = 0; j < dimensions; j++) state[j] ^= v[j][c];
    }
  }
  return out;
}
