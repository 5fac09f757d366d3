import { API_BASE, ERRORS, routes, type ErrorKey, type RouteDef } from '@aius/contracts';
import { routeErrors } from '@aius/contracts/openapi';
import type { FastifyInstance } from 'fastify';

const byRoute = new Map<string, { def: RouteDef; allowed: Set<string> }>(
  Object.values(routes as Record<string, RouteDef>).map((def) => [
    `${def.method} ${API_BASE}${def.path}`,
    { def, allowed: new Set(routeErrors(def).map((e) => `${e.status} ${e.key}`)) },
  ]),
);
const keyOfString = new Map<string, ErrorKey>(
  (Object.entries(ERRORS) as [ErrorKey, (typeof ERRORS)[ErrorKey]][]).filter(([, e]) => e.envelope === 'string').map(([key, e]) => [e.message, key]),
);

/**
 * Makes the OpenAPI document's error lists a checked claim: every error a test app answers
 * on a route of the table must be documented for that route, at that status. Each test file
 * that drives an app therefore checks the lists against the paths it exercises; `close()`
 * fails with the undocumented answers.
 */
export function watchDocumentedErrors(fastify: FastifyInstance): () => string[] {
  const undocumented: string[] = [];
  fastify.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode < 400 || typeof payload !== 'string') return payload;
    const entry = byRoute.get(`${request.method} ${request.routeOptions.url}`);
    if (!entry || !entry.def.response) {
      // Routes without a response schema relay their upstream's errors as they are.
      if (!entry || !payload.startsWith('{"detail"')) return payload;
    }
    let detail: unknown;
    try {
      detail = (JSON.parse(payload) as { detail?: unknown }).detail;
    } catch {
      return payload;
    }
    const key = typeof detail === 'string' ? keyOfString.get(detail) : (detail as { code?: string } | undefined)?.code;
    if (key === undefined || !entry.allowed.has(`${reply.statusCode} ${key}`)) {
      undocumented.push(`${request.method} ${entry.def.path} answered ${reply.statusCode} ${JSON.stringify(detail)}`);
    }
    return payload;
  });
  return () => [...new Set(undocumented)];
}
