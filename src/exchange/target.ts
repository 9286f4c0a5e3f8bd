import { RabtaError } from '../core/problems.js';

export interface ExchangeTarget {
  serviceId: string;
  /** the path below the service, with a leading slash, query included */
  rest: string;
}

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

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
  return { serviceId: service.join('/'), rest: `/${rest.join('/')}${query}` };
}
