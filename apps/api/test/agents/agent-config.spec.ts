import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCommand } from '../../src/modules/agents/admin-command.js';
import { registerUser } from '../support/accounts.js';
import { startTestApp } from '../support/test-app.js';
import { userWithToken } from '../proxy/support.js';
import { RunClient, SYSTEM_PROMPT, TOOLS, admin, sql, startRunHarness, userMessages, type RunHarness } from '../runs/support.js';
import { completion } from '@aius/test-support';

let h: RunHarness;
beforeAll(async () => {
  h = await startRunHarness({ RUN_DEFAULT_MODEL: 'gpt-fake' });
});
afterAll(() => h.close());

const toolJson = (name: string) => JSON.stringify({ type: 'function', function: { name, parameters: { type: 'object' } } });

describe('agent configuration (spec §10)', () => {
  it('the seeded agent reads back with its newest prompt and tools, on both prefixes', async () => {
    for (const base of [h.t.base, `${h.t.origin}/v1`]) {
      const res = await fetch(`${base}/admin/agents/build`, { headers: { authorization: `Bearer ${h.admin.token}` } });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ name: 'build', system_prompt: SYSTEM_PROMPT, tools: TOOLS });
    }
  });

  it('versions are kept and the newest is served; an upsert of the same version replaces it', async () => {
    expect(await admin(h.t, h.admin.token, '/admin/prompts', { name: 'planner', text: 'v1 text' })).toEqual({ status: 200, body: { name: 'planner', version: 1 } });
    expect(await admin(h.t, h.admin.token, '/admin/prompts', { name: 'planner', text: 'v3 text', version: 3 })).toEqual({ status: 200, body: { name: 'planner', version: 3 } });
    expect((await admin(h.t, h.admin.token, '/admin/prompts', { name: 'planner', text: 'v1 again' })).status).toBe(200);
    expect((await admin(h.t, h.admin.token, '/admin/agents', { name: 'plan', prompt_name: 'planner', tool_names: ['bash'] })).status).toBe(200);
    const got = await admin(h.t, h.admin.token, '/admin/agents/plan');
    expect(got.body).toMatchObject({ name: 'plan', system_prompt: 'v3 text', tools: [TOOLS[1]] });
    const rows = await sql<{ version: number; text: string }>(h.t, "SELECT version, text FROM agent_prompts WHERE name = 'planner' ORDER BY version");
    expect(rows).toEqual([{ version: 1, text: 'v1 again' }, { version: 3, text: 'v3 text' }]);
  });

  it('a tool whose schema_json is not one tool object named like the tool is 400 INVALID_REQUEST', async () => {
    for (const schema_json of ['not json', '{"type":"function"}', toolJson('other'), JSON.stringify([TOOLS[0]])]) {
      const res = await admin(h.t, h.admin.token, '/admin/tools', { name: 'read_file', schema_json });
      expect(res).toEqual({ status: 400, body: { detail: { code: 'INVALID_REQUEST', message: 'Invalid request' } } });
    }
  });

  it('an agent naming an unknown prompt or tool is 404 NOT_FOUND, and nothing is written', async () => {
    expect((await admin(h.t, h.admin.token, '/admin/agents', { name: 'ghost', prompt_name: 'nope' })).body).toMatchObject({ detail: { code: 'NOT_FOUND' } });
    expect((await admin(h.t, h.admin.token, '/admin/agents', { name: 'ghost', tool_names: ['bash', 'nope'] })).status).toBe(404);
    expect((await admin(h.t, h.admin.token, '/admin/agents/ghost')).status).toBe(404);
  });

  it('a non-admin bearer is 403 NO_ACCESS; no or bad bearer gets the gateway strings', async () => {
    for (const path of ['/admin/prompts', '/admin/agents/build']) {
      const body = path === '/admin/prompts' ? { name: 'x', text: 'y' } : undefined;
      expect((await admin(h.t, h.user.token, path, body)).body).toEqual({ detail: { code: 'NO_ACCESS', message: 'You do not have access to this resource' } });
      expect((await admin(h.t, 'aius_bogus', path, body)).body).toEqual({ detail: 'invalid token' });
    }
    const res = await fetch(`${h.t.base}/admin/agents/build`);
    expect([res.status, await res.json()]).toEqual([401, { detail: 'missing bearer token' }]);
  });

  it('admin grant / revoke from the command line', async () => {
    const res = () => admin(h.t, h.user.token, '/admin/tools', { name: 'grep', schema_json: toolJson('grep') });
    expect((await res()).status).toBe(403);
    expect(await adminCommand(['grant', h.user.email.toUpperCase()], h.t.db.url)).toBe(`${h.user.email} is an instance admin`);
    expect((await res()).status).toBe(200);
    expect(await adminCommand(['revoke', h.user.email], h.t.db.url)).toBe(`${h.user.email} is no longer an instance admin`);
    expect((await res()).status).toBe(403);
    await expect(adminCommand(['promote', h.user.email], h.t.db.url)).rejects.toThrow('usage: admin grant <email> | admin revoke <email>');
  });

  it('an unknown agent falls back to build', async () => {
    h.upstream.script = () => ({ json: completion('hi') });
    const c = await RunClient.open(h.t);
    c.begin(h.user.token, { messages: userMessages, agent: 'does-not-exist' });
    expect((await c.closed).code).toBe(1000);
    expect(h.upstream.calls.at(-1)!.body.messages).toEqual([{ role: 'system', content: SYSTEM_PROMPT }, ...userMessages]);
  });
});

describe('AGENT_CONFIG_FILE', () => {
  it('configures agents at boot, through the same checks as the admin routes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aius-agents-'));
    const file = join(dir, 'agents.json');
    await writeFile(
      file,
      JSON.stringify({
        prompts: [{ name: 'build', text: 'From the file.' }],
        tools: [{ name: 'grep', schema_json: toolJson('grep') }],
        agents: [{ name: 'build', prompt_name: 'build', tool_names: ['grep'] }],
      }),
    );
    const t = await startTestApp({ AGENT_CONFIG_FILE: file, ADMIN_EMAILS: 'file-admin@example.com' });
    try {
      const u = await userWithToken(t, undefined, await registerUser(t.base, { email: 'file-admin@example.com' }));
      expect((await admin(t, u.token, '/admin/agents/build')).body).toEqual({
        name: 'build',
        system_prompt: 'From the file.',
        tools: [JSON.parse(toolJson('grep'))],
      });
    } finally {
      await t.close();
    }
    await writeFile(file, JSON.stringify({ agents: [{ name: 'build', tool_names: ['missing'] }] }));
    await expect(startTestApp({ AGENT_CONFIG_FILE: file })).rejects.toThrow();
  });
});
