// The space a design or a suggestion lives in: the variables (bounds, fixed values, integer,
// stepped and categorical ones) and the constraints, compiled by the optimize module so that
// both speak the same spec language. Points are made in the unit cube, one coordinate per
// non-fixed variable, and mapped to genes (the optimizer's encoding: value, integer, step index
// or category index). A single mixture equality (positive coefficients, as in A + B + C == 100)
// is met by mapping onto the simplex (normalized exponential spacings are uniform on it, a
// Dirichlet(1) draw); any other linear equality, and upper bounds the simplex map overshoots,
// by the optimize module's projection. Inequalities are left to the caller to reject.
import { parseConstraint } from '../optimize/expression.ts';
import { compileProblem, ProblemError, type CompiledProblem, type VariableSpec } from '../optimize/problem.ts';
import { GENE_CONTINUOUS } from '../optimize/variation.ts';

export interface DesignSpace {
  readonly variables: readonly VariableSpec[];
  /** Constraints over the inputs, e.g. "A + B + C == 100", "A <= 2*B". */
  readonly constraints?: readonly string[];
  /** Tolerance on equalities, relative to the size of their terms (default 1e-9). */
  readonly equalityTolerance?: number;
}

export class DesignError extends Error {
  override readonly name = 'DesignError';
}

export interface CompiledSpace {
  readonly variables: readonly VariableSpec[];
  /** Number of genes: the variables that are not fixed. */
  readonly dimensions: number;
  readonly kinds: Uint8Array;
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  /** Gene of each variable (−1 for fixed ones). */
  readonly geneOf: readonly number[];
  /** The constraints as written. */
  readonly constraints: readonly string[];
  /** Unit-cube rows (rows × dimensions) to gene rows, bounds and linear equalities met. */
  toGenes(unit: Float64Array, rows: number): Float64Array;
  /** Moves arbitrary gene rows into the space in place: clip, round, equalities by projection. */
  project(genes: Float64Array, rows: number): void;
  /** Gene rows to one column per variable, as a model sees them. */
  toColumns(genes: Float64Array, rows: number): Float64Array[];
  /** Columns as a model sees them (one per variable) back to gene rows. */
  fromColumns(columns: readonly ArrayLike<number>[], rows: number): Float64Array;
  /** Gene rows scaled to [0, 1] per gene, for distances. */
  normalize(genes: Float64Array, rows: number): Float64Array;
  /** Violation of each constraint, rows × constraints (0 where met). */
  violations(genes: Float64Array, rows: number): Promise<Float64Array>;
  /** The value a user reads for variable `index` (text for text categories). */
  displayValue(index: number, columnValue: number): number | string;
}

interface MixtureMap {
  /** Genes of the equality with their (positive) coefficients. */
  readonly genes: readonly number[];
  readonly coefficients: readonly number[];
  /** The other variables of the equality, with their coefficients. */
  readonly others: readonly { readonly variable: number; readonly coefficient: number }[];
  /** Σ a·x over the genes equals `total` − Σ others. */
  readonly total: number;
}

export function compileSpace(space: DesignSpace): CompiledSpace {
  const constraints = space.constraints ?? [];
  let problem: CompiledProblem;
  try {
    // compileProblem wants an objective; a design needs only its encoding and constraints.
    problem = compileProblem({
      variables: space.variables,
      objectives: [{ expression: '0', goal: 'min' }],
      constraints,
      equalityTolerance: space.equalityTolerance,
    });
  } catch (error) {
    if (error instanceof ProblemError) throw new DesignError(error.message, { cause: error });
    throw error;
  }
  if (problem.boundsConflict !== null) throw new DesignError(problem.boundsConflict.message);
  const { kinds, lower, upper, repair } = problem.encoded;
  const v = kinds.length;
  const variables = space.variables;
  const mixture = findMixture(problem, variables);

  const toColumns = (genes: Float64Array, rows: number): Float64Array[] => problem.decodeColumns(genes, rows);

  const toGenes = (unit: Float64Array, rows: number): Float64Array => {
    const genes = new Float64Array(rows * v);
    for (let r = 0; r < rows; r++) {
      for (let g = 0; g < v; g++) {
        const u = unit[r * v + g];
        const lo = lower[g];
        const hi = upper[g];
        genes[r * v + g] =
          kinds[g] === GENE_CONTINUOUS ? lo + u * (hi - lo) : Math.min(hi, lo + Math.floor(u * (hi - lo + 1)));
      }
    }
    if (mixture !== null) applyMixture(mixture, unit, genes, rows);
    repair?.(genes, rows);
    return genes;
  };

  const applyMixture = (map: MixtureMap, unit: Float64Array, genes: Float64Array, rows: number): void => {
    const columns = map.others.length > 0 ? toColumns(genes, rows) : [];
    const k = map.genes.length;
    const spacing = new Float64Array(k);
    for (let r = 0; r < rows; r++) {
      let rest = map.total;
      for (const { variable, coefficient } of map.others) rest -= coefficient * columns[variable][r];
      let floor = 0;
      let room = 0;
      for (let i = 0; i < k; i++) {
        floor += map.coefficients[i] * lower[map.genes[i]];
        room += map.coefficients[i] * (upper[map.genes[i]] - lower[map.genes[i]]);
      }
      const free = rest - floor;
      if (!(free >= 0 && free <= room)) continue;
      let sum = 0;
      for (let i = 0; i < k; i++) {
        spacing[i] = -Math.log(1 - unit[r * v + map.genes[i]]);
        sum += spacing[i];
      }
      for (let i = 0; i < k; i++) {
        const g = map.genes[i];
        const share = sum > 0 ? spacing[i] / sum : 1 / k;
        genes[r * v + g] = lower[g] + (free * share) / map.coefficients[i];
      }
    }
  };

  const project = (genes: Float64Array, rows: number): void => {
    for (let r = 0; r < rows; r++) {
      for (let g = 0; g < v; g++) {
        let x = Math.min(Math.max(genes[r * v + g], lower[g]), upper[g]);
        if (kinds[g] !== GENE_CONTINUOUS) x = Math.round(x);
        genes[r * v + g] = x;
      }
    }
    repair?.(genes, rows);
  };

  const fromColumns = (columns: readonly ArrayLike<number>[], rows: number): Float64Array => {
    const genes = new Float64Array(rows * v);
    variables.forEach((variable, index) => {
      const g = problem.geneOf[index];
      if (g < 0) return;
      const column = columns[index];
      for (let r = 0; r < rows; r++) genes[r * v + g] = geneValue(variable, column[r]);
    });
    return genes;
  };

  const normalize = (genes: Float64Array, rows: number): Float64Array => {
    const out = new Float64Array(rows * v);
    for (let r = 0; r < rows; r++) {
      for (let g = 0; g < v; g++) {
        const width = upper[g] - lower[g];
        out[r * v + g] = width > 0 ? (genes[r * v + g] - lower[g]) / width : 0;
      }
    }
    return out;
  };

  const violations = async (genes: Float64Array, rows: number): Promise<Float64Array> =>
    constraints.length === 0 ? new Float64Array(0) : (await problem.evaluateRows(genes, rows)).violations;

  return {
    variables,
    dimensions: v,
    kinds,
    lower,
    upper,
    geneOf: problem.geneOf,
    constraints,
    toGenes,
    project,
    toColumns,
    fromColumns,
    normalize,
    violations,
    displayValue: problem.displayValue,
  };
}

/** The gene of a column value: the value, the step index, or the category index. */
function geneValue(variable: VariableSpec, value: number): number {
  switch (variable.type) {
    case 'stepped':
      return Math.round((value - variable.min) / variable.step);
    case 'categorical': {
      const numeric = typeof variable.values[0] === 'number';
      return numeric ? Math.max(0, variable.values.indexOf(value)) : value;
    }
    default:
      return value;
  }
}

/** The one repaired equality, when it is a mixture over continuous genes with positive weights. */
function findMixture(problem: CompiledProblem, variables: readonly VariableSpec[]): MixtureMap | null {
  const repaired = problem.constraints.filter((constraint) => constraint.handling === 'repair');
  if (repaired.length !== 1) return null;
  const form = parseConstraint(repaired[0].source).linear;
  if (form === null) return null;
  const index = new Map(variables.map((variable, i) => [variable.name, i]));
  const genes: number[] = [];
  const coefficients: number[] = [];
  const others: { variable: number; coefficient: number }[] = [];
  let sign = 0;
  for (const [name, a] of form.coefficients) {
    const variable = index.get(name) ?? -1;
    const gene = problem.geneOf[variable];
    if (gene >= 0 && problem.encoded.kinds[gene] === GENE_CONTINUOUS && a !== 0) {
      if (sign === 0) sign = Math.sign(a);
      if (Math.sign(a) !== sign) return null;
      genes.push(gene);
      coefficients.push(a);
    } else {
      others.push({ variable, coefficient: a });
    }
  }
  if (genes.length < 2) return null;
  // Σ a x + Σ others + constant = 0, scaled so that the gene coefficients are positive.
  return {
    genes,
    coefficients: coefficients.map((a) => a * sign),
    others: others.map(({ variable, coefficient }) => ({ variable, coefficient: coefficient * sign })),
    total: -form.constant * sign,
  };
}
