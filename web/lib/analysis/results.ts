// What the worker's analysis methods return and what the result records keep: plain arrays and
// records only, so they cross the worker boundary and go into IndexedDB as they are.
import type { AnalysisSpecInput } from '../../../shared/schema/analysis-spec.ts';
import type { AnalysisDraft } from './draft.ts';

export interface ExplainOptions {
  /** Sobol base samples N (N·(k + 2) evaluations). */
  baseSamples: number;
  /** Rows of the task's data explained by SHAP (the data's complete rows at most). */
  shapRows: number;
  /** The pair for the 2-D interaction grid, or null. */
  pair: [string, string] | null;
  seed: number;
}

export interface SobolBar {
  variable: string;
  first: number;
  firstInterval: [number, number];
  total: number;
  totalInterval: [number, number];
}

export interface DependenceCurve {
  grid: number[];
  mean: number[];
  low: number[];
  high: number[];
}

export interface InteractionGrid {
  variables: [string, string];
  gridA: number[];
  gridB: number[];
  /** Per output, gridA × gridB row-major. */
  values: Record<string, number[]>;
}

export interface ExplainResult {
  outputs: string[];
  /** The variables that vary (not fixed), in spec order. */
  variables: string[];
  sobol: Record<string, SobolBar[]>;
  shap: { method: 'exact' | 'permutation'; rows: number; ranking: Record<string, { variable: string; meanAbs: number }[]> };
  partialDependence: Record<string, Record<string, DependenceCurve>>;
  interaction: InteractionGrid | null;
  rowsExplained: number;
  evaluations: number;
  seconds: number;
}

export interface OptimizeOptions {
  population: number;
  generations: number;
  seed: number;
}

export interface ParetoSolution {
  inputs: Record<string, number | string>;
  outputs: Record<string, number>;
  std: Record<string, number>;
  objectives: number[];
  inDomain: boolean;
}

export interface OptimizeResult {
  algorithm: 'nsga2' | 'nsga3';
  objectives: string[];
  /** Goal of each objective, for the plot's "better" direction. */
  goals: ('min' | 'max' | 'target' | 'range')[];
  inputs: string[];
  outputs: string[];
  pareto: ParetoSolution[];
  /** Index into pareto of the best weighted desirability and of the knee, or -1. */
  picked: number;
  knee: number;
  obstacle: { constraint: string; message: string } | null;
  constraints: { constraint: string; handling: string; violationRate: number }[];
  evaluations: number;
  evaluationsOutsideDomain: number;
  seconds: number;
}

export interface DesignOptions {
  n: number;
  method: 'lhs' | 'sobol';
  seed: number;
}

export interface SuggestOptions {
  count: number;
  acquisition: 'ei' | 'ucb';
  seed: number;
}

export interface PlannedRun {
  inputs: Record<string, number | string>;
  /** Suggestions only: predicted mean and std per objective output, and why it was chosen. */
  predicted?: Record<string, number>;
  std?: Record<string, number>;
  reason?: string;
}

export interface NextExperimentsResult {
  kind: 'design' | 'suggest';
  inputs: string[];
  outputs: string[];
  runs: PlannedRun[];
  /** The experiment sheet (CSV text, inputs filled, outputs blank). */
  sheet: string;
  constraintsSkipped: string[];
  /** Design: smallest scaled distance between runs and the feasible share of candidates. */
  minDistance?: number;
  feasibleFraction?: number;
  observedRows?: number;
  seconds: number;
}

/** Payloads of the result records (repositories.results.add), one per kind. */
export interface ExplanationRecord {
  draft: AnalysisDraft;
  options: ExplainOptions;
  spec: AnalysisSpecInput;
  result: ExplainResult;
}

export interface OptimizationRecord {
  draft: AnalysisDraft;
  options: OptimizeOptions;
  spec: AnalysisSpecInput;
  result: OptimizeResult;
}

export interface NextExperimentsRecord {
  draft: AnalysisDraft;
  options: DesignOptions | SuggestOptions;
  spec: AnalysisSpecInput;
  result: NextExperimentsResult;
}
