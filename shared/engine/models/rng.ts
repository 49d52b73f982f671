// Seeded pseudo-random numbers: xoshiro128** (Blackman & Vigna 2018), seeded through SplitMix32 so
// that nearby seeds give unrelated streams. 32-bit integer arithmetic only (Math.imul), so the same
// seed gives the same numbers in every JavaScript engine.

export interface Rng {
  /** Uniform in [0, 1) with 53 random bits. */
  next(): number;
  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Uniform in [low, high). */
  uniform(low: number, high: number): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** Fisher–Yates shuffle, in place; returns its argument. */
  shuffle<T extends { length: number; [index: number]: number }>(values: T): T;
}

function splitMix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** A generator for `seed` (any finite number; non-integers and large values are folded into 32 bits). */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new RangeError('Seed must be a finite number');
  const mix = splitMix32(foldSeed(seed));
  let a = mix();
  let b = mix();
  let c = mix();
  let d = mix();
  if ((a | b | c | d) === 0) a = 1;
  let spareNormal: number | null = null;

  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };
  const next = (): number => {
    const high = nextUint32() >>> 5; // 27 bits
    const low = nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  };
  const int = (n: number): number => {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError('int(n) needs a positive integer');
    return Math.floor(next() * n);
  };
  return {
    next,
    nextUint32,
    int,
    uniform: (low, high) => low + (high - low) * next(),
    normal: () => {
      if (spareNormal !== null) {
        const z = spareNormal;
        spareNormal = null;
        return z;
      }
      let u = 0;
      while (u === 0) u = next();
      const radius = Math.sqrt(-2 * Math.log(u));
      const angle = 2 * Math.PI * next();
      spareNormal = radius * Math.sin(angle);
      return radius * Math.cos(angle);
    },
    shuffle: (values) => {
      for (let i = values.length - 1; i > 0; i--) {
        const j = int(i + 1);
        const t = values[i];
        values[i] = values[j];
        values[j] = t;
      }
      return values;
    },
  };
}

/** A seed for a sub-task (a fold, a restart, an output) derived from a parent seed and a label. */
export function deriveSeed(seed: number, ...labels: number[]): number {
  let h = foldSeed(seed);
  for (const label of labels) {
    const mix = splitMix32((h ^ Math.imul(foldSeed(label) + 1, 0x27d4eb2d)) >>> 0);
    h = mix();
  }
  return h;
}

function foldSeed(seed: number): number {
  if (Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32) return seed >>> 0;
  // Fold the float's bits, so that e.g. 1.5 and 2**40 + 7 still give distinct streams.
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, seed);
  return (view.getUint32(0) ^ Math.imul(view.getUint32(4), 0x9e3779b1)) >>> 0;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
