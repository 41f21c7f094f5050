// Bare Express answering JSON: the framework's own cost, no verification.
import express from 'express';
import { port } from './common';

const app = express();
app.get('/protected', (_req, res) => {
  res.json({ message: 'Hello! This is not a protected resource.' });
});
app.get('/healthz', (_req, res) => {
  res.json({ status: 'ok' });
});
app.listen(port, '127.0.0.1');
