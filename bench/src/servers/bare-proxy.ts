import type { IncomingHttpHeaders } from 'node:http';
import Fastify from 'fastify';
import { Pool, type Dispatcher } from 'undici';

/**
 * The physical limit of a Node proxy here: `POST /v1/chat/completions` forwarded to UPSTREAM_URL
 * (e.g. http://127.0.0.1:PORT/v1) on Fastify with undici's pool (as many connections as AIUS's
 * default UPSTREAM_CONNECTIONS) and nothing else: no auth, no limits, no metering, no body
 * validation, no logging. The client's bytes go up as received; the answer's status,
 * content type and bytes come back as they arrive (streams chunk by chunk), through undici's
 * dispatcher callbacks, the cheapest way undici offers (the one AIUS's proxy uses too).
 */
const upstream = new URL(process.env.UPSTREAM_URL!);
const basePath = upstream.pathname.replace(/\/+$/, '');
const pool = new Pool(upstream.origin, { connections: 128, keepAliveTimeout: 30_000 });
const app = Fastify({ logger: false });
app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

app.post('/v1/chat/completions', (request, reply) => {
  reply.hijack();
  const res = reply.raw;
  const handler: Dispatcher.DispatchHandler = {
    // Its presence tells undici this handler speaks the v7 callback API.
    onRequestStart() {},
    onResponseStart(_controller, statusCode: number, headers: IncomingHttpHeaders) {
      res.writeHead(statusCode, { 'content-type': headers['content-type'] ?? 'application/json' });
    },
    onResponseData(controller, chunk: Buffer) {
      if (res.write(chunk)) return;
      controller.pause();
      res.once('drain', () => controller.resume());
    },
    onResponseEnd() {
      res.end();
    },
    onResponseError() {
      if (res.headersSent) res.destroy();
      else res.writeHead(502).end();
    },
  };
  pool.dispatch(
    {
      method: 'POST',
      path: `${basePath}/chat/completions`,
      headers: { 'content-type': 'application/json', authorization: request.headers.authorization ?? '' },
      body: request.body as Buffer,
    },
    handler,
  );
});
app.get('/health', async () => ({ status: 'ok' }));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
// An orderly exit on SIGTERM, so that `node --cpu-prof` writes its profile (`pnpm --filter @aius/bench profile --bare`).
process.once('SIGTERM', () => process.exit(0));
