/**
 * A Fastify plugin, shaped like @fastify/jwt: registered once, it
 * decorates the instance with `authpair.authenticate` (a hook that puts the
 * verified claims on `request.user`) and `authpair.requireScope(scope)`.
 *
 *     await app.register(fastifyBearer, { verifier });
 *     app.get('/x', { onRequest: [app.authpair.authenticate] }, (request) => request.user);
 */
import { type AccessTokenClaims, isAuthpairError, problemResponse } from '@authpair/contracts';
import type {
  FastifyPluginCallback,
  FastifyReply,
  FastifyRequest,
  onRequestAsyncHookHandler,
} from 'fastify';
import { checkScope, pathOf } from '../respond';
import type { Verifier } from '../verifier';

export interface FastifyBearer {
  /**
   * An `onRequest` (or `preHandler`) hook: requires a valid access token of
   * a live session; `request.user` then holds its claims. An error is
   * answered here, as the resource service answers it.
   */
  authenticate: onRequestAsyncHookHandler;
  /** A hook after `authenticate`: requires `scope` in the token's `scope` claim, else 403 `insufficient_scope`. */
  requireScope(scope: string): onRequestAsyncHookHandler;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The hooks of `@authpair/verifier`'s plugin. */
    authpair: FastifyBearer;
  }
  interface FastifyRequest {
    /** The verified access-token claims behind `authpair.authenticate`; null before. */
    user: Readonly<AccessTokenClaims> | null;
  }
}

export interface FastifyBearerOptions {
  verifier: Verifier;
}

function sendProblem(reply: FastifyReply, request: FastifyRequest, error: unknown, realm: string) {
  if (!isAuthpairError(error)) throw error;
  const answer = problemResponse(error, { realm, instance: pathOf(request.url) });
  // A Buffer, not a string: Fastify appends a charset to a JSON type given a string.
  return reply
    .code(answer.status)
    .headers(answer.headers)
    .send(Buffer.from(JSON.stringify(answer.body)));
}

/** The hooks alone, for an app that decorates nothing. */
export function fastifyBearerHooks(verifier: Verifier): FastifyBearer {
  const { realm } = verifier;
  return {
    authenticate: async function authenticateBearer(request, reply) {
      try {
        request.user = await verifier.authenticate(request);
      } catch (error) {
        return sendProblem(reply, request, error, realm);
      }
    },
    requireScope(scope) {
      return async function requireBearerScope(request, reply) {
        try {
          checkScope(request.user, scope);
        } catch (error) {
          return sendProblem(reply, request, error, realm);
        }
      };
    },
  };
}

const plugin: FastifyPluginCallback<FastifyBearerOptions> = (fastify, { verifier }, done) => {
  fastify.decorateRequest('user', null);
  fastify.decorate('authpair', fastifyBearerHooks(verifier));
  done();
};

// What fastify-plugin would set: the decorations reach the registering scope, not a child one.
Object.assign(plugin, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: '@authpair/verifier',
  [Symbol.for('plugin-meta')]: { name: '@authpair/verifier', fastify: '>=4' },
});

/** The plugin: `app.register(fastifyBearer, { verifier })`. */
export const fastifyBearer = plugin;
