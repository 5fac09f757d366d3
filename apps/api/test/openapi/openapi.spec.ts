import { routes } from '@aius/contracts';
import { asyncApiDocument, openApiDocument } from '@aius/contracts/openapi';
import { Validator } from '@seriousme/openapi-schema-validator';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callOk } from '@aius/test-support';
import { watchDocumentedErrors } from '../support/documented-errors.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('GET /openapi.json', () => {
  let api: TestApp;
  beforeAll(async () => {
    api = await startTestApp();
  });
  afterAll(async () => {
    await api.close();
  });

  it('serves the generated OpenAPI 3.1 document on both prefixes, without a credential', async () => {
    for (const url of [`${api.origin}/api/v1/openapi.json`, `${api.origin}/v1/openapi.json`]) {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
      const result = await new Validator().validate(body);
      expect(result.valid).toBe(true);
    }
  });

  it('serves the run socket\'s AsyncAPI document beside it, on both prefixes, without a credential', async () => {
    for (const url of [`${api.origin}/api/v1/asyncapi.json`, `${api.origin}/v1/asyncapi.json`]) {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.json()).toEqual(JSON.parse(JSON.stringify(asyncApiDocument())));
    }
  });

  it('documents the route that serves it', async () => {
    const body = (await callOk(api.origin, 'openApi')) as unknown as { paths: Record<string, Record<string, { operationId: string }>> };
    expect(body.paths[routes.openApi.path]!.get!.operationId).toBe('openApi');
  });
});

describe('documented-error check used by every test app', () => {
  it('flags an error its route does not document, and passes one it does', async () => {
    const fastify = Fastify();
    const undocumented = watchDocumentedErrors(fastify);
    fastify.get('/api/v1/health', async (_req, reply) => reply.code(400).send({ detail: { code: 'MISSING_NAME', message: 'Name is required' } }));
    fastify.get('/api/v1/me', async (_req, reply) => reply.code(401).send({ detail: 'invalid token' }));
    await fastify.inject('/api/v1/health');
    await fastify.inject('/api/v1/me');
    await fastify.close();
    expect(undocumented()).toEqual(['GET /health answered 400 {"code":"MISSING_NAME","message":"Name is required"}']);
  });
});
