/**
 * Support every test tier shares (the API's vitest suites, the dashboard's Playwright run and the
 * bench): the fake upstream, test databases, throwaway servers and the typed HTTP harness.
 */
export * from './fake-upstream.js';
export * from './accounts.js';
export * from './http.js';
export * from './test-database.js';
export * from './throwaway-servers.js';
export * from './test-smtp.js';
