import { z } from 'zod';
import { ERRORS } from '../errors.js';
import * as contracts from '../index.js';
import { API_BASE, API_BASE_ALIAS, SESSION_COOKIE, routes, type RouteDef, type RouteName } from '../routes.js';
import { componentNames, componentSchemas, strip } from './component-names.js';
import { routeErrors, type RouteError } from './route-errors.js';

type Json = Record<string, unknown>;

/**
 * The OpenAPI 3.1 description of the API, generated from the route table, the error registry
 * and the zod schemas (zod's own JSON Schema output) — nothing in it is written twice.
 *
 * Components are named after the contracts' exports (`registerRequest` → `RegisterRequest`).
 * The run loop's WebSocket frames are components too (client frames as sent, server frames
 * as answered), so the reference shows them; the socket itself is described by the AsyncAPI
 * document beside this one (`asyncApiDocument`, served at /asyncapi.json).
 */
export function openApiDocument(): Json {
  const names = componentNames();
  const name = (schema: z.ZodType): string => {
    const found = names.get(schema);
    if (!found) throw new Error('a route schema is not exported from @aius/contracts, so it has no component name');
    return found;
  };
  const defs = Object.entries(routes) as [RouteName, RouteDef][];

  // Request bodies are described as sent (input), everything else as answered (output).
  const inputs = new Set<z.ZodType>([
    ...defs.flatMap(([, def]) => (def.body ? [def.body] : [])),
    contracts.runClientFrames,
    ...contracts.runClientFrames.options,
  ]);
  const parameterSchemas = new Set<z.ZodType>(defs.flatMap(([, def]) => [def.query, def.params, def.headers].filter((s) => s !== undefined)));
  const outputs = new Set<z.ZodType>([
    ...defs.flatMap(([, def]) => (def.response ? [def.response] : [])),
    ...[...names.keys()].filter((s) => isDocumentable(s) && !inputs.has(s) && !parameterSchemas.has(s)),
  ]);
  const schemas = {
    ...componentSchemas(inputs, { io: 'input', target: 'draft-2020-12', name }),
    ...componentSchemas(outputs, { io: 'output', target: 'draft-2020-12', name }),
  };

  const paths: Record<string, Record<string, Json>> = {};
  for (const [routeName, def] of defs) {
    const path = def.path.replace(/:([a-z_]+)/g, '{$1}');
    (paths[path] ??= {})[def.method.toLowerCase()] = operation(routeName, def, name);
  }

  return {
    openapi: '3.1.1',
    info: {
      title: 'AIUS API',
      version: '1.0.0',
      description:
        'Account service, API gateway and OpenAI-compatible chat proxy. Every path is served under ' +
        `\`${API_BASE}\` and \`${API_BASE_ALIAS}\`. Errors come in two \`detail\` shapes: structured ` +
        '`{"detail":{"code","message"}}` on the account side (branch on `code`) and a plain string ' +
        '`{"detail":"…"}` on the gateway side (the string is the contract). An unknown path answers 404 ' +
        '`{"detail":"Not Found"}`, a known path with the wrong method 405 `{"detail":"Method Not Allowed"}`. ' +
        `The run loop's WebSocket (\`${routes.runSocket.path}\`) is described by the AsyncAPI 3 document at \`${API_BASE}${routes.asyncApi.path}\`.`,
    },
    servers: [{ url: API_BASE }, { url: API_BASE_ALIAS }],
    paths,
    components: {
      schemas,
      securitySchemes: {
        sessionCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: SESSION_COOKIE,
          description: 'The session JWT that register, login and 2fa/login return (also set as this cookie).',
        },
        bearerToken: { type: 'http', scheme: 'bearer', bearerFormat: 'aius_…', description: 'An API token minted at POST /tokens.' },
      },
    },
    'x-aius-websocket': {
      path: routes.runSocket.path,
      asyncapi: `${API_BASE}${routes.asyncApi.path}`,
      client: ref(name(contracts.runClientFrames)),
      server: ref(name(contracts.runServerFrames)),
    },
  };
}

const SECURITY: Record<RouteDef['auth'], Json[]> = {
  none: [],
  session: [{ sessionCookie: [] }],
  bearer: [{ bearerToken: [] }],
  account: [{ sessionCookie: [] }, { bearerToken: [] }],
};

/** Headers that only the chat proxy reads or answers (spec §8). */
const CHAT_HEADERS = [contracts.PROJECT_HEADER, ...contracts.CORRELATION_HEADERS];

function operation(routeName: RouteName, def: RouteDef, name: (s: z.ZodType) => string): Json {
  const responses: Record<string, Json> = def.upgrade
    ? { '101': { description: UPGRADED }, ...errorResponses(routeErrors(def)) }
    : { '200': okResponse(def, name), ...errorResponses(routeErrors(def)) };
  if (!def.response && !def.upgrade) responses.default = { description: "An upstream error, passed through with the upstream's status and body" };
  const parameters = [
    ...parametersOf(def.params, 'path'),
    ...parametersOf(def.query, 'query'),
    ...parametersOf(def.headers, 'header'),
    ...(def.tokenQuota ? CHAT_HEADERS.map((header) => ({ name: header, in: 'header', required: false, schema: { type: 'string' } })) : []),
  ];
  return {
    operationId: routeName,
    summary: humanize(routeName),
    tags: [tagOf(def.path)],
    security: SECURITY[def.auth],
    ...(parameters.length > 0 && { parameters }),
    ...(def.body && { requestBody: { required: true, content: { 'application/json': { schema: ref(name(def.body)) } } } }),
    responses,
    ...(def.upgrade && { externalDocs: { description: 'The frames, in AsyncAPI 3', url: `${API_BASE}${routes.asyncApi.path}` } }),
  };
}

const UPGRADED =
  "Switching Protocols: the run socket (spec §9). Its frames are components here (`RunClientFrames`, `RunServerFrames`) " +
  `and the socket is described in full, close codes included, by the AsyncAPI 3 document at \`${API_BASE}${routes.asyncApi.path}\`.`;

function okResponse(def: RouteDef, name: (s: z.ZodType) => string): Json {
  if (def.response) return { description: 'OK', content: { 'application/json': { schema: ref(name(def.response)) } } };
  return {
    description: 'The upstream answer, relayed: JSON, or `text/event-stream` chunks ending `data: [DONE]` when `stream` is true',
    content: { 'application/json': { schema: { type: 'object' } }, 'text/event-stream': { schema: { type: 'string' } } },
  };
}

/** One response per status: the codes and strings the route can answer there, with an example of each. */
function errorResponses(errors: RouteError[]): Record<string, Json> {
  const byStatus = new Map<number, RouteError[]>();
  for (const error of errors) byStatus.set(error.status, [...(byStatus.get(error.status) ?? []), error]);
  const out: Record<string, Json> = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    const codes = list.filter((e) => ERRORS[e.key].envelope === 'structured').map((e) => e.key);
    const strings = list.filter((e) => ERRORS[e.key].envelope === 'string').map((e) => ERRORS[e.key].message);
    const shapes: Json[] = [];
    if (codes.length > 0) shapes.push(structuredShape(codes));
    if (strings.length > 0) shapes.push(stringShape(strings));
    const examples = Object.fromEntries(
      list.map((e) => {
        const def = ERRORS[e.key];
        return [e.key, { summary: e.key, value: { detail: def.envelope === 'string' ? def.message : { code: e.key, message: def.message } } }];
      }),
    );
    out[String(status)] = {
      description: list.map((e) => e.key).join(', '),
      ...(status === 429 && { headers: RATE_LIMIT_HEADERS }),
      content: { 'application/json': { schema: shapes.length === 1 ? shapes[0] : { oneOf: shapes }, examples } },
    };
  }
  return out;
}

const structuredShape = (codes: string[]): Json => ({
  type: 'object',
  required: ['detail'],
  properties: {
    detail: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string', enum: codes }, message: { type: 'string' } },
    },
  },
});

const stringShape = (strings: string[]): Json => ({
  type: 'object',
  required: ['detail'],
  properties: { detail: { type: 'string', enum: strings } },
});

const RATE_LIMIT_HEADERS: Json = {
  'Retry-After': { description: 'Seconds until a retry can succeed', schema: { type: 'integer' } },
  RateLimit: { description: 'draft-ietf-httpapi-ratelimit-headers: the policy closest to its limit', schema: { type: 'string' } },
  'RateLimit-Policy': { schema: { type: 'string' } },
  'RateLimit-Limit': { schema: { type: 'integer' } },
  'RateLimit-Remaining': { schema: { type: 'integer' } },
  'RateLimit-Reset': { schema: { type: 'integer' } },
};

function parametersOf(schema: z.ZodType | undefined, where: 'path' | 'query' | 'header'): Json[] {
  if (!schema) return [];
  const json = strip(z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' }) as Json);
  const required = new Set((json.required as string[] | undefined) ?? []);
  return Object.entries((json.properties as Record<string, Json> | undefined) ?? {}).map(([key, property]) => ({
    name: key,
    in: where,
    required: where === 'path' || required.has(key),
    schema: property,
  }));
}

/** Objects and unions of the contracts make components; field builders (strings, enums) stay inline. */
function isDocumentable(schema: z.ZodType): boolean {
  const type = (schema._zod.def as { type: string }).type;
  return type === 'object' || type === 'union';
}

const ref = (id: string): Json => ({ $ref: `#/components/schemas/${id}` });

const humanize = (routeName: string): string => {
  const words = routeName.replace(/([A-Z])/g, ' $1').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

const TAGS: Record<string, string> = {
  register: 'account',
  login: 'account',
  me: 'account',
  logout: 'account',
  '2fa': 'two-factor',
  models: 'chat proxy',
  chat: 'chat proxy',
  ready: 'health',
  'openapi.json': 'health',
  'asyncapi.json': 'health',
};
const tagOf = (path: string): string => {
  const segment = path.split('/')[1] ?? '';
  return TAGS[segment] ?? segment;
};
