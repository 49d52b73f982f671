// Numeric kernels of the engine. Callers own the memory layout: they write their
// arrays at or above heapBase() and pass byte offsets, so these functions never
// allocate and the module needs no garbage collector (built with --runtime stub).

/** First byte that callers may use for their own arrays. */
export function heapBase(): usize {
  return __heap_base;
}

/**
 * Dot product of two float32 vectors of length n.
 * Four independent SIMD accumulators (16 lanes) keep the adds from forming one
 * long dependency chain; the tail is summed in scalar code.
 */
export function dotF32(a: usize, b: usize, n: i32): f32 {
  let acc0 = f32x4.splat(0);
  let acc1 = f32x4.splat(0);
  let acc2 = f32x4.splat(0);
  let acc3 = f32x4.splat(0);
  let i: i32 = 0;
  const blocked = n & ~15;
  for (; i < blocked; i += 16) {
    const off = <usize>i << 2;
    acc0 = f32x4.add(acc0, f32x4.mul(v128.load(a + off), v128.load(b + off)));
    acc1 = f32x4.add(acc1, f32x4.mul(v128.load(a + off, 16), v128.load(b + off, 16)));
    acc2 = f32x4.add(acc2, f32x4.mul(v128.load(a + off, 32), v128.load(b + off, 32)));
    acc3 = f32x4.add(acc3, f32x4.mul(v128.load(a + off, 48), v128.load(b + off, 48)));
  }
  const acc = f32x4.add(f32x4.add(acc0, acc1), f32x4.add(acc2, acc3));
  let sum: f32 =
    f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) +
    f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
  for (; i < n; i++) {
    const off = <usize>i << 2;
    sum += load<f32>(a + off) * load<f32>(b + off);
  }
  return sum;
}

export { gemm, mlpTrainStep, mlpTrainSteps, mlpPredict, mlpSummarize, mlpTileRows, relaxedSimd } from './mlp';
export {
  gpCholesky, gpCovariance, gpInverseFromFactor, gpNegativeLogLikelihood,
  gpSolveLower, gpSolveLowerMany, gpSolveUpperTransposed,
} from './gp';
