// Express + @authpair/verifier's Express middleware, as its README adds it.
import { expressBearer } from '@authpair/verifier/express';
import express from 'express';
import { greeting, port } from './common';
import { benchVerifier } from './verifier-options';

async function main() {
  const verifier = benchVerifier();
  await verifier.ready();
  const bearer = expressBearer(verifier);
  const app = express();
  app.get('/protected', bearer.authenticate, (req, res) => {
    res.json({ ...greeting(req.auth?.username), claims: req.auth });
  });
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.listen(port, '127.0.0.1');
}
void main();
