import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { RegExpEngine } from 'ajv/dist/types/index.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import { RE2JS } from 're2js';
import { RabtaError } from '../core/index.js';

const DRAFT_07 = /^https?:\/\/json-schema\.org\/draft-07\/schema#?$/;
const MAX_ERRORS = 20;
/** JSON nesting of a topic schema (each level of the event is two: `properties` and the property). */
export const MAX_SCHEMA_DEPTH = 40;
/** How many schema evaluations `$ref`s may expand to for one value: a chain of defs each referring twice to the next doubles per link. */
const MAX_REF_EXPANSION = 10_000;
/** JSON nesting of an event payload; deeper ones are refused before any validation (recursion there would overflow the stack). */
export const MAX_EVENT_DEPTH = 64;
/** Keywords whose values are data, not schemas: nothing in them is a `$ref` or a pattern. */
const DATA_KEYWORDS = new Set(['const', 'enum', 'default', 'examples']);
/** Keywords whose values map names to schemas. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);

// ajv-formats is CommonJS with `exports.default`; NodeNext sees the namespace.
const addFormats = ((formats as unknown as { default?: typeof formats }).default ?? formats) as unknown as (ajv: Ajv) => Ajv;

/**
 * Member-supplied `pattern`s and `patternProperties` run on RE2 (re2js): linear
 * in the input, so no pattern and no event can hold the event loop (ReDoS).
 * What RE2 cannot express (lookaround, backreferences) is refused when the
 * schema is registered, by `checkPatterns` below.
 */
const re2Engine: RegExpEngine = Object.assign(
  (pattern: string) => {
    const re = RE2JS.compile(RE2JS.translateRegExp(pattern));
    // ajv keys its compiled patterns by toString(): without one, every pattern would share the first one's key.
    return { test: (s: string) => re.test(s), toString: () => `re2:${pattern}` };
  },
  { code: 'rabtaRe2' },
);

function newAjv(draft07: boolean): Ajv {
  // strict off: a topic's schema may carry annotations (examples, x-…) that strict mode refuses.
  const options = { allErrors: true, strict: false, validateFormats: true, code: { regExp: re2Engine } } as const;
  const ajv = draft07 ? new Ajv(options) : (new Ajv2020(options) as unknown as Ajv);
  addFormats(ajv);
  return ajv;
}

/**
 * Compiles a topic's JSON Schema (2020-12 by default, draft-07 when `$schema`
 * says so). Remote `$ref`s are not fetched: a schema must be self-contained,
 * its `$ref`s local JSON pointers that never recurse, its depth bounded and its
 * patterns RE2's — so that no schema and no event can exhaust the stack or the CPU.
 */
export function compileSchema(schema: unknown): ValidateFunction {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) throw new RabtaError('bad-request', 'a topic schema is a JSON Schema object');
  const scanned = scanSchema(schema);
  checkPatterns(scanned.patterns);
  checkRefs(schema, scanned.refs);
  const declared = (schema as { $schema?: unknown }).$schema;
  const ajv = newAjv(typeof declared === 'string' && DRAFT_07.test(declared));
  try {
    return ajv.compile(schema);
  } catch (error) {
    throw new RabtaError('bad-request', `the topic schema is not a valid JSON Schema: ${(error as Error).message}`);
  }
}

/** Refuses an event nested deeper than MAX_EVENT_DEPTH (counted without recursion, so any depth is measured safely). */
export function checkEventDepth(payload: unknown, row?: number): void {
  if (depthExceeds(payload, MAX_EVENT_DEPTH)) {
    throw new RabtaError('event-too-deep', `an event is nested at most ${MAX_EVENT_DEPTH} levels deep${row === undefined ? '' : ` (row ${row})`}`, {
      extensions: { maxDepth: MAX_EVENT_DEPTH, ...(row === undefined ? {} : { row }) },
    });
  }
}

function depthExceeds(value: unknown, max: number): boolean {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: v, depth } = stack.pop() as { value: unknown; depth: number };
    if (v === null || typeof v !== 'object') continue;
    if (depth + 1 > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push({ value: child, depth: depth + 1 });
  }
  return false;
}

interface Ref {
  /** the JSON pointer (as segments) of the schema holding the `$ref` */
  at: string[];
  target: string[];
}

/** One pass over the schema: its depth, its `$ref`s, its patterns; refuses what cannot be checked locally. */
function scanSchema(schema: object): { refs: Ref[]; patterns: string[] } {
  if (depthExceeds(schema, MAX_SCHEMA_DEPTH)) throw refused(`a topic schema is nested at most ${MAX_SCHEMA_DEPTH} levels deep`);
  const refs: Ref[] = [];
  const patterns: string[] = [];
  const visit = (node: unknown, path: string[]): void => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => visit(item, [...path, String(i)]));
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      if (DATA_KEYWORDS.has(key)) continue;
      if (key === '$ref' && typeof value === 'string') refs.push({ at: path, target: pointerOf(value) });
      else if ((key === '$dynamicRef' || key === '$recursiveRef') && typeof value === 'string') throw refused(`${key} is not supported: use a local $ref (#/$defs/…)`);
      else if (key === '$id' && path.length > 0 && typeof value === 'string') throw refused('$id is only allowed at the root of a topic schema');
      else if (key === 'pattern' && typeof value === 'string') patterns.push(value);
      else if (SCHEMA_MAPS.has(key) && value !== null && typeof value === 'object' && !Array.isArray(value)) {
        for (const [name, sub] of Object.entries(value as Record<string, unknown>)) {
          if (key === 'patternProperties') patterns.push(name);
          visit(sub, [...path, key, name]);
        }
      } else visit(value, [...path, key]);
    }
  };
  visit(schema, []);
  return { refs, patterns };
}

function pointerOf(ref: string): string[] {
  if (ref === '#') return [];
  if (!ref.startsWith('#/')) throw refused(`$ref "${ref}" is not a local JSON pointer (#/…): a topic schema is self-contained`, { ref });
  try {
    return ref
      .slice(2)
      .split('/')
      .map((segment) => decodeURIComponent(segment).replace(/~1/g, '/').replace(/~0/g, '~'));
  } catch {
    throw refused(`$ref "${ref}" is not a valid JSON pointer`, { ref });
  }
}

function checkPatterns(patterns: string[]): void {
  for (const pattern of patterns) {
    try {
      re2Engine(pattern, 'u');
    } catch (error) {
      throw refused(`the pattern ${JSON.stringify(pattern)} cannot run in linear time (RE2 syntax: no lookaround, no backreferences): ${(error as Error).message}`, { pattern });
    }
  }
}

/**
 * Evaluating the schema at a `$ref`'s target evaluates every `$ref` inside that
 * target: a cycle in that relation is recursion (refused; with a deep event it
 * overflows the stack), and the number of evaluations it expands to is bounded.
 */
function checkRefs(schema: object, refs: Ref[]): void {
  for (const ref of refs) if (resolve(schema, ref.target) === undefined) throw refused(`$ref "#/${ref.target.join('/')}" points to nothing`);
  const within = (path: string[], prefix: string[]) => prefix.length <= path.length && prefix.every((segment, i) => path[i] === segment);
  const inside = refs.map((ref) => refs.map((other, j) => (within(other.at, ref.target) ? j : -1)).filter((j) => j >= 0));
  const cost = new Map<number, number>();
  const state = new Map<number, 'open' | 'done'>();
  const expand = (i: number): number => {
    if (state.get(i) === 'done') return cost.get(i) as number;
    if (state.get(i) === 'open') throw refused('a topic schema may not refer to itself ($ref recursion): an event nested deeply enough would exhaust the stack');
    state.set(i, 'open');
    let total = 1;
    for (const j of inside[i] as number[]) total = Math.min(total + expand(j), MAX_REF_EXPANSION + 1);
    state.set(i, 'done');
    cost.set(i, total);
    return total;
  };
  let total = 0;
  for (let i = 0; i < refs.length; i++) total += expand(i);
  if (total > MAX_REF_EXPANSION) throw refused(`the schema's $refs expand to more than ${MAX_REF_EXPANSION} checks per value`);
}

function resolve(schema: object, pointer: string[]): unknown {
  let node: unknown = schema;
  for (const segment of pointer) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, segment)) return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

function refused(detail: string, extensions: Record<string, unknown> = {}): RabtaError {
  return new RabtaError('schema-refused', detail, { extensions });
}

/** Validators compiled once per topic version, on each node. */
export function createValidatorCache() {
  const cache = new Map<string, { version: number; validate: ValidateFunction }>();
  return (topic: { id: string; version: number; schema: string }): ValidateFunction => {
    const hit = cache.get(topic.id);
    if (hit && hit.version === topic.version) return hit.validate;
    const validate = compileSchema(JSON.parse(topic.schema));
    cache.set(topic.id, { version: topic.version, validate });
    return validate;
  };
}

/** ajv's errors as problem extensions: where and why, never the offending value (it may be personal). */
export function describeErrors(errors: ErrorObject[] | null | undefined): Array<Record<string, unknown>> {
  return (errors ?? []).slice(0, MAX_ERRORS).map((e) => ({ instancePath: e.instancePath, schemaPath: e.schemaPath, keyword: e.keyword, params: e.params, message: e.message }));
}
