// Gaussian-process kernels on our AssemblyScript module (wasm/assembly/gp.ts): the covariance, a
// blocked float64 Cholesky, triangular solves, the inverse from the factor, and the log marginal
// likelihood with its gradient in one wasm call per θ.
//
// Inside wasm, square matrices are N × N with N = n rounded up to a multiple of 4 and identity
// padding; this side copies between that layout and the n × n arrays of linalg.ts. Memory comes from
// the same first-fit allocator as the MLP kernels: a likelihood holds its buffers until disposed, and
// the one-off operations release theirs before returning.
import { type GpKernels, type GpLikelihood, type GpStructure, referenceGpKernels } from '../models/gp.ts';
import type { JitteredCholesky } from '../models/linalg.ts';
import type { Matrix } from '../models/matrix.ts';
import { WasmHeap } from './wasm-mlp.ts';

interface GpExports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  relaxedSimd(): number;
  gpCholesky(a: number, size: number): number;
  gpSolveLower(l: number, size: number, b: number): void;
  gpSolveUpperTransposed(l: number, size: number, b: number): void;
  gpSolveLowerMany(l: number, size: number, b: number, m: number): void;
  gpInverseFromFactor(l: number, out: number, size: number): void;
  gpNegativeLogLikelihood(
    x: number, y: number, n: number, d: number, theta: number, kind: number, ard: number, linear: number,
    e: number, l: number, inv: number, alpha: number, xs: number, size: number, gradient: number, out: number,
  ): number;
}

export interface WasmGpKernels extends GpKernels {
  /** Solves (L Lᵀ) x = b in place, as linalg.ts choleskySolveInPlace. */
  choleskySolveInPlace(l: Float64Array, n: number, b: Float64Array): void;
  /** The lower triangle of (L Lᵀ)⁻¹ into `out` (upper triangle zeroed), as linalg.ts inverseFromCholesky. */
  inverseFromCholesky(l: Float64Array, n: number, out: Float64Array): void;
  /** Bytes of wasm memory handed out and not yet released. */
  bytesInUse(): number;
  /** Bytes of linear memory the module holds now. */
  memoryBytes(): number;
}

const BYTES = 8;
const KIND_CODE = { rbf: 0, matern52: 1 } as const;
const JITTER_TRIES = 8;
const INITIAL_RELATIVE_JITTER = 1e-10;

/** The padded size of an n × n matrix inside wasm. */
export function gpPaddedSize(n: number): number {
  return Math.ceil(n / 4) * 4;
}

/**
 * GP kernels on a compiled kernels.wasm or kernels-relaxed.wasm (wasm/build/), on their own instance
 * (and so their own memory); named after the build like the MLP kernels.
 */
export async function instantiateWasmGpKernels(source: WebAssembly.Module | BufferSource): Promise<WasmGpKernels> {
  const module = source instanceof WebAssembly.Module ? source : await WebAssembly.compile(source);
  const instance = await WebAssembly.instantiate(module, {});
  return wasmGpKernels(instance.exports as unknown as GpExports);
}

function wasmGpKernels(wasm: GpExports): WasmGpKernels {
  const heap = new WasmHeap(wasm.memory, wasm.heapBase());
  // Views are made afresh after every allocation: growing the memory detaches the old buffer.
  const f64 = () => new Float64Array(wasm.memory.buffer);

  /**
   * Writes the lower triangle of `a` (n × n), plus `jitter` on its diagonal, at `at` as size × size
   * with zeros above the diagonal and identity padding.
   */
  function writePaddedLower(a: Float64Array, n: number, size: number, at: number, jitter = 0): void {
    const heap64 = f64();
    const base = at / BYTES;
    for (let i = 0; i < size; i++) {
      const row = base + i * size;
      if (i < n) {
        heap64.set(a.subarray(i * n, i * n + i + 1), row);
        heap64[row + i] += jitter;
      } else {
        heap64.fill(0, row, row + i);
        heap64[row + i] = 1;
      }
      heap64.fill(0, row + i + 1, row + size);
    }
  }

  /** Reads the lower triangle at `at` (size × size) into `out` (n × n), zeroing its upper triangle. */
  function readLower(at: number, n: number, size: number, out: Float64Array): void {
    const heap64 = f64();
    const base = at / BYTES;
    for (let i = 0; i < n; i++) {
      out.set(heap64.subarray(base + i * size, base + i * size + i + 1), i * n);
      out.fill(0, i * n + i + 1, i * n + n);
    }
  }

  function withBlocks<T>(sizes: readonly number[], run: (at: number[]) => T): T {
    const at: number[] = [];
    try {
      for (const bytes of sizes) at.push(heap.alloc(bytes));
      return run(at);
    } finally {
      for (const block of at) heap.release(block);
    }
  }

  function likelihood(x: Matrix, y: Float64Array, structure: GpStructure): GpLikelihood {
    const n = x.rows;
    const d = x.cols;
    if (y.length !== n) throw new RangeError('Inputs and targets must have the same number of rows');
    const size = gpPaddedSize(n);
    const dp = Math.ceil(d / 2) * 2;
    const thetaLength = (structure.ard ? d : 1) + 2 + (structure.linear ? 1 : 0);
    const square = size * size * BYTES;
    const sizes = [
      n * dp * BYTES, // x, zero-padded to an even width
      size * BYTES, // y
      thetaLength * BYTES,
      square, // the gradient's exponentials (lower)
      square, // K, factored in place into L
      square, // K⁻¹
      size * BYTES, // α
      n * dp * BYTES, // x / ℓ
      thetaLength * BYTES, // gradient
      (2 + dp) * BYTES, // jitter, then per-input scratch
    ];
    const blocks: number[] = [];
    try {
      for (const bytes of sizes) blocks.push(heap.alloc(Math.max(bytes, BYTES)));
    } catch (error) {
      // wasm32 memory ends at 4 GiB (browsers may refuse sooner): three n × n matrices stop fitting
      // near n = 10,000. The reference computes the same numbers in ordinary arrays.
      for (const block of blocks) heap.release(block);
      if (!(error instanceof RangeError)) throw error;
      return referenceGpKernels.likelihood(x, y, structure);
    }
    const [xAt, yAt, thetaAt, eAt, lAt, invAt, alphaAt, xsAt, gradientAt, outAt] = blocks;
    {
      const heap64 = f64();
      heap64.fill(0, xAt / BYTES, xAt / BYTES + n * dp);
      for (let i = 0; i < n; i++) heap64.set(x.data.subarray(i * d, i * d + d), xAt / BYTES + i * dp);
      heap64.fill(0, yAt / BYTES, yAt / BYTES + size);
      heap64.set(y, yAt / BYTES);
    }
    const kind = KIND_CODE[structure.kernel];
    let lastAlpha: Float64Array | null = null;
    let lastJitter = 0;
    let disposed = false;
    return {
      negativeLogLikelihood(theta, gradient) {
        if (disposed) throw new RangeError('This GP likelihood was disposed');
        if (theta.length !== thetaLength) throw new RangeError('θ does not match the GP structure');
        f64().set(theta, thetaAt / BYTES);
        const nll = wasm.gpNegativeLogLikelihood(
          xAt, yAt, n, d, thetaAt, kind, structure.ard ? 1 : 0, structure.linear ? 1 : 0,
          eAt, lAt, invAt, alphaAt, xsAt, size, gradient ? gradientAt : 0, outAt,
        );
        if (Number.isNaN(nll)) return NaN;
        const heap64 = f64();
        lastAlpha = null;
        lastJitter = heap64[outAt / BYTES];
        if (gradient) gradient.set(heap64.subarray(gradientAt / BYTES, gradientAt / BYTES + thetaLength));
        return nll;
      },
      alpha() {
        if (disposed) throw new RangeError('This GP likelihood was disposed');
        lastAlpha ??= f64().slice(alphaAt / BYTES, alphaAt / BYTES + n);
        return Float64Array.from(lastAlpha);
      },
      jitter: () => lastJitter,
      dispose() {
        if (disposed) return;
        disposed = true;
        for (const block of blocks) heap.release(block);
      },
    };
  }

  function choleskyWithJitter(a: Float64Array, n: number): JitteredCholesky {
    const size = gpPaddedSize(n);
    let meanDiagonal = 0;
    for (let i = 0; i < n; i++) meanDiagonal += a[i * n + i];
    meanDiagonal = n > 0 ? Math.abs(meanDiagonal / n) : 0;
    if (!Number.isFinite(meanDiagonal)) throw new RangeError('Matrix has a non-finite diagonal');
    const scale = meanDiagonal > 0 ? meanDiagonal : 1;
    return withBlocks([size * size * BYTES], ([lAt]) => {
      for (let attempt = 0; attempt <= JITTER_TRIES; attempt++) {
        const jitter = attempt === 0 ? 0 : scale * INITIAL_RELATIVE_JITTER * 10 ** (attempt - 1);
        writePaddedLower(a, n, size, lAt, jitter);
        if (wasm.gpCholesky(lAt, size)) {
          const factor = new Float64Array(n * n);
          readLower(lAt, n, size, factor);
          return { factor, jitter };
        }
      }
      throw new RangeError('Matrix is not positive definite, even with jitter');
    });
  }

  return {
    name: wasm.relaxedSimd() ? 'wasm-relaxed-simd' : 'wasm-simd',
    likelihood,
    choleskyWithJitter,
    solveLowerManyInPlace(l, n, b, m) {
      const size = gpPaddedSize(n);
      withBlocks([size * size * BYTES, size * Math.max(m, 1) * BYTES], ([lAt, bAt]) => {
        writePaddedLower(l, n, size, lAt);
        const heap64 = f64();
        heap64.fill(0, bAt / BYTES, bAt / BYTES + size * m);
        heap64.set(b.subarray(0, n * m), bAt / BYTES);
        wasm.gpSolveLowerMany(lAt, size, bAt, m);
        b.set(f64().subarray(bAt / BYTES, bAt / BYTES + n * m));
      });
    },
    choleskySolveInPlace(l, n, b) {
      const size = gpPaddedSize(n);
      withBlocks([size * size * BYTES, size * BYTES], ([lAt, bAt]) => {
        writePaddedLower(l, n, size, lAt);
        const heap64 = f64();
        heap64.fill(0, bAt / BYTES, bAt / BYTES + size);
        heap64.set(b.subarray(0, n), bAt / BYTES);
        wasm.gpSolveLower(lAt, size, bAt);
        wasm.gpSolveUpperTransposed(lAt, size, bAt);
        b.set(f64().subarray(bAt / BYTES, bAt / BYTES + n));
      });
    },
    inverseFromCholesky(l, n, out) {
      const size = gpPaddedSize(n);
      withBlocks([size * size * BYTES, size * size * BYTES], ([lAt, outAt]) => {
        writePaddedLower(l, n, size, lAt);
        wasm.gpInverseFromFactor(lAt, outAt, size);
        readLower(outAt, n, size, out);
      });
    },
    bytesInUse: () => heap.bytesInUse(),
    memoryBytes: () => wasm.memory.buffer.byteLength,
  };
}
