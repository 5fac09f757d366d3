import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase, startAiusProcess } from './processes.js';
import { mintAiusToken } from './sections/aius.js';

/**
 * `pnpm --filter @aius/bench artifact-memory`: how much the API's resident memory grows while
 * ARTIFACT_UPLOADS (8) uploads of ARTIFACT_MIB (10) MiB each run at once, for the Postgres and
 * the ARTIFACT_DIR backend. RSS of the AIUS process (production build) is sampled every 10 ms
 * from /proc; growth = peak during the uploads − RSS after one small warm-up upload. The bodies
 * are built in this process, so they are not counted. Needs `pnpm --filter @aius/api build`.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const uploads = Number(process.env.ARTIFACT_UPLOADS ?? 8);
const mib = Number(process.env.ARTIFACT_MIB ?? 10);

async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

async function measureBackend(label: string, extraEnv: Record<string, string>): Promise<string> {
  const db = await createDatabase('postgresql://postgres@127.0.0.1:5432/postgres', 'aius_artifact_memory');
  const aius = await startAiusProcess({ root, databaseUrl: db.url, redisUrl: 'redis://127.0.0.1:6379', label: 'aius-artifact-memory', extraEnv });
  try {
    const token = await mintAiusToken(aius.base);
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const clients = (await (await fetch(`${aius.base}/clients`, { headers: auth })).json()) as { data: { id: string }[] };
    const orgId = clients.data[0]!.id;
    const post = async (body: string) => {
      const res = await fetch(`${aius.base}/artifacts`, { method: 'POST', headers: auth, body });
      if (res.status !== 200) throw new Error(`upload: ${res.status} ${await res.text()}`);
    };
    await post(JSON.stringify({ org_id: orgId, path: 'warm-up.txt', content_base64: Buffer.from('warm').toString('base64') }));
    const bodies = Array.from({ length: uploads }, (_, i) =>
      JSON.stringify({ org_id: orgId, path: `big/${i}.bin`, content_base64: randomBytes(mib * 1024 * 1024).toString('base64') }),
    );
    const pid = aius.child.process.pid!;
    await new Promise((r) => setTimeout(r, 500));
    const baseline = await rssOf(pid);
    let peak = baseline;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, await rssOf(pid));
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const started = performance.now();
    await Promise.all(bodies.map(post));
    const seconds = (performance.now() - started) / 1000;
    sampling = false;
    await sampler;
    const mb = (n: number) => (n / 1024 / 1024).toFixed(0);
    const payload = uploads * mib;
    return `${label}: ${uploads} concurrent uploads of ${mib} MiB (${payload} MiB decoded, ${((bodies[0]!.length * uploads) / 1024 / 1024).toFixed(0)} MiB of JSON) in ${seconds.toFixed(1)} s; RSS ${mb(baseline)} MiB before, peak ${mb(peak)} MiB, growth ${mb(peak - baseline)} MiB (${((peak - baseline) / (payload * 1024 * 1024)).toFixed(2)}× the decoded bytes)`;
  } finally {
    await aius.child.stop();
    await db.drop();
  }
}

const dir = await mkdtemp(path.join(tmpdir(), 'aius-artifact-memory-'));
try {
  console.log(await measureBackend('Postgres', {}));
  console.log(await measureBackend('ARTIFACT_DIR', { ARTIFACT_DIR: dir }));
} finally {
  await rm(dir, { recursive: true, force: true });
}
