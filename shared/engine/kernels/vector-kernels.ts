// The kernel interface: every numeric hot loop of the engine goes through one of
// these, so a plain-TS reference, our wasm build and TensorFlow.js are interchangeable
// and can be tested against each other.

export interface VectorKernels {
  /** Which implementation this is, shown to users and recorded with results. */
  readonly name: 'reference' | 'wasm-simd';
  /** Σ a[i]·b[i] over float32 vectors of equal length. */
  dotF32(a: Float32Array, b: Float32Array): number;
}

export function assertSameLength(a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) {
    throw new RangeError(`Vectors differ in length: ${a.length} and ${b.length}`);
  }
}
