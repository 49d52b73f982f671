// Random forest regression (Breiman 2001), one forest per output: bootstrap rows, grow each
// CART tree to leaves of at least `minLeaf` rows by the largest squared-error reduction over
// `maxFeatures` randomly drawn inputs per node. Trees capture steps and interactions that smooth
// models (ridge, Gaussian processes) miss on some tables (integer-coded factors, thresholds).
// Uncertainty: the spread of the trees' predictions plus the out-of-bag residual variance
// (the noise the forest cannot explain), so std covers new observations.
import { type Matrix, createMatrix } from './matrix.ts';
import { createRng, type Rng } from './rng.ts';
import type { FitOptions, ModelFactory, Prediction, Predictor, SerializedModel } from './types.ts';

export interface ForestOptions {
  /** Trees per output (default 100). */
  readonly trees?: number;
  /** Fewest training rows in a leaf (default 1, as scikit-learn). */
  readonly minLeaf?: number;
  /** Share of inputs tried at each split (default 1: all, as scikit-learn's regressor). */
  readonly maxFeatures?: number;
}

/** One tree, flat: node k splits on feature[k] at threshold[k]; a leaf has feature −1 and its value. */
interface Tree {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  value: number[];
}

export interface ForestState extends SerializedModel {
  readonly kind: 'forest';
  readonly version: 1;
  readonly inputs: number;
  readonly outputs: number;
  /** forests[output][tree]. */
  readonly forests: Tree[][];
  /** Out-of-bag residual variance per output. */
  readonly noiseVariance: number[];
}

function growTree(x: Matrix, y: Float64Array, rows: Int32Array, rng: Rng, minLeaf: number, tried: number): Tree {
  const tree: Tree = { feature: [], threshold: [], left: [], right: [], value: [] };
  const p = x.cols;
  const features = Array.from({ length: p }, (_, j) => j);
  const build = (subset: Int32Array): number => {
    const node = tree.feature.length;
    let sum = 0;
    for (const r of subset) sum += y[r];
    const n = subset.length;
    tree.feature.push(-1);
    tree.threshold.push(0);
    tree.left.push(-1);
    tree.right.push(-1);
    tree.value.push(sum / n);
    if (n < 2 * minLeaf) return node;
    let bestGain = 1e-12;
    let bestFeature = -1;
    let bestThreshold = 0;
    const order = new Int32Array(n);
    rng.shuffle(features);
    const total = sum;
    for (let f = 0; f < tried; f++) {
      const j = features[f];
      order.set(subset);
      order.sort((a, b) => x.data[a * p + j] - x.data[b * p + j]);
      let leftSum = 0;
      for (let i = 0; i < n - 1; i++) {
        leftSum += y[order[i]];
        const here = x.data[order[i] * p + j];
        const next = x.data[order[i + 1] * p + j];
        const leftCount = i + 1;
        if (here === next || leftCount < minLeaf || n - leftCount < minLeaf) continue;
        // Squared-error reduction up to a constant: Σ²_L / n_L + Σ²_R / n_R.
        const rightSum = total - leftSum;
        const gain = (leftSum * leftSum) / leftCount + (rightSum * rightSum) / (n - leftCount) - (total * total) / n;
        if (gain > bestGain) {
          bestGain = gain;
          bestFeature = j;
          bestThreshold = (here + next) / 2;
        }
      }
    }
    if (bestFeature < 0) return node;
    const goesLeft = subset.filter((r) => x.data[r * p + bestFeature] <= bestThreshold);
    const goesRight = subset.filter((r) => x.data[r * p + bestFeature] > bestThreshold);
    tree.feature[node] = bestFeature;
    tree.threshold[node] = bestThreshold;
    tree.left[node] = build(goesLeft);
    tree.right[node] = build(goesRight);
    return node;
  };
  build(rows);
  return tree;
}

function predictTree(tree: Tree, x: Matrix, row: number): number {
  let node = 0;
  while (tree.feature[node] >= 0) {
    node = x.data[row * x.cols + tree.feature[node]] <= tree.threshold[node] ? tree.left[node] : tree.right[node];
  }
  return tree.value[node];
}

export function fitForest(x: Matrix, y: Matrix, options: ForestOptions = {}, fitOptions: FitOptions = {}): Predictor<ForestState> {
  const { trees = 100, minLeaf = 1, maxFeatures = 1 } = options;
  const { seed = 0, signal, onProgress } = fitOptions;
  const n = x.rows;
  if (n < 2) throw new RangeError('A forest needs at least two rows');
  const tried = Math.max(1, Math.round(maxFeatures * x.cols));
  const rng = createRng(seed);
  const forests: Tree[][] = [];
  const noiseVariance: number[] = [];
  for (let o = 0; o < y.cols; o++) {
    const target = Float64Array.from({ length: n }, (_, i) => y.data[i * y.cols + o]);
    const oobSum = new Float64Array(n);
    const oobCount = new Int32Array(n);
    const forest: Tree[] = [];
    for (let t = 0; t < trees; t++) {
      signal?.throwIfAborted();
      const inBag = new Uint8Array(n);
      const rows = Int32Array.from({ length: n }, () => {
        const r = rng.int(n);
        inBag[r] = 1;
        return r;
      });
      const tree = growTree(x, target, rows, rng, minLeaf, tried);
      forest.push(tree);
      for (let i = 0; i < n; i++) {
        if (inBag[i]) continue;
        oobSum[i] += predictTree(tree, x, i);
        oobCount[i]++;
      }
      onProgress?.((o + (t + 1) / trees) / y.cols);
    }
    let squared = 0;
    let counted = 0;
    for (let i = 0; i < n; i++) {
      if (oobCount[i] === 0) continue;
      squared += (target[i] - oobSum[i] / oobCount[i]) ** 2;
      counted++;
    }
    forests.push(forest);
    noiseVariance.push(counted > 0 ? squared / counted : 0);
  }
  return forestPredictor({ kind: 'forest', version: 1, inputs: x.cols, outputs: y.cols, forests, noiseVariance });
}

function forestPredictor(state: ForestState): Predictor<ForestState> {
  return {
    kind: 'forest',
    inputs: state.inputs,
    outputs: state.outputs,
    toJSON: () => state,
    predict(x: Matrix): Prediction {
      const q = state.outputs;
      const mean = createMatrix(x.rows, q);
      const std = createMatrix(x.rows, q);
      const stdLatent = createMatrix(x.rows, q);
      state.forests.forEach((forest, o) => {
        for (let i = 0; i < x.rows; i++) {
          let sum = 0;
          let sumSquares = 0;
          for (const tree of forest) {
            const v = predictTree(tree, x, i);
            sum += v;
            sumSquares += v * v;
          }
          const m = sum / forest.length;
          const spread = Math.max(0, sumSquares / forest.length - m * m);
          mean.data[i * q + o] = m;
          stdLatent.data[i * q + o] = Math.sqrt(spread);
          std.data[i * q + o] = Math.sqrt(spread + state.noiseVariance[o]);
        }
      });
      return { mean, std, stdLatent };
    },
  };
}

export function forestFromJSON(state: ForestState): Predictor<ForestState> {
  if (state.kind !== 'forest' || state.version !== 1) throw new RangeError('Not a forest model (version 1)');
  if (state.forests.length !== state.outputs || state.noiseVariance.length !== state.outputs) {
    throw new RangeError('forest model state does not match its number of outputs');
  }
  return forestPredictor(state);
}

export function forestFactory(options: ForestOptions = {}): ModelFactory {
  return {
    name: 'forest',
    fit: (x: Matrix, y: Matrix, fitOptions: FitOptions = {}) => fitForest(x, y, options, fitOptions),
  };
}
