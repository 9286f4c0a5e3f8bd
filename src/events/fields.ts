import { RabtaError } from '../core/index.js';

/** `beneficiary.district`: names joined by dots, no arrays (a filter or key is one value). */
const FIELD_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,15}$/;
/** Where the subjects are: like a field path, and `[]` may step into arrays (`rows[].cnic`). */
const SUBJECT_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\[\])?(\.[A-Za-z_][A-Za-z0-9_]*(\[\])?){0,15}$/;

export function checkFieldPath(path: string, what: string): string {
  if (!FIELD_PATH.test(path)) throw new RabtaError('bad-request', `${what} "${path}" must be a field path such as beneficiary.district`);
  return path;
}

export function checkSubjectPath(path: string): string {
  if (!SUBJECT_PATH.test(path)) throw new RabtaError('bad-request', `subjectPath "${path}" must be a field path such as beneficiary.cnic or rows[].cnic`);
  return path;
}

/** The value at a dotted path, or undefined when any step is missing. */
export function valueAt(value: unknown, path: string): unknown {
  let current = value;
  for (const name of path.split('.')) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(current, name)) return undefined;
    current = (current as Record<string, unknown>)[name];
  }
  return current;
}

export type FilterValue = string | number | boolean | null;
export type Filter = Record<string, FilterValue>;

/** Field equality: every path must hold exactly the given scalar. */
export function matchesFilter(payload: unknown, filter: Filter | null): boolean {
  if (!filter) return true;
  return Object.entries(filter).every(([path, expected]) => valueAt(payload, path) === expected);
}

export function checkFilter(filter: unknown): Filter | null {
  if (filter === undefined || filter === null) return null;
  if (typeof filter !== 'object' || Array.isArray(filter)) throw new RabtaError('bad-request', 'a filter is an object of field path → value');
  const entries = Object.entries(filter as Record<string, unknown>);
  if (entries.length > 20) throw new RabtaError('bad-request', 'a filter has at most 20 fields');
  for (const [path, value] of entries) {
    checkFieldPath(path, 'filter field');
    if (value !== null && !['string', 'number', 'boolean'].includes(typeof value)) {
      throw new RabtaError('bad-request', `filter value of ${path} must be a string, number, boolean or null`);
    }
  }
  return entries.length === 0 ? null : (filter as Filter);
}
