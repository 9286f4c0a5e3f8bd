/**
 * The module rules of DESIGN.md and README.md ("Architecture"), checked by
 * test/architecture.test.ts inside `npm test`:
 * - no import cycles anywhere in src/;
 * - a module is imported only through its face, src/<module>/index.ts;
 * - src/<module>/testing.ts is a second face, for tests only: *.test.ts files
 *   and other testing.ts files may import it, production code may not.
 * Type-only imports count (tsPreCompilationDeps), since a type import ties two
 * modules together as much as a value import does.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Import cycles make start-up order and ownership unclear; break them by moving the shared contract into src/core/.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'only-index',
      comment: "Another module is imported only through its index.ts (or, from tests, its testing.ts).",
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: {
        path: '^src/([^/]+)/',
        pathNot: ['^src/$1/', '^src/[^/]+/index\\.tsx?$', '^src/[^/]+/testing\\.tsx?$'],
      },
    },
    {
      name: 'testing-only-from-tests',
      comment: "A module's testing.ts is its face for tests: only *.test.ts files and other testing.ts files import it.",
      severity: 'error',
      from: {
        path: '^src/([^/]+)/',
        pathNot: ['\\.test\\.tsx?$', '^src/[^/]+/testing\\.tsx?$'],
      },
      to: {
        path: '^src/([^/]+)/testing\\.tsx?$',
        pathNot: ['^src/$1/'],
      },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
