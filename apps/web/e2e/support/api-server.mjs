// Starts the production API build for the browser tests on a database of its own, and
// drops that database when stopped. Run by playwright.config.ts (webServer).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createDatabase } from '@aius/test-support';

const server = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const port = process.env.E2E_API_PORT;
if (!port) throw new Error('E2E_API_PORT is required');

/** The account e2e/runs.spec.ts signs up as, to seed the `build` agent. */
const RUNS_ADMIN_EMAIL = 'runs-admin@example.com';
const database = await createDatabase({ server, prefix: 'aius_e2e' });
const api = spawn(process.execPath, ['dist/main.js'], {
  cwd: fileURLToPath(new URL('../../../api/', import.meta.url)),
  stdio: 'inherit',
  env: {
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: port,
    DATABASE_URL: database.url,
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: `aius-e2e:${randomBytes(4).toString('hex')}:`,
    SESSION_SECRET: randomBytes(32).toString('base64url'),
    APP_ORIGINS: process.env.APP_ORIGINS ?? '',
    // Every test browses and signs up from the same address; per-IP limits are the
    // rate-limit suite's subject, not this one's.
    RATE_LIMIT_CREDENTIAL_PER_MINUTE: '1000',
    // Configured model lists: GET /models answers from them without calling an upstream. The
    // runs test (e2e/runs.spec.ts) drives a run against an upstream it starts itself.
    UPSTREAMS: JSON.stringify([
      { name: 'e2e', base_url: 'http://127.0.0.1:9/v1', models: ['gpt-e2e', 'gpt-e2e-mini'] },
      { name: 'runs', base_url: `http://127.0.0.1:${process.env.E2E_UPSTREAM_PORT}/v1`, models: ['e2e-model'] },
    ]),
    RATE_LIMIT_DEFAULT_PER_MINUTE: '10000',
    RUN_DEFAULT_MODEL: 'e2e-model',
    // The governance test signs in as the second one (e2e/governance.spec.ts), the admin test as the third (e2e/admin.spec.ts).
    ADMIN_EMAILS: `${RUNS_ADMIN_EMAIL},governance-admin@example.com,accounts-admin@example.com`,
    // Mail goes to the SMTP server e2e/accounts.spec.ts starts on this port; links point at the dashboard.
    SMTP_URL: `smtp://127.0.0.1:${process.env.E2E_SMTP_PORT}`,
    PUBLIC_URL: (process.env.APP_ORIGINS ?? '').split(',')[0] || 'http://localhost:3000',
    MAIL_FROM: 'AIUS <no-reply@example.com>',
    MAIL_RETRY_BASE_MS: '200',
    MAIL_POLL_INTERVAL_MS: '200',
  },
});

let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  api.kill('SIGTERM');
  await new Promise((resolve) => (api.exitCode === null ? api.once('exit', resolve) : resolve()));
  await database.drop().catch((e) => console.error(`could not drop ${database.name}: ${e.message}`));
  process.exit(code);
}
process.on('SIGTERM', () => void stop(0));
process.on('SIGINT', () => void stop(0));
api.on('exit', (code) => void stop(code ?? 1));
