// scikit-learn's Friedman #1 data and KFold splits rebuilt value for value, so that a test or a
// benchmark scores exactly the rows and folds the Python peers of ../shared/PEERS.md score.
import { type Matrix, createMatrix } from '../models/matrix.ts';

/**
 * numpy's legacy RandomState: MT19937 seeded by init_genrand, 53-bit doubles (genrand_res53),
 * polar Box–Muller normals with the spare cached, and the Fisher–Yates shuffle that draws j ≤ i
 * by masked rejection of 32-bit outputs. Enough to rebuild scikit-learn's make_friedman1 and
 * KFold(shuffle=True) exactly, so that our figures and the peers' come from the same rows and splits.
 */
export class NumpyRandomState {
  private readonly mt = new Uint32Array(624);
  private index = 624;
  private spareGauss: number | null = null;

  constructor(seed: number) {
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < 624; i++) mt[i] = (Math.imul(1812433253, mt[i - 1] ^ (mt[i - 1] >>> 30)) + i) >>> 0;
  }

  next32(): number {
    const mt = this.mt;
    if (this.index >= 624) {
      for (let k = 0; k < 624; k++) {
        const y = (mt[k] & 0x80000000) | (mt[(k + 1) % 624] & 0x7fffffff);
        mt[k] = mt[(k + 397) % 624] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.index = 0;
    }
    let y = mt[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  randomDouble(): number {
    const a = this.next32() >>> 5;
    const b = this.next32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  gauss(): number {
    if (this.spareGauss !== null) {
      const g = this.spareGauss;
      this.spareGauss = null;
      return g;
    }
    let x1: number;
    let x2: number;
    let r2: number;
    do {
      x1 = 2 * this.randomDouble() - 1;
      x2 = 2 * this.randomDouble() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt((-2 * Math.log(r2)) / r2);
    this.spareGauss = f * x1;
    return f * x2;
  }

  permutation(n: number): Int32Array {
    const out = Int32Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      let mask = i;
      for (const shift of [1, 2, 4, 8, 16]) mask |= mask >>> shift;
      let j: number;
      do j = (this.next32() & mask) >>> 0;
      while (j > i);
      const t = out[i];
      out[i] = out[j];
      out[j] = t;
    }
    return out;
  }
}

/** sklearn.datasets.make_friedman1(rows, inputs, noise, random_state=seed), value for value. */
export function sklearnFriedman1(rows: number, inputs: number, noise: number, seed: number): { x: Matrix; y: Matrix } {
  const rng = new NumpyRandomState(seed);
  const x = createMatrix(rows, inputs);
  for (let k = 0; k < x.data.length; k++) x.data[k] = rng.randomDouble();
  const y = createMatrix(rows, 1);
  for (let i = 0; i < rows; i++) {
    const v = x.data.subarray(i * inputs, i * inputs + 5);
    y.data[i] = 10 * Math.sin(Math.PI * v[0] * v[1]) + 20 * (v[2] - 0.5) ** 2 + 10 * v[3] + 5 * v[4];
  }
  for (let i = 0; i < rows; i++) y.data[i] += noise * rng.gauss();
  return { x, y };
}

/** The test folds of scikit-learn's KFold(k, shuffle=True, random_state=0). */
export function sklearnTestFolds(n: number, k: number): number[][] {
  const order = new NumpyRandomState(0).permutation(n);
  const folds: number[][] = [];
  let start = 0;
  for (let f = 0; f < k; f++) {
    const size = Math.floor(n / k) + (f < n % k ? 1 : 0);
    folds.push(Array.from(order.subarray(start, start + size)));
    start += size;
  }
  return folds;
}
