import { describe, expect, it } from 'vitest';
import { compileExpression, ExpressionError, linearForm, parseConstraint, parseExpression } from './expression.ts';

const value = (source: string, values: Record<string, number> = {}): number => compileExpression(source).evaluate(values);

function errorOf(source: string): ExpressionError {
  try {
    parseExpression(source);
  } catch (error) {
    if (error instanceof ExpressionError) return error;
    throw error;
  }
  throw new Error(`"${source}" parsed without error`);
}

describe('parseExpression and evaluation', () => {
  it('follows the usual precedence and associativity', () => {
    expect(value('1 + 2 * 3')).toBe(7);
    expect(value('(1 + 2) * 3')).toBe(9);
    expect(value('2 ^ 3 ^ 2')).toBe(512); // right-associative: 2^(3^2)
    expect(value('-2 ^ 2')).toBe(-4); // unary minus binds looser than ^
    expect(value('2 ^ -1')).toBe(0.5);
    expect(value('10 - 4 - 3')).toBe(3);
    expect(value('12 / 3 / 2')).toBe(2);
    expect(value('--3')).toBe(3);
    expect(value('.5 + 1e-1 + 2.5E2')).toBeCloseTo(250.6, 12);
  });

  it('compares to 1 or 0', () => {
    expect([value('1 < 2'), value('2 <= 2'), value('1 > 2'), value('3 >= 4'), value('2 == 2'), value('2 != 2')]).toEqual([
      1, 1, 0, 0, 1, 0,
    ]);
    expect(value('(x > 1) * 10', { x: 3 })).toBe(10);
    expect(value('a ≤ b', { a: 1, b: 2 })).toBe(1);
  });

  it('applies the functions', () => {
    expect(value('min(3, 1, 2) + max(3, 1, 2)')).toBe(4);
    expect(value('abs(-2) + sqrt(16) + exp(0) + log(1)')).toBe(7);
    expect(value('sin(0) + cos(0) + tanh(0)')).toBe(1);
    expect(value('sum(a, b, c)', { a: 1, b: 2, c: 3.5 })).toBe(6.5);
  });

  it('reads Unicode and backquoted names', () => {
    expect(value('温度 * 2 + 圧力', { 温度: 150, 圧力: 3 })).toBe(303);
    expect(value('`A B` + `配合量 (g)`', { 'A B': 1, '配合量 (g)': 2 })).toBe(3);
    expect(compileExpression('x_1 + 温度 * x_1').variables).toEqual(['x_1', '温度']);
  });

  it('evaluates a whole batch like row-by-row', () => {
    const expression = compileExpression('max(a, 2) * b ^ 2 - sqrt(a) / (b + 1) + (a > b)');
    const a = Float64Array.from([0, 1, 4, 9, 2.5]);
    const b = Float64Array.from([1, -2, 3, 0.5, 7]);
    const batch = expression.evaluateBatch({ a, b }, 5);
    for (let i = 0; i < 5; i++) expect(batch[i]).toBeCloseTo(expression.evaluate({ a: a[i], b: b[i] }), 14);
    const bare = compileExpression('a').evaluateBatch({ a }, 5);
    bare[0] = 42;
    expect(a[0]).toBe(0); // a bare variable is copied, not aliased
  });
});

describe('parse errors', () => {
  it.each([
    ['1 + * 2', 5, /Expected a number/],
    ['(a + b', 7, /Expected "\)"/],
    ['a $ b', 3, /Unexpected character "\$"/],
    ['foo(1)', 1, /Unknown function "foo"/],
    ['`abc + 1', 1, /Unclosed backquote/],
    ['a < b < c', 7, /cannot be chained/],
    ['1e + 2', 2, /exponent/],
    ['min()', 4, /at least 1 argument/],
    ['sqrt(1, 2)', 5, /takes 1 argument/],
    ['a b', 3, /Expected an operator, found name "b"/],
    ['a + b)', 6, /Unmatched "\)"/],
    ['', 1, /found the end/],
    ['温度 + * 2', 6, /Expected a number/],
    ['a ! b', 3, /did you mean "!="/],
  ])('%s → column %i', (source, column, message) => {
    const error = errorOf(source);
    expect(error.column).toBe(column);
    expect(error.message).toMatch(message);
    expect(error.message).toContain(`(column ${column})`);
  });
});

describe('linearity', () => {
  const coefficients = (source: string): [Record<string, number>, number] | null => {
    const form = linearForm(parseExpression(source));
    return form && [Object.fromEntries(form.coefficients), form.constant];
  };

  it('extracts coefficients of linear expressions', () => {
    expect(coefficients('A + B + C')).toEqual([{ A: 1, B: 1, C: 1 }, 0]);
    expect(coefficients('2*(A - B)/4 + 3')).toEqual([{ A: 0.5, B: -0.5 }, 3]);
    expect(coefficients('-(A - 3)')).toEqual([{ A: -1 }, 3]);
    expect(coefficients('sqrt(4) * A + 2^3')).toEqual([{ A: 2 }, 8]);
    expect(coefficients('sum(A, B, 2*C) - A')).toEqual([{ B: 1, C: 2 }, 0]);
    expect(coefficients('A^1')).toEqual([{ A: 1 }, 0]);
    expect(coefficients('7')).toEqual([{}, 7]);
  });

  it('rejects nonlinear expressions', () => {
    for (const source of ['A * B', 'A^2', 'A / B', 'max(A, B)', 'abs(A)', 'exp(A)', '1 / A', '(A > 1)']) {
      expect(coefficients(source), source).toBeNull();
    }
  });

  it('reads constraints as difference op 0', () => {
    const mixture = parseConstraint('A + B + C == 100');
    expect(mixture.op).toBe('==');
    expect(Object.fromEntries(mixture.linear?.coefficients ?? [])).toEqual({ A: 1, B: 1, C: 1 });
    expect(mixture.linear?.constant).toBe(-100);
    const ratio = parseConstraint('A <= 2*B');
    expect(ratio.op).toBe('<=');
    expect(Object.fromEntries(ratio.linear?.coefficients ?? [])).toEqual({ A: 1, B: -2 });
    expect(parseConstraint('A > B').op).toBe('>=');
    expect(parseConstraint('A * B >= 3').linear).toBeNull();
    expect(() => parseConstraint('A + B')).toThrow(/needs a comparison/);
    expect(() => parseConstraint('A != B')).toThrow(ExpressionError);
  });
});
