// Fails fast, with the fix in the message, when the tests' PostgreSQL or Redis is absent.
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
if (failed) process.exit(1);
