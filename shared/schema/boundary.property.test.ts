// Property-based tests of what crosses a boundary: for any input, the parsers and validators
// either accept it or refuse it with their own typed error. They never crash, hang or echo
// the input back in a message.
import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { compileExpression, ExpressionError, parseExpression } from '../engine/optimize/expression.ts';
import { TableError } from '../engine/table/errors.ts';
import { readTable } from '../engine/table/read.ts';
import { parseAnalysisSpec, SpecError } from './analysis-spec.ts';
import { InvitationRequest } from './api-admin.ts';
import { AcceptInvitationRequest, ChangePasswordRequest, LoginRequest } from './api-auth.ts';
import { ProjectCreate, ProjectPatch } from './api-projects.ts';
import { ModelFileError, parseModelFile } from './model-file.ts';

const MARKER = 'zq\u0301MARKER';

describe('expression parser', () => {
  it('parses any text or refuses it with a column inside the text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (source) => {
        try {
          parseExpression(source);
        } catch (error) {
          expect(error).toBeInstanceOf(ExpressionError);
          const column = (error as ExpressionError).column;
          expect(column).toBeGreaterThanOrEqual(1);
          expect(column).toBeLessThanOrEqual(source.length + 1);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('evaluates generated arithmetic exactly as JavaScript does', () => {
    const leaf = fc.oneof(fc.integer({ min: -50, max: 50 }).map(String), fc.constantFrom('a', 'b'));
    const expression = fc.letrec<{ node: string }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        fc.tuple(tie('node'), fc.constantFrom('+', '-', '*'), tie('node')).map(([l, op, r]) => `(${l} ${op} ${r})`),
      ),
    })).node;
    fc.assert(
      fc.property(expression, fc.integer({ min: -9, max: 9 }), fc.integer({ min: -9, max: 9 }), (source, a, b) => {
        // JavaScript itself is the oracle here (in the test only; the product never evaluates text).
        const expected = new Function('a', 'b', `return ${source};`)(a, b) as number;
        const actual = compileExpression(source).evaluate({ a, b });
        expect(actual === expected, `${source} at a=${a}, b=${b}: ${actual} vs ${expected}`).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('table reader', () => {
  it('reads any bytes as a table or refuses them with a TableError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        try {
          const { table } = readTable(bytes);
          for (const column of table.columns) expect(column.values.length).toBe(table.rowCount);
        } catch (error) {
          expect(error).toBeInstanceOf(TableError);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('reads generated CSV text with the right shape, or says why not', () => {
    const cell = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }).map(String), fc.string({ maxLength: 6 }), fc.constant(''));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 12 }), fc.array(cell, { minLength: 60, maxLength: 60 }), (cols, rows, cells) => {
        const header = Array.from({ length: cols }, (_, j) => `c${j}`);
        const quote = (c: string) => `"${c.replace(/"/g, '""')}"`;
        const lines = Array.from({ length: rows }, (_, i) => header.map((_, j) => quote(cells[(i * cols + j) % cells.length])).join(','));
        const text = [header.join(','), ...lines].join('\n');
        try {
          const { table } = readTable(new TextEncoder().encode(text));
          expect(table.columns.map((c) => c.name)).toEqual(header);
          expect(table.rowCount).toBeLessThanOrEqual(rows);
        } catch (error) {
          expect(error).toBeInstanceOf(TableError);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('documents from users', () => {
  it('refuses any JSON that is not a model file or a spec, without echoing it', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const tagged = typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...value, note: MARKER } : value;
        for (const [parse, ErrorType] of [
          [parseModelFile, ModelFileError],
          [parseAnalysisSpec, SpecError],
        ] as const) {
          try {
            parse(tagged);
          } catch (error) {
            expect(error).toBeInstanceOf(ErrorType);
            expect((error as Error).message).not.toContain(MARKER);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('API request schemas never throw on any JSON body', () => {
    const schemas = [LoginRequest, AcceptInvitationRequest, ChangePasswordRequest, InvitationRequest, ProjectCreate, ProjectPatch];
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        for (const schema of schemas) {
          const result = v.safeParse(schema, value);
          expect(typeof result.success).toBe('boolean');
        }
      }),
      { numRuns: 1000 },
    );
  });
});
