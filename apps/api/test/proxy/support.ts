import type { FakeUpstream } from '@aius/test-support';

export const UPSTREAM_KEY = 'sk-upstream-secret-never-from-clients';

/** Models the fake upstream is configured with (exact routing); `router/…` goes by prefix. */
export const FAKE_MODELS = ['gpt-fake', 'gpt-fake-mini', 'fake-400', 'fake-500', 'fake-slow', 'fake-endless'];

/** UPSTREAMS pointing at one fake upstream twice: by model list and by the `router/` prefix. */
export function upstreamsEnv(upstream: FakeUpstream, extra: Record<string, string> = {}): Record<string, string> {
  return {
    UPSTREAMS: JSON.stringify([
      { name: 'fake', base_url: upstream.url, api_key: UPSTREAM_KEY, models: FAKE_MODELS },
      { name: 'router', base_url: upstream.url, api_key: UPSTREAM_KEY, prefix: 'router/' },
    ]),
    ...extra,
  };
}
