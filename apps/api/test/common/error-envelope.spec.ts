import { Controller, HttpCode, Module, Post } from '@nestjs/common';
import { routes, type RegisterRequest } from '@aius/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/common/api-error.js';
import { ContractBody, ContractParams, Endpoint } from '../../src/common/endpoint.decorator.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** Handlers that exist only in this test, to drive the global pipe and filter. */
@Controller('test')
class ProbeController {
  @Post('echo-register')
  @HttpCode(200)
  echo(@ContractBody(routes.register) body: RegisterRequest) {
    return body;
  }

  @Post('boom')
  boom(): never {
    throw new Error('secret internals: SELECT * FROM users');
  }

  @Post('gateway')
  gateway(): never {
    throw new ApiError('INVALID_TOKEN');
  }

  @Post('revoke/:id')
  revoke(@ContractParams(routes.revokeToken) params: { id: number }) {
    return params;
  }

  @Endpoint(routes.health)
  leaky() {
    return { status: 'ok', password_hash: 'never on the wire' };
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({}, { extraModules: [ProbeModule] });
});
afterAll(async () => {
  await t?.close();
});

async function send(path: string, init: RequestInit & { raw?: string } = {}) {
  const res = await fetch(`${t.base}${path}`, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined, text };
}
const postJson = (path: string, body: string) =>
  send(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('error envelope', () => {
  it('malformed JSON is 400 INVALID_REQUEST', async () => {
    const r = await postJson('/test/echo-register', '{"name": ');
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ detail: { code: 'INVALID_REQUEST', message: 'Invalid request' } });
  });

  it('a JSON array body is 400 INVALID_REQUEST', async () => {
    const r = await postJson('/test/echo-register', '[1,2]');
    expect(r.status).toBe(400);
    expect(r.body.detail.code).toBe('INVALID_REQUEST');
  });

  it('a body that is not JSON at all (text/plain) is 400 INVALID_REQUEST', async () => {
    const r = await send('/test/echo-register', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' });
    expect(r.status).toBe(400);
    expect(r.body.detail.code).toBe('INVALID_REQUEST');
  });

  it('a field of the wrong type is 400 INVALID_REQUEST', async () => {
    const r = await postJson('/test/echo-register', JSON.stringify({ name: 42, email: 'a@b.co', password: 'abc123!!x' }));
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ detail: { code: 'INVALID_REQUEST', message: 'Invalid request' } });
  });

  it('a missing field maps to its spec code, in the spec check order', async () => {
    expect((await postJson('/test/echo-register', '{}')).body.detail.code).toBe('MISSING_NAME');
    expect((await postJson('/test/echo-register', '{"name":"   "}')).body.detail.code).toBe('MISSING_NAME');
    expect((await postJson('/test/echo-register', '{"name":"A","password":"x"}')).body.detail.code).toBe('MISSING_EMAIL');
    // INVALID_EMAIL comes after every MISSING_* check, whatever the field order.
    expect((await postJson('/test/echo-register', '{"name":"A","email":"nope"}')).body.detail.code).toBe('MISSING_PASSWORD');
    const empty = await send('/test/echo-register', { method: 'POST' });
    expect(empty.status).toBe(400);
    expect(empty.body.detail.code).toBe('MISSING_NAME');
  });

  it('weak passwords name the first failing rule with the exact message', async () => {
    const cases: [string, string][] = [
      ['short1!', 'Password must be at least 8 characters'],
      ['12345678!', 'Password must contain at least one letter'],
      ['abcdefgh!', 'Password must contain at least one number'],
      ['abcdefg12', 'Password must contain at least one special character'],
    ];
    for (const [password, message] of cases) {
      const r = await postJson('/test/echo-register', JSON.stringify({ name: 'A', email: 'a@b.co', password }));
      expect(r.status).toBe(400);
      expect(r.body).toEqual({ detail: { code: 'PASSWORD_TOO_WEAK', message } });
    }
  });

  it('an email over 255 characters is INVALID_EMAIL; a name over 255 is INVALID_REQUEST', async () => {
    const long = `${'a'.repeat(250)}@b.com`;
    const r = await postJson('/test/echo-register', JSON.stringify({ name: 'A', email: long, password: 'abcdefg1!' }));
    expect(r.body.detail.code).toBe('INVALID_EMAIL');
    const n = await postJson('/test/echo-register', JSON.stringify({ name: 'n'.repeat(256), email: 'a@b.co', password: 'abcdefg1!' }));
    expect(n.body.detail.code).toBe('INVALID_REQUEST');
  });

  it('a valid body reaches the handler trimmed and with the email lower-cased', async () => {
    const r = await postJson('/test/echo-register', JSON.stringify({ name: ' Ada ', email: 'Ada@Example.COM', password: 'abcdefg1!' }));
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ name: 'Ada', email: 'ada@example.com', password: 'abcdefg1!' });
  });

  it('an unknown route is 404 {"detail":"Not Found"}', async () => {
    const r = await send('/no/such/route');
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ detail: 'Not Found' });
    const outside = await fetch(`${t.origin}/elsewhere`);
    expect(outside.status).toBe(404);
    expect(await outside.json()).toEqual({ detail: 'Not Found' });
  });

  it('a known route with the wrong method is 405 {"detail":"Method Not Allowed"} with Allow', async () => {
    const r = await send('/health', { method: 'DELETE' });
    expect(r.status).toBe(405);
    expect(r.body).toEqual({ detail: 'Method Not Allowed' });
    expect(r.headers.get('allow')).toContain('GET');
    const param = await send('/projects/proj_abc/fork', { method: 'GET' });
    expect(param.status).toBe(405);
  });

  it('an unexpected error is 500 INTERNAL_ERROR with no stack or SQL in the body', async () => {
    const r = await send('/test/boom', { method: 'POST' });
    expect(r.status).toBe(500);
    expect(r.body).toEqual({ detail: { code: 'INTERNAL_ERROR', message: 'Internal server error' } });
    expect(r.text).not.toMatch(/SELECT|secret|at .*\.ts/);
  });

  it('gateway errors use the plain-string envelope', async () => {
    const r = await send('/test/gateway', { method: 'POST' });
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ detail: 'invalid token' });
  });

  it('path parameters are validated by the contract (non-integer token id)', async () => {
    const r = await send('/test/revoke/abc', { method: 'POST' });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ detail: 'invalid token id' });
    expect((await send('/test/revoke/42', { method: 'POST' })).body).toEqual({ id: 42 });
  });

  it('responses drop fields the contract does not declare', async () => {
    const r = await fetch(`${t.base}/health`);
    expect(await r.json()).toEqual({ status: 'ok' });
  });

  it('every route also answers under /v1', async () => {
    const r = await fetch(`${t.origin}/v1/health`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: 'ok' });
    const nf = await fetch(`${t.origin}/v1/nope`);
    expect(await nf.json()).toEqual({ detail: 'Not Found' });
  });

  it('honours Accept-Encoding: identity (no compressed body)', async () => {
    const r = await fetch(`${t.base}/health`, { headers: { 'accept-encoding': 'identity' } });
    expect(r.headers.get('content-encoding')).toBeNull();
  });
});

describe('errors raised before Nest sees the request', () => {
  it('a malformed URL escape is 400 INVALID_REQUEST in the envelope', async () => {
    const r = await send('/projects/%ZZ');
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ detail: { code: 'INVALID_REQUEST', message: 'Invalid request' } });
  });

  it('oversized headers are 431 with the INVALID_REQUEST envelope', async () => {
    const { request } = await import('node:http');
    const url = new URL(`${t.base}/health`);
    const result = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, headers: { 'x-big': 'a'.repeat(20_000) } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(result.status).toBe(431);
    expect(JSON.parse(result.body)).toEqual({ detail: { code: 'INVALID_REQUEST', message: 'Invalid request' } });
  });
});
