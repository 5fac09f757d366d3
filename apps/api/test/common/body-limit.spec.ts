import { userWithToken } from '@aius/test-support';
import http from 'node:http';
import { DEFAULT_BODY_LIMIT } from '@aius/contracts';
import { describe, expect, it } from 'vitest';
import { gatewayApp } from '../support/test-app.js';

const spec = gatewayApp();

interface Outcome {
  status?: number;
  body?: unknown;
  /** Errors the client saw while sending or reading (EPIPE, ECONNRESET…). */
  errors: string[];
}

/** POSTs `size` bytes of JSON-ish text the way a plain client does: it sends all of it, whatever the server says. */
function post(path: string, size: number, options: { chunked?: boolean; headers?: Record<string, string> } = {}): Promise<Outcome> {
  const url = new URL(`${spec.t.base}${path}`);
  const body = Buffer.alloc(size, 'a');
  body[0] = 0x7b;
  return new Promise((resolve) => {
    const out: Outcome = { errors: [] };
    let text = '';
    const req = http.request({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(options.chunked ? {} : { 'content-length': String(size) }), ...options.headers },
    });
    req.on('response', (res) => {
      out.status = res.statusCode;
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('error', (e: NodeJS.ErrnoException) => out.errors.push(`response ${e.code}`));
    });
    req.on('error', (e: NodeJS.ErrnoException) => out.errors.push(`request ${e.code}`));
    req.on('close', () => {
      setTimeout(() => resolve({ ...out, body: text ? JSON.parse(text) : undefined }), 20);
    });
    for (let i = 0; i < size; i += 64 * 1024) req.write(body.subarray(i, i + 64 * 1024));
    req.end();
  });
}

const TOO_LARGE = { status: 413, body: { detail: { code: 'PAYLOAD_TOO_LARGE', message: expect.any(String) } }, errors: [] };

describe('a request body over the limit', () => {
  it('is answered 413 PAYLOAD_TOO_LARGE, read off the socket rather than reset, with or without Content-Length', async () => {
    const u = await userWithToken(spec.t.origin);
    for (const path of ['/projects', '/chat/completions', '/register']) {
      for (const size of [DEFAULT_BODY_LIMIT + 1, 2 * DEFAULT_BODY_LIMIT, 12 * DEFAULT_BODY_LIMIT]) {
        for (const chunked of [false, true]) {
          const r = await post(path, size, { chunked, headers: { authorization: `Bearer ${u.token}` } });
          expect({ path, size, chunked, ...r }).toEqual({ path, size, chunked, ...TOO_LARGE });
        }
      }
    }
  });

  it('at the limit is read and judged as usual', async () => {
    const r = await post('/projects', DEFAULT_BODY_LIMIT);
    // Not JSON, and not authenticated: anything but a 413 or a reset.
    expect(r.errors).toEqual([]);
    expect([400, 401]).toContain(r.status);
  });
});
