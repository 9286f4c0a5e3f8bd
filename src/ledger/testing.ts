// The ledger's face for tests: an in-memory log served over HTTP, and test witnesses.
export { memoryLog, plainFetch, seed, serveLog, testWitness } from './test-log.js';
export type { MemoryLog, ServedLog } from './test-log.js';
