// The HTTP ceiling: node:http answering JSON on every path, no routing, no verification.
import { createServer } from 'node:http';
import { port } from './common';

const body = JSON.stringify({ message: 'Hello! This is not a protected resource.' });
createServer((_req, res) => {
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}).listen(port, '127.0.0.1');
