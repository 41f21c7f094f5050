// Bare Koa + @koa/router answering JSON: the framework's own cost, no verification.
import Router from '@koa/router';
import Koa from 'koa';
import { port } from './common';

const app = new Koa();
const router = new Router();
router.get('/protected', (ctx) => {
  ctx.body = { message: 'Hello! This is not a protected resource.' };
});
router.get('/healthz', (ctx) => {
  ctx.body = { status: 'ok' };
});
app.use(router.routes());
app.listen(port, '127.0.0.1');
