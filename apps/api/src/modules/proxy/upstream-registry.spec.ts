import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/config.js';
import { UpstreamRegistry } from './upstream-registry.js';

const base = { DATABASE_URL: 'postgresql://x@localhost/x', SESSION_SECRET: 'x'.repeat(32) };
const registries: UpstreamRegistry[] = [];
const registry = (env: Record<string, string>) => {
  const r = new UpstreamRegistry(loadConfig({ ...base, ...env }));
  registries.push(r);
  return r;
};
afterAll(() => Promise.all(registries.map((r) => r.onModuleDestroy())));

describe(UpstreamRegistry.name, () => {
  const upstreams = JSON.stringify([
    { name: 'openai', base_url: 'https://api.openai.com/v1', api_key: 'k1', models: ['gpt-4o', 'or/special'] },
    { name: 'openrouter', base_url: 'https://openrouter.ai/api/v1/', api_key: 'k2', prefix: 'or/' },
    { name: 'openrouter-anthropic', base_url: 'https://openrouter.ai/api/v1', prefix: 'or/anthropic/' },
    { name: 'local', base_url: 'http://127.0.0.1:11434/v1' },
  ]);

  it('routes by exact id, then the longest prefix (stripped), then the catch-all', () => {
    const r = registry({ UPSTREAMS: upstreams });
    const route = (m: string) => {
      const x = r.route(m)!;
      return [x.upstream.name, x.model];
    };
    expect(route('gpt-4o')).toEqual(['openai', 'gpt-4o']);
    expect(route('or/special')).toEqual(['openai', 'or/special']);
    expect(route('or/openai/gpt-4o')).toEqual(['openrouter', 'openai/gpt-4o']);
    expect(route('or/anthropic/claude')).toEqual(['openrouter-anthropic', 'claude']);
    expect(route('llama3')).toEqual(['local', 'llama3']);
    expect(r.upstreams[1]!.basePath).toBe('/api/v1');
    expect(r.upstreams[3]!.authorization).toBeUndefined();
  });

  it('has no route for an unlisted model when there is no catch-all', () => {
    const r = registry({ UPSTREAMS: JSON.stringify([{ name: 'a', base_url: 'http://a.example/v1', models: ['m'] }]) });
    expect(r.route('other')).toBeNull();
  });

  it('turns the single-upstream shorthand into a catch-all', () => {
    const r = registry({ UPSTREAM_BASE_URL: 'http://vllm.internal:8000/v1', UPSTREAM_API_KEY: 'k' });
    expect(r.route('anything')?.upstream).toMatchObject({ name: 'default', authorization: 'Bearer k', basePath: '/v1' });
  });

  it('fails boot naming UPSTREAMS when it is not a valid list', () => {
    for (const bad of ['not json', '{}', '[]', '[{"name":"a","base_url":"ftp://x"}]', '[{"name":"a","base_url":"http://x","extra":1}]']) {
      expect(() => loadConfig({ ...base, UPSTREAMS: bad })).toThrow(/^Invalid configuration: UPSTREAMS /);
    }
  });
});
