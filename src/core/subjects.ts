import { normalizeCnic } from './cnic.js';
import { RabtaError } from './problems.js';

/**
 * Where a personal service's subjects are: the `Rabta-Subject` header for a
 * single-subject call, or a field path such as `rows[].cnic` into the JSON body
 * for a batch. Returns the normalised 13-digit CNICs, each once.
 */
export function subjectsOf(location: string, header: string | undefined, body: () => unknown): string[] {
  if (location === 'header') {
    if (header === undefined || header === '') throw new RabtaError('subject-missing', 'this personal service needs the CNIC in Rabta-Subject');
    const cnic = normalizeCnic(header);
    if (!cnic) throw new RabtaError('subject-malformed', 'Rabta-Subject must be a CNIC, NNNNN-NNNNNNN-N');
    return [cnic];
  }
  const values: unknown[] = [];
  collect(body(), location.split('.'), values);
  if (values.length === 0) throw new RabtaError('subject-missing', `this personal service needs subjects at ${location} in the body`);
  const subjects = new Set<string>();
  values.forEach((value, index) => {
    const cnic = typeof value === 'string' ? normalizeCnic(value) : undefined;
    if (!cnic) throw new RabtaError('subject-malformed', `the subject at ${location} #${index} is not a CNIC`, { extensions: { index } });
    subjects.add(cnic);
  });
  return [...subjects];
}

function collect(value: unknown, path: string[], out: unknown[]): void {
  if (path.length === 0) {
    out.push(value);
    return;
  }
  const [head, ...tail] = path as [string, ...string[]];
  const isArray = head.endsWith('[]');
  const key = isArray ? head.slice(0, -2) : head;
  if (value === null || typeof value !== 'object') return;
  const next = (value as Record<string, unknown>)[key];
  if (isArray) {
    if (Array.isArray(next)) for (const item of next) collect(item, tail, out);
  } else {
    collect(next, tail, out);
  }
}
