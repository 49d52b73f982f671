// A small, safe expression language for objectives and constraints. It is parsed by hand into a
// tree and compiled to closures; nothing is ever handed to eval or Function, so a spec cannot
// run code. Columns are counted in Unicode code points from 1, so a column name in Japanese
// moves the caret by one per character, as the user sees it.

export type BinaryOperator = '+' | '-' | '*' | '/' | '^';
export type ComparisonOperator = '<' | '<=' | '>' | '>=' | '==' | '!=';
export type FunctionName = 'min' | 'max' | 'abs' | 'sqrt' | 'exp' | 'log' | 'sin' | 'cos' | 'tanh' | 'sum';

export type ExpressionNode =
  | { readonly kind: 'number'; readonly value: number; readonly column: number }
  | { readonly kind: 'variable'; readonly name: string; readonly column: number }
  | { readonly kind: 'negate'; readonly operand: ExpressionNode; readonly column: number }
  | {
      readonly kind: 'binary';
      readonly op: BinaryOperator;
      readonly left: ExpressionNode;
      readonly right: ExpressionNode;
      readonly column: number;
    }
  | {
      readonly kind: 'compare';
      readonly op: ComparisonOperator;
      readonly left: ExpressionNode;
      readonly right: ExpressionNode;
      readonly column: number;
    }
  | { readonly kind: 'call'; readonly name: FunctionName; readonly args: readonly ExpressionNode[]; readonly column: number };

/** A parse error; `column` is the 1-based code-point column of the offending character. */
export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(`${message} (column ${column})`);
  }
}

const FUNCTION_ARITY: Readonly<Record<FunctionName, readonly [number, number]>> = {
  min: [1, Infinity],
  max: [1, Infinity],
  sum: [1, Infinity],
  abs: [1, 1],
  sqrt: [1, 1],
  exp: [1, 1],
  log: [1, 1],
  sin: [1, 1],
  cos: [1, 1],
  tanh: [1, 1],
};

function isFunctionName(name: string): name is FunctionName {
  return Object.prototype.hasOwnProperty.call(FUNCTION_ARITY, name);
}

type TokenType = 'number' | 'name' | 'operator' | '(' | ')' | ',' | 'end';
interface Token {
  readonly type: TokenType;
  readonly text: string;
  readonly value: number;
  readonly column: number;
}

const IDENTIFIER_START = /[\p{L}_]/u;
const IDENTIFIER_PART = /[\p{L}\p{M}\p{N}_]/u;
const DIGIT = /[0-9]/;
// Typographic forms users paste from documents are read as their ASCII meaning.
const OPERATOR_ALIASES: Readonly<Record<string, string>> = {
  '−': '-',
  '×': '*',
  '÷': '/',
  '≤': '<=',
  '≥': '>=',
  '≠': '!=',
  '=': '==',
};

function tokenize(source: string): Token[] {
  const chars = Array.from(source);
  const tokens: Token[] = [];
  let i = 0;
  while (i < chars.length) {
    const ch = chars[i];
    const column = i + 1;
    if (/\s/u.test(ch)) {
      i++;
      continue;
    }
    if (DIGIT.test(ch) || (ch === '.' && DIGIT.test(chars[i + 1] ?? ''))) {
      let text = '';
      while (i < chars.length && DIGIT.test(chars[i])) text += chars[i++];
      if (chars[i] === '.') {
        text += chars[i++];
        while (i < chars.length && DIGIT.test(chars[i])) text += chars[i++];
      }
      if (chars[i] === 'e' || chars[i] === 'E') {
        const exponentColumn = i + 1;
        text += chars[i++];
        if (chars[i] === '+' || chars[i] === '-') text += chars[i++];
        if (!DIGIT.test(chars[i] ?? '')) throw new ExpressionError('Expected digits after the exponent "e"', exponentColumn);
        while (i < chars.length && DIGIT.test(chars[i])) text += chars[i++];
      }
      tokens.push({ type: 'number', text, value: Number(text), column });
      continue;
    }
    if (IDENTIFIER_START.test(ch)) {
      let text = '';
      while (i < chars.length && IDENTIFIER_PART.test(chars[i])) text += chars[i++];
      tokens.push({ type: 'name', text, value: NaN, column });
      continue;
    }
    if (ch === '`') {
      let text = '';
      i++;
      while (i < chars.length && chars[i] !== '`') text += chars[i++];
      if (i >= chars.length) throw new ExpressionError('Unclosed backquote: a quoted name needs a closing "`"', column);
      if (text.length === 0) throw new ExpressionError('Empty quoted name', column);
      i++;
      tokens.push({ type: 'name', text, value: NaN, column });
      continue;
    }
    if (ch === '(' || ch === ')' || ch === ',') {
      tokens.push({ type: ch, text: ch, value: NaN, column });
      i++;
      continue;
    }
    const two = ch + (chars[i + 1] ?? '');
    if (two === '<=' || two === '>=' || two === '==' || two === '!=') {
      tokens.push({ type: 'operator', text: two, value: NaN, column });
      i += 2;
      continue;
    }
    if ('+-*/^<>'.includes(ch) || ch in OPERATOR_ALIASES) {
      tokens.push({ type: 'operator', text: OPERATOR_ALIASES[ch] ?? ch, value: NaN, column });
      i++;
      continue;
    }
    if (ch === '!') throw new ExpressionError('Unexpected "!": did you mean "!="?', column);
    throw new ExpressionError(`Unexpected character "${ch}"`, column);
  }
  tokens.push({ type: 'end', text: '', value: NaN, column: chars.length + 1 });
  return tokens;
}

const COMPARISONS: ReadonlySet<string> = new Set(['<', '<=', '>', '>=', '==', '!=']);

/** Parses an expression; throws ExpressionError with the column of the first mistake. */
export function parseExpression(source: string): ExpressionNode {
  const tokens = tokenize(source);
  let position = 0;
  const peek = (): Token => tokens[position];
  const advance = (): Token => tokens[position++];

  const describe = (token: Token): string => {
    if (token.type === 'end') return 'the end of the expression';
    if (token.type === 'name') return `name "${token.text}"`;
    if (token.type === 'number') return `number ${token.text}`;
    return `"${token.text}"`;
  };

  const parseComparison = (): ExpressionNode => {
    const left = parseAdditive();
    const token = peek();
    if (token.type !== 'operator' || !COMPARISONS.has(token.text)) return left;
    advance();
    const right = parseAdditive();
    const next = peek();
    if (next.type === 'operator' && COMPARISONS.has(next.text)) {
      throw new ExpressionError('Comparisons cannot be chained; write two constraints instead', next.column);
    }
    return { kind: 'compare', op: token.text as ComparisonOperator, left, right, column: token.column };
  };

  const parseAdditive = (): ExpressionNode => {
    let left = parseMultiplicative();
    for (;;) {
      const token = peek();
      if (token.type !== 'operator' || (token.text !== '+' && token.text !== '-')) return left;
      advance();
      const right = parseMultiplicative();
      left = { kind: 'binary', op: token.text, left, right, column: token.column };
    }
  };

  const parseMultiplicative = (): ExpressionNode => {
    let left = parseUnary();
    for (;;) {
      const token = peek();
      if (token.type !== 'operator' || (token.text !== '*' && token.text !== '/')) return left;
      advance();
      const right = parseUnary();
      left = { kind: 'binary', op: token.text, left, right, column: token.column };
    }
  };

  // Unary minus binds looser than "^", so -x^2 is -(x^2), as in mathematics.
  const parseUnary = (): ExpressionNode => {
    const token = peek();
    if (token.type === 'operator' && (token.text === '-' || token.text === '+')) {
      advance();
      const operand = parseUnary();
      return token.text === '-' ? { kind: 'negate', operand, column: token.column } : operand;
    }
    return parsePower();
  };

  const parsePower = (): ExpressionNode => {
    const base = parsePrimary();
    const token = peek();
    if (token.type !== 'operator' || token.text !== '^') return base;
    advance();
    // Right-associative: a^b^c is a^(b^c); the exponent may carry its own sign (2^-1).
    const exponent = parseUnary();
    return { kind: 'binary', op: '^', left: base, right: exponent, column: token.column };
  };

  const parsePrimary = (): ExpressionNode => {
    const token = advance();
    if (token.type === 'number') return { kind: 'number', value: token.value, column: token.column };
    if (token.type === 'name') {
      if (peek().type !== '(') return { kind: 'variable', name: token.text, column: token.column };
      if (!isFunctionName(token.text)) {
        throw new ExpressionError(
          `Unknown function "${token.text}"; known: ${Object.keys(FUNCTION_ARITY).join(', ')}`,
          token.column,
        );
      }
      const open = advance();
      const args: ExpressionNode[] = [];
      if (peek().type !== ')') {
        for (;;) {
          args.push(parseComparison());
          if (peek().type !== ',') break;
          advance();
        }
      }
      const close = peek();
      if (close.type !== ')') {
        throw new ExpressionError(`Expected "," or ")" in the call of ${token.text}, found ${describe(close)}`, close.column);
      }
      advance();
      const [least, most] = FUNCTION_ARITY[token.text];
      if (args.length < least || args.length > most) {
        const wanted = least === most ? `${least} argument${least === 1 ? '' : 's'}` : `at least ${least} argument`;
        throw new ExpressionError(`${token.text} takes ${wanted}, got ${args.length}`, open.column);
      }
      return { kind: 'call', name: token.text, args, column: token.column };
    }
    if (token.type === '(') {
      const inner = parseComparison();
      const close = peek();
      if (close.type !== ')') {
        throw new ExpressionError(`Expected ")" to close the "(" at column ${token.column}, found ${describe(close)}`, close.column);
      }
      advance();
      return inner;
    }
    throw new ExpressionError(`Expected a number, a name or "(", found ${describe(token)}`, token.column);
  };

  const tree = parseComparison();
  const rest = peek();
  if (rest.type !== 'end') {
    throw new ExpressionError(
      rest.type === ')' ? 'Unmatched ")"' : `Expected an operator, found ${describe(rest)}`,
      rest.column,
    );
  }
  return tree;
}

/** Distinct variable names in order of first appearance. */
export function variablesOf(node: ExpressionNode): string[] {
  const seen = new Set<string>();
  const visit = (n: ExpressionNode): void => {
    switch (n.kind) {
      case 'variable':
        seen.add(n.name);
        return;
      case 'negate':
        visit(n.operand);
        return;
      case 'binary':
      case 'compare':
        visit(n.left);
        visit(n.right);
        return;
      case 'call':
        n.args.forEach(visit);
        return;
      case 'number':
        return;
    }
  };
  visit(node);
  return [...seen];
}

function applyBinary(op: BinaryOperator, a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    case '^':
      return Math.pow(a, b);
  }
}

function applyComparison(op: ComparisonOperator, a: number, b: number): number {
  switch (op) {
    case '<':
      return a < b ? 1 : 0;
    case '<=':
      return a <= b ? 1 : 0;
    case '>':
      return a > b ? 1 : 0;
    case '>=':
      return a >= b ? 1 : 0;
    case '==':
      return a === b ? 1 : 0;
    case '!=':
      return a !== b ? 1 : 0;
  }
}

const UNARY_FUNCTIONS: Readonly<Record<'abs' | 'sqrt' | 'exp' | 'log' | 'sin' | 'cos' | 'tanh', (x: number) => number>> = {
  abs: Math.abs,
  sqrt: Math.sqrt,
  exp: Math.exp,
  log: Math.log,
  sin: Math.sin,
  cos: Math.cos,
  tanh: Math.tanh,
};

function applyCall(name: FunctionName, args: readonly number[]): number {
  switch (name) {
    case 'min':
      return Math.min(...args);
    case 'max':
      return Math.max(...args);
    case 'sum':
      return args.reduce((total, x) => total + x, 0);
    default:
      return UNARY_FUNCTIONS[name](args[0]);
  }
}

/** Replaces every subtree without variables by its value. */
export function foldConstants(node: ExpressionNode): ExpressionNode {
  switch (node.kind) {
    case 'number':
    case 'variable':
      return node;
    case 'negate': {
      const operand = foldConstants(node.operand);
      return operand.kind === 'number' ? { kind: 'number', value: -operand.value, column: node.column } : { ...node, operand };
    }
    case 'binary':
    case 'compare': {
      const left = foldConstants(node.left);
      const right = foldConstants(node.right);
      if (left.kind === 'number' && right.kind === 'number') {
        const value =
          node.kind === 'binary' ? applyBinary(node.op, left.value, right.value) : applyComparison(node.op, left.value, right.value);
        return { kind: 'number', value, column: node.column };
      }
      return { ...node, left, right };
    }
    case 'call': {
      const args = node.args.map(foldConstants);
      if (args.every((a) => a.kind === 'number')) {
        return { kind: 'number', value: applyCall(node.name, args.map((a) => (a.kind === 'number' ? a.value : NaN))), column: node.column };
      }
      return { ...node, args };
    }
  }
}

export interface CompiledExpression {
  readonly source: string;
  readonly tree: ExpressionNode;
  /** Distinct variable names in order of first appearance. */
  readonly variables: readonly string[];
  /** Value for one record; a missing variable reads as NaN. Comparisons give 1 or 0. */
  evaluate(values: Readonly<Record<string, number>>): number;
  /**
   * Values for n rows at once, one column per variable. The result is a fresh array the
   * caller may keep or change.
   */
  evaluateBatch(columns: Readonly<Record<string, ArrayLike<number>>>, n: number): Float64Array;
}

type ScalarFn = (values: Readonly<Record<string, number>>) => number;
type BatchFn = (columns: readonly ArrayLike<number>[], n: number) => ArrayLike<number>;

/** Parses (when given text) and compiles an expression to scalar and batch evaluators. */
export function compileExpression(input: string | ExpressionNode): CompiledExpression {
  const source = typeof input === 'string' ? input : '';
  const tree = typeof input === 'string' ? parseExpression(input) : input;
  const folded = foldConstants(tree);
  const variables = variablesOf(folded);
  const slot = new Map(variables.map((name, index) => [name, index]));
  const scalar = compileScalar(folded);
  const batch = compileBatch(folded, slot);
  return {
    source,
    tree,
    variables,
    evaluate: (values) => scalar(values),
    evaluateBatch: (columns, n) => {
      const bound = variables.map((name) => {
        const column = columns[name];
        if (column === undefined) return new Float64Array(n).fill(NaN);
        if (column.length < n) throw new RangeError(`Column "${name}" has ${column.length} rows, expected ${n}`);
        return column;
      });
      const result = batch(bound, n);
      // A bare variable or constant hands back a column it does not own: copy it.
      return result instanceof Float64Array && !bound.includes(result) && result.length === n
        ? result
        : Float64Array.from({ length: n }, (_, i) => result[i]);
    },
  };
}

function compileScalar(node: ExpressionNode): ScalarFn {
  switch (node.kind) {
    case 'number': {
      const value = node.value;
      return () => value;
    }
    case 'variable': {
      const name = node.name;
      return (values) => values[name] ?? NaN;
    }
    case 'negate': {
      const operand = compileScalar(node.operand);
      return (values) => -operand(values);
    }
    case 'binary': {
      const left = compileScalar(node.left);
      const right = compileScalar(node.right);
      switch (node.op) {
        case '+':
          return (v) => left(v) + right(v);
        case '-':
          return (v) => left(v) - right(v);
        case '*':
          return (v) => left(v) * right(v);
        case '/':
          return (v) => left(v) / right(v);
        case '^':
          return (v) => Math.pow(left(v), right(v));
      }
      break;
    }
    case 'compare': {
      const left = compileScalar(node.left);
      const right = compileScalar(node.right);
      const op = node.op;
      return (v) => applyComparison(op, left(v), right(v));
    }
    case 'call': {
      const args = node.args.map(compileScalar);
      const name = node.name;
      if (name === 'min' || name === 'max' || name === 'sum') return (v) => applyCall(name, args.map((a) => a(v)));
      const f = UNARY_FUNCTIONS[name];
      const arg = args[0];
      return (v) => f(arg(v));
    }
  }
}

function compileBatch(node: ExpressionNode, slot: ReadonlyMap<string, number>): BatchFn {
  switch (node.kind) {
    case 'number': {
      const value = node.value;
      return (_, n) => new Float64Array(n).fill(value);
    }
    case 'variable': {
      const index = slot.get(node.name) ?? -1;
      return (columns) => columns[index];
    }
    case 'negate': {
      const operand = compileBatch(node.operand, slot);
      return (columns, n) => {
        const x = operand(columns, n);
        const out = new Float64Array(n);
        for (let i = 0; i < n; i++) out[i] = -x[i];
        return out;
      };
    }
    case 'binary': {
      const left = compileBatch(node.left, slot);
      const right = compileBatch(node.right, slot);
      const op = node.op;
      return (columns, n) => {
        const a = left(columns, n);
        const b = right(columns, n);
        const out = new Float64Array(n);
        switch (op) {
          case '+':
            for (let i = 0; i < n; i++) out[i] = a[i] + b[i];
            break;
          case '-':
            for (let i = 0; i < n; i++) out[i] = a[i] - b[i];
            break;
          case '*':
            for (let i = 0; i < n; i++) out[i] = a[i] * b[i];
            break;
          case '/':
            for (let i = 0; i < n; i++) out[i] = a[i] / b[i];
            break;
          case '^':
            for (let i = 0; i < n; i++) out[i] = Math.pow(a[i], b[i]);
            break;
        }
        return out;
      };
    }
    case 'compare': {
      const left = compileBatch(node.left, slot);
      const right = compileBatch(node.right, slot);
      const op = node.op;
      return (columns, n) => {
        const a = left(columns, n);
        const b = right(columns, n);
        const out = new Float64Array(n);
        for (let i = 0; i < n; i++) out[i] = applyComparison(op, a[i], b[i]);
        return out;
      };
    }
    case 'call': {
      const args = node.args.map((a) => compileBatch(a, slot));
      const name = node.name;
      return (columns, n) => {
        const values = args.map((a) => a(columns, n));
        const out = new Float64Array(n);
        if (name === 'sum' || name === 'min' || name === 'max') {
          const first = values[0];
          for (let i = 0; i < n; i++) out[i] = first[i];
          for (let k = 1; k < values.length; k++) {
            const x = values[k];
            if (name === 'sum') for (let i = 0; i < n; i++) out[i] += x[i];
            else if (name === 'min') for (let i = 0; i < n; i++) out[i] = Math.min(out[i], x[i]);
            else for (let i = 0; i < n; i++) out[i] = Math.max(out[i], x[i]);
          }
          return out;
        }
        const f = UNARY_FUNCTIONS[name];
        const x = values[0];
        for (let i = 0; i < n; i++) out[i] = f(x[i]);
        return out;
      };
    }
  }
}

/** Σ coefficients[name] · name + constant. */
export interface LinearForm {
  readonly coefficients: ReadonlyMap<string, number>;
  readonly constant: number;
}

/**
 * The expression as Σ aᵢxᵢ + c when it is linear in its variables (after constant folding),
 * otherwise null. Comparisons are not linear expressions; see linearConstraint.
 */
export function linearForm(node: ExpressionNode): LinearForm | null {
  const result = linearOf(foldConstants(node));
  if (result === null) return null;
  for (const [name, value] of result.coefficients) if (value === 0) result.coefficients.delete(name);
  return result;
}

interface MutableLinear {
  coefficients: Map<string, number>;
  constant: number;
}

function scaleLinear(form: MutableLinear, factor: number): MutableLinear {
  const coefficients = new Map<string, number>();
  for (const [name, value] of form.coefficients) coefficients.set(name, value * factor);
  return { coefficients, constant: form.constant * factor };
}

function addLinear(a: MutableLinear, b: MutableLinear, sign: number): MutableLinear {
  const coefficients = new Map(a.coefficients);
  for (const [name, value] of b.coefficients) coefficients.set(name, (coefficients.get(name) ?? 0) + sign * value);
  return { coefficients, constant: a.constant + sign * b.constant };
}

function linearOf(node: ExpressionNode): MutableLinear | null {
  switch (node.kind) {
    case 'number':
      return { coefficients: new Map(), constant: node.value };
    case 'variable':
      return { coefficients: new Map([[node.name, 1]]), constant: 0 };
    case 'negate': {
      const operand = linearOf(node.operand);
      return operand && scaleLinear(operand, -1);
    }
    case 'binary': {
      const left = linearOf(node.left);
      const right = linearOf(node.right);
      if (left === null || right === null) return null;
      switch (node.op) {
        case '+':
          return addLinear(left, right, 1);
        case '-':
          return addLinear(left, right, -1);
        case '*':
          if (left.coefficients.size === 0) return scaleLinear(right, left.constant);
          if (right.coefficients.size === 0) return scaleLinear(left, right.constant);
          return null;
        case '/':
          return right.coefficients.size === 0 && right.constant !== 0 ? scaleLinear(left, 1 / right.constant) : null;
        case '^':
          // Constant subtrees are already folded, so a power with a variable is linear only as x^1.
          return right.coefficients.size === 0 && right.constant === 1 ? left : null;
      }
      break;
    }
    case 'call': {
      if (node.name !== 'sum') return null;
      let total: MutableLinear = { coefficients: new Map(), constant: 0 };
      for (const arg of node.args) {
        const form = linearOf(arg);
        if (form === null) return null;
        total = addLinear(total, form, 1);
      }
      return total;
    }
    case 'compare':
      return null;
  }
}

export type ConstraintOperator = '<=' | '>=' | '==';

/** A comparison read as a constraint: `difference op 0`, where difference = left − right. */
export interface ParsedConstraint {
  readonly source: string;
  readonly op: ConstraintOperator;
  readonly difference: ExpressionNode;
  /** Σ aᵢxᵢ + c of the difference when it is linear, else null. */
  readonly linear: LinearForm | null;
}

/**
 * Parses a constraint such as `A + B + C == 100` or `A <= 2*B`. Strict and non-strict
 * inequalities mean the same on continuous values and are both read as non-strict.
 */
export function parseConstraint(source: string): ParsedConstraint {
  const tree = parseExpression(source);
  if (tree.kind !== 'compare') {
    throw new ExpressionError('A constraint needs a comparison such as "<=", ">=" or "=="', tree.column);
  }
  if (tree.op === '!=') throw new ExpressionError('"!=" cannot be a constraint; use "<" or ">"', tree.column);
  const op: ConstraintOperator = tree.op === '<' || tree.op === '<=' ? '<=' : tree.op === '==' ? '==' : '>=';
  const difference: ExpressionNode = { kind: 'binary', op: '-', left: tree.left, right: tree.right, column: tree.column };
  return { source, op, difference, linear: linearForm(difference) };
}
