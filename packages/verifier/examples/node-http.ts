/**
 * Plain node:http on @authpair/verifier, no framework: `authenticate`
 * reads the request, `writeProblem` answers an error as the authpair
 * resource service does (status, WWW-Authenticate, Retry-After, no-store,
 * problem+json), `checkScope` guards `/admin/reports`.
 *
 *     const verifier = createVerifier({ issuer, audience, jwksUrl, revocation: { token } });
 *     nodeHttpServer(verifier).listen(3000);
 */
import { createServer, type Server } from 'node:http';
import {
  checkScope,
  isAuthpairError,
  pathOf,
  type Verifier,
  writeProblem,
} from '@authpair/verifier';

export function nodeHttpServer(verifier: Verifier): Server {
  return createServer(async (req, res) => {
    const path = pathOf(req.url);
    if (req.method !== 'GET' || (path !== '/protected' && path !== '/admin/reports')) {
      res.writeHead(404).end();
      return;
    }
    try {
      const claims = await verifier.authenticate(req);
      if (path === '/admin/reports') checkScope(claims, 'admin');
      const body =
        path === '/protected'
          ? { message: `Hello, ${claims.username}! This is a protected resource.`, claims }
          : { requested_by: claims.sub };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    } catch (error) {
      if (!isAuthpairError(error)) {
        res.writeHead(500).end();
        return;
      }
      writeProblem(res, error, { realm: verifier.realm, instance: path });
    }
  });
}
