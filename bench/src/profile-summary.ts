/** Fastify's request-lifecycle files: a hook calls the rest of the lifecycle from its own stack (see summarize). */
const FASTIFY_LIFECYCLE = /\/fastify\/(fastify\.js|lib\/(hooks|handle-request|content-type-parser|route)\.js)$/;

export interface Profile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/** A frame as the summaries name it: function, then file and line (packages by their own path, AIUS's files from apps/api). */
function frameKey({ functionName, url, lineNumber }: Profile['nodes'][number]['callFrame']): { key: string; where: string } {
  const where = url ? `${url.replace(/^file:\/\//, '').replace(/^.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, '').replace(/^.*\/apps\/api\//, 'apps/api/')}:${lineNumber + 1}` : '';
  return { key: `${functionName || '(anonymous)'} ${where}`.trim(), where };
}

/** Each frame's share of the busy samples (self time; idle and program samples left out). */
export function selfShares(profile: Profile): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let busy = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const frame = byId.get(profile.samples[i]!)!.callFrame;
    if (frame.functionName === '(idle)' || frame.functionName === '(program)') continue;
    const { key } = frameKey(frame);
    const dt = profile.timeDeltas[i] ?? 0;
    self.set(key, (self.get(key) ?? 0) + dt);
    busy += dt;
  }
  for (const [k, v] of self) self.set(k, v / busy);
  return self;
}

/**
 * Self time per frame (function, file, line), as a share of the busy samples, largest first; with
 * the run's CPU per request, each share also in µs per request (the profile also holds the boot and
 * the warm-up, a few % of it, so these µs are approximate).
 */
export function summarize(profile: Profile, top: number, cpuPerRequestUs?: number): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  const self = new Map<string, number>();
  /** Each self-time key's file, kept apart: a function's name may hold spaces and slashes (V8 names a regexp's code after its pattern). */
  const fileOf = new Map<string, string>();
  // Each busy sample charged to the nearest AIUS file on its stack: what that file costs with the
  // library and Node work it calls (its AIUS callees charged to themselves).
  const nearest = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]!)!;
    const dt = profile.timeDeltas[i] ?? 0;
    const { functionName } = node.callFrame;
    const { key, where } = frameKey(node.callFrame);
    self.set(key, (self.get(key) ?? 0) + dt);
    fileOf.set(key, where);
    total += dt;
    if (functionName === '(idle)' || functionName === '(program)') continue;
    let owner = 'Node, HTTP parsing, GC (no AIUS or Fastify frame on the stack)';
    for (let id: number | undefined = node.id; id !== undefined; id = parentOf.get(id)) {
      const frameUrl = byId.get(id)!.callFrame.url;
      const file = /\/apps\/api\/dist\/(.*\.js)$/.exec(frameUrl)?.[1];
      if (file && file !== 'main.js') {
        owner = file;
        break;
      }
      // A hook calls the rest of the request's lifecycle from its own stack: stopping at Fastify's
      // lifecycle frames keeps that work off the hook's file.
      if (FASTIFY_LIFECYCLE.test(frameUrl)) {
        owner = 'Fastify request lifecycle (hooks, routing, body reading; no AIUS frame below it)';
        break;
      }
    }
    nearest.set(owner, (nearest.get(owner) ?? 0) + dt);
  }
  const idle = (self.get('(idle)') ?? 0) + (self.get('(program)') ?? 0);
  const busy = total - idle;
  const rows = [...self].filter(([k]) => k !== '(idle)' && k !== '(program)').sort((a, b) => b[1] - a[1]).slice(0, top);
  // The same self time by where the code lives: AIUS's own files, each package, Node's internals.
  const owners = new Map<string, number>();
  for (const [k, v] of self) {
    if (k === '(idle)' || k === '(program)') continue;
    const where = fileOf.get(k)!;
    const owner = where === '' ? 'native / GC' : where.startsWith('apps/api/') ? where.replace(/:\d+$/, '') : where.startsWith('node:') ? 'node internals' : where.includes('/') ? where.split('/')[0]!.startsWith('@') ? where.split('/').slice(0, 2).join('/') : where.split('/')[0]! : 'native / GC';
    owners.set(owner, (owners.get(owner) ?? 0) + v);
  }
  const pct = (v: number) => ((100 * v) / busy).toFixed(1) + (cpuPerRequestUs === undefined ? '' : ` | ${((v / busy) * cpuPerRequestUs).toFixed(1)}`);
  const unit = cpuPerRequestUs === undefined ? '' : ' | µs per request';
  const align = cpuPerRequestUs === undefined ? '' : '---:|';
  return [
    `Busy ${((100 * busy) / total).toFixed(0)} % of the profile (the rest idle). Shares below are of the busy time.`,
    '',
    `| self %${unit} | frame |`,
    `|---:|${align}---|`,
    ...rows.map(([k, v]) => `| ${pct(v)} | \`${k}\` |`),
    '',
    `| self %${unit} | where |`,
    `|---:|${align}---|`,
    ...[...owners].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `| ${pct(v)} | ${k} |`),
    '',
    `| with callees %${unit} | nearest AIUS file on the stack |`,
    `|---:|${align}---|`,
    ...[...nearest].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `| ${pct(v)} | ${k} |`),
  ].join('\n');
}
