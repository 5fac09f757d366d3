import { apiKey } from '@better-auth/api-key';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import Fastify from 'fastify';
import pg from 'pg';

/**
 * The peer: better-auth with its API-key plugin, on Postgres (its own database), answering
 * the same kind of request as AIUS's `GET /api/v1/clients`: verify the API key, then list
 * the caller's clients from the database. Its per-key rate limit is switched off, as the
 * bench raises AIUS's limits (AIUS's limiter still runs on every request).
 * Prints `BENCH_KEY=<key>` once it has a user and a key.
 */
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const options = {
  database: pool,
  secret: 'bench-secret-bench-secret-bench-secret-0123',
  baseURL: `http://127.0.0.1:${process.env.PORT}`,
  emailAndPassword: { enabled: true },
  telemetry: { enabled: false },
  plugins: [apiKey({ rateLimit: { enabled: false } })],
};
const auth = betterAuth(options);
await (await getMigrations(options)).runMigrations();
await pool.query(
  'CREATE TABLE IF NOT EXISTS bench_client (id text PRIMARY KEY, user_id text NOT NULL, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())',
);

const { user } = await auth.api.signUpEmail({
  body: { email: 'bench@example.com', password: 'bench-Password-1!', name: 'Bench' },
});
await pool.query('INSERT INTO bench_client (id, user_id, name) VALUES ($1, $2, $3)', [`client_${user.id}`, user.id, 'Default']);
const created = await auth.api.createApiKey({ body: { userId: user.id, name: 'bench' } });

const app = Fastify({ logger: false });
app.get('/api/v1/clients', async (request, reply) => {
  const header = request.headers.authorization ?? '';
  const key = header.startsWith('Bearer ') ? header.slice(7) : '';
  const verified = await auth.api.verifyApiKey({ body: { key } });
  if (!verified.valid || !verified.key) return reply.code(401).send({ detail: 'invalid token' });
  const { rows } = await pool.query<{ id: string; name: string; created_at: Date }>(
    'SELECT id, name, created_at FROM bench_client WHERE user_id = $1 ORDER BY created_at',
    [verified.key.referenceId],
  );
  return {
    data: rows.map((r) => ({ id: r.id, name: r.name, role: 'owner', created_at: Math.floor(r.created_at.getTime() / 1000) })),
  };
});
app.get('/health', async () => ({ status: 'ok' }));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
console.log(`BENCH_KEY=${created.key}`);
