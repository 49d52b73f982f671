// Issue 3's accuracy bar at a fixed seed: `--model auto` with its default candidates, 5-fold CV on
// scikit-learn's own Friedman #1 rows and KFold splits (sklearn-data.ts rebuilds both value for
// value), scored as the peers score it (the mean of the folds' R²). The best peer of
// ../shared/PEERS.md there is scikit-learn's GP with an ARD RBF kernel, 0.962.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { instantiateWasmGpKernels } from '../kernels/wasm-gp.ts';
import { instantiateWasmMlpKernels } from '../kernels/wasm-mlp.ts';
import { modelCandidates } from '../train/train.ts';
import { crossValidate } from '../validate/cross-validate.ts';
import { sklearnFriedman1, sklearnTestFolds } from '../validate/sklearn-data.ts';
import { standardizeColumns } from '../validate/synthetic.ts';
import { fitAuto } from './auto.ts';
import { ensembleFactory } from './ensemble/ensemble.ts';

const KERNELS_WASM = readFileSync(new URL('../../../wasm/build/kernels.wasm', import.meta.url));
const BEST_PEER_R2 = 0.962;
/** The same peer as ../shared/peers/regression.py prints it, to four decimals. */
const BEST_PEER_R2_PRINTED = 0.9623;

describe('the accuracy bar on Friedman #1 (1,000 × 10, noise 1, random_state 0)', () => {
  it("auto's cross-validated R² is at least the best peer's, and so is the network's alone", async () => {
    const mlpKernels = await instantiateWasmMlpKernels(KERNELS_WASM);
    const gpKernels = await instantiateWasmGpKernels(KERNELS_WASM);
    const { x, y } = sklearnFriedman1(1000, 10, 1, 0);
    const inputs = standardizeColumns(x);
    const folds = { testFolds: sklearnTestFolds(1000, 5), restandardize: Array.from({ length: 10 }, (_, c) => c) };
    const result = fitAuto(inputs, y, { candidates: modelCandidates('auto', mlpKernels, gpKernels), seed: 0, ...folds });
    const [choice] = result.choices;
    // Measured: auto keeps the ARD GP at 0.9624 (its Matérn 5/2 twin 0.9623); the network 0.9622
    // (seeds 1 and 2: 0.9624). scikit-learn's ARD GP prints 0.9623.
    const foldMean = (name: string) => result.crossValidation[name].outputs[0].r2FoldMean;
    expect(choice.chosen).toMatch(/^gp-.*-ard$/);
    expect(foldMean(choice.chosen)).toBeGreaterThanOrEqual(BEST_PEER_R2);
    // The network ran every fold (it was not screened out) and is far above scikit-learn's MLP peer (0.916).
    const network = choice.scores.find((s) => s.name === 'mlp-ensemble');
    expect(network?.screenedAfterFolds).toBeUndefined();
    expect(foldMean('mlp-ensemble')).toBeGreaterThanOrEqual(BEST_PEER_R2);
    // Over seeds 0–2 the network alone, rounded as the peer prints, is at least the peer's 0.9623.
    const others = [1, 2].map((seed) => crossValidate(ensembleFactory({}, mlpKernels), inputs, y, { seed, ...folds }).outputs[0].r2FoldMean);
    const seeds = [foldMean('mlp-ensemble'), ...others];
    const mean = seeds.reduce((a, b) => a + b) / seeds.length;
    expect(Number(mean.toFixed(4)), `seeds 0–2: ${seeds.map((v) => v.toFixed(5)).join(', ')}`).toBeGreaterThanOrEqual(BEST_PEER_R2_PRINTED);
  }, 400_000);
});
