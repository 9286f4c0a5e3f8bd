import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import { RabtaError } from '../core/problems.js';

const DRAFT_07 = /^https?:\/\/json-schema\.org\/draft-07\/schema#?$/;
const MAX_ERRORS = 20;

// ajv-formats is CommonJS with `exports.default`; NodeNext sees the namespace.
const addFormats = ((formats as unknown as { default?: typeof formats }).default ?? formats) as unknown as (ajv: Ajv) => Ajv;

function newAjv(draft07: boolean): Ajv {
  // strict off: a topic's schema may carry annotations (examples, x-…) that strict mode refuses.
  const options = { allErrors: true, strict: false, validateFormats: true } as const;
  const ajv = draft07 ? new Ajv(options) : (new Ajv2020(options) as unknown as Ajv);
  addFormats(ajv);
  return ajv;
}

/**
 * Compiles a topic's JSON Schema (2020-12 by default, draft-07 when `$schema`
 * says so). Remote `$ref`s are not fetched: a schema must be self-contained.
 */
export function compileSchema(schema: unknown): ValidateFunction {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) throw new RabtaError('bad-request', 'a topic schema is a JSON Schema object');
  const declared = (schema as { $schema?: unknown }).$schema;
  const ajv = newAjv(typeof declared === 'string' && DRAFT_07.test(declared));
  try {
    return ajv.compile(schema);
  } catch (error) {
    throw new RabtaError('bad-request', `the topic schema is not a valid JSON Schema: ${(error as Error).message}`);
  }
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
