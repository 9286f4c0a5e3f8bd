// The contracts every module shares: actors and the change journal, identifiers, CNICs, problems, authorisation helpers,
// and the contracts between modules that would otherwise import each other (legal basis, exchange evidence, personal events, leaf kinds).
export * from './authz.js';
export * from './changes.js';
export * from './cnic.js';
export * from './exchange-record.js';
export type { ExchangeGroup, ExchangeGroupQuery } from './exchange-groups.js';
export * from './ids.js';
export * from './language.js';
export * from './leaf-kinds.js';
export * from './legal-basis.js';
export * from './personal-events.js';
export * from './problems.js';
export * from './paging.js';
export * from './periodic.js';
export * from './problem-docs.js';
export * from './random.js';
export * from './ts-worker.js';
export * from './subjects.js';
export * from './consent-view.js';
