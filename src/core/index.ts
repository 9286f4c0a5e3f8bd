// The contracts every module shares: actors and the change journal, identifiers, CNICs, problems, authorisation helpers.
export * from './authz.js';
export * from './changes.js';
export * from './cnic.js';
export * from './ids.js';
export * from './problems.js';
export * from './language.js';
export * from './paging.js';
