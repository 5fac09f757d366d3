import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createDatabase, type TestDatabase } from '@aius/test-support';
import { freePort } from './free-port';

const API_DIR = fileURLToPath(new URL('../../../api/', import.meta.url));
const WEB_DIR = fileURLToPath(new URL('../../', import.meta.url));

export interface Stack {
  /** http://localhost:PORT — the dashboard, forwarding /api/* to this stack's API. */
  webOrigin: string;
  /** http://127.0.0.1:PORT/api/v1 — the API itself, for the calls a script or SDK would make. */
  apiBase: string;
  close(): Promise<void>;
}

/**
 * An API (the production build, on a fresh database) and a dashboard of its own, for a spec
 * whose settings the shared stack of playwright.config.ts must not take on (BILLING_MODE=credits
 * would price every other spec's calls). `webPort` is chosen before the spec's `test.use` runs.
 */
export async function startStack({ webPort, env }: { webPort: string; env: Record<string, string> }): Promise<Stack> {
  const children: ChildProcess[] = [];
  let database: TestDatabase | undefined;
  const webOrigin = `http://localhost:${webPort}`;
  const apiPort = freePort();
  const close = async () => {
    for (const child of children.reverse()) await stop(child);
    await database?.drop();
  };
  try {
    database = await createDatabase({ prefix: 'aius_e2e_stack' });
    children.push(
      spawn(process.execPath, ['dist/main.js'], {
        cwd: API_DIR,
        stdio: ['ignore', 'inherit', 'inherit'],
        env: {
          ...process.env,
          NODE_ENV: 'production',
          LOG_LEVEL: 'warn',
          HOST: '127.0.0.1',
          PORT: apiPort,
          DATABASE_URL: database.url,
          REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
          REDIS_PREFIX: `aius-e2e-stack:${randomBytes(4).toString('hex')}:`,
          SESSION_SECRET: randomBytes(32).toString('base64url'),
          APP_ORIGINS: webOrigin,
          RATE_LIMIT_CREDENTIAL_PER_MINUTE: '1000',
          RATE_LIMIT_DEFAULT_PER_MINUTE: '10000',
          ...env,
        },
      }),
    );
    children.push(
      spawn(process.execPath, ['node_modules/next/dist/bin/next', 'start', '--port', webPort], {
        cwd: WEB_DIR,
        stdio: ['ignore', 'inherit', 'inherit'],
        env: { ...process.env, API_URL: `http://127.0.0.1:${apiPort}`, NEXT_TELEMETRY_DISABLED: '1' },
      }),
    );
    await waitFor(`http://127.0.0.1:${apiPort}/api/v1/ready`, children);
    await waitFor(`${webOrigin}/login`, children);
  } catch (error) {
    await close();
    throw error;
  }
  return { webOrigin, apiBase: `http://127.0.0.1:${apiPort}/api/v1`, close };
}

async function waitFor(url: string, children: ChildProcess[]): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const exited = children.find((c) => c.exitCode !== null);
    if (exited) throw new Error(`${exited.spawnargs.join(' ')} exited with ${exited.exitCode}`);
    const status = await fetch(url).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer 200 in 60 s`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
