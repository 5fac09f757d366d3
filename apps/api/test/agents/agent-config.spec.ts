import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCommand } from '../../src/modules/agents/admin-command.js';
import { startTestApp } from '../support/test-app.js';
import { sql } from '../support/sql.js';
import { RunClient, SYSTEM_PROMPT, TOOLS, startRunHarness, userMessages, type RunHarness } from '../runs/support.js';
import { call, completion, registerUser, send, statusAndBody, userWithToken } from '@aius/test-support';

let h: RunHarness;
beforeAll(async () => {
  h = await startRunHarness({ RUN_DEFAULT_MODEL: 'gpt-fake' });
});
afterAll(() => h.close());

const toolJson = (name: string) => JSON.stringify({ type: 'function', function: { name, parameters: { type: 'object' } } });

describe('agent configuration (spec §10)', () => {
  it('the seeded agent reads back with its newest prompt and tools, on both prefixes', async () => {
    const got = await call(h.t.origin, 'getAgent', { params: { name: 'build' }, as: { bearer: h.admin.token } });
    expect(got.status).toBe(200);
    expect(got.body).toEqual({ name: 'build', system_prompt: SYSTEM_PROMPT, tools: TOOLS });
    // The /v1 prefix is not in the route table: asked by path.
    const aliased = await send(`${h.t.origin}/v1/admin/agents/build`, 'GET', { bearer: h.admin.token });
    expect(aliased.status).toBe(200);
    expect(aliased.body).toEqual({ name: 'build', system_prompt: SYSTEM_PROMPT, tools: TOOLS });
  });

  it('versions are kept and the newest is served; an upsert of the same version replaces it', async () => {
    expect(statusAndBody(await call(h.t.origin, 'putPrompt', { body: { name: 'planner', text: 'v1 text' }, as: { bearer: h.admin.token } }))).toEqual({ status: 200, body: { name: 'planner', version: 1 } });
    expect(statusAndBody(await call(h.t.origin, 'putPrompt', { body: { name: 'planner', text: 'v3 text', version: 3 }, as: { bearer: h.admin.token } }))).toEqual({ status: 200, body: { name: 'planner', version: 3 } });
    expect((await call(h.t.origin, 'putPrompt', { body: { name: 'planner', text: 'v1 again' }, as: { bearer: h.admin.token } })).status).toBe(200);
    expect((await call(h.t.origin, 'putAgent', { body: { name: 'plan', prompt_name: 'planner', tool_names: ['bash'] }, as: { bearer: h.admin.token } })).status).toBe(200);
    const got = await call(h.t.origin, 'getAgent', { params: { name: 'plan' }, as: { bearer: h.admin.token } });
    expect(got.body).toMatchObject({ name: 'plan', system_prompt: 'v3 text', tools: [TOOLS[1]] });
    const rows = await sql<{ version: number; text: string }>(h.t, "SELECT version, text FROM agent_prompts WHERE name = 'planner' ORDER BY version");
    expect(rows).toEqual([{ version: 1, text: 'v1 again' }, { version: 3, text: 'v3 text' }]);
  });

  it('a tool whose schema_json is not one tool object named like the tool is 400 INVALID_REQUEST', async () => {
    for (const schema_json of ['not json', '{"type":"function"}', toolJson('other'), JSON.stringify([TOOLS[0]])]) {
      const res = await call(h.t.origin, 'putTool', { body: { name: 'read_file', schema_json }, as: { bearer: h.admin.token } });
      expect(statusAndBody(res)).toEqual({ status: 400, body: { detail: { code: 'INVALID_REQUEST', message: 'Invalid request' } } });
    }
  });

  it('an agent naming an unknown prompt or tool is 404 NOT_FOUND, and nothing is written', async () => {
    expect((await call(h.t.origin, 'putAgent', { body: { name: 'ghost', prompt_name: 'nope' }, as: { bearer: h.admin.token } })).body).toMatchObject({ detail: { code: 'NOT_FOUND' } });
    expect((await call(h.t.origin, 'putAgent', { body: { name: 'ghost', tool_names: ['bash', 'nope'] }, as: { bearer: h.admin.token } })).status).toBe(404);
    expect((await call(h.t.origin, 'getAgent', { params: { name: 'ghost' }, as: { bearer: h.admin.token } })).status).toBe(404);
  });

  it('a non-admin bearer is 403 NO_ACCESS; no or bad bearer gets the gateway strings', async () => {
    const putPrompt = (bearer: string) => call(h.t.origin, 'putPrompt', { body: { name: 'x', text: 'y' }, as: { bearer } });
    const getBuild = (bearer: string) => call(h.t.origin, 'getAgent', { params: { name: 'build' }, as: { bearer } });
    for (const send of [putPrompt, getBuild]) {
      expect((await send(h.user.token)).body).toEqual({ detail: { code: 'NO_ACCESS', message: 'You do not have access to this resource' } });
      expect((await send('aius_bogus')).body).toEqual({ detail: 'invalid token' });
    }
    const res = await call(h.t.origin, 'getAgent', { params: { name: 'build' } });
    expect([res.status, res.body]).toEqual([401, { detail: 'missing bearer token' }]);
  });

  it('admin grant / revoke from the command line', async () => {
    const res = () => call(h.t.origin, 'putTool', { body: { name: 'grep', schema_json: toolJson('grep') }, as: { bearer: h.user.token } });
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
      const u = await userWithToken(t.origin, { holder: await registerUser(t.origin, { email: 'file-admin@example.com' }) });
      expect((await call(t.origin, 'getAgent', { params: { name: 'build' }, as: { bearer: u.token } })).body).toEqual({
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
