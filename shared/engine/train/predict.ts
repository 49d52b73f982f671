// Prediction with a model file: encode the rows as training did, predict, and return each
// output's value and std in the user's units with an applicability-domain flag per row.
import { parseModelFile, type ModelFile } from '../../schema/model-file.ts';
import { createMatrix } from '../models/matrix.ts';
import { type ModelKernels, readModel } from '../models/registry.ts';
import type { Predictor } from '../models/types.ts';
import { encodeInputs } from '../table/encode.ts';
import type { Table } from '../table/table.ts';
import { domainChecker, type DomainChecker } from './domain.ts';
import { decodePrediction } from './output-scale.ts';

export interface OutputPrediction {
  readonly name: string;
  readonly mean: Float64Array;
  readonly std: Float64Array;
}

export interface TablePrediction {
  readonly rows: number;
  readonly outputs: readonly OutputPrediction[];
  /** Per row: inside the training ranges and near training rows, with every input present. */
  readonly inDomain: readonly boolean[];
  /** Per row: nearest-training-row distance over the domain threshold (above 1 is outside). */
  readonly distanceRatio: readonly number[];
}

export interface LoadedModel {
  readonly file: ModelFile;
  readonly predictor: Predictor;
  readonly domain: DomainChecker;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

/** Checks the file (format, version, shape) and rebuilds its predictor. */
export function loadModel(json: unknown, kernels: ModelKernels = {}): LoadedModel {
  const file = parseModelFile(json);
  const predictor = readModel(file.model, kernels);
  return {
    file,
    predictor,
    domain: domainChecker(file.domain),
    inputs: file.encoding.inputs.map((t) => t.column),
    outputs: file.encoding.outputs.map((t) => t.column),
  };
}

export function predictTable(model: LoadedModel, table: Table): TablePrediction {
  const encoded = encodeInputs(model.file.encoding, table);
  const d = encoded.features.length;
  const rows = encoded.rows;
  // A missing input is set to its training mean (0 after standardization) and the row is
  // flagged as outside the domain, since the model never saw that gap filled this way.
  const incomplete = new Array<boolean>(rows).fill(false);
  const x = encoded.matrix;
  for (let i = 0; i < rows * d; i++) {
    if (Number.isNaN(x[i])) {
      x[i] = 0;
      incomplete[Math.floor(i / d)] = true;
    }
  }
  const prediction = model.predictor.predict(createMatrix(rows, d, x));
  const q = model.outputs.length;
  const outputs = model.file.encoding.outputs.map((transform, o) => {
    const meanZ = Float64Array.from({ length: rows }, (_, i) => prediction.mean.data[i * q + o]);
    const stdZ = Float64Array.from({ length: rows }, (_, i) => prediction.std.data[i * q + o]);
    return { name: transform.column, ...decodePrediction(transform, meanZ, stdZ) };
  });
  const checks = Array.from({ length: rows }, (_, i) => model.domain.check(x, i));
  return {
    rows,
    outputs,
    inDomain: checks.map((c, i) => c.inDomain && !incomplete[i]),
    distanceRatio: checks.map((c) => c.distanceRatio),
  };
}
