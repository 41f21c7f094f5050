// Bare Fastify answering JSON, its logger off: the framework's own cost, no verification.
import Fastify from 'fastify';
import { port } from './common';

const app = Fastify({ logger: false });
app.get('/protected', async () => ({ message: 'Hello! This is not a protected resource.' }));
app.get('/healthz', async () => ({ status: 'ok' }));
void app.listen({ port, host: '127.0.0.1' });
