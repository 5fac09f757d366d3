import { API_BASE, routes } from '@aius/contracts';

/**
 * Knows every path in the contract's route table, so an unknown method on a known path
 * can be answered 405 (with Allow) rather than Fastify's 404.
 */
const compiled = Object.values(routes).map((r) => ({
  method: r.method,
  pattern: new RegExp(`^${API_BASE}${r.path.replace(/:[a-z_]+/g, '[^/]+')}/?$`),
}));

export function allowedMethods(path: string): string[] {
  const clean = path.split('?')[0] ?? '';
  const methods = new Set<string>();
  for (const r of compiled) {
    if (r.pattern.test(clean)) {
      methods.add(r.method);
      if (r.method === 'GET') methods.add('HEAD');
    }
  }
  return [...methods];
}
