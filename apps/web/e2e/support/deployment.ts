import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase, startFakeUpstream, type FakeUpstream, type TestDatabase } from '@aius/test-support';
import { freePort } from './free-port';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const DEPLOY_DIR = join(ROOT, 'deploy');
const SITE = join(DEPLOY_DIR, 'nginx/aius.conf');

/** The commands this deployment runs, which deploy/Dockerfile and deploy/compose.yaml must run too. */
export const API_COMMAND = { cwd: '.', argv: ['node', 'apps/api/dist/main.js'] };
export const WEB_COMMAND = { cwd: 'apps/web', argv: ['node', 'node_modules/next/dist/bin/next', 'start', '--port'] };

/** The model the deployment's agent runs: one tool call, then text once it has the result. */
export const RUN_MODEL = 'fake-tools-1';

export interface Deployment {
  /** https://localhost:PORT — nginx with TLS. */
  origin: string;
  /** http://localhost:PORT — nginx's redirect to HTTPS. */
  plainOrigin: string;
  upstream: FakeUpstream;
  /** The API instance nginx sent each request of a path to, from its access log (`127.0.0.1:PORT`). */
  instancesThatServed(path: string): Set<string>;
  /** SIGTERM to the second API instance; resolves when it has exited. */
  stopSecondInstance(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The topology of deploy/ started from this checkout, with the commands the Dockerfile and
 * compose file run: nginx with deploy/nginx/aius.conf (addresses, ports and a self-signed
 * certificate swapped in) in front of two API instances (`node apps/api/dist/main.js`) sharing
 * one fresh Postgres database and one Redis prefix, and the dashboard (`next start`), with the
 * fake upstream as the model.
 */
export async function startDeployment(ports: { https: string; http: string }): Promise<Deployment> {
  const dir = mkdtempSync(join(tmpdir(), 'aius-deploy-'));
  const children: ChildProcess[] = [];
  let database: TestDatabase | undefined;
  const origin = `https://localhost:${ports.https}`;
  const upstream = await startFakeUpstream({ models: ['gpt-fake', RUN_MODEL] });
  const close = async () => {
    for (const child of children.reverse()) await stop(child);
    await upstream.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-days', '1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    database = await createDatabase({ prefix: 'aius_deploy' });
    writeFileSync(join(dir, 'agents.json'), JSON.stringify(AGENT_FILE));

    const apiPorts = [freePort(), freePort()];
    const apiEnv: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      DATABASE_URL: database.url,
      REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
      REDIS_PREFIX: `aius-deploy:${randomBytes(4).toString('hex')}:`,
      SESSION_SECRET: randomBytes(32).toString('base64url'),
      APP_ORIGINS: origin,
      // nginx connects from 127.0.0.1: TRUSTED_PROXIES keeps its default (127.0.0.1,::1).
      UPSTREAMS: JSON.stringify([{ name: 'fake', base_url: upstream.url, api_key: 'sk-deploy', models: ['gpt-fake', RUN_MODEL] }]),
      RUN_DEFAULT_MODEL: RUN_MODEL,
      AGENT_CONFIG_FILE: join(dir, 'agents.json'),
    };
    // Both at once, as a compose file starts them: they migrate and apply the agent file together.
    for (const port of apiPorts) {
      children.push(spawn(process.execPath, API_COMMAND.argv.slice(1), { cwd: join(ROOT, API_COMMAND.cwd), stdio: ['ignore', 'inherit', 'inherit'], env: { ...apiEnv, PORT: port } }));
    }
    const webPort = freePort();
    children.push(
      spawn(process.execPath, [...WEB_COMMAND.argv.slice(1), webPort], {
        cwd: join(ROOT, WEB_COMMAND.cwd),
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, API_URL: `http://127.0.0.1:${apiPorts[0]}`, NEXT_TELEMETRY_DISABLED: '1' },
      }),
    );
    for (const port of apiPorts) await waitFor(`http://127.0.0.1:${port}/api/v1/ready`, children);
    await waitFor(`http://127.0.0.1:${webPort}/login`, children);

    writeFileSync(join(dir, 'site.conf'), siteConfig({ ...ports, apis: apiPorts, web: webPort, dir }));
    const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((k) => `${k}_temp_path ${join(dir, k)};`).join(' ');
    writeFileSync(
      join(dir, 'nginx.conf'),
      `daemon off; pid ${join(dir, 'nginx.pid')}; error_log ${join(dir, 'error.log')};\n` +
        `events { worker_connections 256; }\n` +
        `http { log_format served '$uri $upstream_addr'; access_log ${join(dir, 'access.log')} served; ${temp} include ${join(dir, 'site.conf')}; }\n`,
    );
    mkdirSync(join(dir, 'logs'));
    children.push(spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'inherit' }));
    await waitFor(`${origin}/api/v1/health`, children, () => readFileSync(join(dir, 'error.log'), 'utf8'));
  } catch (error) {
    await close();
    throw error;
  }

  return {
    origin,
    plainOrigin: `http://localhost:${ports.http}`,
    upstream,
    instancesThatServed: (path) =>
      new Set(
        readFileSync(join(dir, 'access.log'), 'utf8')
          .split('\n')
          .filter((line) => line.startsWith(`${path} `))
          .map((line) => line.split(' ')[1]!),
      ),
    stopSecondInstance: () => stop(children[1]!),
    close,
  };
}

const AGENT_FILE = {
  prompts: [{ name: 'build', text: 'You are the build agent.' }],
  tools: [{ name: 'bash', schema_json: JSON.stringify({ type: 'function', function: { name: 'bash', parameters: { type: 'object' } } }) }],
  agents: [{ name: 'build', prompt_name: 'build', tool_names: ['bash'] }],
};

/** deploy/nginx/aius.conf as shipped, with this deployment's addresses, ports and certificate. */
function siteConfig(c: { https: string; http: string; apis: string[]; web: string; dir: string }): string {
  const site = readFileSync(SITE, 'utf8');
  const swapped = site
    .replace('server 127.0.0.1:8000;', `server 127.0.0.1:${c.apis[0]};`)
    .replace('server 127.0.0.1:8001;', `server 127.0.0.1:${c.apis[1]};`)
    .replace('server 127.0.0.1:3000;', `server 127.0.0.1:${c.web};`)
    .replace('/etc/aius/tls/fullchain.pem', join(c.dir, 'cert.pem'))
    .replace('/etc/aius/tls/privkey.pem', join(c.dir, 'key.pem'))
    .replace(/listen \[::\]:\d+( ssl http2)?;/g, '')
    .replace('listen 443 ssl http2;', `listen 127.0.0.1:${c.https} ssl http2;`)
    .replace('listen 80;', `listen 127.0.0.1:${c.http};`);
  // Every line above must have matched: the test runs the shipped file, not a look-alike.
  for (const port of [c.apis[0], c.apis[1], c.web, c.https, c.http]) {
    if (!swapped.includes(`127.0.0.1:${port}`)) throw new Error(`deploy/nginx/aius.conf changed: could not place port ${port}`);
  }
  return swapped;
}

/** The status `url` answers (any certificate accepted: the deployment's is self-signed), or 0 when nothing listens. */
function statusOf(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = (url.startsWith('https:') ? https : http).get(url, { rejectUnauthorized: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
  });
}

/** Polls `url` until it answers 200; fails early when a process of the deployment has exited. */
async function waitFor(url: string, children: ChildProcess[], diagnose: () => string = () => ''): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const exited = children.find((c) => c.exitCode !== null);
    if (exited) throw new Error(`${exited.spawnargs.join(' ')} exited with ${exited.exitCode} ${diagnose()}`);
    if ((await statusOf(url)) === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up ${diagnose()}`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
