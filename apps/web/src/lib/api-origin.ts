/**
 * Where the API listens, as seen from the dashboard's server. Read at request time (not
 * baked in at build time like next.config rewrites), so one build runs against any API.
 */
export function apiOrigin(): string {
  return process.env.API_URL ?? 'http://127.0.0.1:8000';
}
