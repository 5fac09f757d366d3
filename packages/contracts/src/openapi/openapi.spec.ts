import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ERRORS, type ErrorKey } from '../errors.js';
import { routes, type RouteDef } from '../routes.js';
import { openApiDocument } from './document.js';
import { routeErrors } from './route-errors.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const doc = openApiDocument() as Json;
const defs = Object.entries(routes) as [string, RouteDef][];
const operationOf = (def: RouteDef): Json | undefined =>
  doc.paths[def.path.replace(/:([a-z_]+)/g, '{$1}')]?.[def.method.toLowerCase()];

/** The keys an operation documents at a status, read back from its two `detail` shapes. */
function documentedKeys(operation: Json, status: number): Set<string> {
  const schema = operation.responses[String(status)]?.content['application/json'].schema;
  const shapes: Json[] = schema ? (schema.oneOf ?? [schema]) : [];
  const keys = new Set<string>();
  for (const shape of shapes) {
    const detail = shape.properties.detail;
    if (detail.type === 'string') {
      for (const text of detail.enum) keys.add(Object.entries(ERRORS).find(([, e]) => e.envelope === 'string' && e.message === text)![0]);
    } else for (const code of detail.properties.code.enum) keys.add(code);
  }
  return keys;
}

const errorsAt = (name: keyof typeof routes, status: number): ErrorKey[] =>
  routeErrors(routes[name]).filter((e) => e.status === status).map((e) => e.key);

describe('OpenAPI document', () => {
  it('validates against the OpenAPI 3.1 schema', async () => {
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(JSON.stringify(doc)) as Json);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('has an operation for every route, with the route credential', () => {
    const security = { none: [], session: [{ sessionCookie: [] }], bearer: [{ bearerToken: [] }], account: [{ sessionCookie: [] }, { bearerToken: [] }] };
    for (const [name, def] of defs) {
      const operation = operationOf(def);
      expect(operation, `${def.method} ${def.path}`).toBeDefined();
      expect(operation!.operationId).toBe(name);
      expect(operation!.security).toEqual(security[def.auth]);
    }
    expect(doc.components.securitySchemes.sessionCookie).toMatchObject({ type: 'apiKey', in: 'cookie', name: '__Host-aius_session' });
    expect(doc.components.securitySchemes.bearerToken).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('describes every request and response schema as zod writes it', () => {
    const component = (ref: string) => doc.components.schemas[ref.replace('#/components/schemas/', '')];
    const plain = (schema: z.ZodType, io: 'input' | 'output') => {
      const { $schema: _s, ...json } = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any', reused: 'inline' }) as Json;
      return json;
    };
    // Resolve component references, so a component can be compared with zod's inline output.
    const inline = (value: unknown): unknown =>
      Array.isArray(value) ? value.map(inline)
      : value && typeof value === 'object'
        ? '$ref' in value ? inline(component((value as { $ref: string }).$ref))
        : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, inline(v)]))
      : value;
    for (const [, def] of defs) {
      const operation = operationOf(def)!;
      if (def.body) {
        expect(inline(operation.requestBody.content['application/json'].schema), `${def.path} body`).toEqual(plain(def.body, 'input'));
      }
      if (def.response) {
        expect(inline(operation.responses['200'].content['application/json'].schema), `${def.path} response`).toEqual(plain(def.response, 'output'));
      } else if (def.upgrade) {
        expect(operation.responses['101'].description).toMatch(/^Switching Protocols/);
      } else {
        expect(Object.keys(operation.responses['200'].content)).toEqual(['application/json', 'text/event-stream']);
      }
      for (const [schema, where] of [[def.params, 'path'], [def.query, 'query'], [def.headers, 'header']] as const) {
        if (!schema) continue;
        const names = Object.keys(plain(schema, 'input').properties as object);
        expect(operation.parameters.filter((p: Json) => p.in === where).map((p: Json) => p.name)).toEqual(names);
      }
    }
  });

  it('lists every error each route can answer, under its status, in its envelope', () => {
    for (const [, def] of defs) {
      const operation = operationOf(def)!;
      for (const { key, status } of routeErrors(def)) {
        expect(documentedKeys(operation, status), `${def.method} ${def.path} ${status}`).toContain(key);
      }
      const statuses = Object.keys(operation.responses).filter((s) => !['101', '200', 'default'].includes(s)).map(Number);
      const documented = statuses.flatMap((s) => [...documentedKeys(operation, s)]);
      expect(documented.sort()).toEqual(routeErrors(def).map((e) => e.key).sort());
    }
  });

  it('derives the credential errors from the auth column', () => {
    expect(errorsAt('createToken', 401)).toEqual(expect.arrayContaining(['NO_SESSION_COOKIE', 'INVALID_SESSION']));
    expect(errorsAt('createToken', 401)).not.toContain('INVALID_TOKEN');
    expect(errorsAt('chatCompletions', 401)).toEqual(['MISSING_BEARER_TOKEN', 'INVALID_AUTHORIZATION_HEADER', 'INVALID_BEARER_TOKEN', 'INVALID_TOKEN']);
    expect(errorsAt('me', 401)).toEqual(['UNAUTHENTICATED', 'INVALID_SESSION', 'INVALID_AUTHORIZATION_HEADER', 'INVALID_BEARER_TOKEN', 'INVALID_TOKEN']);
    expect(errorsAt('health', 401)).toEqual([]);
    // A cookie-authenticated write from a foreign Origin is refused; a read is not.
    expect(errorsAt('createProject', 403)).toContain('NO_ACCESS');
    expect(errorsAt('listClients', 403)).toEqual([]);
  });

  it('derives the validation errors from the schemas, with the route statuses', () => {
    expect(errorsAt('register', 400)).toEqual(
      expect.arrayContaining(['MISSING_NAME', 'MISSING_EMAIL', 'MISSING_PASSWORD', 'INVALID_EMAIL', 'PASSWORD_TOO_WEAK', 'INVALID_REQUEST']),
    );
    expect(errorsAt('createToken', 400)).toContain('TOKEN_NAME_REQUIRED');
    expect(errorsAt('revokeToken', 400)).toContain('INVALID_TOKEN_ID');
    expect(errorsAt('listProjects', 400)).toContain('MISSING_ORG_ID');
    expect(errorsAt('twoFactorLogin', 401)).toContain('INVALID_CODE');
    expect(errorsAt('twoFactorEnable', 400)).toContain('INVALID_CODE');
    expect(errorsAt('health', 400)).toEqual([]);
  });

  it('gives rate-limited routes their 429 with Retry-After, and unlimited ones none', () => {
    expect(operationOf(routes.login)!.responses['429'].headers['Retry-After']).toBeDefined();
    expect(operationOf(routes.chatCompletions)!.responses['429']).toBeDefined();
    expect(operationOf(routes.health)!.responses['429']).toBeUndefined();
  });
});
