import { RabtaError } from '../core/index.js';

export interface ExchangeTarget {
  serviceId: string;
  /** the path below the service, with a leading slash, query included */
  rest: string;
}

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Percent-encoded `/` and `\`: decoded by a provider, they would make new segments. */
const ENCODED_SEPARATOR = /%(2f|5c)/i;

/** `/x/PK/GOV/BISP/payments/beneficiary-status/beneficiaries/status?x=1` → service id and the rest. */
export function parseTarget(url: string): ExchangeTarget {
  const queryAt = url.indexOf('?');
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  const query = queryAt === -1 ? '' : url.slice(queryAt);
  const segments = path.split('/').slice(2);
  const service = segments.slice(0, 5);
  if (service.length < 5 || !service.every((s) => SEGMENT.test(s))) {
    throw new RabtaError('unknown-service', 'the path must be /x/{instance}/{class}/{member}/{subsystem}/{service}/…');
  }
  const rest = segments.slice(5);
  for (const segment of rest) checkSegment(segment);
  return { serviceId: service.join('/'), rest: `/${rest.join('/')}${query}` };
}

/**
 * A segment below the service may not be, or decode to, `.` or `..`, nor hide
 * a separator: URL parsers (the egress's WHATWG one included) resolve `..`,
 * `%2e%2e` and `\` as the way up, so `…/verify-identity/../../bisp/payments`
 * would reach another institution's path while recorded as this service.
 * Decoded up to three times, for providers that decode more than once.
 */
function checkSegment(segment: string): void {
  let value = segment;
  for (let round = 0; round < 4; round++) {
    if (value === '.' || value === '..' || value.includes('\\') || ENCODED_SEPARATOR.test(value)) {
      throw new RabtaError('dot-segment', 'a path below the service may not hold `.` or `..` segments, raw or percent-encoded, nor encoded or back slashes', { extensions: { segment } });
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(value);
    } catch {
      return; // not valid percent-encoding: forwarded as it is, and no parser reads it as a dot segment
    }
    if (decoded.includes('/')) throw new RabtaError('dot-segment', 'a path segment below the service may not hold an encoded slash', { extensions: { segment } });
    if (decoded === value) return;
    value = decoded;
  }
}
