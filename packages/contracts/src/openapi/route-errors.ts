import { ERRORS, type ErrorKey } from '../errors.js';
import type { RouteAuth, RouteDef } from '../routes.js';
import { schemaErrorKeys } from './schema-errors.js';

/**
 * What each credential column can answer, in the order the API's CredentialCheck tries
 * them (spec §3). A bearer-only route says `missing bearer token` when no header is sent;
 * a route taking either says UNAUTHENTICATED when neither is; a present but bad credential
 * gets its gateway string whichever route it is sent to.
 */
const BEARER_PRESENT: ErrorKey[] = ['INVALID_AUTHORIZATION_HEADER', 'INVALID_BEARER_TOKEN', 'INVALID_TOKEN'];
const CREDENTIAL_ERRORS: Record<RouteAuth, ErrorKey[]> = {
  none: [],
  session: ['NO_SESSION_COOKIE', 'INVALID_SESSION'],
  bearer: ['MISSING_BEARER_TOKEN', ...BEARER_PRESENT],
  account: ['UNAUTHENTICATED', 'INVALID_SESSION', ...BEARER_PRESENT],
};

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Methods whose body Fastify parses (a malformed or oversized one is INVALID_REQUEST) whether or not the route reads it. */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface RouteError {
  key: ErrorKey;
  status: number;
}

/**
 * Every error a route can answer, derived from its row in the route table:
 * - its credential column (above), plus the cross-site refusal (NO_ACCESS) on a write
 *   that a session cookie may authenticate;
 * - its rate-limit columns (429, with `Retry-After`);
 * - its schemas (the keys their checks carry), plus INVALID_REQUEST wherever a client can
 *   send a malformed body or query (any POST/PATCH: the JSON parser runs before the route),
 *   and PAYLOAD_TOO_LARGE wherever a body is parsed;
 * - the rules its service enforces (`errors`: the one part no schema can show);
 * - INTERNAL_ERROR everywhere, and `Failed to reach account service` wherever Postgres may
 *   be read: every route that takes a credential (a cold one is looked up), and the public
 *   routes that declare it.
 * Statuses come from the registry unless the route overrides one (INVALID_CODE on /2fa/login).
 */
export function routeErrors(def: RouteDef): RouteError[] {
  const keys = new Set<ErrorKey>(CREDENTIAL_ERRORS[def.auth]);
  if (def.auth !== 'none' && def.auth !== 'bearer' && !SAFE_METHODS.has(def.method)) keys.add('NO_ACCESS');
  if (def.rate !== 'none' || def.tokenQuota) keys.add('RATE_LIMIT_EXCEEDED');
  if (BODY_METHODS.has(def.method) || def.query) keys.add('INVALID_REQUEST');
  // Any body past its route's limit (RouteDef.bodyLimit) is refused before the route runs.
  if (BODY_METHODS.has(def.method)) keys.add('PAYLOAD_TOO_LARGE');
  for (const schema of [def.body, def.query, def.params, def.headers]) {
    if (schema) for (const key of schemaErrorKeys(schema)) keys.add(key);
  }
  for (const key of def.errors ?? []) keys.add(key);
  keys.add('INTERNAL_ERROR');
  if (def.auth !== 'none') keys.add('ACCOUNT_SERVICE_UNAVAILABLE');
  return [...keys].map((key) => ({ key, status: def.statusOverrides?.[key] ?? ERRORS[key].status }));
}
