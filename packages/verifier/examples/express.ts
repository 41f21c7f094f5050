/**
 * An Express app on @authpair/verifier: `/protected` needs a valid token
 * of a live session, `/admin/reports` also the `admin` scope. The claims
 * are on `req.auth`.
 *
 *     const verifier = createVerifier({ issuer, audience, jwksUrl, revocation: { token } });
 *     expressApp(verifier).listen(3000);
 */
import type { Verifier } from '@authpair/verifier';
import { expressBearer } from '@authpair/verifier/express';
import express, { type Express } from 'express';

export function expressApp(verifier: Verifier): Express {
  const app = express();
  const bearer = expressBearer(verifier);
  app.get('/protected', bearer.authenticate, (req, res) => {
    const claims = req.auth;
    res.json({ message: `Hello, ${claims?.username}! This is a protected resource.`, claims });
  });
  app.get('/admin/reports', bearer.authenticate, bearer.requireScope('admin'), (req, res) => {
    res.json({ requested_by: req.auth?.sub });
  });
  return app;
}
