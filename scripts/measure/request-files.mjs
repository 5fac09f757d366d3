// Usage: pnpm turbo run build --filter=@aius/api, then from the repository root: node scripts/measure/request-files.mjs  (Postgres and Redis on 127.0.0.1)
// Which of the project's own files run while one warm bearer `GET /api/v1/clients` is served.
// Starts the built API (apps/api/dist) in this process on a fresh database with Redis, registers
// a user and mints a token over HTTP, warms the path with 200 calls, then uses V8's precise
// coverage (callCount) around single requests: a file counts when one of its functions ran in
// the window. The same window is also taken with no request (background timers), reported apart.
import { createRequire } from 'node:module';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
// The repository this script sits in, wherever it is run from; `pg` is resolved as the API resolves
// it (the root has no node_modules/pg of its own under pnpm).
const repo = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '../..'));
const pg = createRequire(path.join(repo, 'apps/api/package.json'))('pg');
const dist = (p) => pathToFileURL(path.join(repo, 'apps/api/dist', p)).href;
const session = new Session(); session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: false });
const { createApp } = await import(dist('app.factory.js'));
const { loadConfig } = await import(dist('config/config.js'));
const name = `aius_trace_${Date.now()}`;
const admin = new pg.Client({ connectionString: 'postgresql://postgres@127.0.0.1:5432/postgres' });
await admin.connect(); await admin.query(`CREATE DATABASE "${name}"`);
const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'error', DATABASE_URL: `postgresql://postgres@127.0.0.1:5432/${name}`, REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PREFIX: `trace:${Date.now()}:`, SESSION_SECRET: 'x'.repeat(40), HOST: '127.0.0.1' });
const app = await createApp(config);
await app.listen({ port: 0, host: '127.0.0.1' });
const base = `http://127.0.0.1:${app.getHttpServer().address().port}/api/v1`;
const reg = await fetch(`${base}/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: `t${Date.now()}@example.com`, name: 'T', password: 'correct-horse-9!' }) });
const { session_token } = await reg.json();
const minted = await (await fetch(`${base}/tokens`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: `__Host-aius_session=${session_token}` }, body: JSON.stringify({ token_name: 't' }) })).json();
const get = () => fetch(`${base}/clients`, { headers: { authorization: `Bearer ${minted.token}` } }).then(async (r) => { await r.text(); if (r.status !== 200) throw new Error(String(r.status)); });
for (let i = 0; i < 200; i++) await get();
const own = (url) => url.startsWith(pathToFileURL(repo).href) && !url.includes('/node_modules/') && !url.includes('/scripts/measure/');
async function window(fn) {
  await session.post('Profiler.takePreciseCoverage'); // resets the counts
  await fn();
  const { result } = await session.post('Profiler.takePreciseCoverage');
  return new Set(result.filter((s) => own(s.url) && s.functions.some((f) => f.ranges[0].count > 0)).map((s) => path.relative(repo, new URL(s.url).pathname)));
}
const union = new Set(); const always = new Set(); let first = true;
for (let i = 0; i < 5; i++) { const s = await window(get); for (const f of s) union.add(f); if (first) { for (const f of s) always.add(f); first = false; } else for (const f of [...always]) if (!s.has(f)) always.delete(f); }
const idle = await window(() => new Promise((r) => setTimeout(r, 5)));
console.log(`files run in every one of 5 warm requests: ${always.size}`);
for (const f of [...always].sort()) console.log(`  ${f}`);
const some = [...union].filter((f) => !always.has(f));
console.log(`in some of them only: ${some.length ? some.sort().join(', ') : 'none'}`);
console.log(`run in a 5 ms window with no request: ${[...idle].sort().join(', ') || 'none'}`);
await app.close(); await admin.query(`DROP DATABASE "${name}" WITH (FORCE)`); await admin.end();
process.exit(0);
