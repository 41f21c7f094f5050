import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './process';

/**
 * Every server the /protected rows measure, in the order of the table.
 * Each runs alone, from compiled JavaScript, on the server core.
 */
export interface ServerSpec {
  /** Short name for --cpu-prof=<id> and the results file. */
  id: string;
  /** What the table calls it. */
  name: string;
  /** The script, relative to the repository. */
  script: string;
  /** Whether it verifies tokens (only those run the distinct-token load). */
  verifies: boolean;
  env?: Record<string, string>;
  /** Why it cannot run here, when it cannot. */
  unavailable?: () => string | undefined;
}

const peer = (file: string) => `test/bench/peers/dist/${file}.js`;

/**
 * The `@authpair/verifier` rows: wired now, measured once the package is on
 * this branch and its peer app exists.
 */
function verifierPeer(file: string): Pick<ServerSpec, 'script' | 'unavailable'> {
  return {
    script: peer(file),
    unavailable: () =>
      existsSync(join(ROOT, 'packages/verifier/package.json')) &&
      existsSync(join(ROOT, `test/bench/peers/${file}.ts`))
        ? undefined
        : 'not available yet: @authpair/verifier is not merged',
  };
}

export const SERVERS: ServerSpec[] = [
  { id: 'node-http', name: 'bare node:http', script: peer('node-http'), verifies: false },
  { id: 'koa', name: 'bare Koa + @koa/router', script: peer('koa-bare'), verifies: false },
  { id: 'express', name: 'bare Express', script: peer('express-bare'), verifies: false },
  { id: 'fastify', name: 'bare Fastify', script: peer('fastify-bare'), verifies: false },
  { id: 'koa-jose', name: 'Koa + jose (minimal)', script: peer('koa-jose'), verifies: true },
  {
    id: 'fastify-jwt',
    name: 'Fastify + @fastify/jwt',
    script: peer('fastify-jwt'),
    verifies: true,
  },
  {
    id: 'fastify-jwt-logger',
    name: 'Fastify + @fastify/jwt, logger on',
    script: peer('fastify-jwt'),
    verifies: true,
    env: { FASTIFY_LOGGER: '1' },
  },
  {
    id: 'express-jwt',
    name: 'Express + express-jwt + jwks-rsa',
    script: peer('express-jwt'),
    verifies: true,
  },
  {
    id: 'koa-verifier',
    name: 'Koa + @authpair/verifier',
    verifies: true,
    ...verifierPeer('koa-verifier'),
  },
  {
    id: 'express-verifier',
    name: 'Express + @authpair/verifier',
    verifies: true,
    ...verifierPeer('express-verifier'),
  },
  {
    id: 'fastify-verifier',
    name: 'Fastify + @authpair/verifier',
    verifies: true,
    ...verifierPeer('fastify-verifier'),
  },
  {
    id: 'resource',
    name: 'authpair resource',
    script: 'services/resource/dist/main.js',
    verifies: true,
    // Production defaults (access log at info, metrics, headers, default cache size);
    // the harness adds only where the keys and the feed are.
    env: { LOG_LEVEL: 'info' },
  },
];

export const RESOURCE_ID = 'resource';

export function serverById(id: string): ServerSpec | undefined {
  return SERVERS.find((server) => server.id === id);
}
