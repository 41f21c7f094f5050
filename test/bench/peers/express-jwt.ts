// express + express-jwt + jwks-rsa: the common Node choice, as its README configures it.
import express from 'express';
import { expressjwt, type Request as JwtRequest } from 'express-jwt';
import jwksRsa from 'jwks-rsa';
import { audience, greeting, issuer, jwksUrl, port } from './common';

const app = express();
app.get('/healthz', (_req, res) => {
  res.json({ status: 'ok' });
});
app.get(
  '/protected',
  expressjwt({
    secret: jwksRsa.expressJwtSecret({
      cache: true,
      rateLimit: true,
      jwksRequestsPerMinute: 10,
      jwksUri: jwksUrl,
    }) as never,
    algorithms: ['RS256'],
    issuer,
    audience,
  }),
  (req: JwtRequest, res) => {
    res.json({ ...greeting(req.auth?.username), claims: req.auth });
  },
);
app.use(
  (_error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(401).end();
  },
);
app.listen(port, '127.0.0.1');
