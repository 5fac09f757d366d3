// Fails fast, with the fix in the message, when the tests' PostgreSQL or Redis is absent, or a
// program the browser and deployment tests start (Chromium, nginx, openssl) is not installed.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';

const checks = [
  ['PostgreSQL', process.env.TEST_DATABASE_URL, 5432,
    'start it (Debian: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or set TEST_DATABASE_URL'],
  ['Redis', process.env.TEST_REDIS_URL, 6379,
    'start it (redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no) or set TEST_REDIS_URL'],
];
let failed = false;
for (const [name, url, defaultPort, fix] of checks) {
  const u = new URL(url);
  const ok = await new Promise((resolve) => {
    const socket = net.connect({ host: u.hostname, port: Number(u.port || defaultPort), timeout: 2000 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
  if (!ok) {
    console.error(`tests need ${name} at ${u.host}, which is not answering: ${fix}`);
    failed = true;
  }
}
const programs = [
  ['Chromium', () => existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'), 'apt-get install chromium, or set CHROMIUM_PATH'],
  ['nginx', () => runs('nginx', ['-v']), 'apt-get install nginx (the deployment test starts its own, on 127.0.0.1)'],
  ['openssl', () => runs('openssl', ['version']), 'apt-get install openssl'],
];
for (const [name, present, fix] of programs) {
  if (present()) continue;
  console.error(`tests need ${name}, which is not installed: ${fix}`);
  failed = true;
}
if (failed) process.exit(1);

function runs(program, args) {
  try {
    execFileSync(program, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
