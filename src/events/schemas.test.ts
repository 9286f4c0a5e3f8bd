import { describe, expect, it } from 'vitest';
import { RabtaError } from '../core/index.js';
import { MAX_EVENT_DEPTH, checkEventDepth, compileSchema } from './schemas.js';

const refusal = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (error) {
    return error instanceof RabtaError ? error.code : `not a RabtaError: ${String(error)}`;
  }
  return undefined;
};
const nested = (depth: number): unknown => JSON.parse('['.repeat(depth) + ']'.repeat(depth));

describe('topic schemas', () => {
  it('runs member patterns in linear time: ^(a+)+$ on 50 000 a’s and a ! returns (a backtracking engine never would)', () => {
    const validate = compileSchema({ type: 'object', properties: { name: { type: 'string', pattern: '^(a+)+$' } } });
    expect(validate({ name: 'a'.repeat(50_000) + '!' })).toBe(false);
    expect(validate.errors?.[0]?.keyword).toBe('pattern');
    expect(validate({ name: 'aaaa' })).toBe(true);
    const keys = compileSchema({ type: 'object', patternProperties: { '^(x+)+$': { type: 'integer' } } });
    expect(keys({ ['x'.repeat(50_000) + '!']: 'not checked: the key does not match' })).toBe(true);
    expect(keys({ xxx: 'a string' })).toBe(false);
  });

  it('keeps the patterns institutions use: CNIC, Urdu ranges, named groups, \\p{L}', () => {
    const validate = compileSchema({
      type: 'object',
      properties: { cnic: { pattern: '^\\d{5}-\\d{7}-\\d$' }, urdu: { pattern: '^[\\u0600-\\u06FF ]+$' }, year: { pattern: '^(?<y>\\d{4})$' }, name: { pattern: '^\\p{L}+$' } },
    });
    expect(validate({ cnic: '35202-1234567-1', urdu: 'احساس پروگرام', year: '2026', name: 'Ayesha' })).toBe(true);
    expect(validate({ cnic: '35202-1234567' })).toBe(false);
  });

  it('refuses at registration what RE2 cannot run: lookaround and backreferences', () => {
    expect(refusal(() => compileSchema({ pattern: '^(?=.*x)a+$' }))).toBe('schema-refused');
    expect(refusal(() => compileSchema({ patternProperties: { '(a)\\1': {} } }))).toBe('schema-refused');
  });

  it('refuses recursive $refs, direct, through $defs and mutual', () => {
    expect(refusal(() => compileSchema({ type: 'array', items: { $ref: '#' } }))).toBe('schema-refused');
    expect(refusal(() => compileSchema({ $defs: { node: { type: 'object', properties: { child: { $ref: '#/$defs/node' } } } }, $ref: '#/$defs/node' }))).toBe('schema-refused');
    expect(refusal(() => compileSchema({ $defs: { a: { items: { $ref: '#/$defs/b' } }, b: { items: { $ref: '#/$defs/a' } } }, $ref: '#/$defs/a' }))).toBe('schema-refused');
    expect(refusal(() => compileSchema({ $dynamicRef: '#meta' }))).toBe('schema-refused');
  });

  it('keeps non-recursive $refs, and refuses remote ones and ones that expand exponentially', () => {
    const validate = compileSchema({ $defs: { cnic: { type: 'string', pattern: '^\\d{5}-\\d{7}-\\d$' } }, properties: { a: { $ref: '#/$defs/cnic' }, b: { $ref: '#/$defs/cnic' } } });
    expect(validate({ a: '35202-1234567-1', b: 'no' })).toBe(false);
    expect(refusal(() => compileSchema({ $ref: 'https://example.org/schema.json' }))).toBe('schema-refused');
    expect(refusal(() => compileSchema({ $ref: '#/$defs/missing' }))).toBe('schema-refused');
    const defs: Record<string, unknown> = { d20: { type: 'string' } };
    for (let i = 0; i < 20; i++) defs[`d${i}`] = { allOf: [{ $ref: `#/$defs/d${i + 1}` }, { $ref: `#/$defs/d${i + 1}` }] };
    expect(refusal(() => compileSchema({ $defs: defs, $ref: '#/$defs/d0' }))).toBe('schema-refused');
  });

  it('refuses schemas nested too deeply, also in const', () => {
    let deep: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 30; i++) deep = { type: 'object', properties: { x: deep } };
    expect(refusal(() => compileSchema(deep))).toBe('schema-refused');
    expect(refusal(() => compileSchema({ const: nested(1000) }))).toBe('schema-refused');
  });

  it('measures an event of any depth without recursion and refuses one deeper than the limit', () => {
    expect(refusal(() => checkEventDepth(nested(20_000)))).toBe('event-too-deep');
    expect(refusal(() => checkEventDepth(nested(MAX_EVENT_DEPTH + 1)))).toBe('event-too-deep');
    expect(refusal(() => checkEventDepth(nested(MAX_EVENT_DEPTH)))).toBeUndefined();
    expect(refusal(() => checkEventDepth({ a: 'x', b: [1, 2, { c: null }] }))).toBeUndefined();
  });
});
